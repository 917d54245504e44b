"""Inventory rounds: start, scan, close and report, who may do what, and flat query counts."""

import pytest
from django.contrib import messages
from django.urls import reverse
from guardian.shortcuts import assign_perm

from devices import services
from devices.models import Device, InventoryMark, InventoryRound, Loan
from tests.factories import DeviceFactory, UnitFactory, UserFactory


def list_url(unit):
    return reverse("devices:inventory_list", args=[unit.slug])


def round_url(inventory, unit=None):
    return reverse("devices:inventory", args=[(unit or inventory.unit).slug, inventory.pk])


def close_url(inventory, unit=None):
    return reverse("devices:inventory_close", args=[(unit or inventory.unit).slug, inventory.pk])


def said(response):
    """Return the messages shown on the page a followed redirect ended at, as (level, text)."""
    return [(message.level, str(message)) for message in response.context["messages"]]


@pytest.fixture
def devices(school):
    """Four devices of the school, registered before any round."""
    return [DeviceFactory(unit=school, asset_tag=f"KUO-0001{n}", location=f"Luokka {n}")
            for n in range(4)]


@pytest.fixture
def open_round(school, devices, principal):
    return services.inventory_start(unit=school, by=principal)


def scan(client, inventory, tag):
    return client.post(round_url(inventory), {"tag": tag}, follow=True)


# --- Starting -------------------------------------------------------------------------------

def test_principal_starts_a_round_and_lands_on_it(principal_client, school, devices):
    response = principal_client.post(list_url(school))
    inventory = InventoryRound.objects.get(unit=school)
    assert response.status_code == 302
    assert response.url == round_url(inventory)
    assert inventory.is_open


def test_second_start_is_refused_while_a_round_is_open(principal_client, school, open_round):
    response = principal_client.post(list_url(school), follow=True)
    assert InventoryRound.objects.filter(unit=school).count() == 1
    [(level, _text)] = said(response)
    assert level == messages.ERROR
    assert response.context["open_round"] == open_round


def test_list_shows_rounds_with_found_expected_and_percentage(principal_client, school,
                                                              devices, principal):
    closed = services.inventory_start(unit=school, by=principal)
    for device in devices[:3]:
        services.inventory_mark_found(inventory=closed, device=device, by=principal)
    services.inventory_close(inventory=closed, by=principal)
    current = services.inventory_start(unit=school, by=principal)
    services.inventory_mark_found(inventory=current, device=devices[0], by=principal)
    response = principal_client.get(list_url(school))
    rounds = {inventory.pk: inventory for inventory in response.context["rounds"]}
    assert (rounds[closed.pk].found, rounds[closed.pk].expected_count,
            rounds[closed.pk].percent) == (3, 4, 75)
    assert (rounds[current.pk].found, rounds[current.pk].expected_count,
            rounds[current.pk].percent) == (1, 4, 25)
    assert response.context["open_round"].pk == current.pk


# --- Scanning -------------------------------------------------------------------------------

def test_scanned_tag_marks_the_device_found_and_comes_back(principal_client, open_round,
                                                           devices):
    response = principal_client.post(round_url(open_round), {"tag": "KUO-00012"})
    assert response.status_code == 302
    assert response.url == round_url(open_round)
    assert list(open_round.marks.values_list("device__asset_tag", flat=True)) == ["KUO-00012"]
    page = principal_client.get(response.url)
    [(level, text)] = said(page)
    assert level == messages.SUCCESS and "KUO-00012" in text
    assert (page.context["found_count"], page.context["expected_count"]) == (1, 4)
    assert page.context["percent"] == 25
    assert "KUO-00012" not in {device.asset_tag for device in page.context["missing"]}


def test_typed_lower_case_tag_with_spaces_works(principal_client, open_round, devices):
    scan(principal_client, open_round, "  kuo-00011 \n")
    assert open_round.marks.get().device == devices[1]


def test_label_address_scanned_from_a_qr_code_works(principal_client, open_round, devices):
    address = "https://vastuu.example.fi" + reverse("devices:device",
                                                    args=[open_round.unit.slug, "KUO-00013"])
    scan(principal_client, open_round, address)
    assert open_round.marks.get().device == devices[3]


def test_found_device_is_seen_today(principal_client, open_round, devices):
    scan(principal_client, open_round, "KUO-00010")
    devices[0].refresh_from_db()
    assert devices[0].last_seen is not None


def test_unknown_tag_is_said_and_nothing_marked(principal_client, open_round, devices):
    response = scan(principal_client, open_round, "EI-OLE-1")
    [(level, text)] = said(response)
    assert level == messages.ERROR and "EI-OLE-1" in text
    assert not open_round.marks.exists()


def test_empty_scan_is_said(principal_client, open_round):
    [(level, _text)] = said(scan(principal_client, open_round, "   "))
    assert level == messages.ERROR


