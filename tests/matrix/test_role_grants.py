"""Holding a role grants the role's unit permissions at the unit for exactly as long as it runs.

Nothing is stored and nothing has to run: the choke point reads the assignments in force.
"""

import datetime
import math
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from guardian.shortcuts import assign_perm

from matrix import services
from matrix.models import Assignment
from roles.models import Role
from tests.factories import PersonFactory, UnitFactory, UserFactory
from tests.matrix.grants import fresh, granting_role, person_with_login, unit_permissions
from units.access import unit_allows
from units.history import deleting_in_bulk
from units.models import Unit, UnitUserObjectPermission

TODAY = timezone.localdate()
YESTERDAY = TODAY - datetime.timedelta(days=1)
TOMORROW = TODAY + datetime.timedelta(days=1)


def on_day(day):
    """Return a patch under which today is `day`, as a date passing would make it."""
    return mock.patch("django.utils.timezone.localdate", return_value=day)


@pytest.fixture
def principal_role(organisation):
    return granting_role(organisation, "view_unit", "manage_assignments", "manage_devices",
                         name="Rehtori", slug="rehtori")


@pytest.fixture
def tutor_role(organisation):
    return granting_role(organisation, "view_unit", name="Digitutor", slug="digitutor")


@pytest.fixture
def sanna(organisation):
    return person_with_login(organisation, "sanna")


def test_holding_a_role_grants_its_permissions_on_the_unit(school, principal_role, sanna):
    services.assignment_create(person=sanna, role=principal_role, unit=school)
    user = fresh(sanna.user)
    for action in ("view", "manage_devices", "manage_assignments"):
        assert list(Unit.objects.for_user(user, action)) == [school]
        assert unit_allows(user, school, action)
    assert user.has_perm("units.manage_devices", school)
    assert not UnitUserObjectPermission.objects.exists()  # computed, never stored


def test_a_role_grants_nothing_on_other_units(school, other_school, principal_role, sanna):
    services.assignment_create(person=sanna, role=principal_role, unit=school)
    assert not fresh(sanna.user).has_perm("units.view_unit", other_school)


def test_a_role_grants_only_what_it_lists(school, tutor_role, sanna):
    services.assignment_create(person=sanna, role=tutor_role, unit=school)
    user = fresh(sanna.user)
    assert user.has_perm("units.view_unit", school)
    assert not user.has_perm("units.manage_devices", school)


def test_ending_yesterday_takes_the_grants_back_at_once(school, principal_role, sanna):
    assignment = services.assignment_create(person=sanna, role=principal_role, unit=school)
    services.assignment_end(assignment=assignment, end_date=YESTERDAY)
    assert not fresh(sanna.user).has_perm("units.manage_devices", school)


def test_an_assignment_stops_granting_the_day_after_its_end_with_nothing_run(
        school, principal_role, sanna):
    services.assignment_create(person=sanna, role=principal_role, unit=school, end_date=TODAY)
    assert fresh(sanna.user).has_perm("units.manage_devices", school)
    with on_day(TOMORROW):
        assert not fresh(sanna.user).has_perm("units.manage_devices", school)
        assert list(Unit.objects.for_user(fresh(sanna.user))) == []


def test_an_assignment_starts_granting_on_its_start_date_with_nothing_run(
        school, principal_role, sanna):
    services.assignment_create(person=sanna, role=principal_role, unit=school,
                               start_date=TOMORROW)
    assert not fresh(sanna.user).has_perm("units.view_unit", school)
    with on_day(TOMORROW):
        assert fresh(sanna.user).has_perm("units.view_unit", school)


def test_a_grant_made_by_hand_survives_the_end_of_the_role(school, principal_role, sanna):
    assign_perm("units.manage_devices", sanna.user, school)
    assignment = services.assignment_create(person=sanna, role=principal_role, unit=school)
    services.assignment_end(assignment=assignment, end_date=YESTERDAY)
    user = fresh(sanna.user)
    assert user.has_perm("units.manage_devices", school)
    assert not user.has_perm("units.manage_assignments", school)


def test_ending_one_of_two_roles_keeps_what_the_other_grants(school, principal_role, tutor_role,
                                                             sanna):
    services.assignment_create(person=sanna, role=tutor_role, unit=school)
    principal = services.assignment_create(person=sanna, role=principal_role, unit=school)
    services.assignment_end(assignment=principal, end_date=YESTERDAY)
    user = fresh(sanna.user)
    assert user.has_perm("units.view_unit", school)
    assert not user.has_perm("units.manage_devices", school)


def test_a_person_without_a_login_grants_nobody_anything(school, principal_role, organisation):
    person = PersonFactory(organisation=organisation)
    services.assignment_create(person=person, role=principal_role, unit=school)
    assert list(Unit.objects.for_user(UserFactory())) == []


def test_an_organisation_role_grants_nothing_on_units(school, organisation, sanna):
    coordinator = granting_role(organisation, "view_unit", scope=Role.Scope.ORGANISATION)
    services.assignment_create(person=sanna, role=coordinator, organisation=organisation)
    assert not fresh(sanna.user).has_perm("units.view_unit", school)


def test_changing_a_roles_permissions_changes_what_its_holders_may_do(school, tutor_role,
                                                                       sanna):
    services.assignment_create(person=sanna, role=tutor_role, unit=school)
    tutor_role.unit_permissions.add(*unit_permissions("manage_devices"))
    assert fresh(sanna.user).has_perm("units.manage_devices", school)
    tutor_role.unit_permissions.set(unit_permissions("manage_devices"))
    assert not fresh(sanna.user).has_perm("units.view_unit", school)
    tutor_role.unit_permissions.clear()
    assert list(Unit.objects.for_user(fresh(sanna.user), "manage_devices")) == []


