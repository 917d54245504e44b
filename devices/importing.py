"""Import the device sheet fast and all or nothing, behind `manage.py import_devices` and the admin.

Every row is checked before anything is saved, and every bad row is reported by the line a
spreadsheet shows it on (the header is line 1). The checks run in Python over what a few queries
load up front (the units, people, carts and devices the file names), so ten thousand rows take
seconds, not a query each. The model's own rules do the checking: `Device.clean_fields()` (without
the foreign keys, whose check would query), `Device.clean()` and `Device.check_out()` on unsaved
copies whose related objects are already in memory. A valid file is then saved in one
transaction with bulk inserts and updates, and every new or changed device gets its event in
the log. `devices.services.devices_import` is the way in.

A sheet registers devices and changes their details. Of a device already registered, it may
not change what only the register's steps change, each with its own event: the holder and the
pupil code (check out, return), the status (report a fault, retire, hand on, mark lost) and the
cart slot (move). A row that would is refused with a line error that names the device's page;
the same value as the register's is no change and passes, so an export re-imports unchanged. A
new device's holder or pupil code is a check-out, as the device page makes it: a loan is opened
and logged, by the same rule.

An empty cell clears a value the register may leave empty, and keeps any other; a column left
out of the file keeps the value of every device.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import connections, router, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from devices.models import ChargingCart, Device, DeviceEvent, Loan, describe_changes
from devices.resources import COLUMNS, header_keys
from imports.sheets import SheetError, kind_of, read_rows
from units.history import record_bulk
from units.models import Person, Unit
from units.resources import DayWidget, YesNoWidget, choice_names, folded, unescape_formula

BATCH = 500
# SQLite allows 999 parameters a query: look keys up in slices below that.
LOOKUP_SLICE = 900

CHOICES = {"category": Device.Category, "use": Device.Use, "ownership": Device.Ownership,
           "status": Device.Status}
DATES = ("lease_ends_on", "last_seen")
TEXTS = ("serial_number", "manufacturer", "model", "number", "location", "pupil_code", "notes")
# Checked here against what was loaded; clean_fields() would query for each.
FOREIGN_KEYS = ("unit", "cart")
# The columns of the open loan rather than of the device: a new device's are a check-out.
LOAN_KEYS = ("holder", "pupil_code")
# The fields a row can change, as stored (foreign keys by id), to tell what an update changes.
ATTNAMES = ["unit_id", "cart_id", *(key for key, _h, _c in COLUMNS
                                    if key not in FOREIGN_KEYS + LOAN_KEYS)]
# What a sheet may not change of a registered device: each has a step with its own event.
STEP_FIELDS = {"status": "status", "cart_id": "cart", "cart_slot": "cart_slot"}


@dataclass
class Problem:
    """Why one line of the file cannot be imported."""

    line: int
    column: str
    message: str

    def __str__(self):
        if self.column:
            return _("Line %(line)d, %(column)s: %(message)s") % {
                "line": self.line, "column": self.column, "message": self.message}
        return _("Line %(line)d: %(message)s") % {"line": self.line, "message": self.message}


@dataclass
class Plan:
    """What importing a file would do: the devices to add and change, or the problems."""

    new: list = field(default_factory=list)
    # (device, names of the changed fields, {field name: value before})
    changed: list = field(default_factory=list)
    loans: list = field(default_factory=list)  # the check-outs of new devices, unsaved
    unchanged: int = 0
    problems: list = field(default_factory=list)

    @property
    def is_valid(self):
        """Return whether the whole file may be saved."""
        return not self.problems

    def summary(self):
        """Return what the import does, in words."""
        return _("%(new)d new, %(changed)d changed, %(unchanged)d unchanged.") % {
            "new": len(self.new), "changed": len(self.changed), "unchanged": self.unchanged}


def no_progress(iterable=None, **kwargs):
    """Return a progress bar that shows nothing: a stand-in for tqdm."""
    return _Silent(iterable)


class _Silent:
    def __init__(self, iterable):
        self.iterable = iterable

    def __iter__(self):
        return iter(self.iterable)

    def update(self, count=1):
        pass

    def close(self):
        pass


@dataclass
class Sheet:
    """A file's header row and its data rows, each with its line number."""

    header: list
    rows: list  # (line, cells)


