"""Data protection: retention, a person's access request and erasure (GDPR art. 5(1)(e), 15, 17).

- `personal_data_purge()` removes, after `settings.VASTUU_RETENTION_MONTHS`, the pupil codes and
  free-text notes of returned loans and of their events and the records of logins, and ends the
  links of people who left: their roles and login, and the holder of their old loans and events.
  Import jobs older than that go too: their results name the lines of files, which may name people.
- `person_data()` gathers everything stored about one person, for `personal_data_export()`.
- `person_erase()` removes a person's personal data and keeps the matrix and the register
  consistent: their roles end, their loans and events keep their rows without them, and their
  name is gone from the history. A person who still holds a device is refused.

The event log stays append-only: it only loses its personal part (EventQuerySet.anonymise()).
"""

import datetime
import json
from collections import defaultdict
from dataclasses import dataclass, field

import tablib
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from guardian.models import UserObjectPermissionBase

from devices.models import DeviceEvent, Loan
from imports.models import ImportJob
from matrix.models import Assignment
from matrix.services import assignment_delete, assignment_end
from units.history import how_label
from units.models import Person
from units.resources import escape_formula

Kind = DeviceEvent.Kind
# The events whose note is about the holder, not the device.
LOAN_KINDS = (Kind.CHECKED_OUT, Kind.RETURNED, Kind.HANDED_ON, Kind.LOST)
# What the login lock-out keeps of each login and failed attempt.
LOGIN_RECORDS = (AccessLog, AccessAttempt, AccessFailureLog)


def retention_cutoff(now=None):
    """Return the moment before which ended loans lose their personal data."""
    now = now or timezone.now()
    months = settings.VASTUU_RETENTION_MONTHS
    year, month = divmod(now.month - 1 - months, 12)
    year, month = now.year + year, month + 1
    # The same day of the month, or the month's last day if it is shorter.
    for day in range(now.day, 0, -1):
        try:
            return now.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


@dataclass
class Purge:
    """What personal_data_purge() removed (or, in a dry run, would remove)."""

    cutoff: datetime.datetime
    loans: int = 0
    events: int = 0
    holder_links: int = 0
    assignments_ended: int = 0
    logins_unlinked: int = 0
    login_records: int = 0
    import_jobs: int = 0

    def lines(self):
        """Return the counts as lines for a person to read."""
        return [
            _("Loans returned before %(date)s whose pupil code and notes were removed: %(n)d")
            % {"date": f"{timezone.localtime(self.cutoff):%d.%m.%Y}", "n": self.loans},
            _("Events whose pupil code or note was removed: %(n)d") % {"n": self.events},
            _("Loans and events of people who left whose holder was removed: %(n)d")
            % {"n": self.holder_links},
            _("Roles of people who left that were ended: %(n)d") % {"n": self.assignments_ended},
            _("Logins of people who left that were unlinked: %(n)d") % {"n": self.logins_unlinked},
            _("Records of logins and failed attempts before %(date)s that were deleted: %(n)d")
            % {"date": f"{timezone.localtime(self.cutoff):%d.%m.%Y}", "n": self.login_records},
            _("Imports started before then whose results were deleted: %(n)d")
            % {"n": self.import_jobs},
        ]


def personal_data_purge(*, dry_run=False, now=None):
    """Remove the personal data kept longer than needed; return a Purge of what was removed.

    With `dry_run`, count what would be removed and change nothing.
    """
    purge = Purge(cutoff=retention_cutoff(now))
    today = timezone.localdate(now)
    with transaction.atomic():
        old_loans = Loan.objects.filter(returned_at__lt=purge.cutoff)
        purge.loans = (old_loans.filter(~Q(pupil_code="") | ~Q(condition_out="")
                                        | ~Q(condition_in=""))
                       .update(pupil_code="", condition_out="", condition_in=""))
        left = Q(holder__left_on__lt=today)
        purge.holder_links = old_loans.filter(left).update(holder=None)
        # An event of a loan still open keeps its code: the loan needs it.
        old_events = DeviceEvent.objects.filter(at__lt=purge.cutoff).exclude(Exists(
            Loan.objects.open().filter(device=OuterRef("device"),
                                       checked_out_at__lte=OuterRef("at"))))
        purge.events = (old_events.filter(~Q(pupil_code="") | Q(kind__in=LOAN_KINDS)
                                          & ~Q(note=""))
                        .anonymise("pupil_code", "note"))
        purge.holder_links += old_events.filter(left).anonymise("holder")
        # The lock-out's records (django-axes) name a username, an address and a browser.
        purge.login_records = sum(
            model.objects.filter(attempt_time__lt=purge.cutoff).delete()[0]
            for model in LOGIN_RECORDS)
        for person in Person.objects.filter(left_on__lt=today).select_related("user"):
            purge.assignments_ended += _end_assignments(person, person.left_on)
            if person.user_id is not None:
                _unlink_login(person)
                purge.logins_unlinked += 1
        purge.import_jobs, _deleted = ImportJob.objects.filter(
            created_at__lt=purge.cutoff).delete()
        if dry_run:
            transaction.set_rollback(True)
    return purge


