"""Holding a role grants the role's unit permissions at the unit, and ending it takes them back."""

import datetime
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone, translation
from guardian.shortcuts import assign_perm

from matrix import services
from matrix.models import Assignment
from roles.models import Role
from tests.factories import PersonFactory, UnitFactory, UserFactory
from tests.matrix.grants import fresh, granting_role, person_with_login, role_rows, unit_permissions
from units.models import UnitUserObjectPermission

TODAY = timezone.localdate()
YESTERDAY = TODAY - datetime.timedelta(days=1)
TOMORROW = TODAY + datetime.timedelta(days=1)


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
    assert user.has_perm("units.manage_devices", school)
    assert user.has_perm("units.manage_assignments", school)
    assert role_rows(user) == {("view_unit", school.slug), ("manage_assignments", school.slug),
                               ("manage_devices", school.slug)}


def test_a_role_grants_nothing_on_other_units(school, other_school, principal_role, sanna):
    services.assignment_create(person=sanna, role=principal_role, unit=school)
    assert not fresh(sanna.user).has_perm("units.view_unit", other_school)


def test_a_role_grants_only_what_it_lists(school, tutor_role, sanna):
    services.assignment_create(person=sanna, role=tutor_role, unit=school)
    user = fresh(sanna.user)
    assert user.has_perm("units.view_unit", school)
    assert not user.has_perm("units.manage_devices", school)


def test_ending_yesterday_takes_the_grants_back(school, principal_role, sanna):
    assignment = services.assignment_create(person=sanna, role=principal_role, unit=school)
    services.assignment_end(assignment=assignment, end_date=YESTERDAY)
    assert not fresh(sanna.user).has_perm("units.manage_devices", school)
    assert role_rows(sanna.user) == set()


def test_ending_today_keeps_the_grants_until_tomorrow(school, principal_role, sanna):
    assignment = services.assignment_create(person=sanna, role=principal_role, unit=school)
    services.assignment_end(assignment=assignment, end_date=TODAY)
    assert fresh(sanna.user).has_perm("units.manage_devices", school)


def test_a_grant_made_by_hand_survives_the_end_of_the_role(school, principal_role, sanna):
    assign_perm("units.manage_devices", sanna.user, school)
    assignment = services.assignment_create(person=sanna, role=principal_role, unit=school)
    # The hand-made row already covers the permission: no role row is added beside it.
    assert ("manage_devices", school.slug) not in role_rows(sanna.user)
    services.assignment_end(assignment=assignment, end_date=YESTERDAY)
    user = fresh(sanna.user)
    assert user.has_perm("units.manage_devices", school)
    assert not user.has_perm("units.manage_assignments", school)
    assert UnitUserObjectPermission.objects.get(user=user).via_role is False


def test_ending_one_of_two_roles_keeps_what_the_other_grants(school, principal_role, tutor_role,
                                                             sanna):
    services.assignment_create(person=sanna, role=tutor_role, unit=school)
    principal = services.assignment_create(person=sanna, role=principal_role, unit=school)
    services.assignment_end(assignment=principal, end_date=YESTERDAY)
    user = fresh(sanna.user)
    assert user.has_perm("units.view_unit", school)
    assert not user.has_perm("units.manage_devices", school)


def test_a_future_assignment_grants_nothing_yet(school, principal_role, sanna):
    services.assignment_create(person=sanna, role=principal_role, unit=school,
                               start_date=TOMORROW)
    assert not fresh(sanna.user).has_perm("units.view_unit", school)


def test_a_person_without_a_login_gets_no_grants(school, principal_role, organisation):
    person = PersonFactory(organisation=organisation)
    services.assignment_create(person=person, role=principal_role, unit=school)
    assert not UnitUserObjectPermission.objects.exists()


def test_an_organisation_role_grants_nothing_on_units(school, organisation, sanna):
    coordinator = granting_role(organisation, "view_unit", scope=Role.Scope.ORGANISATION)
    services.assignment_create(person=sanna, role=coordinator, organisation=organisation)
    assert not fresh(sanna.user).has_perm("units.view_unit", school)


def test_the_daily_command_revokes_assignments_that_ended(school, principal_role, sanna):
    assignment = services.assignment_create(person=sanna, role=principal_role, unit=school,
                                            end_date=TODAY)
    # The day passes: the assignment that ended today ended yesterday as of tomorrow.
    Assignment.objects.filter(pk=assignment.pk).update(end_date=YESTERDAY)
    assert fresh(sanna.user).has_perm("units.manage_devices", school)
    out = StringIO()
    call_command("sync_role_permissions", stdout=out)
    assert not fresh(sanna.user).has_perm("units.manage_devices", school)
    assert "revoked 3" in out.getvalue()


