"""The states the register's rules forbid, tried through every writer, and refused by each.

The writers are the device pages, the admin, the sheet import (page and command alike go through
devices.services.devices_import), the services themselves and the demo loader. A refusal is the
model's own reason, shown where the writer shows errors.
"""

import csv
import io
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import CommandError
from django.utils import html, timezone

from devices import services
from devices.handout import receipts
from devices.models import Device, DeviceEvent, Loan, validate_pupil_code
from devices.resources import COLUMNS
from tests.conftest import run_load_demo
from tests.factories import ChargingCartFactory, DeviceFactory, PersonFactory, UserFactory

Status = Device.Status


@pytest.fixture
def teacher(school):
    return PersonFactory(organisation=school.organisation, name="Olli Opettaja",
                         email="olli@example.fi")


@pytest.fixture
def colleague(school):
    return PersonFactory(organisation=school.organisation, name="Sari Sijainen",
                         email="sari@example.fi")


@pytest.fixture
def lent_device(school, teacher):
    device = DeviceFactory(unit=school, asset_tag="KUO-1", serial_number="SN1")
    return services.device_check_out(device=device, by=None, holder=teacher)


def page(device, step=""):
    return f"/units/{device.unit.slug}/devices/{device.asset_tag}/{step + '/' if step else ''}"


def sheet(*rows):
    """Return a device sheet as the export writes it, with `rows` of {column key: cell}."""
    keys = ["unit", "category", "asset_tag", "serial_number", "status", "holder", "pupil_code"]
    labels = {key: str(header) for key, header, _cell in COLUMNS}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([labels[key] for key in keys])
    for cells in rows:
        writer.writerow([cells.get(key, "") for key in keys])
    return out.getvalue().encode("utf-8-sig")


def still_lent_to(device, person):
    """Assert that `device` is still checked out to `person` with one open loan, in use."""
    device = Device.objects.with_loan().get(pk=device.pk)
    assert (device.status, device.holder) == (Status.IN_USE, person)
    assert device.loans.open().count() == 1


# A device that is checked out cannot be retired, by any writer ---------------------------------


def test_the_service_refuses_to_retire_a_lent_device(lent_device, teacher):
    with pytest.raises(ValidationError) as error:
        services.device_retire(device=lent_device, by=None)
    assert error.value.messages == [lent_device.why_not("leave")]
    still_lent_to(lent_device, teacher)


def test_the_device_page_offers_return_but_not_retire_for_a_lent_device(principal_client,
                                                                          lent_device):
    steps = [name for name, _step in principal_client.get(page(lent_device)).context["steps"]]
    assert "return" in steps and "retire" not in steps and "hand-on" not in steps


def test_the_retire_page_says_why_and_its_post_is_refused(principal_client, lent_device,
                                                          teacher):
    response = principal_client.get(page(lent_device, "retire"), follow=True)
    assert html.escape(lent_device.why_not("leave")) in response.content.decode()
    response = principal_client.post(page(lent_device, "retire"), {"note": "Rikki"})
    assert response.status_code == 200
    assert lent_device.why_not("leave") in response.context["form"].non_field_errors()
    still_lent_to(lent_device, teacher)


def test_a_sheet_cannot_retire_a_registered_device(school, lent_device, teacher):
    plan = services.devices_import(data=sheet({
        "unit": school.slug, "category": lent_device.category, "asset_tag": "KUO-1",
        "serial_number": "SN1", "status": "retired", "holder": teacher.email}), name="x.csv")
    [problem] = plan.problems
    assert (problem.line, problem.column) == (2, str(Device._meta.get_field("status")
                                                     .verbose_name))
    assert page(lent_device) in problem.message  # it names the page to use
    still_lent_to(lent_device, teacher)
    assert not DeviceEvent.objects.filter(kind="edited").exists()


def test_the_admin_cannot_change_a_devices_status(admin_client, lent_device, teacher):
    response = admin_client.post(f"/admin/devices/device/{lent_device.pk}/change/", {
        "category": lent_device.category, "asset_tag": lent_device.asset_tag,
        "serial_number": "SN1", "use": "staff", "ownership": "purchased",
        "status": "retired", "unit": lent_device.unit_id})
    assert response.status_code == 302
    still_lent_to(lent_device, teacher)


def test_the_demo_loader_refuses_to_retire_a_lent_device(db, tmp_path):
    folder = tmp_path / "fixtures"
    shutil.copytree(Path(settings.BASE_DIR) / "fixtures", folder)
    path = folder / "demo.yaml"
    text = path.read_text(encoding="utf-8")
    lent = "status: in_use, holder: sanna.tervo@example.fi"
    assert lent in text
    path.write_text(text.replace(lent, "holder: sanna.tervo@example.fi, status: retired"),
                    encoding="utf-8")
    with pytest.raises(CommandError) as error:
        run_load_demo("--fixtures", str(folder))
    lent = Device(asset_tag="KUO-00004", status=Status.IN_USE)
    lent.open_loan = Loan(device=lent)
    assert f"KUO-00004': {lent.why_not('leave')}" in str(error.value)  # the model's reason
    assert not Device.objects.filter(status=Status.RETIRED, loans__returned_at__isnull=True)


