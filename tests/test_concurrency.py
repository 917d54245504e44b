"""Writes at the same moment, from threads with connections of their own, against the real
test database: PostgreSQL in CI, and SQLite (a file in write-ahead-log mode) by default.

Each round starts its writers together at a barrier. A writer either succeeds or is refused with
the rule's own message; a lost update, a second lead holder or "database is locked" fails.
"""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from devices import services as device_services
from matrix import services as matrix_services
from matrix.models import Assignment
from tests.factories import DeviceFactory, PersonFactory
from tests.matrix.grants import granting_role

# The flush after each test takes what the migrations made (sectors, permissions): each test
# gets it back first, and the tests after this module get it back at its end.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(scope="module", autouse=True)
def migrated_data_put_back(django_db_setup, django_db_blocker):
    """After the module's last flush, restore the migrated data for whatever runs next."""
    yield
    with django_db_blocker.unblock():
        connection.creation.deserialize_db_from_string(connection._test_serialized_contents)

ROUNDS = 20


def race(*writes):
    """Run `writes` (callables) in threads started together; return each one's outcome.

    An outcome is "ok", the ValidationError's messages, or the other exception itself.
    """
    barrier = threading.Barrier(len(writes))
    outcomes = [None] * len(writes)

    def run(index, write):
        try:
            barrier.wait(timeout=10)
            write()
            outcomes[index] = "ok"
        except ValidationError as error:
            outcomes[index] = error.messages
        except Exception as error:  # noqa: BLE001 - the test reports what went wrong
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, write))
               for index, write in enumerate(writes)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_two_leads_appointed_at_once_leave_one_lead(school):
    role = granting_role(school.organisation, "view_unit", "manage_assignments",
                         sectors=["perusopetus"])
    for _round in range(ROUNDS):
        people = [PersonFactory(organisation=school.organisation) for _person in range(2)]
        outcomes = race(*(
            lambda person=person: matrix_services.assignment_create(
                person=person, role=role, unit=school, is_lead=True)
            for person in people))
        assert outcomes.count("ok") == 1, outcomes
        refused = next(outcome for outcome in outcomes if outcome != "ok")
        assert isinstance(refused, list), refused  # the rule's message, not a database error
        assert Assignment.objects.filter(role=role, unit=school, is_lead=True).count() == 1
        Assignment.objects.filter(role=role).delete()


def test_one_device_checked_out_twice_at_once_is_lent_once(school):
    people = [PersonFactory(organisation=school.organisation) for _person in range(2)]
    for _round in range(ROUNDS):
        device = DeviceFactory(unit=school)
        outcomes = race(*(
            lambda person=person, device=device: device_services.device_check_out(
                device=device, by=None, holder=person)
            for person in people))
        assert outcomes.count("ok") == 1, outcomes
        assert device.loans.open().count() == 1
        assert all(outcome == "ok" or isinstance(outcome, list) for outcome in outcomes)


def test_forty_hand_outs_at_once_all_wait_their_turn(school):
    people = [PersonFactory(organisation=school.organisation) for _person in range(40)]
    devices = [DeviceFactory(unit=school) for _device in range(40)]
    outcomes = race(*(
        lambda device=device, person=person: device_services.device_check_out(
            device=device, by=None, holder=person)
        for device, person in zip(devices, people, strict=True)))
    assert outcomes == ["ok"] * 40
    assert sum(device.loans.open().count() for device in devices) == 40


def test_forty_assignments_added_at_once_all_wait_their_turn(school):
    role = granting_role(school.organisation, "view_unit", sectors=["perusopetus"])
    people = [PersonFactory(organisation=school.organisation) for _person in range(40)]
    outcomes = race(*(
        lambda person=person: matrix_services.assignment_create(
            person=person, role=role, unit=school, is_lead=False)
        for person in people))
    assert outcomes == ["ok"] * 40
    assert Assignment.objects.filter(role=role).count() == 40
