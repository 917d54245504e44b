"""Importing the device sheet: every row checked first, all or nothing, every bad line named."""

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from unittest import mock

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from devices.importing import SheetError, plan_import, read_sheet
from devices.models import ChargingCart, Device, DeviceEvent, Loan
from devices.resources import KEYS, headers
from devices.services import devices_import
from tests.factories import DeviceFactory, OrganisationFactory, PersonFactory, UnitFactory
from units.models import Unit

HEADER = ["unit", "category", "asset tag", "serial number", "model", "status", "holder email",
          "pupil code", "charging cart", "cart slot", "lease ends", "ownership",
          "billed monthly", "monthly cost (€)", "school number", "last seen in use", "notes",
          "use"]


pytestmark = pytest.mark.usefixtures("english")


def row(**cells):
    """Return a row of HEADER: a good pupil laptop of kalevalan-koulu unless `cells` say else."""
    values = {"unit": "kalevalan-koulu", "category": "pupil_laptop", "asset tag": "KUO-1",
              **{key.replace("_", " "): value for key, value in cells.items()}}
    values["monthly cost (€)"] = values.pop("monthly cost", "")
    return [values.get(header, "") for header in HEADER]


def csv_bytes(rows, header=HEADER, delimiter=","):
    """Return `rows` under `header` as the bytes of a CSV file."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def run(rows, header=HEADER, **kwargs):
    """Import `rows` as a CSV file and return the plan."""
    return devices_import(data=csv_bytes(rows, header), name="devices.csv", **kwargs)


def reasons(plan):
    """Return {line: [(column, message)]} of the plan's problems."""
    found = {}
    for problem in plan.problems:
        found.setdefault(problem.line, []).append((problem.column, problem.message))
    return found


@pytest.fixture
def teacher(school):
    return PersonFactory(organisation=school.organisation, name="Opettaja",
                         email="opettaja@kuopio.fi")


@pytest.fixture
def cart(school):
    return ChargingCart.objects.create(unit=school, name="Vaunu 1", slots=10)


def test_good_file_registers_every_device_with_an_event(school, teacher, cart):
    plan = run([
        row(asset_tag="kuo-1", serial_number="SN1", holder_email="Opettaja@Kuopio.fi",
            category="teacher_laptop", status="in_use", use="staff"),
        row(asset_tag="KUO-2", serial_number="SN2", charging_cart="Vaunu 1", cart_slot="3",
            use="shared"),
        row(asset_tag="KUO-3", pupil_code="7a-12", status="in_use", use="pupil",
            ownership="leased", lease_ends="1.8.2027", billed_monthly="kyllä",
            monthly_cost="12,50", school_number="17", last_seen_in_use="2025-05-02",
            notes="'=not a formula"),
    ])

    assert plan.is_valid and (len(plan.new), len(plan.changed)) == (3, 0)
    first, second, third = Device.objects.order_by("asset_tag")
    assert (first.asset_tag, first.holder, first.status) == ("KUO-1", teacher, "in_use")
    assert (second.cart, second.cart_slot, second.use) == (cart, 3, "shared")
    assert (third.pupil_code, third.lease_ends_on, third.monthly_cost) == (
        "7A-12", date(2027, 8, 1), Decimal("12.50"))
    assert (third.number, third.last_seen, third.notes) == ("17", date(2025, 5, 2),
                                                            "=not a formula")
    events = DeviceEvent.objects.all()
    assert sorted((event.device.asset_tag, event.kind) for event in events) == [
        ("KUO-1", "checked_out"), ("KUO-1", "registered"), ("KUO-2", "registered"),
        ("KUO-3", "checked_out"), ("KUO-3", "registered")]
    assert {(event.by_name, event.to_unit) for event in events.filter(kind="registered")} == {
        ("import", school)}
    # A holder in the sheet is a check-out: the loans are open, as the device page makes them.
    assert {(loan.device.asset_tag, loan.holder, loan.pupil_code) for loan in Loan.objects.open()
            } == {("KUO-1", teacher, ""), ("KUO-3", None, "7A-12")}