def _end_assignments(person, last_day):
    """End `person`'s assignments still in force after `last_day`; return how many.

    One that would only have begun after `last_day` is deleted: it never took effect.
    """
    count = 0
    for assignment in Assignment.objects.filter(person=person).filter(
            Q(end_date__isnull=True) | Q(end_date__gt=last_day)):
        if assignment.start_date is not None and assignment.start_date > last_day:
            assignment_delete(assignment=assignment)
        else:
            assignment_end(assignment=assignment, end_date=last_day)
        count += 1
    return count


def _unlink_login(person):
    """Unlink `person`'s login and close it, unless it is a superuser's."""
    user = person.user
    person.user = None
    person.save(update_fields=["user"])
    if not user.is_superuser and user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])


# A person's access request: everything stored about them, one sheet per kind of data.


@dataclass
class Section:
    """One kind of data about a person: its key, its title, the column headers and the rows."""

    key: str
    title: str
    headers: list
    rows: list = field(default_factory=list)

    def __post_init__(self):
        self.title, self.headers = str(self.title), [str(header) for header in self.headers]


def person_data(person):
    """Return everything stored about `person` as Sections, in the active language."""
    user = person.user
    sections = [
        Section("person", capfirst(Person._meta.verbose_name), [
            _("Name"), _("Title"), _("Email"), _("Organisation"), _("Login"), _("Left on")],
            [[person.name, person.title, person.email, str(person.organisation),
              user.get_username() if user else "", person.left_on]]),
        _assignments(person),
        _loans(person),
        _events(person),
        _history(person),
    ]
    if user is not None:
        sections.insert(1, Section("login", _("Login"), [
            _("Username"), _("First name"), _("Last name"), _("Email"), _("Active"),
            _("Joined"), _("Last login")],
            [[user.get_username(), user.first_name, user.last_name, user.email,
              user.is_active, user.date_joined, user.last_login]]))
        sections.append(_grants(user))
    return sections


def _assignments(person):
    section = Section("assignments", capfirst(Assignment._meta.verbose_name_plural), [
        _("Role"), _("Level"), _("Place"), _("Lead"), _("Chair"), _("Start date"),
        _("End date")])
    for assignment in (Assignment.objects.filter(person=person)
                       .select_related("role__level", "unit", "organisation")
                       .order_by("start_date", "pk")):
        section.rows.append([
            assignment.role.name, assignment.role.level.name, str(assignment.place),
            assignment.is_lead, assignment.is_chair, assignment.start_date,
            assignment.end_date])
    return section


def _loans(person):
    section = Section("loans", capfirst(Loan._meta.verbose_name_plural), [
        _("Device"), _("Unit"), _("Checked out"), _("Returned"),
        _("Condition when handed out"), _("Condition when returned")])
    for loan in (Loan.objects.filter(holder=person).select_related("device__unit")
                 .order_by("checked_out_at", "pk")):
        section.rows.append([
            f"{loan.device.asset_tag} {loan.device.manufacturer} {loan.device.model}".strip(),
            str(loan.device.unit), loan.checked_out_at, loan.returned_at, loan.condition_out,
            loan.condition_in])
    return section


def _events(person):
    section = Section("events", capfirst(DeviceEvent._meta.verbose_name_plural), [
        _("When"), _("Device"), _("Event"), _("By"), _("Holder"), _("Note")])
    mine = Q(holder=person)
    if person.user_id is not None:
        mine |= Q(by=person.user_id)
    for event in (DeviceEvent.objects.filter(mine).select_related("device", "holder")
                  .order_by("at", "pk")):
        section.rows.append([
            event.at, event.device.asset_tag, event.get_kind_display(), event.by_name,
            event.holder.name if event.holder else "", event.note])
    return section


def _history(person):
    """Return the history of the person's records and the changes their login made."""
    section = Section("history", _("Change history"), [
        _("When"), _("What"), _("Object"), _("Change"), _("By"), _("How")])
    rows = []
    for historical in person.history.all():
        rows.append(_history_row(historical, str(historical.name)))
    for historical in Assignment.history.filter(person_id=person.pk):
        rows.append(_history_row(historical, f"#{historical.id}"))
    if person.user_id is not None:
        for model in _tracked_models():
            for historical in model.history.filter(history_user_id=person.user_id):
                rows.append(_history_row(historical, str(historical.history_object)))
    section.rows = sorted(rows, key=lambda row: row[0])
    return section


def _history_row(historical, shown):
    kinds = {"+": _("created"), "~": _("changed"), "-": _("deleted")}
    return [historical.history_date, capfirst(historical.instance_type._meta.verbose_name),
            shown, kinds.get(historical.history_type, historical.history_type),
            historical.history_user.get_username() if historical.history_user else "",
            str(how_label(historical.history_change_reason or ""))]


