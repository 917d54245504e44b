"""Writes of assignments: who holds which role where, through one place for every writer.

The pages, the admin, the assignment sheet and the demo loader all call these, so the rules of
Assignment.clean() (one lead holder and one chair at a place at a time, the role reaching the
place, the person working there) hold whoever writes. What holding a role allows is not written
anywhere: the choke point computes it from the assignments in force (matrix.apps).

One lead per role and place has to hold when two people appoint at the same moment, which the
model's check alone cannot see: every write locks the role's row first, so writes to the same
role wait for each other and each one's check sees the other's result.
"""

from django.db import transaction

from matrix.models import Assignment
from roles.models import Role
from units.history import refuse_if_stale

# What assignment_update may change; anything else is a programming error, not a user's.
EDITABLE_FIELDS = frozenset(
    {"person", "role", "unit", "organisation", "is_lead", "is_chair", "start_date", "end_date"})


@transaction.atomic
def assignment_create(*, person, role, unit=None, organisation=None, is_lead=True,
                      is_chair=False, start_date=None, end_date=None):
    """Validate and save a new assignment.

    Raise ValidationError, saving nothing, when the assignment is not valid.
    """
    _lock_roles(role)
    assignment = Assignment(person=person, role=role, unit=unit, organisation=organisation,
                            is_lead=is_lead, is_chair=is_chair, start_date=start_date,
                            end_date=end_date)
    assignment.full_clean()
    assignment.save()
    return assignment


@transaction.atomic
def assignment_update(*, assignment, version=None, **changes):
    """Apply `changes` to `assignment`, validate and save it.

    With `version` (what the form read), refuse if someone saved the assignment since. Raise
    ValidationError, saving nothing, when the changed assignment is not valid.
    """
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"assignment_update() cannot change {sorted(unknown)}")
    # The role it leaves and the role it takes are both locked: a ModelForm has already
    # written the new role into the instance, so the stored one is read.
    stored_role = _lock_assignment(assignment)
    _lock_roles(changes.get("role", assignment.role), stored_role)
    refuse_if_stale(assignment, version)
    for name, value in changes.items():
        setattr(assignment, name, value)
    assignment.full_clean()
    assignment.save()
    return assignment


@transaction.atomic
def assignment_end(*, assignment, end_date, version=None):
    """End `assignment` on `end_date` (the last day it is in force).

    Ending in the past is fine. With `version`, refuse if someone saved the assignment since
    the form read it. Raise ValidationError when `end_date` is before the start date.
    """
    _lock_roles(_lock_assignment(assignment))
    refuse_if_stale(assignment, version)
    assignment.end(end_date)
    assignment.save(update_fields=["end_date"])
    return assignment


@transaction.atomic
def assignment_delete(*, assignment):
    """Delete `assignment`, as one that never took effect (an ended one is kept: see end)."""
    _lock_roles(_lock_assignment(assignment))
    assignment.delete()


@transaction.atomic
def assignments_delete(*, assignments):
    """Delete the assignments of the queryset `assignments` at once, their roles locked first."""
    _lock_roles(*assignments.values_list("role", flat=True))
    assignments.delete()


def _lock_assignment(assignment):
    """Lock the stored row of `assignment` until the transaction ends; return its role's id."""
    return (Assignment.objects.select_for_update().filter(pk=assignment.pk)
            .values_list("role", flat=True).first())


def _lock_roles(*roles):
    """Lock the rows of `roles` (objects or ids) until the transaction ends, in id order."""
    ids = sorted({getattr(role, "pk", role) for role in roles if role is not None})
    # Evaluated for its lock; the same order everywhere, so two writers cannot deadlock.
    list(Role.objects.select_for_update().filter(pk__in=ids).order_by("pk")
         .values_list("pk", flat=True))
