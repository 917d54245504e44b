"""The device register re-imported by asset tag."""

import tablib

from devices.models import Device
from devices.resources import DeviceResource
from tests.factories import DeviceFactory, PersonFactory
from tests.resources.conftest import invalid_lines, through_file

HEADERS = ["asset tag", "unit", "category", "model", "serial number", "status", "holder"]


def test_device_import_updates_by_asset_tag(school):
    teacher = PersonFactory(organisation=school.organisation, email="opettaja@kuopio.fi")
    DeviceFactory(unit=school, asset_tag="KUO-1", serial_number="SN1")
    dataset = tablib.Dataset(
        ["KUO-1", "kalevalan-koulu", "teacher_laptop", "HP 840", "SN1", "in_use",
         "Opettaja@kuopio.fi"],
        ["KUO-2", "kalevalan-koulu", "projector", "Epson", "", "", ""],
        headers=HEADERS)

    result = DeviceResource().import_data(dataset)

    assert (result.totals["update"], result.totals["new"]) == (1, 1)
    device = Device.objects.get(asset_tag="KUO-1")
    assert (device.category, device.status, device.holder) == ("teacher_laptop", "in_use", teacher)
    assert Device.objects.get(asset_tag="KUO-2").status == "in_stock"


def test_device_import_reports_unknown_unit_and_taken_serial_number(school):
    DeviceFactory(unit=school, asset_tag="KUO-1", serial_number="SN1")
    dataset = tablib.Dataset(["KUO-2", "kalevalan-koulu", "tablet", "iPad", "SN2", "", ""],
                             ["KUO-3", "atlantis", "tablet", "iPad", "SN1", "", ""],
                             headers=HEADERS)

    result = DeviceResource().import_data(dataset)

    errors = invalid_lines(result)
    assert list(errors) == [3]
    assert errors[3]["unit"] == ["Unknown unit: atlantis."]
    assert Device.objects.count() == 1


def test_device_register_round_trips_through_csv(school):
    DeviceFactory.create_batch(3, unit=school)
    before = list(Device.objects.values())

    result = DeviceResource().import_data(through_file(DeviceResource().export(), "csv"))

    assert result.totals["skip"] == 3
    assert list(Device.objects.values()) == before