def test_same_tag_twice_is_harmless(principal_client, open_round, devices):
    scan(principal_client, open_round, "KUO-00010")
    response = scan(principal_client, open_round, "KUO-00010")
    assert open_round.marks.count() == 1
    [(level, text)] = said(response)
    assert level == messages.INFO and "KUO-00010" in text
    assert devices[0].events.filter(kind="audited").count() == 1


def test_another_units_device_is_refused_without_naming_a_unit_one_may_not_see(
        principal_client, open_round, other_school):
    DeviceFactory(unit=other_school, asset_tag="TOI-1")
    response = scan(principal_client, open_round, "TOI-1")
    [(level, text)] = said(response)
    assert level == messages.ERROR and "TOI-1" in text
    assert other_school.name not in text
    assert other_school.name not in response.content.decode()
    assert not open_round.marks.exists()


def test_another_units_device_is_named_to_one_who_may_see_that_unit(
        principal_client, principal, open_round, other_school):
    DeviceFactory(unit=other_school, asset_tag="TOI-1")
    assign_perm("units.view_unit", principal, other_school)
    [(level, text)] = said(scan(principal_client, open_round, "TOI-1"))
    assert level == messages.ERROR and other_school.name in text
    assert not open_round.marks.exists()


def test_lost_device_found_is_marked_with_a_warning(principal_client, open_round, devices):
    services.device_mark_lost(device=devices[0], by=None)
    [(level, text)] = said(scan(principal_client, open_round, "KUO-00010"))
    assert level == messages.WARNING and "KUO-00010" in text
    assert open_round.marks.filter(device=devices[0]).exists()


def test_scan_input_is_ready_for_a_keyboard_wedge_scanner(principal_client, open_round):
    response = principal_client.get(round_url(open_round))
    page = response.content.decode()
    [field] = [line for line in page.splitlines() if 'name="tag"' in line]
    for attribute in ('type="text"', "autofocus", 'autocomplete="off"', 'id="id_tag"',
                      'aria-describedby="id_tag_helptext"'):
        assert attribute in field
    assert '<label for="id_tag">' in page
    assert f'action="{close_url(open_round)}"' not in page  # closing asks first, on its own page
    assert close_url(open_round) in page


def test_missing_list_shrinks_and_found_list_is_newest_first(principal_client, open_round,
                                                             devices):
    for tag in ("KUO-00012", "KUO-00010"):
        scan(principal_client, open_round, tag)
    context = principal_client.get(round_url(open_round)).context
    assert [mark.device.asset_tag for mark in context["found"]] == ["KUO-00010", "KUO-00012"]
    assert [device.asset_tag for device in context["missing"]] == ["KUO-00011", "KUO-00013"]


# --- Closing --------------------------------------------------------------------------------

def test_closing_asks_to_confirm_first(principal_client, open_round):
    response = principal_client.get(close_url(open_round))
    assert response.status_code == 200
    assert response.context["confirming"]
    open_round.refresh_from_db()
    assert open_round.is_open
    assert f'action="{close_url(open_round)}"' in response.content.decode()


def test_close_fixes_expected_and_reports_three_of_four(principal_client, open_round, devices):
    for device in devices[:3]:
        scan(principal_client, open_round, device.asset_tag)
    response = principal_client.post(close_url(open_round), follow=True)
    open_round.refresh_from_db()
    assert not open_round.is_open
    assert set(open_round.expected.all()) == set(devices)
    context = response.context
    assert (context["found_count"], context["expected_count"], context["percent"]) == (3, 4, 75)
    assert [device.asset_tag for device in context["missing"]] == ["KUO-00013"]
    assert context["form"] is None
    # A device registered after closing does not change the report.
    DeviceFactory(unit=open_round.unit, asset_tag="KUO-99999")
    assert principal_client.get(round_url(open_round)).context["expected_count"] == 4


def test_closed_report_lists_what_a_missing_device_needs(principal_client, open_round, devices,
                                                         school):
    from tests.factories import PersonFactory

    holder = PersonFactory(organisation=school.organisation, name="Sanna Tervo")
    Loan.objects.create(device=devices[3], holder=holder)
    services.inventory_close(inventory=open_round, by=None)
    response = principal_client.get(round_url(open_round))
    page = response.content.decode()
    for text in ("KUO-00013", "Lenovo 300e", "Sanna Tervo", "Luokka 3"):
        assert text in page
    assert "css/inventory.css" in page  # with the A4 print rules


def test_closed_round_refuses_marks(principal_client, open_round, devices):
    services.inventory_close(inventory=open_round, by=None)
    response = scan(principal_client, open_round, "KUO-00010")
    [(level, _text)] = said(response)
    assert level == messages.ERROR
    assert not InventoryMark.objects.exists()


