"""The register's pages: the list with its counts, filters and pages, a device, its forms."""

import datetime
from urllib.parse import urlencode

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from guardian.shortcuts import assign_perm

from devices import services
from devices.models import Device, DeviceEvent, Loan
from tests.factories import (
    ChargingCartFactory,
    DeviceFactory,
    PersonFactory,
    UnitFactory,
    UserFactory,
)

Status = Device.Status
Kind = DeviceEvent.Kind


def list_url(unit, **params):
    url = reverse("devices:device_list", args=[unit.slug])
    return f"{url}?{urlencode(params)}" if params else url


def device_url(device):
    return reverse("devices:device", args=[device.unit.slug, device.asset_tag])


def action_url(device, action):
    return reverse("devices:device_action", args=[device.unit.slug, device.asset_tag, action])


def tags(response):
    return [device.asset_tag for device in response.context["page"].object_list]


def texts(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def fresh(device):
    return Device.objects.get(pk=device.pk)


@pytest.fixture
def teacher(school):
    return PersonFactory(organisation=school.organisation, name="Olli Opettaja")


@pytest.fixture
def cart(school):
    return ChargingCartFactory(unit=school, name="Vaunu 1", slots=8)


@pytest.fixture
def device(school):
    return DeviceFactory(unit=school, asset_tag="KUO-1", model="Lenovo 300e")


@pytest.fixture
def register(school, cart, teacher, principal):
    """A small register: laptops in a cart, a teacher's laptop, a pupil's, a retired tablet."""
    in_cart = [DeviceFactory(unit=school, asset_tag=f"VAU-{n}", category="shared_laptop",
                             use="shared", cart=cart, cart_slot=n) for n in (1, 2)]
    staff = DeviceFactory(unit=school, asset_tag="OPE-1", category="teacher_laptop",
                          model="ThinkPad T14", serial_number="PF-ABC", number="17")
    services.device_check_out(device=staff, by=principal, holder=teacher)
    pupil = DeviceFactory(unit=school, asset_tag="OPP-1", use="pupil")
    services.device_check_out(device=pupil, by=principal, pupil_code="7A-0412")
    retired = DeviceFactory(unit=school, asset_tag="POIS-1", category="tablet")
    services.device_retire(device=retired, by=principal)
    return {"cart": in_cart, "staff": staff, "pupil": pupil, "retired": retired}


# The list


def test_the_list_shows_only_the_units_active_devices(principal_client, school, other_school,
                                                      register):
    DeviceFactory(unit=other_school, asset_tag="TOINEN-1")
    response = principal_client.get(list_url(school))
    assert response.status_code == 200
    assert tags(response) == ["OPE-1", "OPP-1", "VAU-1", "VAU-2"]


def test_the_list_counts_by_category_and_status(principal_client, school, register):
    context = principal_client.get(list_url(school)).context
    assert {value: count for value, _label, count in context["by_category"]} == {
        "teacher_laptop": 1, "pupil_laptop": 1, "shared_laptop": 2}
    assert {value: count for value, _label, count in context["by_status"]} == {
        "in_stock": 2, "in_use": 2, "retired": 1}
    assert context["total"] == 5


@pytest.mark.parametrize(("params", "expected"), [
    ({"category": "shared_laptop"}, ["VAU-1", "VAU-2"]),
    ({"status": "in_use"}, ["OPE-1", "OPP-1"]),
    ({"status": "retired"}, ["POIS-1"]),
    ({"status": "all"}, ["OPE-1", "OPP-1", "POIS-1", "VAU-1", "VAU-2"]),
    ({"use": "pupil"}, ["OPP-1"]),
    ({"q": "thinkpad"}, ["OPE-1"]),
    ({"q": "pf-abc"}, ["OPE-1"]),
    ({"q": "17"}, ["OPE-1"]),
    ({"q": "vau"}, ["VAU-1", "VAU-2"]),
    ({"q": "vau", "category": "teacher_laptop"}, []),
    ({"category": "no-such-thing"}, ["OPE-1", "OPP-1", "VAU-1", "VAU-2"]),
])
def test_filters_and_search_narrow_the_list(principal_client, school, register, params, expected):
    response = principal_client.get(list_url(school, **params))
    assert response.status_code == 200
    assert tags(response) == expected


def test_the_cart_and_holder_filters(principal_client, school, register, cart, teacher):
    assert tags(principal_client.get(list_url(school, cart=cart.pk))) == ["VAU-1", "VAU-2"]
    response = principal_client.get(list_url(school, holder=teacher.pk))
    assert tags(response) == ["OPE-1"]
    assert list(response.context["form"].fields["holder"].queryset) == [teacher]


def test_the_list_names_the_holder_or_the_pupils_code(principal_client, school, register):
    page = principal_client.get(list_url(school)).content.decode()
    assert "Olli Opettaja" in page
    assert "7A-0412" in page


def test_the_list_pages_by_fifty_and_keeps_the_filters(principal_client, school):
    for n in range(60):
        DeviceFactory(unit=school, asset_tag=f"KUO-{n:03d}", category="tablet")
    DeviceFactory(unit=school, asset_tag="MUU-1", category="display")
    first = principal_client.get(list_url(school, category="tablet"))
    assert len(tags(first)) == 50
    assert first.context["page"].paginator.count == 60
    assert 'href="?category=tablet&amp;page=2"' in first.content.decode()
    second = principal_client.get(list_url(school, category="tablet", page=2))
    assert tags(second) == [f"KUO-{n:03d}" for n in range(50, 60)]
    beyond = principal_client.get(list_url(school, category="tablet", page=99))
    assert beyond.context["page"].number == 2


def build_register(unit, count, by):
    """Give `unit` `count` devices with carts, staff holders, pupils and faults among them."""
    carts = [ChargingCartFactory(unit=unit, slots=30) for _ in range(2)]
    for n in range(count):
        device = DeviceFactory(unit=unit, cart=carts[n % 2] if n % 3 == 0 else None,
                               cart_slot=n // 2 + 1 if n % 3 == 0 else None)
        if n % 3 == 1:
            holder = PersonFactory(organisation=unit.organisation)
            services.device_check_out(device=device, by=by, holder=holder)
        elif n % 3 == 2 and n % 2:
            services.device_check_out(device=device, by=by, pupil_code=f"7A-{n}")


@pytest.mark.parametrize("count", [5, 60])
def test_the_list_runs_the_same_queries_for_5_or_60_devices(client, school, principal, count,
                                                            django_assert_num_queries):
    build_register(school, count, principal)
    client.force_login(principal)
    # Session, user, user's permissions (2), unit, its sectors, may-manage, counts, carts,
    # holders, the page's count, its rows and their open loans.
    with django_assert_num_queries(13):
        response = client.get(list_url(school))
    assert response.status_code == 200
    assert len(tags(response)) == min(count, 50)


def test_the_list_links_to_the_exports_and_adding(principal_client, school):
    page = principal_client.get(list_url(school)).content.decode()
    assert reverse("devices:unit_export", args=[school.slug, "csv"]) in page
    assert reverse("devices:unit_export", args=[school.slug, "xlsx"]) in page
    assert reverse("devices:device_add", args=[school.slug]) in page


# Charging carts


def test_the_carts_page_shows_every_slot(principal_client, school, cart, register):
    response = principal_client.get(reverse("devices:cart_list", args=[school.slug]))
    [(shown, slots, filled)] = response.context["carts"]
    assert shown == cart
    assert [slot for slot, _device in slots] == list(range(1, 9))
    assert [device.asset_tag if device else None for _slot, device in slots] == [
        "VAU-1", "VAU-2", None, None, None, None, None, None]
    assert filled == 2
    assert device_url(register["cart"][0]) in response.content.decode()


# A device


def test_the_device_page_shows_the_history_newest_first(principal_client, register):
    staff = register["staff"]
    services.device_report_fault(device=staff, by=None, ticket="HD-5", note="Näyttö")
    response = principal_client.get(device_url(staff))
    kinds = [event.kind for event in response.context["events"]]
    assert kinds == [Kind.FAULT_REPORTED, Kind.CHECKED_OUT]
    assert [loan.holder.name for loan in response.context["loans"]] == ["Olli Opettaja"]
    assert "HD-5" in response.content.decode()


@pytest.mark.parametrize(("which", "steps"), [
    ("cart", ["check-out", "fault", "move", "retire", "hand-on", "lost"]),
    ("staff", ["return", "fault", "move", "lost"]),
    ("retired", []),
])
def test_the_device_page_offers_what_the_state_allows(principal_client, register, which, steps):
    device = register[which][0] if which == "cart" else register[which]
    response = principal_client.get(device_url(device))
    assert [name for name, _step in response.context["steps"]] == steps
    page = response.content.decode()
    for name in steps:
        assert action_url(device, name) in page


def test_a_device_in_repair_offers_the_repair(principal_client, device, principal):
    services.device_report_fault(device=device, by=principal, ticket="HD-1")
    response = principal_client.get(device_url(device))
    assert [name for name, _step in response.context["steps"]] == [
        "repaired", "move", "retire", "hand-on", "lost"]


def test_the_tag_in_the_address_is_not_case_sensitive(principal_client, school, device):
    url = reverse("devices:device", args=[school.slug, "kuo-1"])
    assert principal_client.get(url).context["device"] == device


# Adding and changing


def test_add_a_device(principal_client, school, principal):
    response = principal_client.post(reverse("devices:device_add", args=[school.slug]), {
        "category": "teacher_laptop", "asset_tag": " kuo-77 ", "serial_number": "SN-77",
        "model": "ThinkPad", "use": "staff", "ownership": "leased",
        "lease_ends_on": "2028-07-31", "billed_monthly": "on", "monthly_cost": "24.50",
    })
    device = Device.objects.get(asset_tag="KUO-77")
    assert response.status_code == 302
    assert response.url == device_url(device)
    assert (device.unit, device.lease_ends_on) == (school, datetime.date(2028, 7, 31))
    event = device.events.get()
    assert (event.kind, event.by) == (Kind.REGISTERED, principal)
    assert texts(response)


def test_adding_keeps_the_input_and_shows_errors_by_the_fields(principal_client, school, device):
    response = principal_client.post(reverse("devices:device_add", args=[school.slug]), {
        "category": "tablet", "asset_tag": "kuo-1", "model": "iPad 10", "use": "pupil",
        "ownership": "leased", "billed_monthly": "on",
    })
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) >= {"asset_tag", "lease_ends_on", "monthly_cost"}
    page = response.content.decode()
    assert 'value="iPad 10"' in page
    assert 'id="id_asset_tag_error"' in page
    assert Device.objects.filter(unit=school).count() == 1


def test_edit_saves_what_changed_and_logs_it(principal_client, school, device, principal):
    url = reverse("devices:device_edit", args=[school.slug, device.asset_tag])
    form = principal_client.get(url).context["form"]
    assert "asset_tag" not in form.fields
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(model="Lenovo 500w", location="Luokka 12")
    data.pop("billed_monthly")
    response = principal_client.post(url, data)
    assert response.status_code == 302
    device = fresh(device)
    assert (device.model, device.location) == ("Lenovo 500w", "Luokka 12")
    event = device.events.get()
    # The event says what each changed field was before and is now.
    assert (event.kind, event.note, event.by) == (
        Kind.EDITED, "sijainti: – → Luokka 12; malli: Lenovo 300e → Lenovo 500w", principal)


def test_edit_without_changes_logs_nothing(principal_client, school, device):
    url = reverse("devices:device_edit", args=[school.slug, device.asset_tag])
    form = principal_client.get(url).context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data.pop("billed_monthly")
    assert principal_client.post(url, data).status_code == 302
    assert not device.events.exists()


def test_edit_shows_the_models_errors(principal_client, school, device):
    url = reverse("devices:device_edit", args=[school.slug, device.asset_tag])
    response = principal_client.post(url, {"category": "tablet", "use": "staff",
                                           "ownership": "purchased",
                                           "lease_ends_on": "2027-01-01"})
    assert response.status_code == 200
    assert "lease_ends_on" in response.context["form"].errors
    assert not fresh(device).lease_ends_on


# The steps


def test_check_out_to_a_member_of_staff(principal_client, device, teacher):
    response = principal_client.post(action_url(device, "check-out"),
                                     {"holder": teacher.pk, "condition": "ehjä"})
    assert response.status_code == 302
    assert response.url == device_url(device)
    assert fresh(device).holder == teacher
    assert Loan.objects.open().get(device=device).condition_out == "ehjä"
    assert texts(response)


def test_check_out_offers_the_staff_of_the_organisation_chain(principal_client, device, teacher,
                                                              school):
    stranger = PersonFactory(name="Vieras Virkailija")
    response = principal_client.get(action_url(device, "check-out"))
    people = list(response.context["form"].fields["holder"].queryset)
    assert teacher in people
    assert stranger not in people
    response = principal_client.post(action_url(device, "check-out"), {"holder": stranger.pk})
    assert "holder" in response.context["form"].errors
    assert not fresh(device).is_out


def test_check_out_refuses_a_pupils_name(principal_client, device):
    response = principal_client.post(action_url(device, "check-out"),
                                     {"pupil_code": "Matti Meikäläinen"})
    assert response.status_code == 200
    assert "pupil_code" in response.context["form"].errors
    assert 'value="Matti Meikäläinen"' in response.content.decode()
    assert not fresh(device).is_out


def test_check_out_needs_one_holder(principal_client, device, teacher):
    for data in ({}, {"holder": teacher.pk, "pupil_code": "7A-1"}):
        response = principal_client.post(action_url(device, "check-out"), data)
        assert response.context["form"].non_field_errors()
    assert not Loan.objects.exists()


def test_the_services_refusal_shows_on_the_form(principal_client, register, teacher):
    retired = register["retired"]
    response = principal_client.post(action_url(retired, "check-out"), {"pupil_code": "8B-1"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert 'value="8B-1"' in response.content.decode()
    assert fresh(retired).status == Status.RETIRED


def test_a_step_the_state_does_not_allow_sends_back_to_the_device(principal_client, register):
    retired = register["retired"]
    response = principal_client.get(action_url(retired, "check-out"))
    assert response.status_code == 302
    assert response.url == device_url(retired)
    assert texts(response)


def test_return(principal_client, register):
    staff = register["staff"]
    response = principal_client.post(action_url(staff, "return"), {"condition": "naarmu"})
    assert response.status_code == 302
    staff = fresh(staff)
    assert (staff.status, staff.holder) == (Status.IN_STOCK, None)
    assert Loan.objects.get(device=staff).condition_in == "naarmu"


def test_move_into_a_cart_slot(principal_client, device, cart, school):
    response = principal_client.post(action_url(device, "move"), {
        "unit": school.pk, "location": "Luokka 112", "cart": cart.pk, "cart_slot": 5})
    assert response.status_code == 302
    device = fresh(device)
    assert (device.cart, device.cart_slot, device.location) == (cart, 5, "Luokka 112")


def test_move_out_of_the_cart(principal_client, register, school):
    in_cart = register["cart"][0]
    response = principal_client.post(action_url(in_cart, "move"), {
        "unit": school.pk, "location": "Varasto", "cart": "", "cart_slot": ""})
    assert response.status_code == 302
    assert (fresh(in_cart).cart, fresh(in_cart).cart_slot) == (None, None)


def test_move_into_a_taken_slot_is_refused_with_the_input_kept(principal_client, register,
                                                               school, cart):
    device = register["staff"]
    response = principal_client.post(action_url(device, "move"), {
        "unit": school.pk, "location": "", "cart": cart.pk, "cart_slot": 1})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert response.context["form"]["cart_slot"].value() == "1"
    assert fresh(device).cart is None


def test_move_to_another_unit_i_manage(principal_client, principal, device, school, cart):
    services.device_move(device=device, by=principal, cart=cart, cart_slot=3)
    branch = UnitFactory(organisation=school.organisation, slug="sivukoulu")
    for codename in ("view_unit", "manage_devices"):
        assign_perm(f"units.{codename}", principal, branch)
    response = principal_client.post(action_url(device, "move"), {
        "unit": branch.pk, "location": "Varasto", "cart": cart.pk, "cart_slot": 3})
    assert response.status_code == 302
    device = fresh(device)
    assert (device.unit, device.cart) == (branch, None)
    assert response.url == device_url(device)


def test_move_to_a_unit_i_do_not_manage_is_refused(principal_client, device, other_school):
    response = principal_client.post(action_url(device, "move"), {"unit": other_school.pk})
    assert "unit" in response.context["form"].errors
    assert fresh(device).unit_id != other_school.pk


def test_fault_and_repair(principal_client, device):
    response = principal_client.post(action_url(device, "fault"),
                                     {"ticket": "HD-4411", "note": "Ei lataa"})
    assert response.status_code == 302
    assert (fresh(device).status, fresh(device).fault_ticket) == (Status.IN_REPAIR, "HD-4411")
    response = principal_client.post(action_url(device, "repaired"), {"note": "Laturi vaihdettu"})
    assert response.status_code == 302
    assert fresh(device).status == Status.IN_STOCK
    event = device.events.first()
    assert (event.kind, event.ticket, event.note) == (Kind.REPAIRED, "HD-4411", "Laturi vaihdettu")


@pytest.mark.parametrize(("action", "status"), [
    ("retire", Status.RETIRED), ("hand-on", Status.HANDED_ON), ("lost", Status.LOST)])
def test_the_steps_out_of_the_register_ask_first(principal_client, device, action, status):
    response = principal_client.get(action_url(device, action))
    assert response.status_code == 200
    assert response.context["step"].explanation
    assert fresh(device).status == Status.IN_STOCK
    response = principal_client.post(action_url(device, action), {"note": "Kierrätys Oy"})
    assert response.status_code == 302
    assert fresh(device).status == status


def test_hand_on_needs_to_whom(principal_client, device):
    response = principal_client.post(action_url(device, "hand-on"), {"note": ""})
    assert "note" in response.context["form"].errors
    assert fresh(device).status == Status.IN_STOCK


def test_retire_refuses_while_checked_out(principal_client, register):
    staff = register["staff"]
    response = principal_client.post(action_url(staff, "retire"), {"note": ""})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert fresh(staff).status == Status.IN_USE


def test_the_log_names_who_took_the_step(client, device, school):
    user = UserFactory(username="laitevastaava", first_name="Leena", last_name="Laitinen")
    assign_perm("units.manage_devices", user, school)
    client.force_login(user)
    client.post(action_url(device, "fault"), {"ticket": "HD-1"})
    assert device.events.get().by_name == "Leena Laitinen"
