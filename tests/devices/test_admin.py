"""The device register's admin: logged fields fixed, records read-only, imports all or nothing."""

import csv
import io

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm

from devices.models import ChargingCart, Device, DeviceEvent, InventoryMark, InventoryRound, Loan
from tests.factories import DeviceFactory, PersonFactory, UserFactory

HEADER = ["unit", "category", "asset tag", "serial number", "model"]


pytestmark = pytest.mark.usefixtures("english")


def url(model, view, *args):
    """Return the URL of the admin `view` of `model`."""
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def device(school):
    teacher = PersonFactory(organisation=school.organisation)
    cart = ChargingCart.objects.create(unit=school, name="Vaunu 1")
    return DeviceFactory(unit=school, asset_tag="KUO-1", holder=teacher, status="in_use",
                         cart=cart, cart_slot=1)


@pytest.fixture
def records(device, superuser):
    """Return an event, a loan and a closed inventory round of `device`."""
    event = DeviceEvent.objects.create(device=device, kind="checked_out", by=superuser,
                                       holder=device.holder, note="Uusi laturi")
    loan = device.open_loan
    inventory = InventoryRound.objects.create(unit=device.unit, started_by=superuser,
                                              closed_at=timezone.now())
    InventoryMark.objects.create(round=inventory, device=device, by=superuser)
    return {DeviceEvent: event, Loan: loan, InventoryRound: inventory}


@pytest.mark.parametrize("view", ["changelist", "add", "import", "export"])
def test_device_admin_pages_render(admin_client, device, view):
    assert admin_client.get(url(Device, view)).status_code == 200


@pytest.mark.parametrize("view", ["change", "history"])
def test_device_admin_object_pages_render(admin_client, device, view):
    assert admin_client.get(url(Device, view, device.pk)).status_code == 200


@pytest.mark.parametrize("query", ["q=KUO-1", "status__exact=in_use", "category__exact=tablet",
                                   "use__exact=staff", "billed_monthly__exact=1",
                                   "o=-1", "o=3"])
def test_device_changelist_filters_search_and_sorts(admin_client, device, query):
    response = admin_client.get(url(Device, "changelist") + "?" + query)

    assert response.status_code == 200


def test_devices_cannot_be_deleted_in_the_admin(admin_client, device):
    response = admin_client.get(url(Device, "changelist"))

    assert b"delete_selected" not in response.content
    assert admin_client.get(url(Device, "delete", device.pk)).status_code == 403
    assert Device.objects.filter(pk=device.pk).exists()


def test_logged_fields_are_read_only_on_the_change_page(admin_client, device):
    response = admin_client.get(url(Device, "change", device.pk))

    form = response.context["adminform"].form
    assert {"status", "unit", "cart", "cart_slot", "fault_reported_on"}.isdisjoint(form.fields)
    assert {"model", "location", "notes", "last_seen"} <= set(form.fields)
    assert device.holder.name in response.content.decode()


def test_admin_change_cannot_change_the_status_and_logs_what_it_changed(admin_client, device,
                                                                       other_school):
    data = {"category": device.category, "asset_tag": device.asset_tag, "model": "Uusi malli",
            "serial_number": device.serial_number, "use": "staff", "ownership": "purchased",
            "cart": device.cart_id, "cart_slot": 1, "status": "retired", "holder": "",
            "unit": other_school.pk}

    response = admin_client.post(url(Device, "change", device.pk), data)

    assert response.status_code == 302
    device.refresh_from_db()
    assert (device.model, device.status, device.unit.slug) == ("Uusi malli", "in_use",
                                                               "kalevalan-koulu")
    assert device.holder is not None
    [event] = DeviceEvent.objects.all()
    assert (event.kind, event.note, event.by_name) == (
        "edited", "model: Lenovo 300e → Uusi malli", "admin")


