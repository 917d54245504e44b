"""Copy a whole matrix from one organisation to another, and tell how a copy differs since.

A region's municipalities start from one template matrix (seed 004): the copy takes its levels,
roles and duties with everything they say, but no assignments, and every copy remembers its
original through `copied_from`, so that the difference page can compare them later.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from matrix.models import Assignment
from roles.models import Duty, Level, Role
from units.history import current_how, deleting_in_bulk, record_bulk


@dataclass(frozen=True)
class MatrixSize:
    """How much of a matrix an organisation has of its own, and how many assignments to it."""

    levels: int
    roles: int
    duties: int
    assignments: int

    def describe(self):
        """Return the size in words: "3 levels, 13 roles, 105 duties and 40 assignments"."""
        return _("%(levels)s, %(roles)s, %(duties)s and %(assignments)s") % {
            "levels": _levels(self.levels), "roles": _roles(self.roles),
            "duties": _duties(self.duties),
            "assignments": ngettext("%(count)d assignment", "%(count)d assignments",
                                    self.assignments) % {"count": self.assignments},
        }


@dataclass(frozen=True)
class CopyResult:
    """What matrix_copy() created, and the size of the matrix it replaced (None: none)."""

    levels: int
    roles: int
    duties: int
    role_sectors: int
    supporting_links: int
    unit_permissions: int
    duty_sectors: int
    collaborating_links: int
    replaced: MatrixSize | None = None

    def describe(self):
        """Return the counts in words, for the command's output and the admin's message."""
        return _("%(levels)s, %(roles)s and %(duties)s, with %(supporting)d supporting and "
                 "%(collaborating)d collaborating links") % {
            "levels": _levels(self.levels), "roles": _roles(self.roles),
            "duties": _duties(self.duties),
            "supporting": self.supporting_links, "collaborating": self.collaborating_links,
        }


def matrix_size(organisation):
    """Return how many levels, roles, duties and assignments `organisation`'s own matrix has."""
    # Named apart from the relations: an aggregate called "roles" would hide "roles__duties".
    counts = Level.objects.filter(organisation=organisation).aggregate(
        level_count=Count("pk", distinct=True), role_count=Count("roles", distinct=True),
        duty_count=Count("roles__duties", distinct=True))
    # Counted apart: joined with the duties, every assignment would be counted once per duty.
    assignments = Assignment.objects.filter(role__level__organisation=organisation).count()
    return MatrixSize(levels=counts["level_count"], roles=counts["role_count"],
                      duties=counts["duty_count"], assignments=assignments)


@transaction.atomic
def matrix_copy(*, source, target, overwrite=False):
    """Copy the matrix of `source` to `target`, and make `source` the template of `target`.

    Levels, roles and duties are copied with every column (translated ones too), sectors, unit
    permissions, supporting roles and collaborating roles; assignments are not. A link to a role
    of the source points to that role's copy; a link to a role outside it (a region's role) stays
    on the original. Every copy's `copied_from` is its original.

    Raise ValidationError when `source` has no matrix or `target` already has one; with
    `overwrite`, delete the target's levels first, and with them its roles, duties and every
    assignment to its roles. Run a fixed number of queries whatever the matrix's size (SQLite
    alone splits an insert of more rows than its parameter limit allows).
    """
    if source.pk == target.pk:
        raise ValidationError(_("A matrix cannot be copied onto itself."))
    levels = list(Level.objects.filter(organisation=source).order_by("order", "pk"))
    if not levels:
        raise ValidationError(
            _("%(source)s has no matrix to copy.") % {"source": source.name})
    replaced = matrix_size(target)
    if replaced.levels:
        if not overwrite:
            raise ValidationError(_(
                "%(target)s already has a matrix: %(levels)s and %(roles)s. Copy with overwrite "
                "to replace it; that deletes its levels, roles and duties and every assignment "
                "to its roles.") % {"target": target.name, "levels": _levels(replaced.levels),
                                    "roles": _roles(replaced.roles)})
        # The roles' assignments go with them; what they granted was never stored. The history
        # of everything deleted is written in bulk.
        with deleting_in_bulk():
            Level.objects.filter(organisation=target).delete()
    # modeltranslation reads and writes the untranslated column through the active language:
    # copying in the default language keeps that column in the default language, whoever copies.
    with translation.override(settings.LANGUAGE_CODE):
        counts = _copy_contents(source=source, target=target, levels=levels)
    target.template = source
    target.save(update_fields=["template"])
    return CopyResult(**counts, replaced=replaced if replaced.levels else None)


