"""Compose what the pages show from units, roles and assignments, in a fixed number of queries.

Every function here takes objects the caller has already fetched through the permission choke
point (`Unit.objects.for_user`) and never looks at permissions itself.
"""

from dataclasses import dataclass, field
from itertools import groupby

from django.db.models import Prefetch, Q
from django.utils import timezone

from matrix.models import Assignment
from roles.models import Duty, Role


def lineage(organisation):
    """Return the organisation and its ancestors, nearest first, without a query when prefetched."""
    return [organisation, *organisation.ancestors()]


def sector_ids(unit):
    """Return the ids of the unit's sectors (prefetched by `Unit.objects.with_lineage()`)."""
    return [sector.pk for sector in unit.sectors.all()]


def duties_in(sectors):
    """Return the duties that apply in `sectors`, with their partners and sectors prefetched."""
    return (Duty.objects.for_sectors(sectors)
            .prefetch_related("sectors", "collaborating_roles")
            .order_by("order", "pk"))


@dataclass
class RoleEntry:
    """One role as a unit sees it: who holds it there, and which of its duties apply there."""

    role: Role
    holders: list = field(default_factory=list)
    duties: list = field(default_factory=list)

    @property
    def is_gap(self):
        """Return whether the role should have a holder at the unit and has none."""
        return (self.role.scope == Role.Scope.UNIT and self.role.named_holders
                and not self.holders)


@dataclass
class LevelEntry:
    """A level of the matrix with the roles in it that reach a unit."""

    level: object
    roles: list

    @property
    def gaps(self):
        """Return the roles of this level that are gaps at the unit."""
        return [entry for entry in self.roles if entry.is_gap]


def unit_matrix(unit, on=None):
    """Return the unit's matrix as LevelEntry objects, in order: ancestors' levels first.

    The roles are those of the unit's organisation and its ancestors that exist in the unit's
    sectors; each with its current holders (at this unit for unit-scoped roles, in the
    organisation chain for organisation-scoped ones) and the duties that apply in the unit's
    sectors. The queries are fixed in number whatever the size of the matrix.
    """
    on = on or timezone.localdate()
    chain = lineage(unit.organisation)
    chain_ids = [organisation.pk for organisation in chain]
    sectors = sector_ids(unit)
    holders = (Assignment.objects.current(on)
               .filter(Q(unit=unit) | Q(organisation__in=chain_ids))
               .select_related("person").order_by("-is_chair", "-is_lead", "person__name"))
    roles = (Role.objects.filter(level__organisation__in=chain_ids)
             .for_sectors(sectors)
             .select_related("level__organisation")
             .prefetch_related(
                 "supporting_roles",
                 Prefetch("duties", queryset=duties_in(sectors), to_attr="applicable_duties"),
                 Prefetch("assignments", queryset=holders, to_attr="current_holders"),
             ))
    depth = {organisation_id: index for index, organisation_id in enumerate(chain_ids)}
    ordered = sorted(roles, key=lambda role: (-depth[role.level.organisation_id],
                                              role.level.order, role.level_id,
                                              role.order, role.pk))
    return [
        LevelEntry(level=level, roles=[
            RoleEntry(role=role, holders=role.current_holders, duties=role.applicable_duties)
            for role in members
        ])
        for level, members in groupby(ordered, key=lambda role: role.level)
    ]


@dataclass
class PlaceDuties:
    """A person's assignment with the duties that apply where they hold the role."""

    assignment: Assignment
    duties: list

    @property
    def place(self):
        return self.assignment.place


def person_duties(person, on=None):
    """Return PlaceDuties for each of the person's current assignments, grouped by place.

    Unit assignments come first, by unit name, then organisation-wide ones. A duty applies at a
    unit when it has no sectors or shares one with the unit.
    """
    on = on or timezone.localdate()
    duties = Duty.objects.prefetch_related("sectors", "collaborating_roles").order_by("order", "pk")
    assignments = (person.assignments.current(on)
                   .select_related("role__level__organisation", "unit__organisation",
                                   "organisation")
                   .prefetch_related("unit__sectors", Prefetch("role__duties", queryset=duties)))
    result = []
    for assignment in assignments:
        role_duties = list(assignment.role.duties.all())
        if assignment.unit_id:
            unit_sectors = set(sector_ids(assignment.unit))
            role_duties = [duty for duty in role_duties
                           if not duty.sectors.all()
                           or unit_sectors & {sector.pk for sector in duty.sectors.all()}]
        result.append(PlaceDuties(assignment=assignment, duties=role_duties))
    result.sort(key=lambda item: place_order(item.assignment))
    return result


def place_order(assignment):
    """Return the sort key that lists a person's assignments: units by name, then the rest."""
    return (assignment.unit_id is None, str(assignment.place),
            assignment.role.level.order, assignment.role.order)


@dataclass
class GridRow:
    """One duty of the grid, with a mark for each role column: owner, together or supporting."""

    level: object
    role: Role
    duty: Duty
    cells: list


def grid_rows(levels):
    """Return (roles, rows) of the responsibility-assignment grid of a unit's matrix.

    The columns are the roles of the matrix; in each duty's row the role that owns the duty is
    marked "owner", the duty's collaborating roles "together" and the owner's supporting roles
    "supporting". Works on the prefetched result of `unit_matrix`, without queries of its own.
    """
    roles = [entry.role for level in levels for entry in level.roles]
    rows = []
    for level in levels:
        for entry in level.roles:
            supporting = {role.pk for role in entry.role.supporting_roles.all()}
            for duty in entry.duties:
                together = {role.pk for role in duty.collaborating_roles.all()}
                cells = ["owner" if role.pk == entry.role.pk
                         else "together" if role.pk in together
                         else "supporting" if role.pk in supporting
                         else "" for role in roles]
                rows.append(GridRow(level=level.level, role=entry.role, duty=duty, cells=cells))
    return roles, rows
