"""Data protection: the pupil-code rule, retention, a person's access request and erasure.

These run on SQLite and, in CI, on PostgreSQL, where the event log's trigger must allow the
removal of an event's personal part and nothing else.
"""

import datetime
import io
import json

import openpyxl
import pytest
from axes.models import AccessLog
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from devices import services as device_services
from devices.models import DeviceEvent, Loan, validate_pupil_code
from imports.models import ImportJob
from matrix.models import Assignment
from privacy.services import (
    person_data,
    person_erase,
    personal_data_export,
    personal_data_purge,
    retention_cutoff,
)
from tests.factories import (
    AssignmentFactory,
    DeviceFactory,
    PersonFactory,
    RoleFactory,
    UserFactory,
)
from units.models import Person

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("code", ["7B-014", "OPPILAS-7", "2024-0001", "K-15", "ab1", "7a-014"])
def test_a_pseudonymous_pupil_code_is_accepted(code):
    validate_pupil_code(code)


@pytest.mark.parametrize("code, why", [
    ("131052-308T", "identity_code"),   # a personal identity code with its check character
    ("131052-308", "identity_code"),    # … without it
    ("131052308T", "identity_code"),    # … without the century sign
    ("010203A123X", "identity_code"),   # … of this century
    ("x1131052308", "identity_code"),   # … inside a longer code
    ("matti.v@koulu.fi", "email"),
    ("Matti Virtanen", "name"),
    ("Matti-Virtanen-7", "name"),       # a name with a digit added is still a name
    ("Liisa", "shape"),                 # no digit
    ("AB", "shape"),
])
def test_what_is_not_a_pupil_code_is_refused(code, why):
    with pytest.raises(ValidationError) as refused:
        validate_pupil_code(code)
    assert refused.value.error_list[0].code == why


def test_a_check_out_refuses_an_identity_code(school, superuser):
    device = DeviceFactory(unit=school)
    with pytest.raises(ValidationError):
        device_services.device_check_out(device=device, by=superuser, pupil_code="131052-308T")
    assert not Loan.objects.exists()


@pytest.fixture
def borrower(school):
    """A member of staff with a login who holds a role, borrowed a device and acted on others."""
    user = UserFactory(username="maija", first_name="Maija", last_name="Mallikas")
    person = PersonFactory(organisation=school.organisation, name="Maija Mallikas",
                           email="maija@kuopio.fi", user=user)
    AssignmentFactory(person=person, role=RoleFactory(level__organisation=school.organisation),
                      unit=school, start_date=datetime.date(2024, 8, 1))
    laptop = DeviceFactory(unit=school, asset_tag="KUO-1")
    device_services.device_check_out(device=laptop, by=user, holder=person,
                                     condition="Naarmu kannessa")
    device_services.device_return(device=laptop, by=user, condition="Ehjä")
    # She handed another device to a pupil: her login is in that device's log.
    tablet = DeviceFactory(unit=school, asset_tag="KUO-2")
    device_services.device_check_out(device=tablet, by=user, pupil_code="7B-014",
                                     condition="Kotiin lainaan")
    device_services.device_return(device=tablet, by=user)
    return person


def later(months):
    """Return a moment `months` months from now."""
    return timezone.now() + datetime.timedelta(days=31 * months)


def test_the_retention_cutoff_is_months_back(settings):
    settings.VASTUU_RETENTION_MONTHS = 12
    assert retention_cutoff(datetime.datetime(2026, 3, 31, 12, tzinfo=datetime.UTC)) == (
        datetime.datetime(2025, 3, 31, 12, tzinfo=datetime.UTC))
    settings.VASTUU_RETENTION_MONTHS = 1
    assert retention_cutoff(datetime.datetime(2026, 3, 31, 12, tzinfo=datetime.UTC)) == (
        datetime.datetime(2026, 2, 28, 12, tzinfo=datetime.UTC))


def test_a_purge_within_the_retention_period_keeps_everything(borrower):
    purge = personal_data_purge(now=later(11))
    assert (purge.loans, purge.events) == (0, 0)
    assert Loan.objects.filter(pupil_code="7B-014").exists()