def _grants(user):
    section = Section("grants", _("Permissions granted by hand"), [_("Permission"), _("Object")])
    for model in apps.get_models():
        if issubclass(model, UserObjectPermissionBase):
            for grant in model.objects.filter(user=user).select_related("permission"):
                section.rows.append([grant.permission.name, str(grant.content_object)])
    return section


def _tracked_models():
    """Return the models that keep a history."""
    return [model for model in apps.get_models()
            if hasattr(model._meta, "simple_history_manager_attribute")]


def personal_data_export(person, form="xlsx"):
    """Return everything stored about `person` as bytes: an XLSX workbook, or JSON text."""
    sections = person_data(person)
    if form == "json":
        return json.dumps({section.title: [dict(zip(section.headers, row, strict=True))
                                           for row in section.rows] for section in sections},
                          ensure_ascii=False, indent=2, default=_json_value).encode()
    book = tablib.Databook()
    for section in sections:
        sheet = tablib.Dataset(*[[_cell(value) for value in row] for row in section.rows],
                               headers=section.headers, title=section.title[:31])
        book.add_sheet(sheet)
    return book.export("xlsx")


def _cell(value):
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return escape_formula(value if value is not None else "")


def _json_value(value):
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value)


# Erasure.


def erasure_refusal(person):
    """Return why `person` cannot be erased now, or "" if they can."""
    return erasure_refusals([person]).get(person.pk, "")


def erasure_refusals(people):
    """Return why each of `people` who cannot be erased now cannot, keyed by id, in one query."""
    held = defaultdict(list)
    for holder, tag in (Loan.objects.open().filter(holder__in=people)
                        .values_list("holder", "device__asset_tag")
                        .order_by("device__asset_tag")):
        held[holder].append(tag)
    return {person.pk: _("%(person)s still holds %(devices)s: take the devices back first.") % {
        "person": person.name, "devices": ", ".join(held[person.pk])}
        for person in people if person.pk in held}


def erasure_counts(people):
    """Return what erasing each of `people` touches, keyed by id: roles in force or to come,
    loans and device events (those they held or made), counted in three grouped queries."""
    today = timezone.localdate()
    users = {person.user_id: person.pk for person in people if person.user_id}

    def grouped(queryset, by):
        return dict(queryset.order_by().values_list(by).annotate(n=Count("pk")))

    assignments = grouped(Assignment.objects.filter(person__in=people).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=today)), "person")
    loans = grouped(Loan.objects.filter(holder__in=people), "holder")
    held = grouped(DeviceEvent.objects.filter(holder__in=people), "holder")
    # Events a person made with their login and held themselves are counted once, as held.
    made = grouped(DeviceEvent.objects.filter(by__in=users).exclude(holder__user=F("by")), "by")
    for user, n in made.items():
        held[users[user]] = held.get(users[user], 0) + n
    return {person.pk: {"assignments": assignments.get(person.pk, 0),
                        "loans": loans.get(person.pk, 0), "events": held.get(person.pk, 0)}
            for person in people}


@transaction.atomic
def person_erase(*, person, by=None):
    """Remove `person`'s personal data, keeping the matrix and the register consistent.

    Their roles end yesterday (or are deleted if they had not begun), their login is deleted,
    their loans and device events keep their rows without them, and their name is removed from
    the history. What remains is a person named "Erased person N" with no personal data.
    Raise ValidationError if they still hold a device, or if `by` is their own login.
    """
    person = (Person.objects.select_for_update(of=("self",)).select_related("user")
              .get(pk=person.pk))
    refusal = erasure_refusal(person)
    if refusal:
        raise ValidationError(refusal, code="holds_devices")
    user = person.user
    if user is not None and by is not None and user.pk == by.pk:
        raise ValidationError(_("You cannot erase yourself."), code="self")
    today = timezone.localdate()
    _end_assignments(person, today - datetime.timedelta(days=1))
    Loan.objects.filter(holder=person).update(holder=None, condition_out="", condition_in="")
    DeviceEvent.objects.filter(holder=person).anonymise("holder", "note")
    placeholder = _("Erased person %(number)d") % {"number": person.pk}
    person.name, person.title, person.email, person.user = placeholder, "", "", None
    person.left_on = person.left_on or today
    person.save()
    person.history.update(name=placeholder, title="", email="", user=None)
    LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(Person),
                            object_id=str(person.pk)).update(object_repr=placeholder)
    if user is not None:
        DeviceEvent.objects.filter(by=user).anonymise("by")
        for model in _tracked_models():
            model.history.filter(history_user=user).update(history_user=None)
        for model in LOGIN_RECORDS:
            model.objects.filter(username=user.get_username()).delete()
        user.delete()
    return person