def test_one_bad_row_among_many_saves_nothing_and_names_its_line(school):
    rows = [row(asset_tag=f"KUO-{n}", serial_number=f"SN{n}") for n in range(300)]
    rows[147] = row(asset_tag="KUO-147", serial_number="SN147", category="laptop")

    plan = run(rows)

    assert list(reasons(plan)) == [149]  # the header is line 1, the first row line 2
    [(column, message)] = reasons(plan)[149]
    assert column == "category" and message.startswith("Unknown category: laptop.")
    assert not Device.objects.exists() and not DeviceEvent.objects.exists()
    assert not plan.new


def test_every_bad_row_is_reported_not_just_the_first(school):
    plan = run([row(asset_tag="KUO-1", unit="atlantis"), row(asset_tag="KUO-2"),
                row(asset_tag="KUO-3", status="broken"), row(asset_tag="KUO-4", use="kids")])

    assert list(reasons(plan)) == [2, 4, 5]
    assert not Device.objects.exists()


def test_reimport_updates_by_asset_tag_instead_of_duplicating(school):
    device = DeviceFactory(unit=school, asset_tag="KUO-1", serial_number="SN1", model="Vanha")
    DeviceFactory(unit=school, asset_tag="KUO-2", serial_number="SN2", model="Sama",
                  category="tablet")

    plan = run([row(asset_tag="kuo-1", serial_number="SN1", model="Uusi", notes="Laturi puuttuu"),
                row(asset_tag="KUO-2", serial_number="SN2", model="Sama", category="tablet")])

    assert (len(plan.new), len(plan.changed), plan.unchanged) == (0, 1, 1)
    assert Device.objects.count() == 2
    device.refresh_from_db()
    assert (device.model, device.notes) == ("Uusi", "Laturi puuttuu")
    [event] = DeviceEvent.objects.all()
    assert (event.device, event.kind) == (device, "edited")
    assert "notes" in event.note and "model" in event.note


def test_reimport_of_an_unchanged_file_changes_and_logs_nothing(school):
    DeviceFactory(unit=school, asset_tag="KUO-1", serial_number="SN1")
    before = list(Device.objects.values())

    plan = run([row(asset_tag="KUO-1", serial_number="SN1", model="Lenovo 300e")],
               header=["unit", "category", "asset tag", "serial number", "model"])

    assert (len(plan.new), len(plan.changed), plan.unchanged) == (0, 0, 1)
    assert list(Device.objects.values()) == before
    assert not DeviceEvent.objects.exists()


def test_a_column_left_out_keeps_its_values(school, teacher):
    DeviceFactory(unit=school, asset_tag="KUO-1", holder=teacher, notes="Laturi puuttuu")

    run([["KUO-1", "Dell"]], header=["asset tag", "model"], unit=school)

    device = Device.objects.get()
    assert (device.model, device.holder, device.notes) == ("Dell", teacher, "Laturi puuttuu")


def test_two_devices_may_swap_serials_in_one_file(school, cart):
    DeviceFactory(unit=school, asset_tag="KUO-1", serial_number="A", cart=cart, cart_slot=1)
    DeviceFactory(unit=school, asset_tag="KUO-2", serial_number="B", cart=cart, cart_slot=2)

    plan = run([row(asset_tag="KUO-1", serial_number="B", charging_cart="Vaunu 1", cart_slot=1),
                row(asset_tag="KUO-2", serial_number="A", charging_cart="Vaunu 1", cart_slot=2)])

    assert plan.is_valid, plan.problems
    assert list(Device.objects.order_by("asset_tag").values_list(
        "serial_number", "cart_slot")) == [("B", 1), ("A", 2)]


