"""Handing out and collecting devices by scanning, pair after pair, and the receipts of a day.

A scan is whatever a keyboard-wedge scanner (or a person) types before Enter. In hand-out mode a
scan names the holder and the next one the device; in collect mode every scan is a device.

A holder is scanned as:
- a pupil: the pupil's pseudonymous code (`validate_pupil_code`), never a name;
- a member of staff: their email address. An email always has an "@" and a pupil code or an
  asset tag never does, so one input tells them apart; emails are unique where given and are how
  imports recognise a person already. The person must work in the unit's organisation, one above
  it or one below it: the rule `Loan.clean` applies to a holder.

The pending holder and the tally of this session's work are kept in the user's session, one per
unit, so the page needs no JavaScript and survives a reload.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from devices import services
from devices.models import Device, Loan, normalise_tag, validate_asset_tag, validate_pupil_code
from units.models import Person

HAND_OUT, COLLECT = "out", "in"
MODES = (HAND_OUT, COLLECT)

# A session holds a whole term start's work (hundreds of pairs); the errors only matter lately.
MAX_ERRORS = 30
MAX_SCAN = 100


@dataclass(frozen=True)
class Holder:
    """Who receives a device: a pupil by code, or a member of staff."""

    key: str  # what is scanned and put in receipt links: the pupil code or the email
    label: str  # as shown: the pupil code or the person's name
    person_id: int | None = None

    @property
    def is_pupil(self):
        """Return whether the holder is a pupil (known only by code)."""
        return self.person_id is None


def clean_scan(value):
    """Return `value` without the whitespace and control characters scanners add."""
    return "".join(char for char in value if char.isprintable()).strip()[:MAX_SCAN]


def staff_of(unit):
    """Return the people who may hold the devices of `unit` (the rule of `Loan.clean`)."""
    return Person.objects.related_to(unit.organisation)


def find_holder(unit, value):
    """Return the holder scanned as `value` at `unit`; raise ValidationError if there is none."""
    if "@" in value:
        person = staff_of(unit).filter(email__iexact=value).first()
        if person is None:
            raise ValidationError(
                _("No member of staff of this organisation has the email %(email)s.")
                % {"email": value})
        return Holder(key=person.email, label=person.name, person_id=person.pk)
    # A label's QR code reads as the device page's address; a pupil code never has a slash.
    code = normalise_tag(value)
    if "/" not in value:
        validate_pupil_code(code)
    if Device.objects.in_unit(unit).filter(asset_tag=code).exists():
        raise ValidationError(_("%(tag)s is a device: scan the holder first.") % {"tag": code})
    validate_pupil_code(code)
    return Holder(key=code, label=code)


def find_device(unit, tag):
    """Return the device of `unit` tagged `tag`; raise ValidationError if there is none.

    Another unit's device is answered exactly like a tag that does not exist. What cannot be a
    tag is not repeated back: it may be a pupil's name typed into the wrong place.
    """
    tag = normalise_tag(tag)
    try:
        validate_asset_tag(tag)
    except ValidationError:
        raise ValidationError(_("That is not a device tag: scan the tag on the device.")) from None
    device = Device.objects.in_unit(unit).with_loan().filter(asset_tag=tag).first()
    if device is None:
        raise ValidationError(_("No device tagged %(tag)s in this unit.") % {"tag": tag})
    return device


class Tally:
    """The pending holder and this session's work on the hand-out page of one unit."""

    def __init__(self, session, unit):
        self.session = session
        self.key = f"devices.handout.{unit.pk}"
        self.data = session.get(self.key) or self._empty()

    @staticmethod
    def _empty():
        return {"holder": None, "out": [], "in": [], "errors": [], "last": None}

    def _save(self):
        # The lists are changed in place: assigning again is what marks the session changed.
        self.session[self.key] = self.data

    @property
    def holder(self):
        """Return the holder waiting for a device, or None."""
        held = self.data["holder"]
        return Holder(**held) if held else None

    def hold(self, holder):
        """Keep `holder` waiting for the next scan."""
        self.data["holder"] = {"key": holder.key, "label": holder.label,
                               "person_id": holder.person_id}
        self._save()

    def release(self):
        """Forget the holder waiting for a device."""
        self.data["holder"] = None
        self._save()

    def handed_out(self, device, holder):
        """Count `device` handed out to `holder` today."""
        self.data["out"].append({"tag": device.asset_tag, "key": holder.key,
                                 "label": holder.label, "pupil": holder.is_pupil,
                                 "day": timezone.localdate().isoformat()})
        self._said(True, _("%(tag)s handed out to %(holder)s.") % {
            "tag": device.asset_tag, "holder": holder.label})

    def collected(self, device, label):
        """Count `device` collected from the holder shown as `label`."""
        self.data["in"].append({"tag": device.asset_tag, "label": label})
        self._said(True, _("%(tag)s collected from %(holder)s.") % {
            "tag": device.asset_tag, "holder": label})

    def failed(self, message):
        """Count a refused scan; keep the reasons of the latest few."""
        self.data["errors"] = [*self.data["errors"], message][-MAX_ERRORS:]
        self.data.setdefault("error_count", 0)
        self.data["error_count"] += 1
        self._said(False, message)

    def _said(self, ok, text):
        self.data["last"] = {"ok": ok, "text": text}
        self._save()

    def pop_last(self):
        """Return the outcome of the latest scan once, for the page that follows it."""
        last = self.data.get("last")
        if last:
            self.data["last"] = None
            self._save()
        return last

    def reset(self):
        """Start the tally again (the loans made stay, of course)."""
        self.data = self._empty()
        self._save()

    def summary(self):
        """Return the tally as the page shows it: the holders with their devices, the rest."""
        holders = {}
        for pair in self.data["out"]:
            entry = holders.setdefault((pair["key"], pair["day"]), {
                "key": pair["key"], "label": pair["label"], "pupil": pair["pupil"],
                "day": pair["day"], "tags": []})
            entry["tags"].append(pair["tag"])
        return {
            "pairs": len(self.data["out"]),
            "holders": list(holders.values()),
            "collected": self.data["in"],
            "errors": list(reversed(self.data["errors"])),
            "error_count": self.data.get("error_count", 0),
        }


