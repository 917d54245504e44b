"""A device's life through devices.services: each step checked, logged once, all or nothing."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from devices import services
from devices.models import Device, DeviceEvent, Loan
from tests.factories import ChargingCartFactory, DeviceFactory, PersonFactory, UserFactory

Status = Device.Status
Kind = DeviceEvent.Kind


@pytest.fixture
def manager(db):
    return UserFactory(username="laitevastaava", first_name="Leena", last_name="Laitinen")


@pytest.fixture
def device(school):
    return DeviceFactory(unit=school, asset_tag="KUO-1")


@pytest.fixture
def teacher(school):
    return PersonFactory(organisation=school.organisation, name="Olli Opettaja")


@pytest.fixture
def checked_out_device(device, teacher, manager):
    return services.device_check_out(device=device, by=manager, holder=teacher)


@pytest.fixture
def retired_device(device, manager):
    return services.device_retire(device=device, by=manager)


@pytest.fixture
def cart(school):
    return ChargingCartFactory(unit=school, name="Vaunu 1", slots=10)


def fresh(device):
    return Device.objects.get(pk=device.pk)


# Checking out and returning


def test_check_out_to_staff_opens_a_loan(device, teacher, manager):
    services.device_check_out(device=device, by=manager, holder=teacher, condition="ehjä")
    device = fresh(device)
    assert (device.status, device.holder, device.pupil_code) == (Status.IN_USE, teacher, "")
    loan = Loan.objects.open().get(device=device)
    assert (loan.holder, loan.condition_out) == (teacher, "ehjä")


def test_check_out_to_a_pupil_keeps_only_the_code(device, manager):
    services.device_check_out(device=device, by=manager, pupil_code=" 7a-0412 ")
    device = fresh(device)
    assert (device.holder, device.pupil_code) == (None, "7A-0412")
    assert Loan.objects.open().get(device=device).pupil_code == "7A-0412"


@pytest.mark.parametrize("leave", [services.device_retire, services.device_hand_on,
                                   services.device_mark_lost])
def test_no_check_out_of_a_device_that_has_left(device, teacher, manager, leave):
    leave(device=device, by=manager, note="pois")
    with pytest.raises(ValidationError):
        services.device_check_out(device=device, by=manager, holder=teacher)
    assert not Loan.objects.filter(device=device).exists()


def test_no_check_out_of_a_device_already_out(checked_out_device, manager, school):
    other = PersonFactory(organisation=school.organisation)
    with pytest.raises(ValidationError):
        services.device_check_out(device=checked_out_device, by=manager, holder=other)
    with pytest.raises(ValidationError):
        services.device_check_out(device=checked_out_device, by=manager, pupil_code="7A-1")
    assert fresh(checked_out_device).holder.name == "Olli Opettaja"
    assert Loan.objects.filter(device=checked_out_device).count() == 1


def test_the_database_refuses_two_open_loans(checked_out_device, teacher):
    with pytest.raises(IntegrityError), transaction.atomic():
        Loan.objects.create(device=checked_out_device, holder=teacher)


def test_check_out_needs_exactly_one_holder(device, teacher, manager):
    with pytest.raises(ValidationError):
        services.device_check_out(device=device, by=manager)
    with pytest.raises(ValidationError):
        services.device_check_out(device=device, by=manager, holder=teacher, pupil_code="7A-1")


def test_return_ends_the_open_loan(checked_out_device, manager):
    services.device_return(device=checked_out_device, by=manager, condition="naarmu")
    device = fresh(checked_out_device)
    assert (device.status, device.holder, device.pupil_code) == (Status.IN_STOCK, None, "")
    loan = Loan.objects.get(device=device)
    assert loan.returned_at is not None
    assert loan.condition_in == "naarmu"
    assert not Loan.objects.open().exists()


def test_return_of_a_device_not_out_is_refused(device, manager):
    with pytest.raises(ValidationError):
        services.device_return(device=device, by=manager)


# Pupil codes


@pytest.mark.parametrize("name", ["Matti Meikäläinen", "Matti", "matti.meikalainen"])
def test_a_pupil_code_refuses_a_name(device, manager, name):
    with pytest.raises(ValidationError) as error:
        services.device_check_out(device=device, by=manager, pupil_code=name)
    assert "pupil_code" in error.value.message_dict
    assert fresh(device).pupil_code == ""


# Carts


def test_no_two_devices_in_one_slot_in_the_database(school, cart):
    DeviceFactory(unit=school, cart=cart, cart_slot=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        DeviceFactory(unit=school, cart=cart, cart_slot=3)


def test_no_two_devices_in_one_slot_through_a_move(school, cart, device, manager):
    DeviceFactory(unit=school, cart=cart, cart_slot=3)
    with pytest.raises(ValidationError):
        services.device_move(device=device, by=manager, cart=cart, cart_slot=3)
    assert fresh(device).cart is None


def test_a_slot_beyond_the_carts_size_is_refused(cart, device, manager):
    with pytest.raises(ValidationError) as error:
        services.device_move(device=device, by=manager, cart=cart, cart_slot=11)
    assert "cart_slot" in error.value.message_dict
    services.device_move(device=device, by=manager, cart=cart, cart_slot=10)
    assert fresh(device).cart_slot == 10


def test_a_cart_of_another_unit_is_refused(other_school, device, manager):
    elsewhere = ChargingCartFactory(unit=other_school)
    with pytest.raises(ValidationError):
        services.device_move(device=device, by=manager, cart=elsewhere, cart_slot=1)


def test_no_cart_takes_the_device_out_of_its_cart(cart, device, manager):
    services.device_move(device=device, by=manager, cart=cart, cart_slot=4)
    services.device_move(device=device, by=manager, cart=None)
    device = fresh(device)
    assert (device.cart, device.cart_slot) == (None, None)


def test_a_slot_without_a_cart_is_refused_by_the_models_rule(cart, device, manager):
    with pytest.raises(ValidationError) as error:
        services.device_move(device=device, by=manager, cart=None, cart_slot=4)
    assert list(error.value.message_dict) == ["cart_slot"]


def test_moving_to_another_unit_leaves_the_cart(cart, device, manager, other_school):
    services.device_move(device=device, by=manager, cart=cart, cart_slot=1)
    services.device_move(device=device, by=manager, unit=other_school, location="Varasto")
    device = fresh(device)
    assert (device.unit, device.cart, device.location) == (other_school, None, "Varasto")
    event = device.events.first()
    assert (event.kind, event.from_unit, event.to_unit) == (Kind.MOVED, cart.unit, other_school)


def test_a_device_out_does_not_move_to_another_unit(checked_out_device, manager, other_school):
    with pytest.raises(ValidationError):
        services.device_move(device=checked_out_device, by=manager, unit=other_school)
    assert fresh(checked_out_device).unit_id != other_school.pk


# Faults


def test_a_fault_and_its_repair(device, manager):
    services.device_report_fault(device=device, by=manager, ticket=" HD-123 ", note="Ei käynnisty")
    device = fresh(device)
    assert (device.status, device.fault_ticket) == (Status.IN_REPAIR, "HD-123")
    assert device.fault_reported_on is not None
    with pytest.raises(ValidationError):
        services.device_report_fault(device=device, by=manager, ticket="HD-124")
    services.device_mark_repaired(device=device, by=manager, note="Akku vaihdettu")
    device = fresh(device)
    assert (device.status, device.fault_ticket, device.fault_reported_on) == (
        Status.IN_STOCK, "", None)
    kinds = list(device.events.values_list("kind", "ticket"))
    assert kinds[:2] == [(Kind.REPAIRED, "HD-123"), (Kind.FAULT_REPORTED, "HD-123")]


def test_a_device_in_repair_is_not_checked_out(device, teacher, manager):
    services.device_report_fault(device=device, by=manager, ticket="HD-1")
    with pytest.raises(ValidationError):
        services.device_check_out(device=device, by=manager, holder=teacher)


def test_a_repaired_device_someone_has_goes_back_in_use(checked_out_device, manager):
    services.device_report_fault(device=checked_out_device, by=manager, ticket="HD-2")
    services.device_mark_repaired(device=checked_out_device, by=manager)
    assert fresh(checked_out_device).status == Status.IN_USE


def test_repair_without_a_fault_is_refused(device, manager):
    with pytest.raises(ValidationError):
        services.device_mark_repaired(device=device, by=manager)


# Leaving the register


def test_retire_refuses_while_checked_out(checked_out_device, manager):
    with pytest.raises(ValidationError):
        services.device_retire(device=checked_out_device, by=manager)
    assert fresh(checked_out_device).status == Status.IN_USE


def test_retire_empties_the_slot(cart, device, manager):
    services.device_move(device=device, by=manager, cart=cart, cart_slot=2)
    services.device_retire(device=device, by=manager, note="Emolevy")
    device = fresh(device)
    assert (device.status, device.cart, device.cart_slot) == (Status.RETIRED, None, None)


def test_a_retired_device_is_not_retired_again(retired_device, manager):
    with pytest.raises(ValidationError):
        services.device_retire(device=retired_device, by=manager)


def test_lost_ends_the_loan(checked_out_device, manager):
    services.device_mark_lost(device=checked_out_device, by=manager)
    device = fresh(checked_out_device)
    assert (device.status, device.holder) == (Status.LOST, None)
    assert not Loan.objects.open().exists()


# The log


def _check_out(device, by, teacher):
    services.device_check_out(device=device, by=by, holder=teacher)


def _report_fault(device, by, teacher):
    services.device_report_fault(device=device, by=by, ticket="HD-9")


# Each step: what sets the device up for it (through the services too), and the step itself.
STEPS = {
    Kind.REGISTERED: (None, lambda device, by, teacher: services.device_register(
        by=by, unit=device.unit, category="tablet", asset_tag="NEW-1")),
    Kind.EDITED: (None, lambda device, by, teacher: services.device_update(
        device=device, by=by, model="iPad")),
    Kind.CHECKED_OUT: (None, lambda device, by, teacher: services.device_check_out(
        device=device, by=by, holder=teacher)),
    Kind.RETURNED: (_check_out, lambda device, by, teacher: services.device_return(
        device=device, by=by)),
    Kind.MOVED: (None, lambda device, by, teacher: services.device_move(
        device=device, by=by, location="Luokka 12")),
    Kind.FAULT_REPORTED: (None, lambda device, by, teacher: services.device_report_fault(
        device=device, by=by, ticket="HD-9")),
    Kind.REPAIRED: (_report_fault, lambda device, by, teacher: services.device_mark_repaired(
        device=device, by=by)),
    Kind.RETIRED: (None, lambda device, by, teacher: services.device_retire(
        device=device, by=by)),
    Kind.HANDED_ON: (None, lambda device, by, teacher: services.device_hand_on(
        device=device, by=by, note="Kierrätys Oy")),
    Kind.LOST: (None, lambda device, by, teacher: services.device_mark_lost(
        device=device, by=by)),
}


@pytest.mark.parametrize("kind", STEPS)
def test_every_step_writes_exactly_one_event_with_the_name(kind, device, manager, teacher):
    setup, step = STEPS[kind]
    if setup:
        setup(device, manager, teacher)
    before = set(DeviceEvent.objects.values_list("pk", flat=True))
    changed = step(device, manager, teacher)
    new = DeviceEvent.objects.exclude(pk__in=before)
    assert len(new) == 1
    assert (new[0].device, new[0].kind) == (changed, kind)
    assert (new[0].by, new[0].by_name) == (manager, "Leena Laitinen")


@pytest.mark.parametrize("step", [
    lambda device, by, teacher: services.device_check_out(device=device, by=by, holder=teacher),
    lambda device, by, teacher: services.device_report_fault(device=device, by=by, ticket="HD"),
    lambda device, by, teacher: services.device_retire(device=device, by=by),
    lambda device, by, teacher: services.device_move(device=device, by=by, location="Varasto"),
], ids=["check_out", "fault", "retire", "move"])
def test_a_step_failing_half_way_changes_nothing(step, device, manager, teacher, monkeypatch):
    before = {field.attname: getattr(fresh(device), field.attname)
              for field in Device._meta.concrete_fields}

    def refuse(**kwargs):
        raise RuntimeError("the log is down")

    monkeypatch.setattr(DeviceEvent.objects, "create", refuse)
    with pytest.raises(RuntimeError):
        step(device, manager, teacher)
    after = {field.attname: getattr(fresh(device), field.attname)
             for field in Device._meta.concrete_fields}
    assert after == before
    assert not Loan.objects.exists()
    assert not DeviceEvent.objects.filter(device=device).exists()


def test_an_event_cannot_be_changed(checked_out_device):
    event = checked_out_device.events.first()
    event.note = "muutettu"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        DeviceEvent.objects.filter(pk=event.pk).update(note="muutettu")
    assert DeviceEvent.objects.get(pk=event.pk).note == ""


def test_an_event_cannot_be_deleted(checked_out_device):
    event = checked_out_device.events.first()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        DeviceEvent.objects.filter(device=checked_out_device).delete()
    with pytest.raises(PermissionError):
        DeviceEvent.objects.all().delete()
    assert DeviceEvent.objects.filter(pk=event.pk).exists()


def test_a_retired_device_cannot_be_returned(retired_device, manager):
    with pytest.raises(ValidationError, match="ei voi enää tehdä mitään"):
        services.device_return(device=retired_device, by=manager)
    assert not retired_device.events.filter(kind=DeviceEvent.Kind.RETURNED).exists()
