"""Handing out and collecting by scanning, the session's tally, and the handover receipts."""

from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from guardian.shortcuts import assign_perm

from devices import services
from devices.models import Device, DeviceEvent, Loan
from tests.factories import (
    DeviceFactory,
    OrganisationFactory,
    PersonFactory,
    UnitFactory,
    UserFactory,
)

Status = Device.Status


# The receipts choose their own language (Finnish unless asked), whatever the page's.
pytestmark = pytest.mark.usefixtures("english")


def handout_url(unit, mode="out"):
    return f"{reverse('devices:handout', args=[unit.slug])}?mode={mode}"


def scan(client, unit, *values, mode="out"):
    """Post each of `values` as a scan; return the page the last one leads to."""
    for value in values:
        response = client.post(handout_url(unit, mode), {"scan": value})
        assert response.status_code == 302
        assert response["Location"] == handout_url(unit, mode)
    return client.get(handout_url(unit, mode))


def last_result(response):
    """Return the outcome of the latest scan as the page shows it."""
    return response.context["last"]


@pytest.fixture
def laptop(school):
    return DeviceFactory(unit=school, asset_tag="KUO-00101")


@pytest.fixture
def teacher(school):
    return PersonFactory(organisation=school.organisation, name="Maija Opettaja",
                         email="maija.opettaja@kuopio.fi")


@pytest.fixture
def viewer_client(client, school):
    user = UserFactory(username="katselija")
    assign_perm("units.view_unit", user, school)
    client.force_login(user)
    return client


# Handing out


def test_pupil_code_then_tag_opens_a_loan_and_puts_the_device_in_use(
        principal_client, school, laptop):
    page = scan(principal_client, school, "7a-023")
    assert page.context["holder"].label == "7A-023"
    assert "now scan the device" in page.content.decode()

    page = scan(principal_client, school, "kuo-00101")

    laptop.refresh_from_db()
    assert laptop.status == Status.IN_USE
    assert laptop.pupil_code == "7A-023"
    loan = Loan.objects.open().get(device=laptop)
    assert loan.pupil_code == "7A-023" and loan.holder is None
    assert last_result(page) == {"ok": True, "text": "KUO-00101 handed out to 7A-023."}
    assert page.context["holder"] is None


def test_staff_email_then_tag_hands_the_device_to_the_member_of_staff(
        principal_client, school, laptop, teacher):
    scan(principal_client, school, "Maija.Opettaja@kuopio.fi", laptop.asset_tag)
    laptop.refresh_from_db()
    assert laptop.holder == teacher
    assert Loan.objects.open().get(device=laptop).holder == teacher


def test_staff_of_the_parent_organisation_may_receive_a_device(principal_client, school, laptop):
    region = OrganisationFactory(kind="region")
    school.organisation.parent = region
    school.organisation.save()
    person = PersonFactory(organisation=region, email="seutu@example.fi")
    scan(principal_client, school, "seutu@example.fi", laptop.asset_tag)
    laptop.refresh_from_db()
    assert laptop.holder == person


def test_staff_of_another_organisation_is_not_found(principal_client, school, laptop):
    PersonFactory(email="muualla@example.fi")
    page = scan(principal_client, school, "muualla@example.fi")
    assert page.context["holder"] is None
    assert last_result(page)["ok"] is False
    assert "muualla@example.fi" in last_result(page)["text"]


def test_an_email_scanned_while_a_pupil_waits_takes_the_pupils_place(
        principal_client, school, laptop, teacher):
    scan(principal_client, school, "7A-023", teacher.email, laptop.asset_tag)
    laptop.refresh_from_db()
    assert laptop.holder == teacher and laptop.pupil_code == ""


def test_a_name_is_refused_as_a_pupil_code_and_not_repeated(principal_client, school):
    page = scan(principal_client, school, "Matti Meikäläinen")
    assert page.context["holder"] is None
    assert last_result(page)["ok"] is False
    assert "looks like a name" in last_result(page)["text"]
    assert "Meikäläinen" not in page.content.decode()
    assert "Meikäläinen" not in str(dict(principal_client.session))


def test_a_device_tag_scanned_first_is_not_taken_for_a_pupil(principal_client, school, laptop):
    page = scan(principal_client, school, laptop.asset_tag)
    assert page.context["holder"] is None
    assert last_result(page)["text"] == "KUO-00101 is a device: scan the holder first."