BAD_ROWS = {
    "unknown unit": (dict(unit="atlantis"), "unit", "Unknown unit: atlantis."),
    "no asset tag": (dict(asset_tag=""), "asset tag",
                     "An asset tag is needed: it is how a device is recognised again."),
    "bad asset tag": (dict(asset_tag="KUO 1"), "asset tag",
                      "An asset tag has letters, digits, dots, dashes and underscores only."),
    "bad date": (dict(last_seen_in_use="31.2.2025"), "last seen in use",
                 "Write the date as 2025-08-01 or 1.8.2025, not 31.2.2025."),
    "unknown category": (dict(category="kannettava"), "category", "Unknown category: kannettava."),
    "unknown status": (dict(status="rikki"), "status", "Unknown status: rikki."),
    "unknown use": (dict(use="kids"), "use", "Unknown use: kids."),
    "unknown ownership": (dict(ownership="borrowed"), "ownership",
                          "Unknown ownership: borrowed."),
    "bad cost": (dict(billed_monthly="yes", monthly_cost="kymppi"), "monthly cost (€)",
                 "Write a number such as 12.50, not kymppi."),
    "too precise cost": (dict(billed_monthly="yes", monthly_cost="1.005"), "monthly cost (€)",
                         "Ensure that there are no more than 2 decimal places."),
    "bad yes or no": (dict(billed_monthly="maybe"), "billed monthly",
                      "Write yes or no, not maybe."),
    "billed without cost": (dict(billed_monthly="yes"), "monthly cost (€)",
                            "A device billed monthly needs its monthly cost."),
    "lease end not leased": (dict(lease_ends="2027-01-01"), "lease ends",
                             "Only a leased device has a lease end date."),
    "leased without end": (dict(ownership="leased"), "lease ends",
                           "A leased device needs the date its lease ends."),
    "pupil name": (dict(pupil_code="Matti Meikäläinen"), "pupil code",
                   "This looks like a name: a pupil code is a pseudonymous code such as "
                   "7B-014."),
    "unknown holder": (dict(holder_email="nobody@kuopio.fi"), "holder email",
                       "Unknown person: nobody@kuopio.fi."),
    "two holders": (dict(holder_email="opettaja@kuopio.fi", pupil_code="7A-1"), "",
                    "Give either a member of staff or a pupil code."),
    "unknown cart": (dict(charging_cart="Vaunu 9", cart_slot="1"), "charging cart",
                     "Kalevalan koulu has no charging cart Vaunu 9."),
    "slot out of range": (dict(charging_cart="Vaunu 1", cart_slot="11"), "cart slot",
                          "The cart has slots 1–10."),
    "slot without cart": (dict(cart_slot="4"), "cart slot", "A slot needs a cart."),
    "cart without slot": (dict(charging_cart="Vaunu 1"), "cart slot",
                          "Choose the slot of the cart."),
    "bad slot": (dict(charging_cart="Vaunu 1", cart_slot="kolme"), "cart slot",
                 "Write a whole number, not kolme."),
}


@pytest.mark.parametrize("cells, column, message", BAD_ROWS.values(), ids=BAD_ROWS)
def test_bad_cell_is_reported_on_its_line_and_column(school, teacher, cart, cells, column,
                                                     message):
    plan = run([row(asset_tag="KUO-1"), row(**{"asset_tag": "KUO-2", **cells})])

    [(got_column, got_message)] = reasons(plan)[3]
    assert got_column == column
    assert got_message.startswith(message)
    assert list(reasons(plan)) == [3]
    assert not Device.objects.exists()


def test_holder_from_another_organisation_is_refused(school):
    stranger = PersonFactory(email="muualla@example.fi")

    plan = run([row(holder_email=stranger.email)])

    assert reasons(plan)[2] == [("holder email", f"{stranger.name} does not work in the "
                                                 "organisation of Kalevalan koulu.")]


def test_holder_of_the_region_above_may_hold_a_municipalitys_device(school):
    region = OrganisationFactory(kind="region")
    school.organisation.parent = region
    school.organisation.save()
    regional = PersonFactory(organisation=region, email="seutu@example.fi")

    assert run([row(holder_email=regional.email)]).is_valid


def test_asset_tag_twice_in_the_file_is_refused_on_the_second_line(school):
    plan = run([row(asset_tag="KUO-1"), row(asset_tag="KUO-2"), row(asset_tag="kuo-1")])

    assert reasons(plan) == {4: [("asset tag", "KUO-1 is also on line 2.")]}


def test_asset_tag_of_another_units_device_is_refused(school, other_school):
    DeviceFactory(unit=other_school, asset_tag="KUO-1")

    plan = run([row(asset_tag="KUO-1")])

    assert reasons(plan) == {2: [("asset tag", "KUO-1 is registered to another unit: move it "
                                               "in the register first.")]}
    assert Device.objects.get().unit == other_school