def scan(tally, *, unit, by, mode, value):
    """Act on one scan at `unit` by the user `by` in `mode`; record the outcome in `tally`.

    Each device scanned is checked out or returned in a transaction of its own (the services'),
    so a refused or failed scan leaves the pairs before it saved.
    """
    value = clean_scan(value)
    if not value:
        return
    try:
        if mode == COLLECT:
            _collect(tally, unit, by, value)
        elif tally.holder is None or "@" in value:
            tally.hold(find_holder(unit, value))
        else:
            _hand_out(tally, unit, by, value)
    except ValidationError as error:
        # The messages name the tag or holder where that is safe; a refused name is not echoed.
        tally.failed(" ".join(error.messages))


def _hand_out(tally, unit, by, tag):
    holder = tally.holder
    device = find_device(unit, tag)
    person = None
    if holder.person_id is not None:
        person = Person.objects.select_related("organisation").filter(
            pk=holder.person_id).first()
        if person is None:
            tally.release()
            raise ValidationError(
                _("%(holder)s is no longer in the register: scan the holder again.")
                % {"holder": holder.label})
    services.device_check_out(device=device, by=by, holder=person,
                              pupil_code="" if person else holder.key)
    tally.release()
    tally.handed_out(device, holder)


def _collect(tally, unit, by, tag):
    device = find_device(unit, tag)
    label = device.holder_label
    services.device_return(device=device, by=by)
    tally.collected(device, label)


def receipts(unit, day, holder_key=""):
    """Return the handover receipts of `day` at `unit`: one per holder, with its loans.

    `holder_key` (a pupil code or a staff email) keeps one holder's; empty keeps everyone's. A
    loan returned on the day it began was a mistake put right, not a handover: it is left out.
    """
    loans = (Loan.objects.filter(device__unit=unit, checked_out_at__date=day)
             .exclude(returned_at__date=day)
             .select_related("device", "holder").order_by("device__asset_tag"))
    if "@" in holder_key:
        loans = loans.filter(holder__email__iexact=holder_key)
    elif holder_key:
        loans = loans.filter(holder__isnull=True, pupil_code=holder_key.upper())
    found = {}
    for loan in loans:
        person = loan.holder
        receipt = found.setdefault(loan.holder_id or loan.pupil_code, {
            "key": person.email if person else loan.pupil_code,
            "label": person.name if person else loan.pupil_code,
            "title": person.title if person else "",
            "is_pupil": person is None,
            "loans": [],
        })
        receipt["loans"].append(loan)
    return sorted(found.values(), key=lambda receipt: receipt["label"].lower())