def _copy_contents(*, source, target, levels):
    """Copy `levels` of `source`, their roles, duties and links to `target`; return the counts."""
    # Read after the delete: overwriting a region deletes the roles its municipalities' duties
    # collaborate with, and the links to them go with them.
    roles = list(Role.objects.filter(level__organisation=source).order_by("pk"))
    duties = list(Duty.objects.filter(role__level__organisation=source).order_by("pk"))

    level_copies = Level.objects.bulk_create(
        [_clone(level, organisation_id=target.pk) for level in levels])
    level_ids = _copy_ids(level_copies)
    role_copies = Role.objects.bulk_create(
        [_clone(role, level_id=level_ids[role.level_id]) for role in roles])
    role_ids = _copy_ids(role_copies)
    duty_copies = Duty.objects.bulk_create(
        [_clone(duty, role_id=role_ids[duty.role_id]) for duty in duties])
    duty_ids = _copy_ids(duty_copies)

    # The copies' history, written in bulk like the copies (before their links, which the
    # historical rows of the many-to-many fields do not follow here).
    for model, copies in ((Level, level_copies), (Role, role_copies), (Duty, duty_copies)):
        record_bulk(model, copies, update=False,
                    how=current_how() or f"copy of {source.slug}")
    # Inserted straight into the through tables: bulk, like the rows they link.
    role_path, duty_path = "level__organisation", "role__level__organisation"
    return {
        "levels": len(level_copies),
        "roles": len(role_copies),
        "duties": len(duty_copies),
        "role_sectors": _copy_links(Role, "sectors", source, role_path, role_ids),
        "supporting_links": _copy_links(Role, "supporting_roles", source, role_path, role_ids,
                                        other_ids=role_ids),
        "unit_permissions": _copy_links(Role, "unit_permissions", source, role_path, role_ids),
        "duty_sectors": _copy_links(Duty, "sectors", source, duty_path, duty_ids),
        "collaborating_links": _copy_links(Duty, "collaborating_roles", source, duty_path,
                                           duty_ids, other_ids=role_ids),
    }


def _levels(count):
    return ngettext("%(count)d level", "%(count)d levels", count) % {"count": count}


def _roles(count):
    return ngettext("%(count)d role", "%(count)d roles", count) % {"count": count}


def _duties(count):
    return ngettext("%(count)d duty", "%(count)d duties", count) % {"count": count}


def _clone(original, **remapped):
    """Return an unsaved copy of `original`: every concrete column, `remapped` ones replaced.

    Generic on purpose: a column added later (a translation of the text, say) is copied too.
    """
    values = {column.attname: getattr(original, column.attname)
              for column in original._meta.concrete_fields if not column.primary_key}
    return type(original)(**{**values, **remapped, "copied_from_id": original.pk})


def _copy_ids(copies):
    """Return the ids of the saved `copies` by the ids of their originals."""
    return {copy.copied_from_id: copy.pk for copy in copies}


def _copy_links(model, name, source, path, owner_ids, *, other_ids=None):
    """Give the copies the rows of the many-to-many field `name` their originals have.

    `path` leads from `model` to the organisation; `owner_ids` maps an original to its copy;
    `other_ids`, when given, maps the far end too, which stays on the original when it lies
    outside the source (a region's role). Return how many rows were inserted.
    """
    m2m = model._meta.get_field(name)
    through = m2m.remote_field.through
    own, other = m2m.m2m_field_name(), m2m.m2m_reverse_field_name()
    own_id = through._meta.get_field(own).attname
    other_id = through._meta.get_field(other).attname
    rows = through.objects.filter(**{f"{own}__{path}": source}).values_list(own_id, other_id)
    other_ids = other_ids or {}
    links = [through(**{own_id: owner_ids[owner], other_id: other_ids.get(far, far)})
             for owner, far in rows]
    through.objects.bulk_create(links)
    return len(links)


# How a copy differs from its template now


@dataclass(frozen=True)
class Change:
    """An object of the copy beside its original in the template."""

    current: object
    original: object


@dataclass
class RoleDifferences:
    """How one role differs: added, removed or renamed, and its duties added, removed, changed.

    `role` is the copy's role (None when the copy no longer has the template's role);
    `original` is the template's role (None when the copy added the role).
    """

    role: Role | None
    original: Role | None
    added: list = field(default_factory=list)
    removed: list = field(default_factory=list)
    reworded: list = field(default_factory=list)
    moved: list = field(default_factory=list)

    @property
    def name(self):
        return (self.role or self.original).name

    @property
    def level(self):
        return (self.role or self.original).level

    @property
    def is_added(self):
        return self.original is None

    @property
    def is_removed(self):
        return self.role is None

    @property
    def is_renamed(self):
        return (self.role is not None and self.original is not None
                and _differs(self.role, self.original, "name"))

    @property
    def has_changes(self):
        return bool(self.is_added or self.is_removed or self.is_renamed or self.added
                    or self.removed or self.reworded or self.moved)


