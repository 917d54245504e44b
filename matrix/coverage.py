"""Coverage: who holds each named role at each unit, where nobody does, and who carries the most.

Like `matrix.compose`, nothing here checks permissions: callers pass units that have already been
through `Unit.objects.for_user`. Every function runs a fixed number of queries.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from matrix.compose import lineage, sector_ids
from matrix.models import Assignment
from roles.models import Role
from units.models import Organisation, Sector, Unit

SORTS = ("name", "gaps")

# How many people the "who holds the most roles" list shows.
BUSIEST_LIMIT = 10


def visible_units(user, organisation):
    """Return the units of `organisation` (and of those below it) that `user` may view."""
    return Unit.objects.for_user(user, "view").in_organisation(organisation)


def parse_options(query):
    """Return (sort, sector code or None) read from a request's GET, ignoring unknown values."""
    sort = query.get("sort", "name")
    sector = query.get("sector") or None
    return (sort if sort in SORTS else "name",
            sector if sector in Sector.Code.values else None)


@dataclass
class Cell:
    """One unit's holders of one role, or a note that the role does not exist there."""

    applicable: bool
    leads: list = field(default_factory=list)
    supporters: list = field(default_factory=list)

    @property
    def is_gap(self):
        """Return whether the role exists at the unit and nobody holds it, as on the unit page."""
        return self.applicable and not self.leads and not self.supporters

    def text(self):
        """Return the cell as one line of text, for exports."""
        if not self.applicable:
            return "–"
        if self.is_gap:
            return _("Gap")
        parts = [", ".join(person.name for person in self.leads)] if self.leads else []
        if self.supporters:
            parts.append(_("supporting: %(names)s") % {
                "names": ", ".join(person.name for person in self.supporters)})
        return "; ".join(parts)


@dataclass
class Row:
    """A unit with one cell per role column."""

    unit: Unit
    cells: list

    @property
    def gaps(self):
        """Return how many roles nobody holds at the unit."""
        return sum(cell.is_gap for cell in self.cells)


@dataclass
class Busy:
    """A person and the current assignments they hold within the coverage."""

    person: object
    assignments: list

    @property
    def count(self):
        """Return how many assignments the person holds."""
        return len(self.assignments)

    def held(self):
        """Return each assignment as "role (place)", in the order of the places' names."""
        return sorted(f"{assignment.role.name} ({assignment.place})"
                      for assignment in self.assignments)


@dataclass
class Coverage:
    """The coverage table of an organisation, with the assignments it was built from."""

    roles: list
    rows: list
    assignments: list
    busiest: list

    @property
    def role_gaps(self):
        """Return the number of gaps in each role column."""
        return [sum(row.cells[index].is_gap for row in self.rows)
                for index in range(len(self.roles))]

    @property
    def total_gaps(self):
        """Return the number of gaps in the whole table."""
        return sum(row.gaps for row in self.rows)


def role_applies(role, unit, organisation_ids):
    """Return whether `role` reaches `unit` and exists in one of its sectors.

    `organisation_ids` are the ids of the unit's organisation and its ancestors; the role's
    sectors must be prefetched.
    """
    if role.level.organisation_id not in organisation_ids:
        return False
    role_sectors = {sector.pk for sector in role.sectors.all()}
    return not role_sectors or bool(role_sectors & set(sector_ids(unit)))


def named_unit_roles(organisation_ids):
    """Return the unit-scoped roles with named holders of the given organisations, in order."""
    return (Role.objects.filter(level__organisation__in=organisation_ids,
                                scope=Role.Scope.UNIT, named_holders=True)
            .select_related("level__organisation").prefetch_related("sectors"))


def build_coverage(organisation, units, *, sector=None, sort="name", on=None):
    """Return the Coverage of `units` (a queryset of units within `organisation`).

    The columns are the unit-scoped roles with named holders of the units' organisations and
    their ancestors, ancestors' first, leaving out roles that exist at none of the units (and, with
    `sector`, roles that do not exist in that sector code). The assignments are the current ones
    at the units and in `organisation` and the organisations below it; the busiest people are
    counted over all of them.
    """
    on = on or timezone.localdate()
    if sector:
        units = units.filter(sectors__code=sector)
    unit_list = list(units.with_lineage().order_by("name", "pk"))
    chains = {unit.pk: {org.pk for org in lineage(unit.organisation)} for unit in unit_list}
    organisations = {org.pk: org for unit in unit_list for org in lineage(unit.organisation)}

    roles = [role for role in named_unit_roles(list(organisations))
             if not sector or _exists_in(role, sector)]
    applicable = {(unit.pk, role.pk): role_applies(role, unit, chains[unit.pk])
                  for unit in unit_list for role in roles}
    roles = [role for role in roles
             if any(applicable[unit.pk, role.pk] for unit in unit_list)]
    roles.sort(key=lambda role: _role_order(role, organisations))

    assignments = list(
        Assignment.objects.current(on)
        .filter(Q(unit__in=units.values("pk"))
                | Q(organisation__in=Organisation.objects.descendants_of(organisation)))
        .select_related("person__organisation", "role__level", "unit", "organisation")
        .order_by("-is_lead", "person__name", "pk"))
    holders = defaultdict(list)
    for assignment in assignments:
        if assignment.unit_id:
            holders[assignment.unit_id, assignment.role_id].append(assignment)

    rows = [Row(unit=unit, cells=[_cell(applicable[unit.pk, role.pk],
                                        holders[unit.pk, role.pk]) for role in roles])
            for unit in unit_list]
    if sort == "gaps":
        rows.sort(key=lambda row: -row.gaps)  # stable: units with equal gaps stay by name
    return Coverage(roles=roles, rows=rows, assignments=assignments,
                    busiest=busiest(assignments))