def read_sheet(data, name):
    """Return the sheet in `data` (bytes), a CSV or XLSX file as the extension of `name` says.

    The file is read within the import limits (imports.sheets): a file too large, of too many
    rows, or an .xlsx that would unpack too far is refused with a SheetError naming the limit.
    """
    table = read_rows(data, kind_of(name))
    if not table:
        raise SheetError(_("The file is empty."))
    return Sheet(header=list(table[0]), rows=list(enumerate(table[1:], start=2)))


def plan_import(sheet, *, units=None, unit=None, progress=no_progress):
    """Check every row of `sheet` and return the Plan; nothing is saved.

    `units` (a queryset) are the units this import may change: a row of another unit is refused.
    `unit` fills an empty unit cell, and a file with no unit column.
    """
    return _Planner(sheet, units, unit).run(progress)


class _Planner:
    """Check a sheet's rows against the register loaded in a few queries."""

    def __init__(self, sheet, units, unit):
        self.sheet = sheet
        self.scope = units
        self.default_unit = unit
        self.plan = Plan()
        self.labels = {key: str(header) for key, header, _cell in COLUMNS}
        self.columns = self._read_header()
        self.yes_no = YesNoWidget()
        self.day = DayWidget()
        self.choices = {key: choice_names(choices.choices) for key, choices in CHOICES.items()}
        # The final owner of each unique value, as (asset tag, line or None for the register).
        self.serials, self.numbers, self.slots = {}, {}, {}
        self.tags = {}

    def problem(self, line, key, message):
        self.plan.problems.append(Problem(line, self.labels.get(key, ""), str(message)))

    def _read_header(self):
        """Return {column index: key}; report unknown and repeated headers on line 1."""
        known = header_keys()
        columns = {}
        for index, header in enumerate(self.sheet.header):
            text = "" if header is None else str(header).strip()
            if not text:
                continue
            key = known.get(text.casefold())
            if key is None:
                self.problem(1, "", _("Unknown column: %(value)s.") % {"value": text})
            elif key in columns.values():
                self.problem(1, key, _("The column is in the file twice."))
            else:
                columns[index] = key
        for key in ("asset_tag", "unit"):
            if key not in columns.values() and not (key == "unit" and self.default_unit):
                self.problem(1, "", _("The file has no %(column)s column.") % {
                    "column": self.labels[key]})
        return columns

    def run(self, progress):
        """Check every row; return the plan."""
        if self.plan.problems:
            return self.plan
        rows = [(line, self._cells(cells)) for line, cells in self.sheet.rows
                if any(cell not in (None, "") and str(cell).strip() for cell in cells)]
        self._load(rows)
        for line, cells in progress(rows, total=len(rows), desc=_("Checking"), unit=_("rows")):
            self._row(line, cells)
        if self.plan.problems:
            self.plan.new, self.plan.changed, self.plan.loans, self.plan.unchanged = [], [], [], 0
        return self.plan

    def _cells(self, cells):
        """Return {key: cell} for the known columns, text trimmed and export escapes undone."""
        values = {}
        for index, key in self.columns.items():
            value = cells[index] if index < len(cells) else None
            if isinstance(value, str):
                value = unescape_formula(value.strip())
            values[key] = value
        return values

    def _load(self, rows):
        """Load what the rows name: units, people, carts, devices (a few queries in all)."""
        slugs = {_text(cells.get("unit")) for _line, cells in rows} - {""}
        emails = {_text(cells.get("holder")).lower() for _line, cells in rows} - {""}
        tags = {_text(cells.get("asset_tag")).upper() for _line, cells in rows} - {""}
        lineage = Unit.objects.select_related("organisation__parent__parent")
        self.units = {unit.slug: unit for unit in _sliced(lineage, "slug", slugs)}
        if self.default_unit is not None:
            self.units.setdefault(self.default_unit.slug, self.default_unit)
        ids = [unit.pk for unit in self.units.values()]
        self.allowed = set(ids if self.scope is None
                           else self.scope.filter(pk__in=ids).values_list("pk", flat=True))
        people = Person.objects.select_related("organisation__parent__parent")
        self.people = {person.email: person for person in _sliced(people, "email", emails)}
        self.carts = {}
        for cart in ChargingCart.objects.filter(unit__in=ids):
            self.carts[(cart.unit_id, cart.name)] = cart
            self.carts.setdefault((cart.unit_id, cart.name.casefold()), cart)
        self.devices = {device.asset_tag: device
                        for device in _sliced(Device.objects.select_related("unit").with_loan(),
                                                "asset_tag", tags)}
        # Devices the file leaves alone still hold their serials, numbers and cart slots.
        others = (Device.objects.filter(Q(unit__in=ids) | ~Q(serial_number=""))
                  .values_list("asset_tag", "unit_id", "serial_number", "number", "cart_id",
                               "cart_slot"))
        for tag, unit_id, serial, number, cart_id, slot in others.iterator(chunk_size=5000):
            if tag not in tags:
                self._claim(None, tag, unit_id, serial, number, cart_id, slot)

    def _claim(self, line, tag, unit_id, serial, number, cart_id, slot):
        """Record who holds each unique value; return the holders that clash with `tag`."""
        clashes = {}
        for key, table, value in (("serial_number", self.serials, serial),
                                  ("number", self.numbers, number and (unit_id, number)),
                                  ("cart_slot", self.slots, cart_id and (cart_id, slot))):
            if not value:
                continue
            holder = table.setdefault(value, (tag, line))
            if holder[0] != tag:
                clashes[key] = holder
        return clashes

    def _row(self, line, cells):
        """Check one row; add its device to the plan or its problems to the report."""
        count = len(self.plan.problems)
        tag = _text(cells.get("asset_tag")).upper()
        if not tag:
            self.problem(line, "asset_tag", _(
                "An asset tag is needed: it is how a device is recognised again."))
        elif tag in self.tags:
            self.problem(line, "asset_tag", _("%(value)s is also on line %(line)d.") % {
                "value": tag, "line": self.tags[tag]})
        else:
            self.tags[tag] = line
        unit = self._unit(line, cells)
        device = self.devices.get(tag)
        if device is not None and unit is not None and device.unit_id != unit.pk:
            self.problem(line, "asset_tag", _(
                "%(value)s is registered to another unit: move it in the register first.")
                % {"value": tag})
        if device is None:
            device = Device(asset_tag=tag)
        before = [getattr(device, name) for name in ATTNAMES]
        page = (reverse("devices:device", args=[device.unit.slug, device.asset_tag])
                if device.pk is not None else None)
        if unit is not None:
            device.unit = unit
        loan = self._set_values(line, device, cells, unit)
        if len(self.plan.problems) == count:
            self._validate(line, device)
        if len(self.plan.problems) == count:
            self._check_unique(line, device)
        changed = [name for name, old in zip(ATTNAMES, before, strict=True)
                   if getattr(device, name) != old]
        if page is not None:
            self._refuse_steps(line, device, changed, loan, page)
        elif len(self.plan.problems) == count and loan:
            self._check_out(line, device, loan, keep_last_seen="last_seen" in cells)
        if len(self.plan.problems) > count:
            return
        if device.pk is None:
            self.plan.new.append(device)
        elif changed:
            self.plan.changed.append((
                device, [name.removesuffix("_id") for name in changed],
                {name: old for name, old in zip(ATTNAMES, before, strict=True)
                 if name in changed}))
        else:
            self.plan.unchanged += 1

    def _refuse_steps(self, line, device, changed, loan, page):
        """Report the columns of a registered device that only the register's steps change."""
        for name in changed:
            if name in STEP_FIELDS:
                self.problem(line, STEP_FIELDS[name], _(
                    "A sheet does not change this of a registered device: take the step on "
                    "its page, %(page)s.") % {"page": page})
        for key, value in loan.items():
            if value != getattr(device, key):
                self.problem(line, key, _(
                    "A sheet does not check devices out or take them back: do it on the "
                    "device's page, %(page)s, or on the hand-out page.") % {"page": page})

    def _check_out(self, line, device, loan, *, keep_last_seen):
        """Check the new `device` out to the row's holder, by the rule of the device page.

        A check-out counts as seeing the device today, unless the sheet says when it was seen.
        """
        seen = device.last_seen
        try:
            self.plan.loans.append(device.check_out(
                holder=loan.get("holder"), pupil_code=loan.get("pupil_code", "")))
        except ValidationError as error:
            self._report(line, error)
        if keep_last_seen:
            device.last_seen = seen

    def _unit(self, line, cells):
        slug = _text(cells.get("unit"))
        if not slug and self.default_unit is not None:
            return self.default_unit
        if not slug:
            self.problem(line, "unit", _("Name the unit by its slug."))
            return None
        unit = self.units.get(slug)
        if unit is None:
            self.problem(line, "unit", _("Unknown unit: %(value)s.") % {"value": slug})
            return None
        if unit.pk not in self.allowed or (self.default_unit and unit != self.default_unit):
            self.problem(line, "unit", _("This import may not change the devices of %(value)s.")
                         % {"value": slug})
            return None
        return unit

    def _set_values(self, line, device, cells, unit):
        """Set `device`'s fields from the row's cells, reporting cells that do not parse.

        Return the holder and pupil code the row names, {key: value}, for the open loan.
        """
        loan = {}
        for key, value in cells.items():
            if key in ("unit", "asset_tag"):
                continue
            try:
                parsed = self._parse(key, value, device, unit)
            except ValueError as error:
                self.problem(line, key, error)
                continue
            if key in LOAN_KEYS:
                loan[key] = parsed.upper() if key == "pupil_code" else parsed
            elif parsed is not _KEEP:
                setattr(device, key, parsed)
        return {key: value for key, value in loan.items() if value} if device.pk is None else loan

    def _parse(self, key, value, device, unit):
        """Return the value for field `key` from the cell `value`, or _KEEP for no change."""
        empty = value is None or value == ""
        if key in TEXTS:
            return _text(value)
        if key in CHOICES:
            if empty:
                return _KEEP
            code = self.choices[key].get(folded(_text(value)))
            if code is None:
                raise ValueError(_("Unknown %(column)s: %(value)s. Write one of: %(choices)s.")
                                 % {"column": self.labels[key], "value": value,
                                    "choices": ", ".join(CHOICES[key].values)})
            return code
        if key in DATES:
            return _day(value, self.day)
        if key == "billed_monthly":
            return _KEEP if empty else self.yes_no.clean(value)
        if key == "monthly_cost":
            return None if empty else _decimal(value)
        if key == "cart_slot":
            return None if empty else _whole(value)
        if key == "holder":
            email = _text(value).lower()
            if not email:
                return None
            if email not in self.people:
                raise ValueError(_("Unknown person: %(value)s.") % {"value": email})
            return self.people[email]
        if key == "cart":
            name = _text(value)
            if not name or unit is None:
                return None
            cart = self.carts.get((unit.pk, name)) or self.carts.get((unit.pk, name.casefold()))
            if cart is None:
                raise ValueError(_("%(unit)s has no charging cart %(value)s.") % {
                    "unit": unit, "value": name})
            return cart
        raise AssertionError(key)

    def _validate(self, line, device):
        """Run the model's own checks on `device`; its related objects are already loaded."""
        try:
            device.clean_fields(exclude=FOREIGN_KEYS)
            device.clean()
        except ValidationError as error:
            self._report(line, error)

    def _report(self, line, error):
        """Report the messages of the ValidationError `error`, on their columns where named."""
        if not hasattr(error, "error_dict"):
            for message in error.messages:
                self.problem(line, "", message)
            return
        for name, messages in error.message_dict.items():
            for message in messages:
                self.problem(line, name if name in self.labels else "", message)

    def _check_unique(self, line, device):
        """Report a serial, school number or cart slot that another device holds."""
        clashes = self._claim(line, device.asset_tag, device.unit_id, device.serial_number,
                              device.number, device.cart_id, device.cart_slot)
        values = {"serial_number": device.serial_number, "number": device.number,
                  "cart_slot": device.cart_slot}
        for key, (tag, other_line) in clashes.items():
            if key == "cart_slot":
                what = _("Slot %(slot)d of %(cart)s") % {"slot": device.cart_slot,
                                                         "cart": device.cart}
            else:
                what = values[key]
            if other_line is None:
                message = _("%(value)s belongs to device %(tag)s already.")
            else:
                message = _("%(value)s is also on line %(line)d.")
            self.problem(line, key, message % {"value": what, "tag": tag, "line": other_line})