def test_a_dry_run_counts_and_changes_nothing(borrower):
    purge = personal_data_purge(dry_run=True, now=later(13))
    assert purge.loans == 2
    assert Loan.objects.filter(pupil_code="7B-014").exists()
    assert DeviceEvent.objects.filter(pupil_code="7B-014").count() == 2


def test_a_purge_removes_old_pupil_codes_and_notes_and_keeps_the_rows(borrower):
    events = DeviceEvent.objects.count()
    open_loan = DeviceFactory(unit=borrower.organisation.units.first(), pupil_code="9C-001")
    purge = personal_data_purge(now=later(13))
    assert purge.loans == 2
    assert not Loan.objects.filter(returned_at__isnull=False).exclude(
        pupil_code="", condition_out="", condition_in="").exists()
    # The rows stay, without their personal part; the staff loan keeps its holder, who works on.
    assert Loan.objects.filter(holder=borrower).count() == 1
    assert Loan.objects.filter(holder__isnull=True, pupil_code="").count() == 1
    assert DeviceEvent.objects.count() == events
    assert not DeviceEvent.objects.exclude(pupil_code="").exists()
    assert not DeviceEvent.objects.filter(kind=DeviceEvent.Kind.CHECKED_OUT).exclude(
        note="").exists()
    # A loan still open keeps its code.
    assert open_loan.loans.get().pupil_code == "9C-001"
    assert personal_data_purge(now=later(13)).loans == 0


def test_a_purge_ends_the_links_of_people_who_left(borrower):
    borrower.left_on = timezone.localdate() - datetime.timedelta(days=10)
    borrower.save()
    purge = personal_data_purge(now=later(13))
    assignment = Assignment.objects.get(person=borrower)
    assert assignment.end_date == borrower.left_on
    borrower.refresh_from_db()
    assert borrower.user is None
    assert not get_user_model().objects.get(username="maija").is_active
    assert purge.holder_links >= 1
    assert not Loan.objects.filter(holder=borrower).exists()
    assert not DeviceEvent.objects.filter(holder=borrower).exists()


def test_a_purge_deletes_the_results_of_old_imports(superuser):
    old = ImportJob.objects.create(user=superuser, target="devices.device", file_name="a.csv",
                                   status="refused", problems=[{"line": 2, "column": "pupil code",
                                                                "message": "7B-014"}])
    recent = ImportJob.objects.create(user=superuser, target="devices.device",
                                      file_name="b.csv", created_at=later(12))
    assert personal_data_purge(now=later(13), dry_run=True).import_jobs == 1
    assert ImportJob.objects.count() == 2
    assert personal_data_purge(now=later(13)).import_jobs == 1
    assert list(ImportJob.objects.all()) == [recent]
    assert not ImportJob.objects.filter(pk=old.pk).exists()


def test_the_command_reports_what_it_removed(borrower):
    out = io.StringIO()
    call_command("purge_personal_data", "--dry-run", stdout=out)
    assert "Dry run" in out.getvalue() or "Kuivaharjoitus" in out.getvalue()


def test_an_access_request_has_everything_stored_about_the_person(borrower):
    sections = {section.key: section for section in person_data(borrower)}
    assert list(sections) == ["person", "login", "assignments", "loans", "events", "history",
                              "grants"]
    assert sections["person"].rows[0][:3] == ["Maija Mallikas", "opettaja", "maija@kuopio.fi"]
    assert sections["login"].rows[0][0] == "maija"
    assert len(sections["assignments"].rows) == 1
    assert [row[4] for row in sections["loans"].rows] == ["Naarmu kannessa"]
    # Her own loan's two events and the two she did on the pupil's device.
    assert sorted(row[1] for row in sections["events"].rows) == ["KUO-1", "KUO-1", "KUO-2",
                                                                 "KUO-2"]
    assert len(sections["history"].rows) >= 2   # her record and her assignment


def test_the_access_export_is_a_workbook_and_json(borrower):
    borrower.title = "=HYPERLINK(\"http://evil\")"
    borrower.save()
    book = openpyxl.load_workbook(io.BytesIO(personal_data_export(borrower, "xlsx")))
    assert len(book.sheetnames) == 7
    cells = [cell.value for sheet in book for row in sheet.iter_rows() for cell in row]
    assert "Maija Mallikas" in cells
    assert not any(isinstance(value, str) and value.startswith("=") for value in cells)
    data = json.loads(personal_data_export(borrower, "json"))
    assert len(data) == 7