@dataclass
class Staffing:
    """A role held by fewer people than its minimum, or more than its maximum, at one place."""

    role: Role
    place: str
    count: int
    url: str = ""

    @property
    def off_by(self):
        """Return "short" or "over"."""
        return self.role.holders_off_by(self.count)


def staffing(organisation, units, *, on=None):
    """Return a Staffing for each role of `organisation`'s matrix held too few or too many times.

    The roles are those with a minimum or maximum number of holders, of `organisation`, its
    ancestors and those below it; the holders (lead or supporting) are counted in the database,
    at each of `units` for a unit role and in each organisation below `organisation` for an
    organisation role. An organisation role nobody holds is short at its own organisation; a
    unit nobody holds a role at is a gap of the coverage table, not listed here. Three queries.
    """
    on = on or timezone.localdate()
    below = set(Organisation.objects.descendants_of(organisation).values_list("pk", flat=True))
    roles = {role.pk: role for role in (
        Role.objects.filter(level__organisation__in=below | set(organisation.lineage_ids()))
        .filter(Q(min_holders__isnull=False) | Q(max_holders__isnull=False), named_holders=True)
        .select_related("level__organisation"))}
    if not roles:
        return []
    counts = (Assignment.objects.current(on).filter(role__in=list(roles))
              .filter(Q(unit__in=units.values("pk")) | Q(organisation__in=below))
              .values("role", "unit__name", "unit__slug", "organisation", "organisation__name")
              .annotate(holders=Count("person", distinct=True)).order_by())
    found, held = [], set()
    for count in counts:
        role = roles[count["role"]]
        held.add((role.pk, count["organisation"]))
        if count["unit__slug"]:
            entry = Staffing(role, count["unit__name"], count["holders"],
                             reverse("matrix:unit", args=[count["unit__slug"]]))
        else:
            entry = Staffing(role, count["organisation__name"], count["holders"])
        if entry.off_by:
            found.append(entry)
    for role in roles.values():
        home = role.level.organisation
        if (role.scope == Role.Scope.ORGANISATION and (role.pk, home.pk) not in held
                and home.pk in below and role.holders_off_by(0)):
            found.append(Staffing(role, home.name, 0))
    found.sort(key=lambda entry: (entry.role.level.organisation.name, entry.role.name,
                                  entry.place))
    return found


def busiest(assignments, limit=BUSIEST_LIMIT):
    """Return Busy entries for the `limit` people holding the most of `assignments`."""
    by_person = defaultdict(list)
    for assignment in assignments:
        by_person[assignment.person_id].append(assignment)
    entries = [Busy(person=held[0].person, assignments=held) for held in by_person.values()]
    entries.sort(key=lambda entry: (-entry.count, entry.person.name, entry.person.pk))
    return entries[:limit]


def role_label(role, organisation):
    """Return the role's name, with its organisation's when it is not `organisation`'s own."""
    if role.level.organisation_id == organisation.pk:
        return role.name
    return f"{role.name} ({role.level.organisation.name})"


def export_table(coverage, organisation):
    """Return (headers, rows) of the coverage for `units.export.sheet_response`."""
    headers = [_("Unit"), _("Organisation"),
               *(role_label(role, organisation) for role in coverage.roles), _("Gaps")]
    rows = [[row.unit.name, row.unit.organisation.name,
             *(cell.text() for cell in row.cells), row.gaps]
            for row in coverage.rows]
    rows.append([_("Gaps per role"), "", *coverage.role_gaps, coverage.total_gaps])
    return headers, rows


def _exists_in(role, sector_code):
    """Return whether `role` exists in the sector `sector_code` (no sectors: in all)."""
    codes = {sector.code for sector in role.sectors.all()}
    return not codes or sector_code in codes


def _role_order(role, organisations):
    """Return a sort key putting the roles of higher organisations first, then matrix order."""
    org = organisations[role.level.organisation_id]
    return (len(lineage(org)), org.name, role.level.order, role.level_id, role.order, role.pk)


def _cell(applicable, assignments):
    """Return the Cell of a unit and role from the role's current assignments at the unit."""
    if not applicable:
        return Cell(applicable=False)
    return Cell(applicable=True,
                leads=[assignment.person for assignment in assignments if assignment.is_lead],
                supporters=[assignment.person for assignment in assignments
                            if not assignment.is_lead])
