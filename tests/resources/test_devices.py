"""The admin's export of the device register: the import's columns, re-importable unchanged."""

from datetime import date
from decimal import Decimal

import pytest

from devices.models import ChargingCart, Device
from devices.resources import DeviceResource, headers
from devices.services import devices_import
from tests.factories import DeviceFactory, PersonFactory
from units.resources import CSV, XLSX


@pytest.fixture
def devices(school):
    """Return devices with a holder, a cart slot, a lease and a formula in their notes."""
    teacher = PersonFactory(organisation=school.organisation, email="opettaja@kuopio.fi")
    cart = ChargingCart.objects.create(unit=school, name="Vaunu 1")
    return [
        DeviceFactory(unit=school, asset_tag="KUO-1", holder=teacher, status="in_use",
                      ownership="leased", lease_ends_on=date(2027, 7, 31), billed_monthly=True,
                      monthly_cost=Decimal("-1.50"), notes="=1+1"),
        DeviceFactory(unit=school, asset_tag="KUO-2", cart=cart, cart_slot=3, number="12",
                      last_seen=date(2025, 5, 2)),
        DeviceFactory(unit=school, asset_tag="KUO-3", pupil_code="7A-12", use="pupil"),
    ]


def test_admin_export_has_the_columns_of_the_import(devices):
    dataset = DeviceResource().export()

    assert dataset.headers == headers()
    first = dict(zip(dataset.headers, dataset[0], strict=True))
    assert (first["unit"], first["holder email"], first["lease ends"],
            first["monthly cost (€)"]) == ("kalevalan-koulu", "opettaja@kuopio.fi",
                                           "2027-07-31", "-1.50")


@pytest.mark.parametrize("file_format, extension", [(CSV, "csv"), (XLSX, "xlsx")],
                         ids=["csv", "xlsx"])
def test_admin_export_reimports_unchanged_and_defuses_formulas(devices, file_format, extension):
    before = list(Device.objects.values())
    dataset = DeviceResource().export()
    data = file_format(encoding="utf-8-sig").export_data(dataset)
    if isinstance(data, str):
        assert "'=1+1" in data and "'-1.50" in data
        data = data.encode("utf-8-sig")

    plan = devices_import(data=data, name=f"devices.{extension}")

    assert plan.is_valid, plan.problems
    assert plan.unchanged == len(devices)
    assert list(Device.objects.values()) == before


def test_device_resource_leaves_imports_to_the_importer(db):
    with pytest.raises(NotImplementedError):
        DeviceResource().import_data(DeviceResource().export())
