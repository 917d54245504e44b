"""Exporting the device register: streamed, formulas defused, and re-importable unchanged."""

import csv
import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.conf import settings
from django.db import connection
from django.http import FileResponse, StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from guardian.shortcuts import assign_perm

from devices.models import ChargingCart, Device, Loan
from devices.resources import headers
from devices.services import devices_import
from tests.factories import DeviceFactory, PersonFactory, UnitFactory, UserFactory

FORMULAS = ['=HYPERLINK("http://example.com")', "+1+1", "-2+3", "@SUM(A1:A2)"]


pytestmark = pytest.mark.usefixtures("english")


def unit_url(unit, fmt="csv"):
    return reverse("devices:unit_export", args=[unit.slug, fmt])


def organisation_url(organisation, fmt="csv"):
    return reverse("devices:organisation_export", args=[organisation.slug, fmt])


def content(response):
    """Return the bytes of a streamed or plain response."""
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def csv_rows(response):
    """Return the rows of a CSV download (the header first)."""
    text = content(response).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def xlsx_rows(response_or_data):
    """Return the rows of an Excel download (the header first) and its cells."""
    data = response_or_data
    if not isinstance(data, bytes):
        data = content(response_or_data)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)], [
        cell for row in sheet.iter_rows() for cell in row]


@pytest.fixture
def register(school, organisation):
    """Return devices with every column filled in, and one with nothing but its keys."""
    teacher = PersonFactory(organisation=organisation, email="opettaja@kuopio.fi")
    cart = ChargingCart.objects.create(unit=school, name="Vaunu 1", slots=30)
    return [
        DeviceFactory(unit=school, asset_tag="KUO-1", category="teacher_laptop",
                      manufacturer="HP", model="EliteBook 840", number="1", use="staff",
                      location="Opettajainhuone", ownership="leased",
                      lease_ends_on=date(2027, 7, 31), billed_monthly=True,
                      monthly_cost=Decimal("24.90"), status="in_use", holder=teacher,
                      last_seen=date(2025, 5, 2), notes="Laturi\nvaihdettu; \"uusi\""),
        DeviceFactory(unit=school, asset_tag="KUO-2", use="pupil", pupil_code="7A-12",
                      status="in_use", notes=FORMULAS[0], model=FORMULAS[1]),
        DeviceFactory(unit=school, asset_tag="KUO-3", use="shared", cart=cart, cart_slot=4,
                      manufacturer=FORMULAS[2], location=FORMULAS[3]),
        DeviceFactory(unit=school, asset_tag="KUO-4", serial_number="", model=""),
    ]


def test_unit_csv_export_streams_every_column_with_a_byte_order_mark(principal_client,
                                                                      register):
    response = principal_client.get(unit_url(register[0].unit))

    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="laiterekisteri-kalevalan-koulu-{today}.csv"')
    header, first, *rest = csv_rows(response)
    assert header == headers()
    assert dict(zip(header, first, strict=True)) == {
        "unit": "kalevalan-koulu", "category": "teacher_laptop", "asset tag": "KUO-1",
        "serial number": register[0].serial_number, "manufacturer": "HP",
        "model": "EliteBook 840", "school number": "1", "use": "staff",
        "location": "Opettajainhuone", "ownership": "leased", "lease ends": "2027-07-31",
        "billed monthly": "yes", "monthly cost (€)": "24.90", "status": "in_use",
        "holder email": "opettaja@kuopio.fi", "pupil code": "", "charging cart": "",
        "cart slot": "", "last seen in use": "2025-05-02",
        "notes": "Laturi\nvaihdettu; \"uusi\""}
    assert [cells[2] for cells in rest] == ["KUO-2", "KUO-3", "KUO-4"]


def test_xlsx_export_is_a_file_response_with_typed_cells(principal_client, register):
    response = principal_client.get(unit_url(register[0].unit, "xlsx"))

    assert isinstance(response, FileResponse)
    assert response["Content-Disposition"].startswith(
        'attachment; filename="laiterekisteri-kalevalan-koulu-')
    rows, _cells = xlsx_rows(response)
    assert rows[0] == headers()
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["lease ends"].date() == date(2027, 7, 31)
    assert first["monthly cost (€)"] == pytest.approx(24.9)
    assert dict(zip(rows[0], rows[3], strict=True))["cart slot"] == 4


def test_csv_export_defuses_formulas(principal_client, register):
    rows = csv_rows(principal_client.get(unit_url(register[0].unit)))

    cells = [cell for cells in rows for cell in cells]
    for formula in FORMULAS:
        assert f"'{formula}" in cells
        assert formula not in cells


