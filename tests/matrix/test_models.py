"""Assignments: who holds a role where; constraints and validation."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from matrix.models import Assignment
from roles.models import Role
from tests.factories import (
    AssignmentFactory,
    LevelFactory,
    OrganisationFactory,
    PersonFactory,
    RoleFactory,
    UnitFactory,
)

D = datetime.date


@pytest.fixture
def principal_role(organisation):
    return RoleFactory(level=LevelFactory(organisation=organisation), name="Koulun johto",
                       slug="koulun-johto", sectors=["perusopetus", "lukio"])


@pytest.fixture
def coordinator_role(organisation):
    return RoleFactory(level=LevelFactory(organisation=organisation), name="ICT-koordinaattori",
                       slug="ict", scope=Role.Scope.ORGANISATION)


def build(**kwargs):
    return Assignment(**kwargs)


def test_unit_xor_organisation_in_the_database(principal_role, school):
    person = PersonFactory(organisation=school.organisation)
    with pytest.raises(IntegrityError):
        Assignment.objects.create(person=person, role=principal_role, unit=school,
                                  organisation=school.organisation)


def test_end_after_start_in_the_database(principal_role, school):
    person = PersonFactory(organisation=school.organisation)
    with pytest.raises(IntegrityError):
        Assignment.objects.create(person=person, role=principal_role, unit=school,
                                  start_date=D(2026, 8, 1), end_date=D(2026, 7, 31))


def test_valid_unit_assignment_passes(principal_role, school):
    person = PersonFactory(organisation=school.organisation)
    build(person=person, role=principal_role, unit=school).full_clean()


def test_unit_role_needs_a_unit(principal_role, school):
    person = PersonFactory(organisation=school.organisation)
    with pytest.raises(ValidationError) as error:
        build(person=person, role=principal_role, organisation=school.organisation).full_clean()
    assert "unit" in error.value.message_dict


def test_organisation_role_needs_an_organisation(coordinator_role, school):
    person = PersonFactory(organisation=school.organisation)
    with pytest.raises(ValidationError) as error:
        build(person=person, role=coordinator_role, unit=school).full_clean()
    assert "organisation" in error.value.message_dict
    build(person=person, role=coordinator_role, organisation=school.organisation).full_clean()


def test_role_of_another_organisation_is_refused(school):
    foreign = RoleFactory(sectors=["perusopetus"])
    person = PersonFactory(organisation=school.organisation)
    with pytest.raises(ValidationError) as error:
        build(person=person, role=foreign, unit=school).full_clean()
    assert "role" in error.value.message_dict


def test_regional_role_reaches_a_municipality_unit(organisation, school):
    region = OrganisationFactory()
    organisation.parent = region
    organisation.save()
    regional = RoleFactory(level=LevelFactory(organisation=region))
    build(person=PersonFactory(organisation=organisation), role=regional, unit=school).full_clean()


def test_role_outside_the_units_sectors_is_refused(organisation):
    daycare = UnitFactory(organisation=organisation, sectors=["varhaiskasvatus"])
    role = RoleFactory(level=LevelFactory(organisation=organisation), sectors=["lukio"])
    with pytest.raises(ValidationError, match="sektoreilla") as error:
        build(person=PersonFactory(organisation=organisation), role=role,
              unit=daycare).full_clean()
    assert "role" in error.value.message_dict


def test_person_of_another_organisation_is_refused(principal_role, school):
    stranger = PersonFactory()
    with pytest.raises(ValidationError) as error:
        build(person=stranger, role=principal_role, unit=school).full_clean()
    assert "person" in error.value.message_dict


def test_two_lead_holders_may_not_overlap(principal_role, school):
    AssignmentFactory(role=principal_role, unit=school, start_date=D(2025, 8, 1),
                      end_date=D(2026, 7, 31))
    person = PersonFactory(organisation=school.organisation)
    overlapping = build(person=person, role=principal_role, unit=school, start_date=D(2026, 1, 1))
    with pytest.raises(ValidationError) as error:
        overlapping.full_clean()
    assert "is_lead" in error.value.message_dict
    build(person=person, role=principal_role, unit=school, start_date=D(2026, 8, 1)).full_clean()
    build(person=person, role=principal_role, unit=school, is_lead=False,
          start_date=D(2026, 1, 1)).full_clean()


def test_current_assignments(principal_role, school):
    past = AssignmentFactory(role=principal_role, unit=school, start_date=D(2020, 8, 1),
                             end_date=D(2021, 7, 31))
    now = AssignmentFactory(role=principal_role, unit=school, start_date=D(2021, 8, 1))
    assert list(Assignment.objects.current(on=D(2026, 11, 23))) == [now]
    assert list(Assignment.objects.current(on=D(2021, 1, 1))) == [past]
    assert now.is_current(on=D(2026, 11, 23)) and not past.is_current(on=D(2026, 11, 23))


def test_a_group_takes_members_from_other_organisations_and_one_chair(organisation):
    group = RoleFactory(level=LevelFactory(organisation=organisation), name="Digitutorverkosto",
                        scope=Role.Scope.ORGANISATION, is_group=True)
    outsider = PersonFactory()  # another town's librarian
    build(person=outsider, role=group, organisation=organisation, is_chair=True).full_clean()
    AssignmentFactory(role=group, unit=None, organisation=organisation, person=outsider,
                      is_chair=True)
    second = build(person=PersonFactory(), role=group, organisation=organisation, is_chair=True)
    with pytest.raises(ValidationError) as error:
        second.full_clean()
    assert "is_chair" in error.value.message_dict
    second.is_chair = False
    second.full_clean()


def test_only_a_group_has_a_chair(coordinator_role, organisation):
    person = PersonFactory(organisation=organisation)
    with pytest.raises(ValidationError) as error:
        build(person=person, role=coordinator_role, organisation=organisation,
              is_chair=True).full_clean()
    assert "is_chair" in error.value.message_dict
