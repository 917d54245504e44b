"""The device register: every unit's devices, charging carts, loans, the event log, inventories.

Devices are never deleted: they are retired or handed on, and their event log stays. The log is
append-only: an event cannot be changed or deleted through the ORM, the admin or any form.
"""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Prefetch, Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from units.history import History
from units.models import Person, Unit

# A pupil is recorded only by a pseudonymous code from the school's own list, never by name,
# personal identity code or e-mail address.
PUPIL_CODE_HELP = _("A pseudonymous code from the school's own list, such as 7B-014: 3–20 letters, "
                    "digits and dashes with at least one digit. Never a name, a personal identity "
                    "code or an e-mail address.")
PUPIL_CODE_SHAPE = re.compile(r"^(?=.*\d)[A-Za-z0-9-]{3,20}$")
# A Finnish personal identity code: the birth date (ddmmyy), the century sign (+, -, A–F, U–Y;
# sometimes left out), three digits and, perhaps left out, the check character.
IDENTITY_CODE = re.compile(r"(?=(\d{2})(\d{2})\d{2}[-+A-FU-Y]?\d{3})", re.IGNORECASE)
ALPHABETIC_WORD = re.compile(r"^[^\W\d_]{2,}$")


def validate_pupil_code(value):
    """Refuse a pupil code that is, or carries, a personal identity code, an e-mail or a name."""
    value = (value or "").strip()
    if "@" in value:
        raise ValidationError(_("A pupil code is never an e-mail address."), code="email")
    for found in IDENTITY_CODE.finditer(value):
        day, month = int(found.group(1)), int(found.group(2))
        if 1 <= day <= 31 and 1 <= month <= 12:
            raise ValidationError(_("A pupil code is never a personal identity code."),
                                  code="identity_code")
    words = [word for word in re.split(r"[\s._-]+", value) if ALPHABETIC_WORD.match(word)]
    if len(words) >= 2:
        raise ValidationError(_("This looks like a name: a pupil code is a pseudonymous code "
                                "such as 7B-014."), code="name")
    if not PUPIL_CODE_SHAPE.match(value):
        raise ValidationError(
            _("A pupil code is 3–20 letters, digits or dashes with at least one digit, such as "
              "7B-014, never a name."), code="shape")


# Asset tags appear in URLs and on printed labels: letters, digits, dots, dashes, underscores.
validate_asset_tag = RegexValidator(
    r"^[A-Za-z0-9._-]+$",
    _("An asset tag has letters, digits, dots, dashes and underscores only."),
)


def normalise_tag(value):
    """Return the asset tag in `value` as the register keeps it: trimmed, in capitals.

    A 2D scanner reading a label's QR code types the device page's address: its last part is
    the tag (a tag never contains a slash).
    """
    return (value or "").strip().rstrip("/").rsplit("/", 1)[-1].upper()


# A step's argument left out: the device keeps what it has.
UNCHANGED = object()


def open_loans(path="loans"):
    """Return the prefetch of the open loans (with holders) of the devices `path` leads to."""
    return Prefetch(path, queryset=Loan.objects.open().select_related("holder"),
                    to_attr="_open_loans")


def describe_changes(device, before):
    """Return what changed of `device` since `before` ({field name: old value}), as an event
    notes it: "model: 300e → 500e; notes: – → Laturi puuttuu"."""
    parts = []
    for name, old in before.items():
        field = device._meta.get_field(name)
        new = getattr(device, field.name)
        if old == new:
            continue
        parts.append(f"{field.verbose_name}: {_value(old)} → {_value(new)}")
    return "; ".join(parts)


def _value(value):
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    return str(value)


