"""What the change-history sections of the matrix pages list: a unit's, a group's."""

from matrix.models import Assignment
from roles.models import Role
from units.history import recent_changes
from units.models import Unit


def _holder(record):
    """Name a historical assignment: its holder and role (either may be gone since)."""
    person = record.person.name if record.person else "–"
    role = record.role.name if record.role else "–"
    return f"{person}: {role}"


def unit_changes(unit):
    """Return the latest changes of `unit` and of the assignments held at it."""
    return recent_changes(
        (Unit.history.filter(id=unit.pk), lambda record: record.name),
        (Assignment.history.filter(unit_id=unit.pk).select_related("person", "role"), _holder),
    )


def group_changes(role, *, units):
    """Return the latest changes of the group's role and of its members' assignments.

    A group held at units shows the assignments at `units` only (those the reader may view).
    """
    assignments = Assignment.history.filter(role_id=role.pk)
    if role.scope == Role.Scope.ORGANISATION:
        assignments = assignments.filter(organisation_id__isnull=False)
    else:
        assignments = assignments.filter(unit_id__in=units.values("pk"))
    return recent_changes(
        (Role.history.filter(id=role.pk), lambda record: record.name),
        (assignments.select_related("person", "role"), _holder),
    )