def test_closing_twice_is_harmless(principal_client, open_round):
    principal_client.post(close_url(open_round))
    open_round.refresh_from_db()
    closed_at = open_round.closed_at
    response = principal_client.post(close_url(open_round), follow=True)
    open_round.refresh_from_db()
    assert open_round.closed_at == closed_at
    assert response.status_code == 200


def test_a_new_round_can_start_after_closing(principal_client, open_round, school):
    principal_client.post(close_url(open_round))
    principal_client.post(list_url(school))
    assert InventoryRound.objects.filter(unit=school).count() == 2


# --- Who may do what ------------------------------------------------------------------------

@pytest.fixture
def viewer_client(client, school):
    user = UserFactory(username="katsoja")
    assign_perm("units.view_unit", user, school)
    client.force_login(user)
    return client


def test_viewer_reads_rounds_but_has_no_scan_input(viewer_client, school, open_round):
    assert viewer_client.get(list_url(school)).status_code == 200
    response = viewer_client.get(round_url(open_round))
    assert response.status_code == 200
    assert response.context["form"] is None
    assert 'name="tag"' not in response.content.decode()


@pytest.mark.parametrize("action", ["start", "mark", "close", "confirm"])
def test_viewer_gets_404_for_every_change(viewer_client, school, open_round, action):
    response = {
        "start": lambda: viewer_client.post(list_url(school)),
        "mark": lambda: viewer_client.post(round_url(open_round), {"tag": "KUO-00010"}),
        "close": lambda: viewer_client.post(close_url(open_round)),
        "confirm": lambda: viewer_client.get(close_url(open_round)),
    }[action]()
    assert response.status_code == 404
    open_round.refresh_from_db()
    assert open_round.is_open and not open_round.marks.exists()
    assert InventoryRound.objects.count() == 1


@pytest.mark.parametrize("method", ["get", "post"])
def test_other_units_round_is_404_under_this_unit(principal_client, school, other_school,
                                                  method):
    theirs = services.inventory_start(unit=other_school, by=None)
    for url in (round_url(theirs, unit=school), close_url(theirs, unit=school)):
        assert getattr(principal_client, method)(url).status_code == 404
    assert theirs.marks.count() == 0


def test_other_units_pages_are_404(principal_client, other_school):
    theirs = services.inventory_start(unit=other_school, by=None)
    assert principal_client.get(list_url(other_school)).status_code == 404
    assert principal_client.post(list_url(other_school)).status_code == 404
    assert principal_client.get(round_url(theirs)).status_code == 404


@pytest.mark.parametrize("page", ["list", "round", "close"])
def test_anonymous_user_is_sent_to_log_in(client, open_round, page):
    url = {"list": list_url(open_round.unit), "round": round_url(open_round),
           "close": close_url(open_round)}[page]
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_device_manager_by_organisation_grant_may_run_rounds(client, school, devices):
    user = UserFactory()
    assign_perm("units.view_organisation", user, school.organisation)
    assign_perm("units.manage_organisation_devices", user, school.organisation)
    client.force_login(user)
    response = client.post(list_url(school))
    assert response.status_code == 302
    assert InventoryRound.objects.filter(unit=school, started_by=user).exists()


# --- Query counts ---------------------------------------------------------------------------

# session, user, global permissions (2), unit, sectors, round, found, missing, the missing
# devices' open loans, may-manage.
ROUND_PAGE_QUERIES = 11
# session, user, global permissions (2), unit, sectors, rounds with tallies, the open round's
# expected, may-manage.
LIST_PAGE_QUERIES = 9


def grow(unit, n, by):
    """Give `unit` n devices, a closed round and an open one, half of them found in each."""
    for i in range(n):
        DeviceFactory(unit=unit, asset_tag=f"{unit.slug}-{i}".upper())
    for close in (True, False):
        inventory = services.inventory_start(unit=unit, by=by)
        for device in Device.objects.in_unit(unit)[: n // 2 or 1]:
            services.inventory_mark_found(inventory=inventory, device=device, by=by)
        if close:
            services.inventory_close(inventory=inventory, by=by)
    return inventory


def test_round_and_list_queries_stay_flat(client, django_assert_num_queries, db):
    user = UserFactory()
    client.force_login(user)
    for n in (2, 20):
        unit = UnitFactory()
        assign_perm("units.view_unit", user, unit)
        assign_perm("units.manage_devices", user, unit)
        inventory = grow(unit, n, user)
        closed = unit.inventory_rounds.closed().get()
        for url, queries in ((round_url(inventory), ROUND_PAGE_QUERIES),
                             (round_url(closed), ROUND_PAGE_QUERIES),
                             (list_url(unit), LIST_PAGE_QUERIES)):
            with django_assert_num_queries(queries):
                assert client.get(url).status_code == 200