class DeviceQuerySet(models.QuerySet):
    """Queries over devices."""

    def in_unit(self, unit):
        """Return the devices of `unit`."""
        return self.filter(unit=unit)

    def active(self):
        """Return the devices still in the unit's hands: not retired, handed on or lost."""
        return self.exclude(status__in=Device.GONE)

    def with_loan(self):
        """Return the devices with their open loans and holders fetched in one more query.

        `Device.open_loan` then runs no query of its own.
        """
        return self.prefetch_related(open_loans())

    def held_by(self, person):
        """Return the devices checked out to `person` now."""
        return self.filter(loans__returned_at__isnull=True, loans__holder=person)

    def billed(self):
        """Return the devices billed monthly."""
        return self.filter(billed_monthly=True)

    def not_seen_since(self, day):
        """Return the devices not seen in use on or after `day` (never seen counts too)."""
        return self.filter(Q(last_seen__isnull=True) | Q(last_seen__lt=day))

    def with_fault_open_since(self, day):
        """Return the devices whose fault was reported before `day` and is not repaired."""
        return self.filter(fault_reported_on__isnull=False, fault_reported_on__lt=day)

    def lease_ending_by(self, day):
        """Return the leased devices whose lease ends on or before `day`."""
        return self.filter(ownership=Device.Ownership.LEASED, lease_ends_on__lte=day)