def test_a_labels_qr_code_scans_as_its_tag(principal_client, school, laptop):
    label_url = "http://testserver" + reverse("devices:device", args=[school.slug, "KUO-00101"])
    page = scan(principal_client, school, label_url)
    assert last_result(page)["text"] == "KUO-00101 is a device: scan the holder first."
    scan(principal_client, school, "7A-023", label_url)
    laptop.refresh_from_db()
    assert laptop.pupil_code == "7A-023"


# Refusals


def test_unknown_tag_is_refused_and_the_holder_still_waits(principal_client, school):
    page = scan(principal_client, school, "7A-023", "KUO-99999")
    assert last_result(page) == {"ok": False,
                                 "text": "No device tagged KUO-99999 in this unit."}
    assert page.context["holder"].label == "7A-023"


def test_another_units_tag_is_refused_exactly_like_an_unknown_one(
        principal_client, school, other_school):
    DeviceFactory(unit=other_school, asset_tag="TOI-00001")
    page = scan(principal_client, school, "7A-023", "TOI-00001")
    assert last_result(page) == {"ok": False,
                                 "text": "No device tagged TOI-00001 in this unit."}
    assert other_school.name not in page.content.decode()
    assert not Loan.objects.exists()


def test_retired_tag_is_refused(principal_client, school, laptop):
    services.device_retire(device=laptop, by=None)
    page = scan(principal_client, school, "7A-023", laptop.asset_tag)
    assert last_result(page)["ok"] is False
    assert "KUO-00101 is retired" in last_result(page)["text"]
    assert not Loan.objects.exists()


def test_a_tag_already_out_names_who_has_it(principal_client, school, laptop):
    services.device_check_out(device=laptop, by=None, pupil_code="7B-001")
    page = scan(principal_client, school, "7A-023", laptop.asset_tag)
    assert last_result(page) == {"ok": False,
                                 "text": "KUO-00101 is already checked out to 7B-001."}
    assert Loan.objects.open().get(device=laptop).pupil_code == "7B-001"


def test_a_failure_on_the_third_pair_leaves_the_first_two_saved(
        principal_client, school, monkeypatch):
    first, second, third = (DeviceFactory(unit=school) for _ in range(3))
    real_event = services._event

    def event_failing_for_third(device, kind, by, **details):
        if device.pk == third.pk:
            raise RuntimeError("The database went away.")
        return real_event(device, kind, by, **details)

    monkeypatch.setattr(services, "_event", event_failing_for_third)
    scan(principal_client, school, "7A-001", first.asset_tag, "7A-002", second.asset_tag,
         "7A-003")
    with pytest.raises(RuntimeError):
        principal_client.post(handout_url(school), {"scan": third.asset_tag})

    assert set(Loan.objects.values_list("device__asset_tag", "pupil_code")) == {
        (first.asset_tag, "7A-001"), (second.asset_tag, "7A-002")}
    third.refresh_from_db()
    assert third.status == Status.IN_STOCK and third.pupil_code == ""
    assert not DeviceEvent.objects.filter(device=third, kind="checked_out").exists()


# Collecting


def test_collect_mode_returns_the_device_and_ends_the_loan(principal_client, school, laptop):
    services.device_check_out(device=laptop, by=None, pupil_code="7A-023")
    page = scan(principal_client, school, laptop.asset_tag, mode="in")
    laptop.refresh_from_db()
    assert laptop.status == Status.IN_STOCK and laptop.pupil_code == ""
    loan = Loan.objects.get(device=laptop)
    assert loan.returned_at is not None
    assert last_result(page) == {"ok": True, "text": "KUO-00101 collected from 7A-023."}
    assert page.context["tally"]["collected"] == [{"tag": "KUO-00101", "label": "7A-023"}]


def test_collecting_a_device_that_is_not_out_says_so(principal_client, school, laptop):
    page = scan(principal_client, school, laptop.asset_tag, mode="in")
    assert last_result(page) == {"ok": False, "text": "KUO-00101 is not checked out."}


def test_collect_mode_shows_no_pending_holder(principal_client, school):
    scan(principal_client, school, "7A-023")
    page = principal_client.get(handout_url(school, "in"))
    assert page.context["holder"] is None
    assert page.context["mode"] == "in"