def test_the_daily_command_grants_assignments_that_start(school, principal_role, sanna):
    assignment = services.assignment_create(person=sanna, role=principal_role, unit=school,
                                            start_date=TOMORROW)
    Assignment.objects.filter(pk=assignment.pk).update(start_date=TODAY)
    call_command("sync_role_permissions", stdout=StringIO())
    assert fresh(sanna.user).has_perm("units.manage_devices", school)


def test_the_daily_command_leaves_grants_made_by_hand(school, sanna):
    assign_perm("units.manage_devices", sanna.user, school)
    call_command("sync_role_permissions", stdout=StringIO())
    assert fresh(sanna.user).has_perm("units.manage_devices", school)


def test_changing_a_roles_permissions_regrants_its_holders(school, tutor_role, sanna):
    services.assignment_create(person=sanna, role=tutor_role, unit=school)
    tutor_role.unit_permissions.add(*unit_permissions("manage_devices"))
    assert fresh(sanna.user).has_perm("units.manage_devices", school)
    tutor_role.unit_permissions.set(unit_permissions("manage_devices"))
    assert not fresh(sanna.user).has_perm("units.view_unit", school)
    tutor_role.unit_permissions.clear()
    assert role_rows(sanna.user) == set()


def test_a_permission_taken_off_every_role_is_taken_back(school, tutor_role, sanna):
    services.assignment_create(person=sanna, role=tutor_role, unit=school)
    unit_permissions("view_unit").get().role_set.clear()
    assert role_rows(sanna.user) == set()


def test_a_new_login_takes_over_the_persons_grants(school, principal_role, sanna):
    services.assignment_create(person=sanna, role=principal_role, unit=school)
    old_login, new_login = sanna.user, UserFactory(username="sanna2")
    sanna.user = new_login
    sanna.save()
    assert not fresh(old_login).has_perm("units.view_unit", school)
    assert fresh(new_login).has_perm("units.view_unit", school)
    sanna.user = None
    sanna.save()
    assert role_rows(new_login) == set()


def test_deleting_a_role_takes_back_what_it_granted(school, principal_role, sanna):
    services.assignment_create(person=sanna, role=principal_role, unit=school)
    principal_role.delete()
    assert role_rows(sanna.user) == set()


def test_deleting_a_person_takes_back_what_their_roles_granted(school, principal_role, sanna):
    services.assignment_create(person=sanna, role=principal_role, unit=school)
    login = sanna.user
    sanna.delete()
    assert role_rows(login) == set()


def test_deleting_assignments_takes_back_what_they_granted(school, principal_role, sanna):
    services.assignment_create(person=sanna, role=principal_role, unit=school)
    services.assignments_delete(assignments=Assignment.objects.all())
    assert role_rows(sanna.user) == set()


def test_syncing_one_place_takes_a_fixed_number_of_queries(school, principal_role, sanna,
                                                           django_assert_num_queries):
    assignment = services.assignment_create(person=sanna, role=principal_role, unit=school)
    Assignment.objects.filter(pk=assignment.pk).update(end_date=YESTERDAY)
    # Savepoint, what the roles want, what is granted, the revocation, release.
    with django_assert_num_queries(5):
        services.sync_role_permissions(user=sanna.user, unit=school)
    assert role_rows(sanna.user) == set()


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
    assert role_rows(sanna.user) == set()
    services.assignment_update(assignment=assignment, end_date=None)
    response = admin_client.post(f"/admin/matrix/assignment/{assignment.pk}/delete/",
                                 {"post": "yes"})
    assert response.status_code == 302
    assert not Assignment.objects.exists()
    assert role_rows(sanna.user) == set()


def test_the_admins_bulk_delete_takes_grants_back(admin_client, school, principal_role, sanna):
    assignment = services.assignment_create(person=sanna, role=principal_role, unit=school)
    response = admin_client.post("/admin/matrix/assignment/", {
        "action": "delete_selected", "_selected_action": [assignment.pk], "post": "yes",
    })
    assert response.status_code == 302
    assert role_rows(sanna.user) == set()


def test_a_school_of_another_organisation_is_untouched(principal_role, sanna, school):
    elsewhere = UnitFactory()
    stranger = UserFactory(username="vieras")
    assign_perm("units.view_unit", stranger, elsewhere)
    services.assignment_create(person=sanna, role=principal_role, unit=school)
    services.sync_all_role_permissions()
    assert fresh(stranger).has_perm("units.view_unit", elsewhere)


def test_an_admin_import_regrants(admin_client, school, principal_role, sanna, settings):
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