class Device(models.Model):
    """A laptop, tablet, projector or other device registered to a unit."""

    class Category(models.TextChoices):
        TEACHER_LAPTOP = "teacher_laptop", _("Teacher laptop")
        PUPIL_LAPTOP = "pupil_laptop", _("Pupil laptop")
        SHARED_LAPTOP = "shared_laptop", _("Shared laptop")
        TABLET = "tablet", _("Tablet")
        DESKTOP = "desktop", _("Desktop computer")
        DISPLAY = "display", _("Display")
        PROJECTOR = "projector", _("Projector")
        DOCUMENT_CAMERA = "document_camera", _("Document camera")
        AUDIO = "audio", _("Audio")
        CHARGING_CART = "charging_cart", _("Charging cart")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        IN_STOCK = "in_stock", _("In stock")
        IN_USE = "in_use", _("In use")
        IN_REPAIR = "in_repair", _("In repair")
        RETIRED = "retired", _("Retired")
        HANDED_ON = "handed_on", _("Handed on")
        LOST = "lost", _("Lost")

    class Use(models.TextChoices):
        STAFF = "staff", _("Staff")
        PUPIL = "pupil", _("Pupil")
        SHARED = "shared", _("Shared")

    class Ownership(models.TextChoices):
        PURCHASED = "purchased", _("Purchased")
        LEASED = "leased", _("Leased")

    # Statuses after which the device has left the unit's use for good (lost may be found again).
    GONE = (Status.RETIRED, Status.HANDED_ON, Status.LOST)
    # Fields that change only through a step (check-out, move, fault, retire…), each of which
    # logs its event; editing a device's details, in a page, the admin or a sheet, leaves them.
    LIFECYCLE_FIELDS = ("unit", "status", "cart", "cart_slot", "fault_reported_on",
                        "fault_ticket")

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT,
                             related_name="devices")
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    asset_tag = models.CharField(_("asset tag"), max_length=50, unique=True,
                                 validators=[validate_asset_tag])
    serial_number = models.CharField(_("serial number"), max_length=100, blank=True)
    manufacturer = models.CharField(_("manufacturer"), max_length=100, blank=True)
    model = models.CharField(_("model"), max_length=200, blank=True)
    number = models.CharField(
        _("school number"), max_length=30, blank=True,
        help_text=_("The school's own number or label, e.g. on shared laptops and carts."),
    )
    use = models.CharField(_("use"), max_length=10, choices=Use.choices, default=Use.STAFF)
    location = models.CharField(_("location"), max_length=100, blank=True,
                                help_text=_("The room or place where the device is kept."))
    ownership = models.CharField(_("ownership"), max_length=10, choices=Ownership.choices,
                                 default=Ownership.PURCHASED)
    lease_ends_on = models.DateField(_("lease ends"), null=True, blank=True)
    billed_monthly = models.BooleanField(_("billed monthly"), default=False)
    monthly_cost = models.DecimalField(_("monthly cost (€)"), max_digits=8, decimal_places=2,
                                       null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices,
                              default=Status.IN_STOCK)
    cart = models.ForeignKey("ChargingCart", verbose_name=_("charging cart"),
                             on_delete=models.PROTECT, null=True, blank=True,
                             related_name="devices")
    cart_slot = models.PositiveSmallIntegerField(_("slot"), null=True, blank=True)
    last_seen = models.DateField(_("last seen in use"), null=True, blank=True)
    fault_reported_on = models.DateField(_("fault reported"), null=True, blank=True)
    fault_ticket = models.CharField(_("helpdesk ticket"), max_length=50, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = DeviceQuerySet.as_manager()
    history = History()

    class Meta:
        ordering = ["unit", "asset_tag"]
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        constraints = [
            models.UniqueConstraint(fields=["serial_number"], condition=~Q(serial_number=""),
                                    name="device_serial_unique_where_given"),
            models.UniqueConstraint(fields=["unit", "number"], condition=~Q(number=""),
                                    name="device_number_unique_in_unit"),
            models.UniqueConstraint(fields=["cart", "cart_slot"], name="device_one_per_slot"),
            models.CheckConstraint(condition=Q(cart__isnull=True) | Q(cart_slot__isnull=False),
                                   name="device_cart_has_slot"),
            models.CheckConstraint(
                condition=Q(ownership="leased") | Q(lease_ends_on__isnull=True),
                name="device_lease_end_only_when_leased"),
        ]
        indexes = [
            models.Index(fields=["unit", "status"]),
            models.Index(fields=["unit", "category"]),
        ]

    def __str__(self):
        return " ".join(part for part in (self.asset_tag, self.model) if part)

    def clean_fields(self, exclude=None):
        # Tags and serials are typed, scanned and imported: compare them in one form.
        self.asset_tag = normalise_tag(self.asset_tag)
        self.serial_number = (self.serial_number or "").strip()
        super().clean_fields(exclude=exclude)

    def clean(self):
        super().clean()
        errors = {}
        if self.ownership == self.Ownership.LEASED and not self.lease_ends_on:
            errors["lease_ends_on"] = _("A leased device needs the date its lease ends.")
        if self.ownership != self.Ownership.LEASED and self.lease_ends_on:
            errors["lease_ends_on"] = _("Only a leased device has a lease end date.")
        if self.billed_monthly and self.monthly_cost is None:
            errors["monthly_cost"] = _("A device billed monthly needs its monthly cost.")
        if self.cart_id:
            if self.cart_slot is None:
                errors["cart_slot"] = _("Choose the slot of the cart.")
            elif not 1 <= self.cart_slot <= self.cart.slots:
                errors["cart_slot"] = _("The cart has slots 1–%(slots)d.") % {
                    "slots": self.cart.slots}
            if self.unit_id and self.cart.unit_id != self.unit_id:
                errors["cart"] = _("The cart belongs to another unit.")
        elif self.cart_slot is not None:
            errors["cart_slot"] = _("A slot needs a cart.")
        if errors:
            raise ValidationError(errors)

    # The holder is whoever the open loan names: it is never stored on the device, so the two
    # cannot disagree.

    @cached_property
    def open_loan(self):
        """Return the loan not yet returned, or None (read by `with_loan()` in bulk)."""
        if hasattr(self, "_open_loans"):
            return self._open_loans[0] if self._open_loans else None
        if self.pk is None:
            return None
        return self.loans.open().select_related("holder").first()

    @property
    def holder(self):
        """Return the member of staff the device is checked out to, or None."""
        return self.open_loan.holder if self.open_loan else None

    @property
    def pupil_code(self):
        """Return the code of the pupil the device is checked out to, or ""."""
        return self.open_loan.pupil_code if self.open_loan else ""

    @property
    def is_gone(self):
        """Return whether the device has left the unit's use (retired, handed on or lost)."""
        return self.status in self.GONE

    @property
    def is_out(self):
        """Return whether the device is checked out to someone."""
        return self.open_loan is not None

    @property
    def holder_label(self):
        """Return the holder as shown: a member of staff's name or a pupil's code."""
        return self.open_loan.holder_label if self.open_loan else ""

    # The rules of a device's life. Each step has a reason it may not be taken now (or none);
    # the transitions below refuse with that reason, the device page offers only the steps that
    # have none, and a step's page says why when it is not possible. The transitions change the
    # device in memory, as contrib.auth's set_password() does: devices.services locks, saves
    # and logs, and the sheet import saves in bulk.

    STEPS = ("check_out", "return", "move", "report_fault", "mark_repaired", "leave",
             "mark_lost")

    def why_not(self, step):
        """Return why `step` (one of STEPS) cannot be taken now, or "" when it can."""
        if self.is_gone:
            return _("%(tag)s is %(status)s: nothing more can be done with it.") % {
                "tag": self.asset_tag, "status": self.get_status_display().lower()}
        if step == "check_out":
            if self.is_out:
                return _("%(tag)s is already checked out to %(holder)s.") % {
                    "tag": self.asset_tag, "holder": self.holder_label}
            if self.status == self.Status.IN_REPAIR:
                return _("%(tag)s is in repair.") % {"tag": self.asset_tag}
        elif step == "return":
            if not self.is_out:
                return _("%(tag)s is not checked out.") % {"tag": self.asset_tag}
        elif step == "report_fault":
            if self.fault_reported_on:
                return _("A fault of %(tag)s is already open (ticket %(ticket)s).") % {
                    "tag": self.asset_tag, "ticket": self.fault_ticket or "–"}
        elif step == "mark_repaired":
            if not self.fault_reported_on and self.status != self.Status.IN_REPAIR:
                return _("%(tag)s has no open fault.") % {"tag": self.asset_tag}
        elif step == "leave":
            if self.is_out:
                return _("Return %(tag)s before it leaves the register.") % {
                    "tag": self.asset_tag}
        elif step not in ("move", "mark_lost"):
            raise ValueError(f"Unknown step {step!r}; expected one of {self.STEPS}")
        return ""

    def can_check_out(self):
        """Return whether the device can be handed to someone now."""
        return not self.why_not("check_out")

    def can_return(self):
        """Return whether the device is out and can be taken back."""
        return not self.why_not("return")

    def can_move(self):
        """Return whether the device can move to another unit, room or cart slot."""
        return not self.why_not("move")

    def can_report_fault(self):
        """Return whether a fault can be reported (none is open)."""
        return not self.why_not("report_fault")

    def can_mark_repaired(self):
        """Return whether the device has an open fault to close."""
        return not self.why_not("mark_repaired")

    def can_leave(self):
        """Return whether the device can be retired or handed on (it is not out)."""
        return not self.why_not("leave")

    def can_mark_lost(self):
        """Return whether the device can be recorded lost."""
        return not self.why_not("mark_lost")

    def _require(self, step):
        reason = self.why_not(step)
        if reason:
            raise ValidationError(reason)

    def check_out(self, *, holder=None, pupil_code="", condition=""):
        """Hand the device to a member of staff or a pupil; return the new loan, unsaved.

        Raise ValidationError when the device cannot be checked out, or the holder is not one.
        """
        self._require("check_out")
        pupil_code = (pupil_code or "").strip().upper()
        if bool(holder) == bool(pupil_code):
            raise ValidationError(_("Give either a member of staff or a pupil code."))
        loan = Loan(device=self, holder=holder, pupil_code=pupil_code, condition_out=condition)
        # The device may be unsaved (a sheet's new row) and the holder is an object already
        # read, so neither needs looking up again; the constraints (one holder, one open loan)
        # are what was checked above, and the database enforces them too.
        loan.clean_fields(exclude=["device", "holder"])
        loan.clean()
        self.open_loan = loan
        self.status = self.Status.IN_USE
        self.last_seen = timezone.localdate()
        return loan

    def take_back(self, *, condition=""):
        """Take the device back from its holder; return the loan it ends, unsaved.

        Raise ValidationError when the device is not checked out.
        """
        self._require("return")
        loan = self._end_loan()
        loan.condition_in = condition
        if self.status == self.Status.IN_USE:
            self.status = self.Status.IN_STOCK
        self.last_seen = timezone.localdate()
        return loan

    def move(self, *, unit=None, location=None, cart=UNCHANGED, cart_slot=UNCHANGED):
        """Move the device to `unit`, to the room `location`, to a cart slot; do not save.

        What is not given stays; `cart=None` takes the device out of its cart. A device moving
        to another unit leaves its cart behind unless given one there. Raise ValidationError
        when the device is gone, out to someone and moving elsewhere, or the slot is not free.
        """
        self._require("move")
        if unit is not None and unit.pk != self.unit_id:
            if self.is_out:
                raise ValidationError(_("Return %(tag)s before moving it to another unit.") % {
                    "tag": self.asset_tag})
            self.unit = unit
            if cart is UNCHANGED:
                cart = None
        if location is not None:
            self.location = location
        if cart is not UNCHANGED:
            self.cart, self.cart_slot = cart, None
        if cart_slot is not UNCHANGED:
            self.cart_slot = cart_slot
        self.full_clean()

    def report_fault(self, *, ticket="", on=None):
        """Record a fault with its helpdesk ticket: the device is in repair until repaired."""
        self._require("report_fault")
        self.fault_reported_on = on or timezone.localdate()
        self.fault_ticket = ticket.strip()
        self.status = self.Status.IN_REPAIR

    def mark_repaired(self):
        """Close the open fault: back in use if someone has the device, else in stock."""
        self._require("mark_repaired")
        self.fault_reported_on, self.fault_ticket = None, ""
        self.status = self.Status.IN_USE if self.is_out else self.Status.IN_STOCK

    def leave(self, status):
        """Take the device out of use for good as `status` (retired, handed on or lost).

        It leaves its cart slot and any open fault. A lost device's loan ends, and is returned
        unsaved; a device still out cannot be retired or handed on. Raise ValidationError.
        """
        if status not in self.GONE:
            raise ValueError(f"{status!r} is not a status a device leaves with")
        self._require("mark_lost" if status == self.Status.LOST else "leave")
        loan = self._end_loan() if self.is_out else None
        self.status = status
        self.cart, self.cart_slot = None, None
        self.fault_reported_on, self.fault_ticket = None, ""
        return loan

    def _end_loan(self):
        loan = self.open_loan
        loan.returned_at = timezone.now()
        self.open_loan = None
        return loan


class ChargingCart(models.Model):
    """A charging cart (latausvaunu) with numbered slots, each holding one shared laptop."""

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT,
                             related_name="carts")
    name = models.CharField(_("name"), max_length=50,
                            help_text=_("The school's own number or name, e.g. “Vaunu 3”."))
    slots = models.PositiveSmallIntegerField(_("slots"), default=30)
    location = models.CharField(_("location"), max_length=100, blank=True)

    history = History()

    class Meta:
        ordering = ["unit", "name"]
        verbose_name = _("charging cart")
        verbose_name_plural = _("charging carts")
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="cart_name_unique_in_unit"),
            models.CheckConstraint(condition=Q(slots__gte=1) & Q(slots__lte=200),
                                   name="cart_slots_in_range"),
        ]

    def __str__(self):
        return self.name