def test_serial_number_twice_in_the_file_or_of_another_device_is_refused(school, other_school):
    DeviceFactory(unit=other_school, asset_tag="MUU-1", serial_number="SN-OLD")

    plan = run([row(asset_tag="KUO-1", serial_number="SN1"),
                row(asset_tag="KUO-2", serial_number="SN1"),
                row(asset_tag="KUO-3", serial_number="SN-OLD")])

    assert reasons(plan) == {3: [("serial number", "SN1 is also on line 2.")],
                             4: [("serial number", "SN-OLD belongs to device MUU-1 already.")]}


def test_school_number_is_unique_within_the_unit(school, other_school):
    DeviceFactory(unit=school, asset_tag="KUO-9", number="5")
    DeviceFactory(unit=other_school, asset_tag="MUU-1", number="6")

    plan = run([row(asset_tag="KUO-1", school_number="5"),
                row(asset_tag="KUO-2", school_number="6")])

    assert reasons(plan) == {2: [("school number", "5 belongs to device KUO-9 already.")]}


def test_cart_slot_taken_in_the_file_or_the_register_is_refused(school, cart):
    DeviceFactory(unit=school, asset_tag="KUO-9", cart=cart, cart_slot=5)

    plan = run([row(asset_tag="KUO-1", charging_cart="Vaunu 1", cart_slot="4"),
                row(asset_tag="KUO-2", charging_cart="vaunu 1", cart_slot="4"),
                row(asset_tag="KUO-3", charging_cart="Vaunu 1", cart_slot="5")])

    assert reasons(plan) == {
        3: [("cart slot", "Slot 4 of Vaunu 1 is also on line 2.")],
        4: [("cart slot", "Slot 5 of Vaunu 1 belongs to device KUO-9 already.")]}


def test_cart_of_another_unit_is_not_found(school, other_school):
    ChargingCart.objects.create(unit=other_school, name="Vaunu 1")

    plan = run([row(charging_cart="Vaunu 1", cart_slot="1")])

    assert reasons(plan)[2][0][0] == "charging cart"


def test_units_outside_the_imports_scope_are_refused(school, other_school):
    plan = run([row(asset_tag="KUO-1"), row(asset_tag="KUO-2", unit="toinen-koulu")],
               units=Unit.objects.filter(pk=school.pk))

    assert reasons(plan) == {3: [("unit", "This import may not change the devices of "
                                          "toinen-koulu.")]}


def test_unknown_and_repeated_columns_are_reported_on_line_one(school):
    plan = run([["KUO-1", "kalevalan-koulu", "tablet", "x"]],
               header=["asset tag", "unit", "category", "colour"])
    assert reasons(plan) == {1: [("", "Unknown column: colour.")]}

    plan = run([["KUO-1", "tablet"]], header=["asset tag", "category"])
    assert reasons(plan) == {1: [("", "The file has no unit column.")]}

    plan = run([["KUO-1", "kalevalan-koulu", "x", "y"]],
               header=["asset tag", "unit", "model", "Model"])
    assert reasons(plan) == {1: [("model", "The column is in the file twice.")]}
    assert not Device.objects.exists()


def test_blank_lines_are_skipped_and_keep_the_line_numbers(school):
    plan = run([row(asset_tag="KUO-1"), [""] * len(HEADER), row(asset_tag="KUO-3", use="x")])

    assert list(reasons(plan)) == [4]


def test_headers_and_choices_are_read_in_any_of_the_sites_languages(school):
    with translation.override("fi"):
        finnish = headers()
    cells = {key: "" for key in KEYS}
    cells.update(unit="kalevalan-koulu", category=str(Device.Category.TABLET.label),
                 asset_tag="KUO-1", status="In stock")

    plan = run([[cells[key] for key in KEYS]], header=finnish)

    assert plan.is_valid, plan.problems
    assert Device.objects.get().category == "tablet"
    assert run([[cells[key] for key in KEYS]], header=KEYS).is_valid  # the keys themselves


def test_semicolon_separated_csv_from_a_finnish_excel_is_read(school):
    content = csv_bytes([row(asset_tag="KUO-1", monthly_cost="9,90", billed_monthly="kyllä")],
                        delimiter=";")

    plan = devices_import(data=content, name="laitteet.CSV")

    assert plan.is_valid, plan.problems
    assert Device.objects.get().monthly_cost == Decimal("9.90")


