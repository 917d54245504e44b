"""The assignment services: validate, save and regrant in one transaction."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from matrix import services
from matrix.models import Assignment
from tests.factories import AssignmentFactory, PersonFactory, UnitFactory
from tests.matrix.grants import fresh, granting_role, person_with_login
from units.models import Unit

D = datetime.date


@pytest.fixture
def principal_role(organisation):
    return granting_role(organisation, "view_unit", "manage_assignments", "manage_devices",
                         name="Rehtori", slug="rehtori", sectors=["perusopetus"])


@pytest.fixture
def sanna(organisation):
    return person_with_login(organisation, "sanna")


def test_create_saves_a_valid_assignment(school, principal_role, sanna):
    assignment = services.assignment_create(person=sanna, role=principal_role, unit=school,
                                            start_date=D(2026, 8, 1))
    assert Assignment.objects.get() == assignment
    assert assignment.is_lead


def test_create_refuses_an_invalid_assignment_and_saves_nothing(school, principal_role):
    stranger = PersonFactory()
    with pytest.raises(ValidationError) as error:
        services.assignment_create(person=stranger, role=principal_role, unit=school)
    assert "person" in error.value.message_dict
    assert not Assignment.objects.exists()


def test_update_moves_the_access_to_the_new_person(school, principal_role, sanna,
                                                   organisation):
    assignment = services.assignment_create(person=sanna, role=principal_role, unit=school)
    pekka = person_with_login(organisation, "pekka")
    services.assignment_update(assignment=assignment, person=pekka)
    assert not fresh(sanna.user).has_perm("units.view_unit", school)
    assert fresh(pekka.user).has_perm("units.manage_assignments", school)


def test_update_moves_the_access_to_the_new_unit(school, principal_role, sanna, organisation):
    assignment = services.assignment_create(person=sanna, role=principal_role, unit=school)
    other = UnitFactory(organisation=organisation, slug="toinen", sectors=["perusopetus"])
    services.assignment_update(assignment=assignment, unit=other)
    assert [unit.slug for unit in Unit.objects.for_user(fresh(sanna.user))] == ["toinen"]


def test_update_refuses_an_invalid_change_and_keeps_the_stored_row(school, principal_role,
                                                                   sanna):
    assignment = services.assignment_create(person=sanna, role=principal_role, unit=school)
    daycare_role = granting_role(school.organisation, sectors=["varhaiskasvatus"])
    with pytest.raises(ValidationError) as error:
        services.assignment_update(assignment=assignment, role=daycare_role)
    assert "role" in error.value.message_dict
    assert Assignment.objects.get().role == principal_role


def test_update_refuses_fields_it_does_not_know(school, principal_role, sanna):
    assignment = services.assignment_create(person=sanna, role=principal_role, unit=school)
    with pytest.raises(TypeError):
        services.assignment_update(assignment=assignment, pk=99)


def test_end_sets_the_last_day(school, principal_role, sanna):
    assignment = services.assignment_create(person=sanna, role=principal_role, unit=school,
                                            start_date=D(2020, 8, 1))
    services.assignment_end(assignment=assignment, end_date=D(2021, 7, 31))
    assert Assignment.objects.get().end_date == D(2021, 7, 31)


def test_end_before_the_start_is_refused(school, principal_role, sanna):
    assignment = services.assignment_create(person=sanna, role=principal_role, unit=school,
                                            start_date=D(2026, 8, 1))
    with pytest.raises(ValidationError) as error:
        services.assignment_end(assignment=assignment, end_date=D(2026, 7, 31))
    assert "end_date" in error.value.message_dict
    assert Assignment.objects.get().end_date is None


def test_end_works_after_the_unit_has_left_the_roles_sector(school, principal_role, sanna):
    assignment = services.assignment_create(person=sanna, role=principal_role, unit=school)
    school.sectors.set([])  # the role no longer exists here; ending must still be possible
    services.assignment_end(assignment=assignment, end_date=D(2020, 1, 1))
    assert Assignment.objects.get().end_date == D(2020, 1, 1)


def test_moving_the_end_later_is_checked_like_an_edit(school, principal_role, sanna):
    earlier = AssignmentFactory(role=principal_role, unit=school, start_date=D(2020, 8, 1),
                                end_date=D(2021, 7, 31))
    services.assignment_create(person=sanna, role=principal_role, unit=school,
                               start_date=D(2021, 8, 1))
    with pytest.raises(ValidationError) as error:
        services.assignment_end(assignment=earlier, end_date=D(2022, 7, 31))
    assert "is_lead" in error.value.message_dict
    earlier.refresh_from_db()
    assert earlier.end_date == D(2021, 7, 31)


def test_delete_removes_one_assignment_and_the_role_grants_no_more(school, principal_role,
                                                                   sanna):
    assignment = services.assignment_create(person=sanna, role=principal_role, unit=school)
    assert fresh(sanna.user).has_perm("units.view_unit", school)
    pk = assignment.pk
    services.assignment_delete(assignment=assignment)
    assert not Assignment.objects.exists()
    assert not fresh(sanna.user).has_perm("units.view_unit", school)
    assert Assignment.history.filter(id=pk).latest().history_type == "-"


def test_delete_of_a_queryset_removes_only_its_assignments(school, principal_role, sanna):
    kept = services.assignment_create(person=sanna, role=principal_role, unit=school,
                                      is_lead=False)
    other = person_with_login(school.organisation, "toinen")
    services.assignment_create(person=other, role=principal_role, unit=school)
    services.assignments_delete(assignments=Assignment.objects.filter(person=other))
    assert list(Assignment.objects.all()) == [kept]
