"""Every change to a device: one function each, one transaction each, one event each.

The pages, the admin, the sheet import and the demo loader call these; nothing else changes a
device. The rules are the model's own (`Device.why_not()` and the transitions it guards): each
function here locks the device row, takes the step on the locked copy, saves it with its loan and
writes the event, so two people taking steps at once wait for each other, and a failure half-way
leaves nothing saved. A refused step raises ValidationError with a message for the user.
"""

from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from devices import importing
from devices.models import (
    UNCHANGED,
    Device,
    DeviceEvent,
    InventoryMark,
    InventoryRound,
    describe_changes,
)
from units.history import recording, refuse_if_stale

Status = Device.Status
Kind = DeviceEvent.Kind


def _locked(device):
    """Return a fresh copy of `device` with its open loan, locked until the transaction ends."""
    return (Device.objects.select_for_update(of=("self",))
            .select_related("unit__organisation__parent__parent", "cart")
            .with_loan().get(pk=device.pk))


def _event(device, kind, by, **details):
    """Write one event of `kind` about `device`, done by the user `by`."""
    return DeviceEvent.objects.create(device=device, kind=kind,
                                      by=by if by is not None and by.is_authenticated else None,
                                      **details)


@transaction.atomic
def device_register(*, by, **fields):
    """Validate and save a new device; log that it was registered."""
    device = Device(**fields)
    device.full_clean()
    device.save()
    _event(device, Kind.REGISTERED, by, to_unit=device.unit, location=device.location)
    return device


@transaction.atomic
def device_update(*, device, by, version=None, **changes):
    """Change a device's details; its unit, status, cart and fault have their own steps.

    With `version` (what the form read), refuse if someone saved the device since.
    """
    protected = set(Device.LIFECYCLE_FIELDS) & set(changes)
    if protected:
        raise TypeError(f"device_update() cannot change {sorted(protected)}")
    locked = _locked(device)
    refuse_if_stale(locked, version)
    before = {name: getattr(locked, name) for name in sorted(changes)}
    for name, value in changes.items():
        setattr(locked, name, value)
    locked.full_clean()
    locked.save()
    _event(locked, Kind.EDITED, by, note=describe_changes(locked, before))
    return locked


@transaction.atomic
def device_check_out(*, device, by, holder=None, pupil_code="", condition=""):
    """Hand `device` to a member of staff (`holder`) or a pupil (`pupil_code`); open a loan."""
    device = _locked(device)
    loan = device.check_out(holder=holder, pupil_code=pupil_code, condition=condition)
    device.save()
    loan.save()
    _event(device, Kind.CHECKED_OUT, by, holder=holder, pupil_code=loan.pupil_code,
           note=condition)
    return device


@transaction.atomic
def device_return(*, device, by, condition=""):
    """Take `device` back from its holder: the loan ends and the device goes back in stock."""
    device = _locked(device)
    loan = device.take_back(condition=condition)
    loan.save(update_fields=["returned_at", "condition_in"])
    device.save()
    _event(device, Kind.RETURNED, by, holder=loan.holder, pupil_code=loan.pupil_code,
           note=condition)
    return device


@transaction.atomic
def device_move(*, device, by, unit=None, location=None, cart=UNCHANGED, cart_slot=UNCHANGED,
                note=""):
    """Move `device` to another unit, room or cart slot (`cart=None`: out of its cart)."""
    device = _locked(device)
    from_unit = device.unit
    device.move(unit=unit, location=location, cart=cart, cart_slot=cart_slot)
    device.save()
    where = device.location
    if device.cart_id:
        where = _("%(cart)s, slot %(slot)d") % {"cart": device.cart, "slot": device.cart_slot}
    _event(device, Kind.MOVED, by, from_unit=from_unit, to_unit=device.unit, location=where,
           note=note)
    return device


@transaction.atomic
def device_report_fault(*, device, by, ticket="", note="", on=None):
    """Record a fault with its helpdesk ticket (on `on`, today by default)."""
    device = _locked(device)
    device.report_fault(ticket=ticket, on=on)
    device.save()
    _event(device, Kind.FAULT_REPORTED, by, ticket=device.fault_ticket, note=note)
    return device


