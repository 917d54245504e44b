"""Device reports: each finding on crafted data, the limits form, access and flat query counts."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm

from devices import reports, services
from devices.models import Device
from tests.factories import DeviceFactory, OrganisationFactory, UnitFactory, UserFactory
from units.models import Organisation

TODAY = datetime.date(2025, 3, 10)


def ago(days):
    return TODAY - datetime.timedelta(days=days)


def tags(rows):
    return {device.asset_tag for device in rows}


def billed(unit, tag, last_seen, **fields):
    return DeviceFactory(unit=unit, asset_tag=tag, billed_monthly=True,
                         monthly_cost=Decimal("12.50"), last_seen=last_seen, **fields)


# --- Billed devices not seen in use ---------------------------------------------------------

def test_billed_device_unseen_for_40_days_is_listed_at_30_not_at_60(school):
    billed(school, "KUO-1", ago(40))
    devices = Device.objects.in_unit(school)
    assert tags(reports.unseen_billed(devices, days=30, today=TODAY)) == {"KUO-1"}
    assert tags(reports.unseen_billed(devices, days=60, today=TODAY)) == set()
    [row] = reports.unseen_billed(devices, days=30, today=TODAY)
    assert row.days_unseen == 40


def test_never_seen_billed_device_is_listed_first(school):
    billed(school, "KUO-1", ago(40))
    billed(school, "KUO-2", None)
    rows = reports.unseen_billed(Device.objects.in_unit(school), days=30, today=TODAY)
    assert [row.asset_tag for row in rows] == ["KUO-2", "KUO-1"]
    assert rows[0].days_unseen is None


def test_unbilled_recently_seen_and_retired_devices_are_not_listed(school):
    DeviceFactory(unit=school, asset_tag="KUO-1", last_seen=ago(100))
    billed(school, "KUO-2", ago(5))
    billed(school, "KUO-3", ago(100), status=Device.Status.RETIRED)
    billed(school, "KUO-4", ago(100), status=Device.Status.HANDED_ON)
    assert reports.unseen_billed(Device.objects.in_unit(school), days=30, today=TODAY) == []


# --- Old open faults ------------------------------------------------------------------------

def test_fault_20_days_old_is_listed_at_14_not_at_30(school):
    DeviceFactory(unit=school, asset_tag="KUO-1", fault_reported_on=ago(20), fault_ticket="HD-7",
                  status=Device.Status.IN_REPAIR)
    devices = Device.objects.in_unit(school)
    [row] = reports.old_faults(devices, days=14, today=TODAY)
    assert (row.asset_tag, row.fault_ticket, row.days_open) == ("KUO-1", "HD-7", 20)
    assert reports.old_faults(devices, days=30, today=TODAY) == []


def test_repaired_fault_is_not_listed(school):
    device = DeviceFactory(unit=school)
    services.device_report_fault(device=device, by=None, ticket="HD-1")
    services.device_mark_repaired(device=device, by=None)
    later = timezone.localdate() + datetime.timedelta(days=60)
    assert reports.old_faults(Device.objects.in_unit(school), days=14, today=later) == []


# --- Ending leases --------------------------------------------------------------------------

def leased(unit, tag, ends, **fields):
    return DeviceFactory(unit=unit, asset_tag=tag, ownership=Device.Ownership.LEASED,
                         lease_ends_on=ends, **fields)


def test_lease_ending_in_two_months_is_listed_at_3_not_at_1(school):
    leased(school, "KUO-1", datetime.date(2025, 5, 10))
    devices = Device.objects.in_unit(school)
    [row] = reports.ending_leases(devices, months=3, today=TODAY)
    assert row.days_left == (datetime.date(2025, 5, 10) - TODAY).days
    assert reports.ending_leases(devices, months=1, today=TODAY) == []


def test_ended_lease_of_a_device_still_in_use_comes_first(school):
    leased(school, "KUO-1", datetime.date(2025, 4, 1))
    leased(school, "KUO-2", ago(3))
    leased(school, "KUO-3", ago(3), status=Device.Status.HANDED_ON)
    DeviceFactory(unit=school, asset_tag="KUO-4")
    rows = reports.ending_leases(Device.objects.in_unit(school), months=3, today=TODAY)
    assert [(row.asset_tag, row.days_left) for row in rows] == [("KUO-2", -3), ("KUO-1", 22)]


def test_add_months_keeps_to_the_end_of_a_shorter_month():
    assert reports.add_months(datetime.date(2025, 11, 30), 3) == datetime.date(2026, 2, 28)
    assert reports.add_months(datetime.date(2025, 3, 10), 0) == datetime.date(2025, 3, 10)


# --- Not found in the last closed inventory round -------------------------------------------

def run_round(unit, *, found):
    """Start a round at `unit`, mark `found` and close it."""
    inventory = services.inventory_start(unit=unit, by=None)
    for device in found:
        services.inventory_mark_found(inventory=inventory, device=device, by=None)
    return services.inventory_close(inventory=inventory, by=None)


def test_devices_not_found_in_the_last_closed_round_are_listed(school):
    a, b, c = (DeviceFactory(unit=school, asset_tag=f"KUO-{n}") for n in (1, 2, 3))
    inventory = run_round(school, found=[a])
    rows = reports.not_found_in_last_round(Device.objects.in_unit(school))
    assert [row.asset_tag for row in rows] == ["KUO-2", "KUO-3"]
    assert rows[0].inventory_round == inventory
    assert b.pk in {row.pk for row in rows} and c.pk in {row.pk for row in rows}


def test_only_the_last_closed_round_counts(school):
    a, b = DeviceFactory(unit=school, asset_tag="KUO-1"), DeviceFactory(unit=school,
                                                                        asset_tag="KUO-2")
    run_round(school, found=[a])          # b missing here…
    run_round(school, found=[b])          # …but found in the last round, where a went missing
    services.inventory_start(unit=school, by=None)  # an open round changes nothing yet
    rows = reports.not_found_in_last_round(Device.objects.in_unit(school))
    assert tags(rows) == {"KUO-1"}


def test_rounds_of_each_unit_count_on_their_own(school, other_school):
    DeviceFactory(unit=school, asset_tag="KUO-1")
    found = DeviceFactory(unit=other_school, asset_tag="TOI-1")
    DeviceFactory(unit=other_school, asset_tag="TOI-2")
    run_round(school, found=[])
    run_round(other_school, found=[found])
    devices = Device.objects.filter(unit__in=[school, other_school])
    assert tags(reports.not_found_in_last_round(devices)) == {"KUO-1", "TOI-2"}
    assert tags(reports.not_found_in_last_round(Device.objects.in_unit(school))) == {"KUO-1"}


def test_device_moved_away_since_the_round_is_no_longer_missing_there(school, other_school):
    device = DeviceFactory(unit=school, asset_tag="KUO-1")
    run_round(school, found=[])
    services.device_move(device=device, by=None, unit=other_school)
    devices = Device.objects.filter(unit__in=[school, other_school])
    assert reports.not_found_in_last_round(devices) == []


# --- The unit page --------------------------------------------------------------------------

def report_url(unit):
    return reverse("devices:unit_reports", args=[unit.slug])


@pytest.fixture
def findings(school):
    """One finding of each kind at the school, dated from today."""
    today = timezone.localdate()
    DeviceFactory(unit=school, asset_tag="KUO-2", status=Device.Status.IN_REPAIR,
                  fault_reported_on=today - datetime.timedelta(days=20), fault_ticket="HD-1")
    leased(school, "KUO-3", reports.add_months(today, 2))
    DeviceFactory(unit=school, asset_tag="KUO-4")
    run_round(school, found=Device.objects.exclude(asset_tag="KUO-4"))
    # Registered after the round, so it was never seen: neither found nor expected.
    billed(school, "KUO-1", today - datetime.timedelta(days=40))


def test_unit_page_shows_the_four_reports_with_their_defaults(principal_client, school,
                                                              findings):
    response = principal_client.get(report_url(school))
    assert response.status_code == 200
    context = response.context
    assert context["limits"] == {"days": 30, "fault_days": 14, "lease_months": 3}
    assert tags(context["unseen"]) == {"KUO-1"}
    assert tags(context["faults"]) == {"KUO-2"}
    assert tags(context["leases"]) == {"KUO-3"}
    assert tags(context["missing"]) == {"KUO-4"}
    assert context["unseen_cost"] == Decimal("12.50")
    assert (context["last_round"].found, context["last_round"].expected_count) == (2, 3)
    device_url = reverse("devices:device", args=[school.slug, "KUO-4"])
    assert f'href="{device_url}"' in response.content.decode()


def test_unit_page_limits_come_from_the_query(principal_client, school, findings):
    response = principal_client.get(report_url(school),
                                    {"days": "60", "fault_days": "30", "lease_months": "1"})
    context = response.context
    assert context["limits"] == {"days": 60, "fault_days": 30, "lease_months": 1}
    assert context["unseen"] == context["faults"] == context["leases"] == []
    assert not context["form"].errors


@pytest.mark.parametrize("bad", ["abc", "-5", "0", "99999999999", "1.5", "1e3"])
def test_bad_limit_falls_back_to_its_default_with_an_error(principal_client, school, findings,
                                                           bad):
    response = principal_client.get(report_url(school), {"days": bad, "fault_days": "30"})
    assert response.status_code == 200
    context = response.context
    assert context["limits"] == {"days": 30, "fault_days": 30, "lease_months": 3}
    assert list(context["form"].errors) == ["days"]
    page = response.content.decode()
    assert 'aria-invalid="true"' in page
    assert 'role="alert"' in page
    # The inputs show what was used: the default for the wrong one, 3 for the missing one.
    assert 'name="days" value="30"' in page
    assert 'name="lease_months" value="3"' in page


def test_empty_limits_mean_the_defaults_without_an_error(principal_client, school):
    response = principal_client.get(report_url(school), {"days": "", "fault_days": ""})
    assert response.context["limits"]["days"] == 30
    assert not response.context["form"].errors


def test_limit_inputs_are_labelled_numbers(principal_client, school):
    page = principal_client.get(report_url(school)).content.decode()
    for name in ("days", "fault_days", "lease_months"):
        assert f'<label for="id_{name}">' in page
        assert f'type="number" name="{name}"' in page


# --- Access ---------------------------------------------------------------------------------

def test_anonymous_user_is_sent_to_log_in(client, school):
    response = client.get(report_url(school))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_viewer_without_manage_rights_sees_the_reports(client, school):
    user = UserFactory()
    assign_perm("units.view_unit", user, school)
    client.force_login(user)
    assert client.get(report_url(school)).status_code == 200


def test_principal_gets_404_for_another_units_reports(principal_client, other_school):
    assert principal_client.get(report_url(other_school)).status_code == 404


# --- The organisation page ------------------------------------------------------------------

def org_url(organisation):
    return reverse("devices:organisation_reports", args=[organisation.slug])


@pytest.fixture
def city(db):
    return OrganisationFactory(name="Kaupunki", slug="kaupunki")


def test_organisation_page_covers_its_units_and_those_below_it_only(client, city):
    region = OrganisationFactory(name="Seutu", slug="seutu", kind=Organisation.Kind.REGION)
    city.parent = region
    city.save()
    neighbour = OrganisationFactory(name="Naapuri", parent=region)
    billed(UnitFactory(organisation=city), "A-1", None)
    billed(UnitFactory(organisation=neighbour), "B-1", None)
    billed(UnitFactory(), "C-1", None)
    user = UserFactory()
    assign_perm("units.view_organisation", user, city)
    client.force_login(user)
    assert tags(client.get(org_url(city)).context["unseen"]) == {"A-1"}
    # The city's grant does not reach up to its region.
    assert client.get(org_url(region)).status_code == 404
    assign_perm("units.view_organisation", user, region)
    assert tags(client.get(org_url(region)).context["unseen"]) == {"A-1", "B-1"}


def test_organisation_page_lists_findings_by_unit_with_links(client, city):
    first = UnitFactory(organisation=city, name="Aapelin koulu", slug="aapeli")
    second = UnitFactory(organisation=city, name="Bertan koulu", slug="bertta")
    UnitFactory(organisation=city, name="Siisti koulu", slug="siisti")
    billed(first, "A-1", None)
    billed(second, "B-1", None)
    DeviceFactory(unit=second, asset_tag="B-2", status=Device.Status.IN_REPAIR,
                  fault_reported_on=timezone.localdate() - datetime.timedelta(days=30))
    user = UserFactory()
    assign_perm("units.view_organisation", user, city)
    client.force_login(user)
    response = client.get(org_url(city), {"days": "x"})
    assert response.status_code == 200
    summary = {row["unit"].slug: (row["unseen"], row["faults"], row["leases"], row["missing"])
               for row in response.context["summary"]}
    assert summary == {"aapeli": (1, 0, 0, 0), "bertta": (1, 1, 0, 0)}
    assert response.context["unit_count"] == 3
    assert "days" in response.context["form"].errors
    page = response.content.decode()
    assert reverse("devices:device_list", args=["bertta"]) in page
    assert reverse("devices:device", args=["bertta", "B-2"]) in page


def test_organisation_page_needs_a_grant_on_the_organisation(client, city):
    unit = UnitFactory(organisation=city)
    user = UserFactory()
    assign_perm("units.view_unit", user, unit)
    client.force_login(user)
    assert client.get(org_url(city)).status_code == 404
    client.logout()
    assert client.get(org_url(city)).status_code == 302


# --- Query counts ---------------------------------------------------------------------------

def populate(unit, n):
    """Give `unit` n devices of each finding, and a closed round that missed some."""
    today = timezone.localdate()
    for i in range(n):
        billed(unit, f"{unit.slug}-U{i}", None, holder=None)
        DeviceFactory(unit=unit, asset_tag=f"{unit.slug}-F{i}", status=Device.Status.IN_REPAIR,
                      fault_reported_on=today - datetime.timedelta(days=30))
        leased(unit, f"{unit.slug}-L{i}", today)
    run_round(unit, found=Device.objects.in_unit(unit)[:n])


# session, user, the user's global permissions (2), unit, its sectors, 4 reports with the
# open loans of their devices (8), last round
UNIT_PAGE_QUERIES = 15
# session, user, organisation, global permissions (2), its grant, units, 4 reports with the
# open loans of their devices (8)
ORG_PAGE_QUERIES = 15


def test_unit_page_queries_stay_flat(client, django_assert_num_queries, db):
    small, large = UnitFactory(), UnitFactory()
    populate(small, 1)
    populate(large, 10)
    user = UserFactory()
    for unit in (small, large):
        assign_perm("units.view_unit", user, unit)
    client.force_login(user)
    for unit in (small, large):
        with django_assert_num_queries(UNIT_PAGE_QUERIES):
            response = client.get(report_url(unit))
        assert response.status_code == 200
    assert len(response.context["missing"]) == 20


def test_organisation_page_queries_stay_flat(client, django_assert_num_queries, db):
    small, large = OrganisationFactory(), OrganisationFactory()
    populate(UnitFactory(organisation=small), 1)
    for _ in range(3):
        populate(UnitFactory(organisation=large), 10)
    user = UserFactory()
    for organisation in (small, large):
        assign_perm("units.view_organisation", user, organisation)
    client.force_login(user)
    for organisation in (small, large):
        with django_assert_num_queries(ORG_PAGE_QUERIES):
            response = client.get(org_url(organisation))
        assert response.status_code == 200
    assert len(response.context["faults"]) == 30