@dataclass
class MatrixDifferences:
    """How an organisation's matrix differs from its template's, as both stand now.

    `roles` lists only the roles with a difference: the copy's in its matrix order, then the
    template's roles the copy no longer has, in the template's order.
    """

    organisation: object
    template: object
    levels_added: list
    levels_removed: list
    levels_renamed: list
    roles: list

    def _count(self, attribute):
        return sum(len(getattr(role, attribute)) for role in self.roles)

    @property
    def roles_added(self):
        return [role for role in self.roles if role.is_added]

    @property
    def roles_removed(self):
        return [role for role in self.roles if role.is_removed]

    @property
    def roles_renamed(self):
        return [role for role in self.roles if role.is_renamed]

    def counts(self):
        """Return the number of differences of each kind, for the summary at the top."""
        return {
            "levels_added": len(self.levels_added),
            "levels_removed": len(self.levels_removed),
            "levels_renamed": len(self.levels_renamed),
            "roles_added": len(self.roles_added),
            "roles_removed": len(self.roles_removed),
            "roles_renamed": len(self.roles_renamed),
            "duties_added": self._count("added"),
            "duties_removed": self._count("removed"),
            "duties_reworded": self._count("reworded"),
            "duties_moved": self._count("moved"),
        }

    @property
    def has_changes(self):
        return any(self.counts().values())


def matrix_differences(organisation):
    """Return how `organisation`'s matrix differs from its template now; None if not a copy.

    A duty of the copy is *added* when it was not copied from a duty of the template, *removed*
    when the template has it and the copy has no copy of it, *reworded* when its text differs
    from its original's, and *moved* when its original belongs to another role. Roles and levels
    are added, removed or renamed alike. Run four queries whatever the matrix's size.
    """
    if organisation.template_id in (None, organisation.pk):
        return None
    template = organisation.template
    orgs = [organisation.pk, template.pk]
    levels = list(Level.objects.filter(organisation__in=orgs).order_by("order", "pk"))
    roles = list(Role.objects.filter(level__organisation__in=orgs).select_related("level")
                 .order_by("level__order", "level_id", "order", "pk"))
    duties = list(Duty.objects.filter(role__level__organisation__in=orgs)
                  .order_by("order", "pk"))

    own_levels, template_levels = _split(levels, lambda level: level.organisation_id, organisation)
    own_roles, template_roles = _split(roles, lambda role: role.level.organisation_id,
                                       organisation)
    role_by_id = {role.pk: role for role in roles}
    for duty in duties:
        duty.role = role_by_id[duty.role_id]  # the page names a moved duty's role: no query
    own_duties, template_duties = _split(duties, lambda duty: duty.role.level.organisation_id,
                                         organisation)
    level_pairs, levels_removed = _pair(own_levels, template_levels)
    role_pairs, roles_removed = _pair(own_roles, template_roles)
    duty_pairs, duties_removed = _pair(own_duties, template_duties)

    # One entry per role of the copy, then one per template role the copy no longer has.
    by_role = {role.pk: RoleDifferences(role=role, original=original)
               for role, original in role_pairs}
    gone = {original.pk: RoleDifferences(role=None, original=original)
            for original in roles_removed}
    copy_of_role = {original.pk: role for role, original in role_pairs if original}
    for duty, original in duty_pairs:
        entry = by_role[duty.role_id]
        if original is None:
            entry.added.append(duty)
            continue
        if _differs(duty, original, "text"):
            entry.reworded.append(Change(duty, original))
        copied_role = copy_of_role.get(original.role_id)
        if copied_role is None or copied_role.pk != duty.role_id:
            entry.moved.append(Change(duty, original))
    for original in duties_removed:
        copied_role = copy_of_role.get(original.role_id)
        entry = by_role[copied_role.pk] if copied_role else gone[original.role_id]
        entry.removed.append(original)

    return MatrixDifferences(
        organisation=organisation,
        template=template,
        levels_added=[level for level, original in level_pairs if original is None],
        levels_removed=levels_removed,
        levels_renamed=[Change(level, original) for level, original in level_pairs
                        if original is not None and _differs(level, original, "name")],
        roles=[entry for entry in [*by_role.values(), *gone.values()] if entry.has_changes],
    )


def _split(objects, organisation_of, organisation):
    """Return `objects` split into the organisation's own and the template's, keeping order."""
    own = [obj for obj in objects if organisation_of(obj) == organisation.pk]
    return own, [obj for obj in objects if organisation_of(obj) != organisation.pk]


def _pair(own, template):
    """Match the copy's objects `own` with their originals in `template` by `copied_from`.

    Return each of `own` with its original (None: added in the copy, or copied from elsewhere),
    and the objects of `template` the copy has no copy of.
    """
    template_by_id = {obj.pk: obj for obj in template}
    pairs = [(obj, template_by_id.get(obj.copied_from_id)) for obj in own]
    copied = {original.pk for _obj, original in pairs if original is not None}
    return pairs, [obj for obj in template if obj.pk not in copied]


def _differs(current, original, name):
    """Return whether the column `name` differs, or any of its translations do."""
    columns = [name, *(column.attname for column in type(current)._meta.concrete_fields
                       if getattr(column, "translated_field", None) is not None
                       and column.translated_field.name == name)]
    return any(getattr(current, column) != getattr(original, column) for column in columns)