def test_xlsx_export_writes_formulas_as_text(principal_client, register):
    rows, cells = xlsx_rows(principal_client.get(unit_url(register[0].unit, "xlsx")))

    assert not [cell.value for cell in cells if cell.data_type == "f"]
    values = {value for cells in rows for value in cells}
    assert {f"'{formula}" for formula in FORMULAS} <= values


def snapshot():
    """Return every device as plain values, leaving out when it was saved, and its holder."""
    devices = sorted(tuple(values.items()) for values in
                     Device.objects.values().order_by("asset_tag")
                     .values(*[field.attname for field in Device._meta.concrete_fields
                               if field.name not in ("id", "created_at", "updated_at")]))
    holders = sorted(Loan.objects.open().values_list("device__asset_tag", "holder", "pupil_code"))
    return devices, holders


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_reimports_unchanged(principal_client, register, fmt):
    before = snapshot()
    data = content(principal_client.get(unit_url(register[0].unit, fmt)))

    plan = devices_import(data=data, name=f"laitteet.{fmt}")

    assert plan.is_valid, plan.problems
    assert (len(plan.new), len(plan.changed), plan.unchanged) == (0, 0, len(register))
    assert snapshot() == before


def test_a_finnish_export_reimports_unchanged_in_any_language(principal_client, register):
    before = snapshot()
    del principal_client.cookies[settings.LANGUAGE_COOKIE_NAME]  # Finnish, the default
    data = content(principal_client.get(unit_url(register[0].unit)))
    assert data.decode("utf-8").startswith("\ufeffyksikkö,")

    with translation.override("sv"):
        plan = devices_import(data=data, name="laitteet.csv")

    assert plan.is_valid, plan.problems
    assert plan.unchanged == len(register)
    assert snapshot() == before


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_into_an_empty_register_recreates_it(principal_client, register, fmt):
    before = snapshot()
    data = content(principal_client.get(unit_url(register[0].unit, fmt)))
    # They have no events yet, so they may go, with the loans the fixture opened.
    Loan.objects.all().delete()
    Device.objects.all().delete()

    plan = devices_import(data=data, name=f"laitteet.{fmt}")

    assert len(plan.new) == len(register)
    assert snapshot() == before


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("scope", ["unit", "organisation"])
def test_export_runs_as_many_queries_for_fifty_devices_as_for_five(client, school, superuser,
                                                                   scope, fmt):
    client.force_login(superuser)
    cart = ChargingCart.objects.create(unit=school, name="Vaunu", slots=100)
    holder = PersonFactory(organisation=school.organisation)
    url = (unit_url(school, fmt) if scope == "unit"
           else organisation_url(school.organisation, fmt))

    def count_queries():
        """Return how many queries the whole download runs, and its row count."""
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
            data = content(response)
        rows = (data.decode("utf-8").count("KUO-") if fmt == "csv"
                else len(xlsx_rows(data)[0]) - 1)
        return len(queries), rows

    def add(count):
        for _n in range(count):
            slot = Device.objects.count() + 1
            DeviceFactory(unit=school, holder=holder, cart=cart, cart_slot=slot)

    add(5)
    five = count_queries()
    add(45)
    fifty = count_queries()
    assert (five[1], fifty[1]) == (5, 50)
    assert fifty[0] == five[0]


def test_unknown_format_is_not_found(principal_client, school):
    assert principal_client.get(unit_url(school, "pdf")).status_code == 404


def test_anonymous_user_is_sent_to_log_in(client, school):
    for url in (unit_url(school), organisation_url(school.organisation)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_principal_gets_404_for_other_units_export(principal_client, other_school):
    DeviceFactory(unit=other_school)

    assert principal_client.get(unit_url(other_school)).status_code == 404
    assert principal_client.get(unit_url(other_school, "xlsx")).status_code == 404


def test_organisation_export_needs_an_organisation_grant(principal_client, school):
    DeviceFactory(unit=school)

    assert principal_client.get(organisation_url(school.organisation)).status_code == 404


def test_organisation_export_holds_the_devices_of_its_units_and_those_below(client, school,
                                                                            organisation):
    child = UnitFactory(organisation=UnitFactory().organisation)
    child.organisation.parent = organisation
    child.organisation.save()
    DeviceFactory(unit=school, asset_tag="KUO-1")
    DeviceFactory(unit=child, asset_tag="ALA-1")
    DeviceFactory(unit=UnitFactory(), asset_tag="MUU-1")
    user = UserFactory()
    assign_perm("units.view_organisation", user, organisation)
    client.force_login(user)

    rows = csv_rows(client.get(organisation_url(organisation)))

    assert sorted(cells[2] for cells in rows[1:]) == ["ALA-1", "KUO-1"]
