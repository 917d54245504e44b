"""Writes that touch several models: assignments, and the unit permissions their roles grant.

Holding a role grants its holder the role's `unit_permissions` on the unit they hold it at, as
guardian rows marked `via_role`. The rows follow the assignments: every write here recomputes them
for the people and units it touched, in the same transaction, and `sync_all_role_permissions`
(run daily by `manage.py sync_role_permissions`) catches assignments that start or end by date.

Only unit assignments grant anything: a role held in a whole organisation (the ICT coordinator,
the IT company) grants nothing on units, so an organisation's roles cannot quietly open every unit
below it. Rows an administrator granted by hand (`via_role` false) are never created, changed or
deleted here.
"""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from matrix.models import Assignment
from units.models import Unit, UnitUserObjectPermission

# What assignment_update may change; anything else is a programming error, not a user's.
EDITABLE_FIELDS = frozenset(
    {"person", "role", "unit", "organisation", "is_lead", "is_chair", "start_date", "end_date"})


@transaction.atomic
def assignment_create(*, person, role, unit=None, organisation=None, is_lead=True,
                      is_chair=False, start_date=None, end_date=None):
    """Validate and save a new assignment; grant what its role gives at the unit.

    Raise ValidationError, saving nothing, when the assignment is not valid.
    """
    assignment = Assignment(person=person, role=role, unit=unit, organisation=organisation,
                            is_lead=is_lead, is_chair=is_chair, start_date=start_date,
                            end_date=end_date)
    assignment.full_clean()
    assignment.save()
    sync_place_permissions(places=[_place(assignment)])
    return assignment


@transaction.atomic
def assignment_update(*, assignment, **changes):
    """Apply `changes` to `assignment`, validate and save it; regrant at the old and new place.

    Raise ValidationError, saving nothing, when the changed assignment is not valid.
    """
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"assignment_update() cannot change {sorted(unknown)}")
    # The grants of the old person and unit are recomputed too, so read them from the stored
    # row: a ModelForm has already written the new values into the instance.
    before = _stored(assignment)
    for name, value in changes.items():
        setattr(assignment, name, value)
    assignment.full_clean()
    assignment.save()
    sync_place_permissions(places=[_place(before), _place(assignment)])
    return assignment


@transaction.atomic
def assignment_end(*, assignment, end_date):
    """End `assignment` on `end_date` (the last day it is in force); regrant at its unit.

    Ending in the past is fine. Raise ValidationError when `end_date` is before the start date.
    """
    before = _stored(assignment)
    extends = before.end_date is not None and end_date > before.end_date
    assignment.end_date = end_date
    if extends:
        # A later end than before is a change of period like any edit: check everything.
        assignment.full_clean()
    else:
        # Shortening a period cannot break anything else, and it must work even after the
        # person, the role's sectors or the unit's sectors have changed since it was made.
        assignment.clean_fields()
        if assignment.start_date and end_date < assignment.start_date:
            raise ValidationError({"end_date": _("The end date is before the start date.")})
    assignment.save(update_fields=["end_date"])
    sync_place_permissions(places=[_place(assignment)])
    return assignment


@transaction.atomic
def assignments_delete(*, assignments):
    """Delete the assignments of the queryset `assignments`; take back what they granted."""
    places = [_place(assignment) for assignment in assignments.select_related("person")]
    assignments.delete()
    sync_place_permissions(places=places)


def sync_role_permissions(*, user, unit):
    """Make `user`'s role-granted permissions on `unit` match the roles they hold there today.

    A user without a person, or whose person holds no current assignment at the unit, is left
    with the permissions granted by hand only. Return (granted, revoked) row counts.
    """
    if user is None:
        return 0, 0
    return _sync(user_ids={user.pk}, unit_ids={unit.pk})


def sync_login_role_permissions(*, user_ids):
    """Make the role-granted permissions of the logins `user_ids` match their current roles.

    For when a person's login changes: every unit is recomputed, so a login that no longer
    belongs to the person loses what the person's roles gave it.
    """
    user_ids = set(filter(None, user_ids))
    return _sync(user_ids=user_ids) if user_ids else (0, 0)


def sync_role_holder_permissions(*, roles):
    """Recompute the grants of everyone who holds one of `roles` at a unit, at that unit.

    For when what the roles grant has changed: ended assignments are included, in case their
    grants were never taken back.
    """
    holders = Assignment.objects.filter(role__in=roles, unit__isnull=False)
    return sync_place_permissions(
        places=holders.order_by().values_list("person__user", "unit").distinct())


def sync_place_permissions(*, places):
    """Recompute the grants of each (user id, unit id) pair in `places` that has both.

    Return (granted, revoked) row counts.
    """
    places = {(user_id, unit_id) for user_id, unit_id in places if user_id and unit_id}
    if not places:
        return 0, 0
    return _sync(user_ids={user_id for user_id, _unit in places},
                 unit_ids={unit_id for _user, unit_id in places})


def sync_all_role_permissions():
    """Make every role-granted unit permission match the assignments in force today.

    Return (granted, revoked) row counts.
    """
    return _sync()


def _stored(assignment):
    """Return the stored row of `assignment`, locked until the transaction ends."""
    # Locking only the assignment row: a join's rows (the person) need not wait for us.
    return (Assignment.objects.select_for_update(of=("self",)).select_related("person")
            .get(pk=assignment.pk))


def _place(assignment):
    """Return the (user id, unit id) whose grants `assignment` affects; user None if none."""
    return assignment.person.user_id, assignment.unit_id


@transaction.atomic
def _sync(*, user_ids=None, unit_ids=None):
    """Recompute the role-granted rows for `user_ids` × `unit_ids` (None: all); return counts.

    Recomputing a few pairs more than were touched is still correct, so callers pass sets of
    users and units rather than exact pairs, and it stays four queries whatever the size.
    """
    unit_type = ContentType.objects.get_for_model(Unit)
    holding = (Assignment.objects.current()
               .filter(unit__isnull=False, person__user__isnull=False,
                       role__unit_permissions__content_type=unit_type))
    rows = UnitUserObjectPermission.objects.all()
    if user_ids is not None:
        holding = holding.filter(person__user__in=user_ids)
        rows = rows.filter(user__in=user_ids)
    if unit_ids is not None:
        holding = holding.filter(unit__in=unit_ids)
        rows = rows.filter(content_object__in=unit_ids)
    wanted = set(holding.order_by()
                 .values_list("person__user", "unit", "role__unit_permissions"))
    existing = {(user_id, unit_id, permission_id): (pk, via_role)
                for pk, user_id, unit_id, permission_id, via_role
                in rows.values_list("pk", "user", "content_object", "permission", "via_role")}
    # A grant made by hand already covers what a role would add, so it counts as existing.
    missing = wanted - existing.keys()
    stale = [pk for key, (pk, via_role) in existing.items() if via_role and key not in wanted]
    UnitUserObjectPermission.objects.bulk_create(
        [UnitUserObjectPermission(user_id=user_id, content_object_id=unit_id,
                                  permission_id=permission_id, via_role=True)
         for user_id, unit_id, permission_id in sorted(missing)],
        # Two syncs running at once may both find the same row missing; one insert is enough.
        ignore_conflicts=True,
    )
    if stale:
        UnitUserObjectPermission.objects.filter(pk__in=stale).delete()
    return len(missing), len(stale)
