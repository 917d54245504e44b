"""Every change to a device: one function each, one transaction each, one event each.

Views and commands parse input and call these; nothing else changes a device's status, holder,
place or fault. Each function locks the device row, checks that the change is allowed, saves
and writes the event, so a failure half-way leaves nothing saved. A refused change raises
ValidationError with a message for the user.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from devices.models import Device, DeviceEvent, InventoryMark, InventoryRound, Loan

Status = Device.Status
Kind = DeviceEvent.Kind


def _locked(device):
    """Return a fresh copy of `device`, locked until the transaction ends."""
    return Device.objects.select_for_update().select_related("unit__organisation").get(
        pk=device.pk)


def _event(device, kind, by, **details):
    """Write one event of `kind` about `device`, done by the user `by`."""
    return DeviceEvent.objects.create(device=device, kind=kind,
                                      by=by if by is not None and by.is_authenticated else None,
                                      **details)


def _refuse_if_gone(device):
    if device.is_gone:
        raise ValidationError(_("%(tag)s is %(status)s: nothing more can be done with it.") % {
            "tag": device.asset_tag, "status": device.get_status_display().lower()})


@transaction.atomic
def device_register(*, by, **fields):
    """Validate and save a new device; log that it was registered."""
    device = Device(**fields)
    device.full_clean()
    device.save()
    _event(device, Kind.REGISTERED, by, to_unit=device.unit, location=device.location)
    return device


@transaction.atomic
def device_update(*, device, by, **changes):
    """Change a device's details (not its status, holder or unit: those have their own steps)."""
    protected = {"status", "holder", "pupil_code", "unit", "fault_reported_on"} & set(changes)
    if protected:
        raise TypeError(f"device_update() cannot change {sorted(protected)}")
    locked = _locked(device)
    for name, value in changes.items():
        setattr(locked, name, value)
    locked.full_clean()
    locked.save()
    _event(locked, Kind.EDITED, by, note=", ".join(sorted(changes)))
    return locked


@transaction.atomic
def device_check_out(*, device, by, holder=None, pupil_code="", condition=""):
    """Hand `device` to a member of staff (`holder`) or a pupil (`pupil_code`); open a loan."""
    device = _locked(device)
    _refuse_if_gone(device)
    if bool(holder) == bool(pupil_code):
        raise ValidationError(_("Give either a member of staff or a pupil code."))
    if device.is_out:
        current = device.holder_label
        raise ValidationError(_("%(tag)s is already checked out to %(holder)s.") % {
            "tag": device.asset_tag, "holder": current})
    if device.status == Status.IN_REPAIR:
        raise ValidationError(_("%(tag)s is in repair.") % {"tag": device.asset_tag})
    device.holder, device.pupil_code = holder, (pupil_code or "").strip().upper()
    device.status = Status.IN_USE
    device.last_seen = timezone.localdate()
    device.full_clean()
    device.save()
    Loan.objects.create(device=device, holder=holder, pupil_code=device.pupil_code,
                        condition_out=condition)
    _event(device, Kind.CHECKED_OUT, by, holder=holder, pupil_code=device.pupil_code,
           note=condition)
    return device


@transaction.atomic
def device_return(*, device, by, condition=""):
    """Take `device` back from its holder: the loan ends and the device goes back in stock."""
    device = _locked(device)
    _refuse_if_gone(device)
    loan = device.loans.open().first()
    if not device.is_out and loan is None:
        raise ValidationError(_("%(tag)s is not checked out.") % {"tag": device.asset_tag})
    holder, pupil_code = device.holder, device.pupil_code
    if loan is not None:
        loan.returned_at = timezone.now()
        loan.condition_in = condition
        loan.save(update_fields=["returned_at", "condition_in"])
    device.holder, device.pupil_code = None, ""
    if device.status == Status.IN_USE:
        device.status = Status.IN_STOCK
    device.last_seen = timezone.localdate()
    device.save()
    _event(device, Kind.RETURNED, by, holder=holder, pupil_code=pupil_code, note=condition)
    return device