def test_admin_add_sets_the_logged_fields_and_logs_the_registration(admin_client, school):
    data = {"unit": school.pk, "category": "tablet", "asset_tag": "kuo-9", "use": "shared",
            "ownership": "purchased", "status": "in_stock"}

    response = admin_client.post(url(Device, "add"), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    device = Device.objects.get()
    assert (device.asset_tag, device.unit) == ("KUO-9", school)
    [event] = DeviceEvent.objects.all()
    assert (event.device, event.kind, event.to_unit) == (device, "registered", school)


@pytest.mark.parametrize("model", [DeviceEvent, Loan, InventoryRound],
                         ids=lambda model: model.__name__)
def test_records_list_and_show_read_only(admin_client, records, model):
    record = records[model]

    changelist = admin_client.get(url(model, "changelist"))
    page = admin_client.get(url(model, "change", record.pk))

    assert changelist.status_code == 200 and changelist.context["cl"].result_count == 1
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert not page.context["adminform"].form.fields  # every field is shown read-only
    assert b'name="_save"' not in page.content


@pytest.mark.parametrize("model", [DeviceEvent, Loan, InventoryRound],
                         ids=lambda model: model.__name__)
def test_records_cannot_be_added_changed_or_deleted(admin_client, records, model):
    record = records[model]
    before = list(model.objects.values())

    assert admin_client.get(url(model, "add")).status_code == 403
    assert admin_client.post(url(model, "add"), {"note": "x"}).status_code == 403
    assert admin_client.post(url(model, "change", record.pk),
                             {"note": "Muutettu", "kind": "lost"}).status_code == 403
    assert admin_client.get(url(model, "delete", record.pk)).status_code == 403
    assert admin_client.post(url(model, "delete", record.pk), {"post": "yes"}).status_code == 403
    assert admin_client.post(url(model, "changelist"), {
        "action": "delete_selected", "_selected_action": [record.pk], "post": "yes",
    }).status_code == 200
    assert list(model.objects.values()) == before


def test_event_admin_filters_by_kind_and_unit(admin_client, records, school):
    for query in ("kind__exact=checked_out", f"device__unit__id__exact={school.pk}",
                  "q=KUO-1", f"at__year={timezone.now().year}"):
        response = admin_client.get(url(DeviceEvent, "changelist") + "?" + query)
        assert response.context["cl"].result_count == 1


def test_cart_admin_lists_carts_with_their_devices(admin_client, device):
    response = admin_client.get(url(ChargingCart, "changelist"))

    assert response.status_code == 200
    assert response.context["cl"].result_list[0].device_total == 1
    assert admin_client.get(url(ChargingCart, "change", device.cart_id)).status_code == 200
    assert admin_client.get(url(ChargingCart, "add")).status_code == 200


def sheet(*rows):
    """Return the CSV bytes of `rows` under HEADER."""
    out = io.StringIO()
    csv.writer(out).writerows([HEADER, *rows])
    return out.getvalue().encode()


def upload(client, content, name="laitteet.csv"):
    """Post `content` to the device admin's import page."""
    return client.post(url(Device, "import"),
                       {"import_file": SimpleUploadedFile(name, content)})


def test_admin_import_lists_every_bad_line_and_saves_nothing(admin_client, school):
    content = sheet(["kalevalan-koulu", "tablet", "KUO-1", "", "iPad"],
                    ["atlantis", "tablet", "KUO-2", "", "iPad"],
                    ["kalevalan-koulu", "kannettava", "KUO-3", "", "iPad"])

    response = upload(admin_client, content)

    assert response.status_code == 200
    assert [(problem.line, problem.column) for problem in response.context["plan"].problems] == [
        (3, "unit"), (4, "category")]
    page = response.content.decode()
    assert "<td>3</td><td>unit</td><td>Unknown unit: atlantis.</td>" in page
    assert "Confirm import" not in page
    assert not Device.objects.exists()


def test_admin_import_shows_a_summary_and_saves_on_confirm(admin_client, superuser, school):
    DeviceFactory(unit=school, asset_tag="KUO-1", model="Vanha")
    content = sheet(["kalevalan-koulu", "tablet", "KUO-1", "", "iPad"],
                    ["kalevalan-koulu", "tablet", "KUO-2", "", "iPad"])

    preview = upload(admin_client, content)

    assert "1 new, 1 changed, 0 unchanged." in preview.content.decode()
    assert Device.objects.count() == 1  # checking saves nothing
    response = admin_client.post(url(Device, "process_import"),
                                 {"token": preview.context["token"]})
    assert response.status_code == 302
    assert set(Device.objects.values_list("asset_tag", "model")) == {("KUO-1", "iPad"),
                                                                     ("KUO-2", "iPad")}
    assert {(event.kind, event.by) for event in DeviceEvent.objects.all()} == {
        ("registered", superuser), ("edited", superuser)}


def test_admin_import_refuses_a_forged_or_anothers_token(admin_client, client, school):
    preview = upload(admin_client, sheet(["kalevalan-koulu", "tablet", "KUO-2", "", "iPad"]))
    token = preview.context["token"]

    assert admin_client.post(url(Device, "process_import"), {"token": token + "x"}).status_code \
        == 302
    other = UserFactory(username="toinen", is_staff=True, is_superuser=True)
    client.force_login(other)
    client.post(url(Device, "process_import"), {"token": token})
    assert not Device.objects.exists()


def test_admin_import_rechecks_the_file_on_confirm(admin_client, school, other_school):
    preview = upload(admin_client, sheet(["kalevalan-koulu", "tablet", "KUO-2", "", "iPad"]))
    DeviceFactory(unit=other_school, asset_tag="KUO-2")  # registered meanwhile

    response = admin_client.post(url(Device, "process_import"),
                                 {"token": preview.context["token"]})

    assert response.status_code == 200
    assert [problem.line for problem in response.context["plan"].problems] == [2]
    assert Device.objects.get().unit == other_school


def test_admin_import_refuses_a_file_of_another_type(admin_client, school):
    response = upload(admin_client, b"x", name="laitteet.xls")

    assert "Give a .csv or .xlsx file" in response.content.decode()


def test_admin_import_needs_the_add_device_permission(client, school):
    user = UserFactory(username="toimisto", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename="view_device"))
    client.force_login(user)

    assert client.get(url(Device, "changelist")).status_code == 200
    assert client.get(url(Device, "import")).status_code == 403
    assert upload(client, sheet()).status_code == 403
    assert client.post(url(Device, "process_import"), {"token": "x"}).status_code == 403