def test_the_export_command_writes_json(borrower, tmp_path):
    out = io.StringIO()
    call_command("export_person_data", "maija@kuopio.fi", stdout=out)
    person = next(iter(json.loads(out.getvalue()).values()))
    assert "Maija Mallikas" in person[0].values()
    target = tmp_path / "maija.xlsx"
    call_command("export_person_data", str(borrower.pk), "--format", "xlsx", "--output",
                 str(target), stderr=io.StringIO())
    assert openpyxl.load_workbook(target).sheetnames


def test_erasing_keeps_the_matrix_and_the_register_and_removes_the_person(borrower, superuser):
    events = DeviceEvent.objects.count()
    person_erase(person=borrower, by=superuser)
    erased = Person.objects.get(pk=borrower.pk)
    assert erased.name.endswith(str(borrower.pk)) and erased.email == "" and erased.user is None
    assignment = Assignment.objects.get(person=erased)
    assert assignment.end_date == timezone.localdate() - datetime.timedelta(days=1)
    assert not Assignment.objects.current().filter(person=erased).exists()
    assert not get_user_model().objects.filter(username="maija").exists()
    # The register keeps its rows, without her.
    assert Loan.objects.count() == 2 and not Loan.objects.filter(holder=erased).exists()
    assert DeviceEvent.objects.count() == events
    assert not DeviceEvent.objects.filter(by_name__contains="Maija").exists()
    assert not DeviceEvent.objects.filter(holder=erased).exists()
    # Her name has left the history too.
    assert not erased.history.filter(name="Maija Mallikas").exists()
    assert not erased.history.exclude(email="").exists()


def test_erasing_someone_who_still_holds_a_device_is_refused(borrower, superuser, school):
    DeviceFactory(unit=school, asset_tag="KUO-9", holder=borrower)
    with pytest.raises(ValidationError, match="KUO-9"):
        person_erase(person=borrower, by=superuser)
    borrower.refresh_from_db()
    assert borrower.name == "Maija Mallikas" and borrower.user is not None


def test_nobody_erases_themselves(borrower):
    with pytest.raises(ValidationError):
        person_erase(person=borrower, by=borrower.user)


def test_the_erase_command(borrower):
    out = io.StringIO()
    call_command("erase_person", "maija@kuopio.fi", "--yes", stdout=out)
    assert not Person.objects.filter(email="maija@kuopio.fi").exists()


def test_a_login_that_acted_on_devices_can_be_deleted(borrower):
    """The event log's trigger lets the login go (by → NULL) and keeps the name at the time."""
    user = borrower.user
    user.delete()
    assert DeviceEvent.objects.filter(by__isnull=True, by_name="Maija Mallikas").count() == 4


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_the_trigger_allows_removing_the_personal_part_and_nothing_else(borrower):
    event = DeviceEvent.objects.filter(pupil_code="7B-014").first()
    for change in ["kind = 'lost'", "at = now()", "pupil_code = '8A-001'", "note = 'x'",
                   "location = 'x'", "device_id = device_id + 1"]:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"UPDATE devices_deviceevent SET {change} WHERE id = %s",  # noqa: S608
                           [event.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM devices_deviceevent WHERE id = %s", [event.pk])
    assert DeviceEvent.objects.filter(pk=event.pk).anonymise() == 1
    event = DeviceEvent.objects.get(pk=event.pk)
    assert (event.pupil_code, event.note, event.by_id, event.by_name) == ("", "", None, "")


def test_a_purge_deletes_old_records_of_logins_and_erasing_deletes_the_persons(borrower):
    old = AccessLog.objects.create(username="maija", ip_address="127.0.0.1", user_agent="x")
    AccessLog.objects.filter(pk=old.pk).update(attempt_time=timezone.now() - datetime.timedelta(
        days=400))
    recent = AccessLog.objects.create(username="maija", ip_address="127.0.0.1", user_agent="x")
    assert personal_data_purge().login_records == 1
    assert list(AccessLog.objects.all()) == [recent]
    person_erase(person=borrower)
    assert not AccessLog.objects.exists()