_KEEP = object()


def _text(value):
    """Return a cell as text: a whole number typed into a spreadsheet loses its ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _day(value, widget):
    """Return the date in a cell: ISO text is read fast, anything else as DayWidget reads it."""
    if isinstance(value, str) and len(value) == 10 and value[4] == "-":
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    return widget.clean(value)


def _decimal(value):
    if isinstance(value, Decimal | int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(str(value))
    text = str(value).replace("€", "").replace("\xa0", "").replace(" ", "").replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise ValueError(_("Write a number such as 12.50, not %(value)s.") % {"value": value})
    return number


def _whole(value):
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if not text.isdigit():
        raise ValueError(_("Write a whole number, not %(value)s.") % {"value": value})
    return int(text)


def _sliced(queryset, field_name, values):
    """Return the objects of `queryset` whose `field_name` is one of `values`, a slice a query."""
    values = sorted(values)
    found = []
    for start in range(0, len(values), LOOKUP_SLICE):
        chunk = values[start:start + LOOKUP_SLICE]
        found.extend(queryset.filter(**{f"{field_name}__in": chunk}))
    return found


@transaction.atomic
def save_plan(plan, *, by=None, note="", progress=no_progress):
    """Save a valid `plan` in one transaction and log an event for each new or changed device.

    A new device's event says it was registered, and a new device's check-out opens its loan
    with an event of its own; a changed one's event names the fields that changed. The events
    name `by` (a user), or "import" when there is none.
    """
    if not plan.is_valid:
        raise ValueError("A plan with problems cannot be saved.")
    by = by if by is not None and by.is_authenticated else None
    by_name = (by.get_full_name() or by.get_username()) if by else "import"
    now = timezone.now()
    bar = progress(total=len(plan.new) + len(plan.changed), desc=_("Saving"), unit=_("rows"))
    changed = [device for device, _fields, _before in plan.changed]
    _free_unique_values(plan.changed)
    names = {name for _device, names, _before in plan.changed for name in names} | {"updated_at"}
    for start in range(0, len(changed), BATCH):
        batch = changed[start:start + BATCH]
        for device in batch:
            device.updated_at = now
        _update_rows(batch, sorted(names))
        bar.update(len(batch))
    for start in range(0, len(plan.new), BATCH):
        batch = plan.new[start:start + BATCH]
        Device.objects.bulk_create(batch)
        bar.update(len(batch))
    bar.close()
    _set_missing_pks(plan.new)
    # The history of bulk writes is written in bulk too: one insert for every new device and
    # one for every changed one, as recording() says how and by whom.
    record_bulk(Device, plan.new, update=False)
    record_bulk(Device, changed, update=True)
    events = [DeviceEvent(device=device, kind=DeviceEvent.Kind.REGISTERED, at=now, by=by,
                          by_name=by_name, to_unit_id=device.unit_id, location=device.location,
                          note=note)
              for device in plan.new]
    events += [DeviceEvent(device=device, kind=DeviceEvent.Kind.EDITED, at=now, by=by,
                           by_name=by_name,
                           note=" ".join(filter(None, [note, describe_changes(device, before)])))
               for device, _names, before in plan.changed]
    Loan.objects.bulk_create(plan.loans, batch_size=BATCH)
    events += [DeviceEvent(device=loan.device, kind=DeviceEvent.Kind.CHECKED_OUT, at=now, by=by,
                           by_name=by_name, holder=loan.holder, pupil_code=loan.pupil_code,
                           note=note)
               for loan in plan.loans]
    DeviceEvent.objects.bulk_create(events, batch_size=BATCH)
    return plan


def _free_unique_values(changed):
    """Clear the serials and numbers the changed devices give up, before saving.

    Two devices may swap serials in one file; the database checks uniqueness row by row, so
    the old values are cleared first.
    """
    clearing = {"serial_number": {"serial_number": ""}, "number": {"number": ""}}
    for name, values in clearing.items():
        ids = [device.pk for device, names, _before in changed if name in names]
        for start in range(0, len(ids), LOOKUP_SLICE):
            Device.objects.filter(pk__in=ids[start:start + LOOKUP_SLICE]).update(**values)


def _update_rows(devices, names):
    """Write the fields `names` of `devices` with one prepared UPDATE run for every row.

    Django's bulk_update() builds a CASE expression for each row and field, which takes seconds
    for thousands of rows; executemany() sends the one statement with every row's values.
    """
    connection = connections[router.db_for_write(Device)]
    quote = connection.ops.quote_name
    fields = [Device._meta.get_field(name) for name in names]
    # Names come from the model and are quoted; every value is a parameter.
    sql = "UPDATE {table} SET {columns} WHERE {pk} = %s".format(  # noqa: S608
        table=quote(Device._meta.db_table), pk=quote(Device._meta.pk.column),
        columns=", ".join(f"{quote(field.column)} = %s" for field in fields))
    rows = [[field.get_db_prep_save(getattr(device, field.attname), connection)
             for field in fields] + [device.pk] for device in devices]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _set_missing_pks(devices):
    # Databases that cannot return ids from a bulk insert leave them unset.
    missing = [device for device in devices if device.pk is None]
    if missing:
        ids = dict(_sliced(Device.objects.values_list("asset_tag", "pk"), "asset_tag",
                           {device.asset_tag for device in missing}))
        for device in missing:
            device.pk = ids[device.asset_tag]