@transaction.atomic
def device_mark_repaired(*, device, by, note=""):
    """Close the device's open fault; it goes back in use if someone has it, else in stock."""
    device = _locked(device)
    ticket = device.fault_ticket
    device.mark_repaired()
    device.save()
    _event(device, Kind.REPAIRED, by, ticket=ticket, note=note)
    return device


LEAVING = {Status.RETIRED: Kind.RETIRED, Status.HANDED_ON: Kind.HANDED_ON, Status.LOST: Kind.LOST}


@transaction.atomic
def device_leave(*, device, by, status, note=""):
    """Take `device` out of use for good as `status`: retired, handed on or lost.

    A retired or handed-on device must be returned first; a lost one's loan ends with it.
    """
    device = _locked(device)
    loan = device.leave(status)
    if loan is not None:
        loan.save(update_fields=["returned_at"])
    device.save()
    _event(device, LEAVING[status], by, holder=loan.holder if loan else None,
           pupil_code=loan.pupil_code if loan else "", note=note)
    return device


def device_retire(*, device, by, note=""):
    """Retire `device`: it is out of use for good and can no longer be checked out."""
    return device_leave(device=device, by=by, status=Status.RETIRED, note=note)


def device_hand_on(*, device, by, note=""):
    """Hand `device` on (to recycling, a buyer, another organisation); note to whom."""
    return device_leave(device=device, by=by, status=Status.HANDED_ON, note=note)


def device_mark_lost(*, device, by, note=""):
    """Record that `device` is lost; its loan, if any, ends."""
    return device_leave(device=device, by=by, status=Status.LOST, note=note)


def devices_import(*, data, name, units=None, unit=None, by=None, dry_run=False,
                   progress=importing.no_progress):
    """Read, check and (unless `dry_run` or a row is bad) save the device sheet in `data`.

    `units` are the units the import may change; `unit` fills an empty unit cell. Every row is
    checked by the model's own rules before anything is saved, and a valid file is saved all
    or nothing (devices.importing). Return the Plan: its problems when the file is refused,
    else what was (or would be) saved. A file that cannot be read at all raises SheetError.
    """
    plan = importing.plan_import(importing.read_sheet(data, name), units=units, unit=unit,
                                 progress=progress)
    if plan.is_valid and not dry_run:
        file = PurePath(name).name
        with recording(f"import {file}", by if by is not None and by.is_authenticated else None):
            importing.save_plan(plan, by=by, progress=progress,
                                note=_("Imported from %(file)s.") % {"file": file})
    return plan


@transaction.atomic
def inventory_start(*, unit, by):
    """Start an inventory round at `unit`; refuse while another one is open there."""
    if InventoryRound.objects.open().filter(unit=unit).exists():
        raise ValidationError(_("An inventory round is already open at %(unit)s.") % {
            "unit": unit})
    return InventoryRound.objects.create(unit=unit, started_by=by)


@transaction.atomic
def inventory_mark_found(*, inventory, device, by):
    """Mark `device` found in the open round `inventory`; it was seen today.

    Return (mark, created): marking the same device twice is harmless and says so.
    """
    if not inventory.is_open:
        raise ValidationError(_("This inventory round is closed."), code="closed")
    device = _locked(device)
    if device.unit_id != inventory.unit_id:
        # Not named: the one scanning may not be allowed to know where the device is.
        raise ValidationError(_("%(tag)s belongs to another unit.") % {"tag": device.asset_tag},
                              code="other_unit")
    mark, created = InventoryMark.objects.get_or_create(round=inventory, device=device,
                                                        defaults={"by": by})
    if created:
        device.last_seen = timezone.localdate()
        device.save(update_fields=["last_seen", "updated_at"])
        _event(device, Kind.AUDITED, by)
    return mark, created


@transaction.atomic
def inventory_close(*, inventory, by):
    """Close the round: the devices it expected are fixed, so its report stays true later."""
    inventory = InventoryRound.objects.select_for_update().get(pk=inventory.pk)
    if not inventory.is_open:
        raise ValidationError(_("This inventory round is already closed."))
    inventory.expected.set(inventory.expected_devices())
    inventory.closed_at = timezone.now()
    inventory.closed_by = by
    inventory.save(update_fields=["closed_at", "closed_by"])
    return inventory