# The tally


def test_the_tally_counts_pairs_per_holder_and_refusals(principal_client, school, teacher):
    devices = [DeviceFactory(unit=school) for _ in range(3)]
    page = scan(principal_client, school,
                "7A-023", devices[0].asset_tag,
                "7A-023", devices[1].asset_tag,
                teacher.email, devices[2].asset_tag,
                "7A-024", "KUO-99999")
    tally = page.context["tally"]
    assert tally["pairs"] == 3
    assert [(entry["label"], entry["tags"]) for entry in tally["holders"]] == [
        ("7A-023", [devices[0].asset_tag, devices[1].asset_tag]),
        (teacher.name, [devices[2].asset_tag]),
    ]
    assert tally["error_count"] == 1
    assert tally["errors"] == ["No device tagged KUO-99999 in this unit."]
    today = timezone.localdate().isoformat()
    receipt = reverse("devices:receipt", args=[school.slug])
    content = page.content.decode()
    assert f"{receipt}?holder=7A-023&amp;date={today}&amp;lang=fi" in content
    assert f"{receipt}?holder=maija.opettaja%40kuopio.fi&amp;date={today}&amp;lang=sv" in content


def test_reset_clears_the_tally_but_not_the_loans(principal_client, school, laptop):
    scan(principal_client, school, "7A-023", laptop.asset_tag, "7A-024")
    principal_client.post(handout_url(school), {"action": "reset"})
    page = principal_client.get(handout_url(school))
    assert page.context["tally"]["pairs"] == 0
    assert page.context["holder"] is None
    assert Loan.objects.open().filter(device=laptop).exists()


def test_cancel_forgets_the_pending_holder(principal_client, school):
    scan(principal_client, school, "7A-023")
    principal_client.post(handout_url(school), {"action": "cancel"})
    assert principal_client.get(handout_url(school)).context["holder"] is None


def test_each_unit_has_its_own_tally(principal_client, principal, school, organisation):
    second = UnitFactory(organisation=organisation)
    assign_perm("units.manage_devices", principal, second)
    scan(principal_client, school, "7A-023")
    assert principal_client.get(handout_url(second)).context["holder"] is None


def test_the_page_has_one_autofocused_scan_input(principal_client, school):
    content = principal_client.get(handout_url(school)).content.decode()
    assert content.count('name="scan"') == 1
    assert 'id="scan" name="scan" autofocus autocomplete="off"' in content
    assert '<label for="scan">' in content


# Receipts


def long_date(day, language):
    """Return `day` as a receipt in `language` writes it."""
    with translation.override(language):
        return date_format(day, "DATE_FORMAT")


def receipt_url(unit, **query):
    return f"{reverse('devices:receipt', args=[unit.slug])}?{urlencode(query)}"


@pytest.fixture
def handed_out_today(school, other_school, teacher):
    """Devices handed out today to 7A-023, another pupil and a teacher; one yesterday."""
    mine = [DeviceFactory(unit=school, asset_tag=f"KUO-0020{n}", model=f"Malli {n}")
            for n in range(2)]
    for device in mine:
        services.device_check_out(device=device, by=None, pupil_code="7A-023",
                                  condition="uusi")
    services.device_check_out(device=DeviceFactory(unit=school, asset_tag="KUO-00210"),
                              by=None, pupil_code="7A-024")
    services.device_check_out(device=DeviceFactory(unit=school, asset_tag="KUO-00220"),
                              by=None, holder=teacher)
    yesterday = DeviceFactory(unit=school, asset_tag="KUO-00230")
    Loan.objects.create(device=yesterday, pupil_code="7A-023",
                        checked_out_at=timezone.now() - timedelta(days=1))
    elsewhere = DeviceFactory(unit=other_school, asset_tag="TOI-00240")
    services.device_check_out(device=elsewhere, by=None, pupil_code="7A-023")
    return mine


def test_receipt_lists_exactly_that_holders_devices_of_that_day(
        principal_client, school, handed_out_today):
    response = principal_client.get(receipt_url(
        school, holder="7a-023", date=timezone.localdate().isoformat()))
    assert response.status_code == 200
    content = response.content.decode()
    for tag in ("KUO-00200", "KUO-00201", "Malli 0", "uusi"):
        assert tag in content
    for tag in ("KUO-00210", "KUO-00220", "KUO-00230", "TOI-00240"):
        assert tag not in content
    assert content.count('class="receipt"') == 1


