"""Assignments re-imported by person, role, place and start date."""

import datetime

import tablib

from matrix.models import Assignment
from matrix.resources import AssignmentResource
from tests.factories import LevelFactory, PersonFactory, RoleFactory
from tests.resources.conftest import invalid_lines, through_file

HEADERS = ["person", "role organisation", "role", "unit", "organisation", "lead", "start date",
           "end date"]


def test_assignment_import_updates_by_natural_key(school):
    level = LevelFactory(organisation=school.organisation)
    RoleFactory(level=level, slug="rehtori")
    RoleFactory(level=level, slug="tvt", scope="organisation")
    PersonFactory(organisation=school.organisation, email="maija@kuopio.fi")
    first = tablib.Dataset(
        ["maija@kuopio.fi", "kuopio", "rehtori", "kalevalan-koulu", "", "kyllä", "1.8.2025", ""],
        ["maija@kuopio.fi", "kuopio", "tvt", "", "kuopio", "ei", "", ""],
        headers=HEADERS)
    AssignmentResource().import_data(first)
    again = tablib.Dataset(
        ["maija@kuopio.fi", "kuopio", "rehtori", "kalevalan-koulu", "", "yes", "2025-08-01",
         "2026-07-31"],
        headers=HEADERS)

    result = AssignmentResource().import_data(again)

    assert result.totals["update"] == 1
    assert Assignment.objects.count() == 2
    assert Assignment.objects.get(role__slug="rehtori").end_date == datetime.date(2026, 7, 31)
    assert Assignment.objects.get(role__slug="tvt").is_lead is False


def test_assignment_import_reports_unknown_role_and_bad_date(school):
    PersonFactory(organisation=school.organisation, email="maija@kuopio.fi")
    dataset = tablib.Dataset(
        ["maija@kuopio.fi", "kuopio", "talonmies", "kalevalan-koulu", "", "", "syksyllä", ""],
        headers=HEADERS)

    result = AssignmentResource().import_data(dataset)

    errors = invalid_lines(result)[2]
    assert errors["role"] == ["Unknown role: talonmies."]
    assert errors["start date"] == ["Write the date as 2025-08-01 or 1.8.2025, not syksyllä."]


def test_assignments_round_trip_through_xlsx(school):
    role = RoleFactory(level=LevelFactory(organisation=school.organisation))
    person = PersonFactory(organisation=school.organisation)
    Assignment.objects.create(person=person, role=role, unit=school,
                              start_date=datetime.date(2025, 8, 1))
    before = list(Assignment.objects.values())

    result = AssignmentResource().import_data(through_file(AssignmentResource().export(), "xlsx"))

    assert result.totals["skip"] == 1
    assert list(Assignment.objects.values()) == before


def test_model_validation_errors_are_reported_with_their_line(school):
    RoleFactory(level=LevelFactory(organisation=school.organisation), slug="rehtori")
    PersonFactory(organisation=school.organisation, email="maija@kuopio.fi")
    dataset = tablib.Dataset(
        ["maija@kuopio.fi", "kuopio", "rehtori", "kalevalan-koulu", "", "", "", ""],
        ["maija@kuopio.fi", "kuopio", "rehtori", "", "kuopio", "", "", ""],
        headers=HEADERS)

    result = AssignmentResource().import_data(dataset)

    # A unit role is held at a unit: Assignment.clean() says so for the second row.
    assert invalid_lines(result) == {3: {
        "unit": ["This role is held at a unit: choose the unit."],
        "organisation": ["A unit role is not held in an organisation."],
    }}
    assert not Assignment.objects.exists()