class EventQuerySet(models.QuerySet):
    """Queries over device events: they can be added and read, never changed or deleted."""

    def update(self, **kwargs):
        raise PermissionError("The device event log cannot be changed.")

    def anonymise(self, *parts):
        """Remove the personal part of these events: the `parts` of PERSONAL_PARTS named.

        The one change the log allows; the PostgreSQL trigger (migration 0005) allows exactly
        this and nothing else. Return the number of events changed.
        """
        blank = {"pupil_code": {"pupil_code": ""}, "note": {"note": ""},
                 "holder": {"holder": None}, "by": {"by": None, "by_name": ""}}
        fields = {}
        for part in parts or DeviceEvent.PERSONAL_PARTS:
            fields.update(blank[part])
        return super().update(**fields)

    def delete(self):
        raise PermissionError("The device event log cannot be deleted.")


class DeviceEvent(models.Model):
    """One thing that happened to a device: who did it and when. Append-only."""

    class Kind(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        CHECKED_OUT = "checked_out", _("Checked out")
        RETURNED = "returned", _("Returned")
        MOVED = "moved", _("Moved")
        FAULT_REPORTED = "fault_reported", _("Fault reported")
        REPAIRED = "repaired", _("Repaired")
        AUDITED = "audited", _("Found in inventory")
        RETIRED = "retired", _("Retired")
        HANDED_ON = "handed_on", _("Handed on")
        LOST = "lost", _("Lost")
        EDITED = "edited", _("Details changed")

    device = models.ForeignKey(Device, verbose_name=_("device"), on_delete=models.PROTECT,
                               related_name="events")
    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    at = models.DateTimeField(_("when"), default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"),
                           on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # The name at the time, so the log still says who after a login is removed.
    by_name = models.CharField(_("by (name)"), max_length=200, blank=True)
    holder = models.ForeignKey(Person, verbose_name=_("holder"), on_delete=models.PROTECT,
                               null=True, blank=True, related_name="+")
    pupil_code = models.CharField(_("pupil code"), max_length=20, blank=True)
    from_unit = models.ForeignKey(Unit, verbose_name=_("from unit"), on_delete=models.PROTECT,
                                  null=True, blank=True, related_name="+")
    to_unit = models.ForeignKey(Unit, verbose_name=_("to unit"), on_delete=models.PROTECT,
                                null=True, blank=True, related_name="+")
    location = models.CharField(_("location"), max_length=100, blank=True)
    ticket = models.CharField(_("helpdesk ticket"), max_length=50, blank=True)
    note = models.TextField(_("note"), blank=True)

    objects = EventQuerySet.as_manager()

    # What EventQuerySet.anonymise() may remove; the rest of an event never changes.
    PERSONAL_PARTS = ("pupil_code", "note", "holder", "by")

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("device event")
        verbose_name_plural = _("device events")
        indexes = [models.Index(fields=["device", "-at"])]

    def __str__(self):
        return f"{self.device.asset_tag}: {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise PermissionError("The device event log cannot be changed.")
        if self.by is not None and not self.by_name:
            self.by_name = self.by.get_full_name() or self.by.get_username()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The device event log cannot be deleted.")


class LoanQuerySet(models.QuerySet):
    """Queries over loans."""

    def open(self):
        """Return the loans not yet returned."""
        return self.filter(returned_at__isnull=True)


class Loan(models.Model):
    """A device checked out to a member of staff or to a pupil (by code), until it is returned."""

    device = models.ForeignKey(Device, verbose_name=_("device"), on_delete=models.PROTECT,
                               related_name="loans")
    holder = models.ForeignKey(Person, verbose_name=_("holder"), on_delete=models.PROTECT,
                               null=True, blank=True, related_name="loans")
    pupil_code = models.CharField(_("pupil code"), max_length=20, blank=True,
                                  validators=[validate_pupil_code], help_text=PUPIL_CODE_HELP)
    checked_out_at = models.DateTimeField(_("checked out"), default=timezone.now)
    returned_at = models.DateTimeField(_("returned"), null=True, blank=True)
    condition_out = models.CharField(_("condition when handed out"), max_length=200, blank=True)
    condition_in = models.CharField(_("condition when returned"), max_length=200, blank=True)

    objects = LoanQuerySet.as_manager()

    class Meta:
        ordering = ["-checked_out_at", "-pk"]
        verbose_name = _("loan")
        verbose_name_plural = _("loans")
        constraints = [
            models.UniqueConstraint(fields=["device"], condition=Q(returned_at__isnull=True),
                                    name="loan_one_open_per_device"),
            models.CheckConstraint(
                condition=(Q(holder__isnull=False, pupil_code="")
                           | Q(holder__isnull=True) & ~Q(pupil_code="")
                           # A returned loan whose personal part was removed (privacy).
                           | Q(holder__isnull=True, pupil_code="", returned_at__isnull=False)),
                name="loan_staff_or_pupil"),
            models.CheckConstraint(
                condition=Q(returned_at__isnull=True) | Q(returned_at__gte=F("checked_out_at")),
                name="loan_returned_after_checkout"),
        ]

    def __str__(self):
        return f"{self.device.asset_tag} → {self.holder or self.pupil_code}"

    @property
    def holder_label(self):
        """Return the holder as shown: a person's name or a pupil's code."""
        if self.holder_id:
            return self.holder.name
        return self.pupil_code or str(_("(removed)"))

    def clean(self):
        super().clean()
        if self.holder_id is not None:
            # A device is lent to the staff of its unit's organisation, above it or below it.
            unit = self.device.unit
            if not unit.organisation.is_related_to(self.holder.organisation):
                raise ValidationError({"holder": _(
                    "%(person)s does not work in the organisation of %(unit)s."
                ) % {"person": self.holder.name, "unit": unit}})


class InventoryRoundQuerySet(models.QuerySet):
    """Queries over inventory rounds."""

    def open(self):
        """Return the rounds not yet closed."""
        return self.filter(closed_at__isnull=True)

    def closed(self):
        """Return the closed rounds."""
        return self.filter(closed_at__isnull=False)


class InventoryRound(models.Model):
    """A count of a unit's devices: the devices found are marked; the rest were not found."""

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT,
                             related_name="inventory_rounds")
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("started by"),
                                   on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("closed by"),
                                  on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+")
    # The devices the round expected to find, fixed when it closes so the report stays true.
    expected = models.ManyToManyField(Device, verbose_name=_("expected devices"), blank=True,
                                      related_name="+")

    objects = InventoryRoundQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("inventory round")
        verbose_name_plural = _("inventory rounds")
        constraints = [
            models.UniqueConstraint(fields=["unit"], condition=Q(closed_at__isnull=True),
                                    name="inventory_one_open_round_per_unit"),
        ]

    def __str__(self):
        return f"{self.unit}: {timezone.localtime(self.started_at):%d.%m.%Y}"

    @property
    def is_open(self):
        """Return whether devices can still be marked found."""
        return self.closed_at is None

    def expected_devices(self):
        """Return the devices the round expects to find: fixed when it closed, else as of now.

        Until it closes, a round expects the unit's active devices registered before it started,
        and anything already found in it (a device found is counted even if it moved since).
        """
        if not self.is_open:
            return self.expected.all()
        return Device.objects.filter(
            Q(unit=self.unit_id, created_at__lte=self.started_at) & ~Q(status__in=Device.GONE)
            | Q(pk__in=self.marks.values("device"))
        )


class InventoryMark(models.Model):
    """A device found in an inventory round."""

    round = models.ForeignKey(InventoryRound, verbose_name=_("inventory round"),
                              on_delete=models.CASCADE, related_name="marks")
    device = models.ForeignKey(Device, verbose_name=_("device"), on_delete=models.PROTECT,
                               related_name="inventory_marks")
    at = models.DateTimeField(_("found"), default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"),
                           on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-at"]
        verbose_name = _("device found")
        verbose_name_plural = _("devices found")
        constraints = [
            models.UniqueConstraint(fields=["round", "device"], name="inventory_mark_once"),
        ]

    def __str__(self):
        return f"{self.round}: {self.device.asset_tag}"