def test_receipt_of_another_day_lists_that_days_devices(principal_client, school,
                                                        handed_out_today):
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    content = principal_client.get(receipt_url(school, holder="7A-023", date=yesterday)
                                   ).content.decode()
    assert "KUO-00230" in content and "KUO-00200" not in content


def test_receipt_of_a_member_of_staff_shows_the_name(principal_client, school, teacher,
                                                     handed_out_today):
    content = principal_client.get(receipt_url(school, holder=teacher.email)).content.decode()
    assert "Maija Opettaja" in content and "KUO-00220" in content
    assert "KUO-00200" not in content
    assert "Guardian" not in content


def test_receipt_is_finnish_by_default(principal_client, school, handed_out_today):
    content = principal_client.get(receipt_url(school, holder="7A-023")).content.decode()
    assert '<article class="receipt" lang="fi">' in content
    assert "Inventaariotunnus" in content and "Oppilaan kannettava" in content
    assert long_date(timezone.localdate(), "fi") in content


def test_receipt_in_swedish(principal_client, school, handed_out_today):
    content = principal_client.get(receipt_url(school, holder="7A-023", lang="sv")
                                   ).content.decode()
    assert '<article class="receipt" lang="sv">' in content
    for word in ("Kvitto på överlämnad utrustning", "Inventarienummer",
                 "Elevens bärbara dator", "Vårdnadshavare: underskrift", "Elevkod"):
        assert word in content
    assert long_date(timezone.localdate(), "sv") in content
    # The page around the receipt stays in the user's language.
    assert "Device register" in content


def test_receipt_refuses_other_languages(principal_client, school, handed_out_today):
    content = principal_client.get(receipt_url(school, holder="7A-023", lang="de")
                                   ).content.decode()
    assert '<article class="receipt" lang="fi">' in content


def test_all_receipts_of_the_day_print_one_per_holder(principal_client, school,
                                                      handed_out_today):
    content = principal_client.get(receipt_url(school)).content.decode()
    assert content.count('class="receipt"') == 3
    assert "TOI-00240" not in content


def test_receipt_with_a_bad_date_is_not_found(principal_client, school):
    assert principal_client.get(receipt_url(school, date="2026-13-40")).status_code == 404


# Who may


@pytest.mark.parametrize("name", ["handout", "receipt"])
def test_anonymous_user_is_sent_to_login(client, school, name):
    response = client.get(reverse(f"devices:{name}", args=[school.slug]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", ["handout", "receipt"])
def test_viewer_without_device_management_gets_404(viewer_client, school, name):
    assert viewer_client.get(reverse(f"devices:{name}", args=[school.slug])).status_code == 404


def test_viewer_cannot_scan(viewer_client, school, laptop):
    response = viewer_client.post(handout_url(school), {"scan": "7A-023"})
    assert response.status_code == 404
    assert not Loan.objects.exists()


@pytest.mark.parametrize("name", ["handout", "receipt"])
def test_principal_gets_404_for_other_units(principal_client, other_school, name):
    url = reverse(f"devices:{name}", args=[other_school.slug])
    assert principal_client.get(url).status_code == 404


# Queries


def test_receipts_take_the_same_queries_for_any_number_of_holders(principal_client, school):
    def receipts_page():
        with CaptureQueriesContext(connection) as queries:
            response = principal_client.get(receipt_url(school))
        return response, len(queries.captured_queries)

    services.device_check_out(device=DeviceFactory(unit=school), by=None, pupil_code="7A-001")
    _response, few = receipts_page()
    for n in range(12):
        services.device_check_out(device=DeviceFactory(unit=school), by=None,
                                  pupil_code=f"7A-1{n:02d}")
    response, many = receipts_page()
    assert response.content.decode().count('class="receipt"') == 13
    assert many == few


def test_the_scanning_page_takes_the_same_queries_however_long_the_tally(
        principal_client, school):
    def page_queries():
        with CaptureQueriesContext(connection) as queries:
            principal_client.get(handout_url(school))
        return len(queries.captured_queries)

    few = page_queries()
    for n in range(10):
        scan(principal_client, school, f"7A-1{n:02d}", DeviceFactory(unit=school).asset_tag)
    assert page_queries() == few
