"""Devices: the register's constraints and its permission-scoped queries."""

import pytest
from django.db import IntegrityError

from tests.factories import DeviceFactory


def test_asset_tag_is_unique(school):
    DeviceFactory(unit=school, asset_tag="KUO-1")
    with pytest.raises(IntegrityError):
        DeviceFactory(unit=school, asset_tag="KUO-1")


def test_serial_number_is_unique_where_given(school):
    DeviceFactory(unit=school, serial_number="")
    DeviceFactory(unit=school, serial_number="")
    DeviceFactory(unit=school, serial_number="ABC")
    with pytest.raises(IntegrityError):
        DeviceFactory(unit=school, serial_number="ABC")


def test_holder_must_work_in_the_units_organisation(school):
    from django.core.exceptions import ValidationError

    from tests.factories import PersonFactory

    device = DeviceFactory(unit=school)
    with pytest.raises(ValidationError) as error:
        device.check_out(holder=PersonFactory())
    assert "holder" in error.value.message_dict
    assert not device.is_out
    loan = device.check_out(holder=PersonFactory(organisation=school.organisation))
    assert device.open_loan is loan and device.status == device.Status.IN_USE


def test_asset_tag_is_normalised_by_clean(school):
    device = DeviceFactory.build(unit=school, asset_tag=" kuo-7 ")
    device.full_clean()
    assert device.asset_tag == "KUO-7"