def test_xlsx_cells_keep_their_types(school, cart):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append(row(asset_tag="KUO-1", school_number=17, cart_slot=2.0, charging_cart="Vaunu 1",
                     last_seen_in_use=datetime(2025, 5, 2), billed_monthly=True,
                     monthly_cost=12.5))
    content = io.BytesIO()
    workbook.save(content)

    plan = devices_import(data=content.getvalue(), name="laitteet.xlsx")

    assert plan.is_valid, plan.problems
    device = Device.objects.get()
    assert (device.number, device.cart_slot, device.last_seen, device.monthly_cost) == (
        "17", 2, date(2025, 5, 2), Decimal("12.50"))


def test_a_file_that_is_neither_csv_nor_xlsx_is_refused(school):
    with pytest.raises(ValueError, match="Give a .csv or .xlsx file"):
        read_sheet(b"", "devices.xls")
    with pytest.raises(ValueError, match="not an Excel workbook"):
        read_sheet(b"not a zip", "devices.xlsx")


def test_dry_run_checks_and_saves_nothing(school):
    plan = run([row(asset_tag="KUO-1")], dry_run=True)

    assert plan.is_valid and len(plan.new) == 1
    assert not Device.objects.exists()


def test_checking_runs_a_few_queries_whatever_the_number_of_rows(school, teacher, cart):
    def queries(count):
        """Return how many queries checking `count` rows runs."""
        rows = [row(asset_tag=f"KUO-{n}", serial_number=f"SN{n}", holder_email=teacher.email)
                for n in range(count)]
        sheet = read_sheet(csv_bytes(rows), "devices.csv")
        with CaptureQueriesContext(connection) as captured:
            assert plan_import(sheet).is_valid
        return len(captured)

    # Keys are looked up 900 at a time, within SQLite's limit on query parameters.
    assert queries(10) == queries(900) <= 6
    assert queries(1000) == queries(10) + 1


def test_a_thousand_rows_import_and_reimport_in_bulk(school, teacher):
    rows = [row(asset_tag=f"KUO-{n:04d}", serial_number=f"SN{n}",
                holder_email=teacher.email if n % 2 else "", model="HP")
            for n in range(1000)]

    with CaptureQueriesContext(connection) as captured:
        plan = run(rows)

    assert len(plan.new) == 1000
    assert Device.objects.count() == 1000 and Loan.objects.open().count() == 500
    assert (DeviceEvent.objects.filter(kind="registered").count(),
            DeviceEvent.objects.filter(kind="checked_out").count()) == (1000, 500)
    assert len(captured) < 1000 / 10  # bulk statements, not one a row
    rows = [[*cells[:4], "Dell", *cells[5:]] for cells in rows]

    plan = run(rows)

    assert (len(plan.new), len(plan.changed)) == (0, 1000)
    assert set(Device.objects.values_list("model", flat=True)) == {"Dell"}
    assert DeviceEvent.objects.filter(kind="edited").count() == 1000