def test_a_new_login_takes_over_the_persons_grants(school, principal_role, sanna):
    services.assignment_create(person=sanna, role=principal_role, unit=school)
    old_login, new_login = sanna.user, UserFactory(username="sanna2")
    sanna.user = new_login
    sanna.save()
    assert not fresh(old_login).has_perm("units.view_unit", school)
    assert fresh(new_login).has_perm("units.view_unit", school)
    sanna.user = None
    sanna.save()
    assert not fresh(new_login).has_perm("units.view_unit", school)


@pytest.mark.parametrize("deleted", ["role", "person", "assignment"])
def test_deleting_takes_back_what_the_role_granted(school, principal_role, sanna, deleted):
    assignment = services.assignment_create(person=sanna, role=principal_role, unit=school)
    login = sanna.user
    {"role": principal_role, "person": sanna, "assignment": assignment}[deleted].delete()
    assert list(Unit.objects.for_user(fresh(login))) == []


def _holders(count, organisation, role, unit):
    for number in range(count):
        person = person_with_login(organisation, f"holder{count}-{number}")
        services.assignment_create(person=person, role=role, unit=unit, is_lead=False)


def _queries(run):
    with CaptureQueriesContext(connection) as queries:
        run()
    return len(queries)


def test_deleting_a_role_takes_as_many_queries_with_100_assignments_as_with_1(
        organisation, school):
    counts = []
    for size in (1, 100):
        role = granting_role(organisation, "view_unit", "manage_devices")
        _holders(size, organisation, role, school)

        def delete(role=role):
            # As the admin deletes: the history of what goes is written in one insert a model.
            with deleting_in_bulk():
                role.delete()

        counts.append(_queries(delete))
    # The same queries, but for SQLite splitting one bulk insert at its default limit of 999
    # parameters (PostgreSQL sends the hundred rows of history in one).
    historical = Assignment.history.model
    batch = connection.ops.bulk_batch_size(historical._meta.concrete_fields, [None] * 100)
    assert counts[1] - counts[0] == math.ceil(100 / batch) - 1
    assert not Assignment.objects.exists()
    assert Assignment.history.filter(history_type="-").count() == 101


def test_the_choke_point_is_one_query_whatever_the_number_of_assignments(
        organisation, school, principal_role, tutor_role, sanna):
    services.assignment_create(person=sanna, role=tutor_role, unit=school)
    small = fresh(sanna.user)
    small_count = _queries(lambda: list(Unit.objects.for_user(small, "manage_devices")))
    for _number in range(20):
        unit = UnitFactory(organisation=organisation, sectors=["perusopetus"])
        services.assignment_create(person=sanna, role=principal_role, unit=unit)
    large = fresh(sanna.user)
    large_count = _queries(lambda: list(Unit.objects.for_user(large, "manage_devices")))
    assert len(Unit.objects.for_user(large, "manage_devices")) == 20
    # The user's global permissions (2, read once per user object), then the units: one query.
    assert small_count == large_count == 3


def test_a_page_that_asks_many_times_reads_the_permitted_units_once(
        school, other_school, principal_role, sanna, django_assert_num_queries):
    services.assignment_create(person=sanna, role=principal_role, unit=school)
    user = fresh(sanna.user)
    with django_assert_num_queries(3):  # global permissions (2), the permitted units (1)
        for _round in range(5):
            assert unit_allows(user, school, "manage_devices")
            assert not unit_allows(user, other_school, "manage_devices")


def test_the_admin_goes_through_the_services(admin_client, school, principal_role, sanna):
    response = admin_client.post("/admin/matrix/assignment/add/", {
        "person": sanna.pk, "role": principal_role.pk, "unit": school.pk, "is_lead": "on",
    })
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert fresh(sanna.user).has_perm("units.manage_devices", school)
    assignment = Assignment.objects.get()
    response = admin_client.post(f"/admin/matrix/assignment/{assignment.pk}/change/", {
        "person": sanna.pk, "role": principal_role.pk, "unit": school.pk, "is_lead": "on",
        "end_date": YESTERDAY.isoformat(),
    })
    assert response.status_code == 302
    assert not fresh(sanna.user).has_perm("units.manage_devices", school)
    services.assignment_update(assignment=assignment, end_date=None)
    response = admin_client.post(f"/admin/matrix/assignment/{assignment.pk}/delete/",
                                 {"post": "yes"})
    assert response.status_code == 302
    assert not Assignment.objects.exists()
    assert not fresh(sanna.user).has_perm("units.manage_devices", school)


def test_an_admin_import_grants_at_once(admin_client, school, principal_role, sanna, settings):
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    content = ("person,role organisation,role,unit,organisation,lead,start date,end date\n"
               f"{sanna.email},kuopio,rehtori,{school.slug},,yes,,\n").encode()
    with translation.override("en"):
        preview = admin_client.post("/admin/matrix/assignment/import/", {
            "resource": "0", "format": "0",
            "import_file": SimpleUploadedFile("sheet.csv", content)})
        response = admin_client.post("/admin/matrix/assignment/process_import/",
                                     preview.context["confirm_form"].initial)
    assert response.status_code == 302
    assert Assignment.objects.get().person == sanna
    assert fresh(sanna.user).has_perm("units.manage_devices", school)
