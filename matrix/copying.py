"""Copy a whole matrix from one organisation to another.

A region's municipalities start from one template matrix (seed 004): the copy takes its levels,
roles and duties with everything they say, but no assignments, and every copy remembers its
original through `copied_from`.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from matrix import services
from matrix.models import Assignment
from roles.models import Duty, Level, Role


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
            "duties": ngettext("%(count)d duty", "%(count)d duties", self.duties)
            % {"count": self.duties},
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
            "duties": ngettext("%(count)d duty", "%(count)d duties", self.duties)
            % {"count": self.duties},
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
        # Through the services, so that the unit permissions these roles granted are taken back
        # in one go rather than assignment by assignment as the cascade would.
        services.assignments_delete(
            assignments=Assignment.objects.filter(role__level__organisation=target))
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

    # Inserted straight into the through tables, so no m2m_changed signal runs: the copied roles
    # have no holders yet, so there is nobody to regrant their unit permissions to.
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