def command(path, *args):
    """Run import_devices on `path`; return (stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    call_command("import_devices", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_command_imports_a_good_file_with_a_progress_bar(school, tmp_path):
    path = tmp_path / "laitteet.csv"
    path.write_bytes(csv_bytes([row(asset_tag="KUO-1"), row(asset_tag="KUO-2")]))

    out, err = command(path)

    assert "Imported: 2 new, 0 changed, 0 unchanged." in out
    assert "Checking" in err and "Saving" in err and "100%" in err
    assert Device.objects.count() == 2


def test_command_lists_every_bad_line_and_exits_non_zero(school, tmp_path):
    path = tmp_path / "laitteet.csv"
    path.write_bytes(csv_bytes([row(asset_tag="KUO-1", unit="atlantis"), row(asset_tag="KUO-2"),
                                row(asset_tag="KUO-3", pupil_code="Maija")]))
    err = io.StringIO()

    with pytest.raises(CommandError) as error:
        call_command("import_devices", str(path), "-v", "0", stdout=io.StringIO(), stderr=err)

    assert error.value.returncode == 1
    assert str(error.value) == "2 lines have problems: nothing was saved."
    lines = err.getvalue().splitlines()
    assert lines[0] == "Line 2, unit: Unknown unit: atlantis."
    assert lines[1].startswith("Line 4, pupil code: A pupil code is")
    assert not Device.objects.exists()


def test_command_dry_run_saves_nothing(school, tmp_path):
    path = tmp_path / "laitteet.csv"
    path.write_bytes(csv_bytes([row(asset_tag="KUO-1")]))

    out, _err = command(path, "--dry-run", "-v", "0")

    assert out.strip() == ("The file is valid: 1 new, 0 changed, 0 unchanged. "
                           "Nothing was saved (dry run).")
    assert not Device.objects.exists()


def test_command_unit_fills_empty_unit_cells_and_refuses_other_units(school, other_school,
                                                                     tmp_path):
    path = tmp_path / "laitteet.csv"
    path.write_bytes(csv_bytes([row(asset_tag="KUO-1", unit=""),
                                row(asset_tag="KUO-2", unit="toinen-koulu")]))
    err = io.StringIO()

    with pytest.raises(CommandError):
        call_command("import_devices", str(path), "--unit", "kalevalan-koulu", "-v", "0",
                     stderr=err)

    assert err.getvalue().strip() == ("Line 3, unit: This import may not change the devices "
                                      "of toinen-koulu.")
    path.write_bytes(csv_bytes([row(asset_tag="KUO-1", unit="")]))
    command(path, "--unit", "kalevalan-koulu", "-v", "0")
    assert Device.objects.get().unit == school


def test_command_organisation_limits_the_units(school, other_school, tmp_path):
    path = tmp_path / "laitteet.csv"
    path.write_bytes(csv_bytes([row(asset_tag="KUO-2", unit="toinen-koulu")]))

    with pytest.raises(CommandError):
        command(path, "--organisation", "kuopio", "-v", "0")
    with pytest.raises(CommandError, match="Unknown organisation: atlantis."):
        command(path, "--organisation", "atlantis")
    assert not Device.objects.exists()


@pytest.mark.parametrize("args, message", [
    (["--unit", "atlantis"], "Unknown unit: atlantis."),
    ([], "Give a .csv or .xlsx file, not laitteet.txt."),
])
def test_command_refuses_an_unknown_unit_or_file_type(school, tmp_path, args, message):
    path = tmp_path / "laitteet.txt"
    path.write_text("x")

    with pytest.raises(CommandError, match=message):
        command(path, *args)


def test_command_refuses_a_missing_file(db, tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        command(tmp_path / "puuttuu.csv")


def test_command_refuses_a_file_over_the_size_limit_before_reading_it(school, tmp_path,
                                                                     settings):
    settings.VASTUU_IMPORT_MAX_BYTES = 100
    path = tmp_path / "laitteet.csv"
    path.write_bytes(csv_bytes([row(asset_tag=f"KUO-{n}") for n in range(5)]))

    with mock.patch("pathlib.Path.read_bytes") as read:
        with pytest.raises(CommandError, match="more than the limit of 100"):
            command(path)
    read.assert_not_called()


def test_command_refuses_a_file_of_more_rows_than_the_limit(school, tmp_path, settings):
    settings.VASTUU_IMPORT_MAX_ROWS = 4
    path = tmp_path / "laitteet.csv"
    path.write_bytes(csv_bytes([row(asset_tag=f"KUO-{n}") for n in range(5)]))

    with pytest.raises(CommandError, match="The file has more than 4 rows, the limit"):
        command(path)
    assert not Device.objects.exists()


def test_the_service_keeps_the_limits_whoever_calls_it(school, settings):
    settings.VASTUU_IMPORT_MAX_ROWS = 1
    with pytest.raises(SheetError, match="more than 1 rows"):
        run([row(asset_tag="KUO-1"), row(asset_tag="KUO-2")])
    settings.VASTUU_IMPORT_MAX_BYTES = 10
    with pytest.raises(SheetError, match="more than the limit"):
        run([row(asset_tag="KUO-1")])
    assert not Device.objects.exists()


def test_new_unit_of_the_file_needs_no_other_setup(db):
    unit = UnitFactory(slug="uusi")

    plan = run([row(unit="uusi", asset_tag="U-1")])

    assert plan.is_valid and Device.objects.get().unit == unit