@transaction.atomic
def device_move(*, device, by, unit=None, location=None, cart=None, cart_slot=None, note=""):
    """Move `device` to another unit, room, or cart slot (cart None with a slot: out of carts)."""
    device = _locked(device)
    _refuse_if_gone(device)
    from_unit = device.unit
    if unit is not None and unit != device.unit:
        if device.is_out:
            raise ValidationError(_("Return %(tag)s before moving it to another unit.") % {
                "tag": device.asset_tag})
        device.unit = unit
        device.cart, device.cart_slot = None, None
    if location is not None:
        device.location = location
    if cart is not None or cart_slot is not None:
        device.cart, device.cart_slot = cart, cart_slot if cart is not None else None
    device.full_clean()
    device.save()
    where = device.location
    if device.cart_id:
        where = _("%(cart)s, slot %(slot)d") % {"cart": device.cart, "slot": device.cart_slot}
    _event(device, Kind.MOVED, by, from_unit=from_unit, to_unit=device.unit, location=where,
           note=note)
    return device


@transaction.atomic
def device_report_fault(*, device, by, ticket="", note=""):
    """Record a fault with its helpdesk ticket; the device is in repair until repaired."""
    device = _locked(device)
    _refuse_if_gone(device)
    if device.fault_reported_on:
        raise ValidationError(_("A fault of %(tag)s is already open (ticket %(ticket)s).") % {
            "tag": device.asset_tag, "ticket": device.fault_ticket or "–"})
    device.fault_reported_on = timezone.localdate()
    device.fault_ticket = ticket.strip()
    device.status = Status.IN_REPAIR
    device.save()
    _event(device, Kind.FAULT_REPORTED, by, ticket=device.fault_ticket, note=note)
    return device


@transaction.atomic
def device_mark_repaired(*, device, by, note=""):
    """Close the device's open fault; it goes back in use if someone has it, else in stock."""
    device = _locked(device)
    if not device.fault_reported_on and device.status != Status.IN_REPAIR:
        raise ValidationError(_("%(tag)s has no open fault.") % {"tag": device.asset_tag})
    ticket = device.fault_ticket
    device.fault_reported_on, device.fault_ticket = None, ""
    device.status = Status.IN_USE if device.is_out else Status.IN_STOCK
    device.save()
    _event(device, Kind.REPAIRED, by, ticket=ticket, note=note)
    return device


def _leave(device, by, status, kind, note):
    """Take `device` out of use for good: no holder, no cart slot, no open fault."""
    device = _locked(device)
    _refuse_if_gone(device)
    if device.is_out:
        raise ValidationError(_("Return %(tag)s before it leaves the register.") % {
            "tag": device.asset_tag})
    device.status = status
    device.cart, device.cart_slot = None, None
    device.fault_reported_on, device.fault_ticket = None, ""
    device.save()
    _event(device, kind, by, note=note)
    return device


@transaction.atomic
def device_retire(*, device, by, note=""):
    """Retire `device`: it is out of use for good and can no longer be checked out."""
    return _leave(device, by, Status.RETIRED, Kind.RETIRED, note)


@transaction.atomic
def device_hand_on(*, device, by, note=""):
    """Hand `device` on (to recycling, a buyer, another organisation); note to whom."""
    return _leave(device, by, Status.HANDED_ON, Kind.HANDED_ON, note)


@transaction.atomic
def device_mark_lost(*, device, by, note=""):
    """Record that `device` is lost; its loan, if any, ends."""
    device = _locked(device)
    _refuse_if_gone(device)
    device.loans.open().update(returned_at=timezone.now())
    holder, pupil_code = device.holder, device.pupil_code
    device.holder, device.pupil_code = None, ""
    device.status = Status.LOST
    device.cart, device.cart_slot = None, None
    device.save()
    _event(device, Kind.LOST, by, holder=holder, pupil_code=pupil_code, note=note)
    return device


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
        raise ValidationError(_("This inventory round is closed."))
    device = _locked(device)
    if device.unit_id != inventory.unit_id:
        raise ValidationError(_("%(tag)s belongs to %(unit)s, not to this unit.") % {
            "tag": device.asset_tag, "unit": device.unit})
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