def test_return_then_retire_works(principal_client, lent_device):
    assert principal_client.post(page(lent_device, "return"), {}).status_code == 302
    assert principal_client.post(page(lent_device, "retire"), {}).status_code == 302
    device = Device.objects.get(pk=lent_device.pk)
    assert device.status == Status.RETIRED and not device.loans.open().exists()


# A device's holder and its open loan cannot disagree -----------------------------------------


def test_the_holder_is_not_stored_on_the_device_but_read_from_the_open_loan(lent_device,
                                                                             teacher):
    assert {"holder", "pupil_code"}.isdisjoint(
        field.name for field in Device._meta.concrete_fields)
    assert lent_device.holder == teacher == lent_device.loans.open().get().holder


def test_a_sheet_gives_a_new_device_its_holder_with_a_loan_on_todays_receipt(school, teacher):
    plan = services.devices_import(data=sheet({
        "unit": school.slug, "category": "teacher_laptop", "asset_tag": "KUO-9",
        "holder": teacher.email}), name="x.csv")
    assert plan.is_valid, plan.problems
    device = Device.objects.with_loan().get(asset_tag="KUO-9")
    assert device.holder == teacher and device.status == Status.IN_USE
    assert [event.kind for event in device.events.order_by("pk")] == ["registered",
                                                                      "checked_out"]
    [receipt] = receipts(school, timezone.localdate(), teacher.email)
    assert [loan.device for loan in receipt["loans"]] == [device]


@pytest.mark.parametrize("holder", ["colleague", "nobody"])
def test_a_sheet_cannot_give_a_registered_device_another_holder(school, lent_device, teacher,
                                                                request, holder):
    email = request.getfixturevalue("colleague").email if holder == "colleague" else ""
    plan = services.devices_import(data=sheet({
        "unit": school.slug, "category": lent_device.category, "asset_tag": "KUO-1",
        "serial_number": "SN1", "status": "in_use", "holder": email}), name="x.csv")
    [problem] = plan.problems
    assert problem.line == 2 and page(lent_device) in problem.message
    still_lent_to(lent_device, teacher)
    assert Loan.objects.count() == 1


def test_a_sheet_may_say_the_holder_a_device_already_has(school, lent_device, teacher):
    plan = services.devices_import(data=sheet({
        "unit": school.slug, "category": lent_device.category, "asset_tag": "KUO-1",
        "serial_number": "SN1", "status": "in_use", "holder": teacher.email}), name="x.csv")
    assert plan.is_valid and plan.unchanged == 1
    still_lent_to(lent_device, teacher)


def test_the_admin_has_no_holder_field_to_set(admin_client, lent_device):
    for url in ("/admin/devices/device/add/", f"/admin/devices/device/{lent_device.pk}/change/"):
        form = admin_client.get(url).context["adminform"].form
        assert {"holder", "pupil_code"}.isdisjoint(form.fields)


# The rules live on the model; the pages show its refusals instead of repeating them --------


def test_the_check_out_page_shows_the_models_one_holder_rule(principal_client, school, teacher):
    device = DeviceFactory(unit=school)
    response = principal_client.post(page(device, "check-out"), {
        "holder": teacher.pk, "pupil_code": "7A-1"})
    assert response.status_code == 200
    with pytest.raises(ValidationError) as error:
        device.check_out(holder=teacher, pupil_code="7A-1")
    assert error.value.messages[0] in response.context["form"].non_field_errors()
    assert not device.loans.exists()


def test_the_check_out_page_shows_the_models_pupil_code_rule(principal_client, school):
    device = DeviceFactory(unit=school)
    response = principal_client.post(page(device, "check-out"), {"pupil_code": "Matti Meikä"})
    with pytest.raises(ValidationError) as error:
        validate_pupil_code("Matti Meikä")
    assert error.value.messages[0] in response.context["form"].errors["pupil_code"]
    assert not device.loans.exists()


def test_the_check_out_page_shows_why_a_device_in_repair_cannot_go(principal_client, school):
    device = services.device_report_fault(device=DeviceFactory(unit=school), by=None)
    response = principal_client.post(page(device, "check-out"), {"pupil_code": "7A-1"})
    assert device.why_not("check_out") in response.context["form"].non_field_errors()


def test_the_move_page_shows_the_models_cart_slot_rule(principal_client, school):
    device = DeviceFactory(unit=school)
    ChargingCartFactory(unit=school)
    response = principal_client.post(page(device, "move"), {
        "unit": school.pk, "location": "", "cart": "", "cart_slot": "3"})
    assert response.status_code == 200
    assert response.context["form"].errors["cart_slot"]
    assert Device.objects.get(pk=device.pk).cart_slot is None


def test_the_end_page_shows_the_models_end_before_start_rule(principal_client, school):
    from matrix import services as matrix_services
    from tests.matrix.grants import granting_role

    role = granting_role(school.organisation, "view_unit", sectors=["perusopetus"])
    person = PersonFactory(organisation=school.organisation, user=UserFactory())
    assignment = matrix_services.assignment_create(
        person=person, role=role, unit=school, start_date=timezone.localdate())
    response = principal_client.post(
        f"/units/{school.slug}/assignments/{assignment.pk}/end/",
        {"end_date": "2000-01-01"})
    assert response.status_code == 200
    assert response.context["form"].errors["end_date"]
    assignment.refresh_from_db()
    assert assignment.end_date is None