def test_admin_import_is_limited_to_units_whose_devices_the_user_manages(client, school,
                                                                         other_school):
    user = UserFactory(username="laitevastaava", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=["view_device",
                                                                      "add_device"]))
    assign_perm("units.manage_devices", user, school)
    client.force_login(user)

    response = upload(client, sheet(["kalevalan-koulu", "tablet", "KUO-1", "", "iPad"],
                                    ["toinen-koulu", "tablet", "KUO-2", "", "iPad"]))

    assert [(problem.line, problem.message) for problem in response.context["plan"].problems] \
        == [(3, "This import may not change the devices of toinen-koulu.")]


@pytest.mark.parametrize("model", [DeviceEvent, Loan, InventoryRound],
                         ids=lambda model: model.__name__)
def test_record_changelists_run_as_many_queries_for_many_rows_as_for_one(
        admin_client, superuser, model):
    def add_record():
        """Add a device with one record of `model`."""
        device = DeviceFactory(holder=PersonFactory())
        if model is DeviceEvent:
            DeviceEvent.objects.create(device=device, kind="moved", by=superuser,
                                       holder=device.holder)
        elif model is Loan:
            pass  # the factory's check-out opened the loan
        else:
            inventory = InventoryRound.objects.create(unit=device.unit, started_by=superuser,
                                                      closed_by=superuser)
            InventoryMark.objects.create(round=inventory, device=device)

    def count_queries():
        """Return how many queries the changelist runs."""
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(url(model, "changelist")).status_code == 200
        return len(queries)

    add_record()
    one = count_queries()
    for _n in range(4):
        add_record()
    assert count_queries() == one
