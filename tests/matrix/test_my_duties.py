"""My duties: the logged-in person's roles and duties, this month's first."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from roles.models import Role
from tests.factories import (
    AssignmentFactory,
    DutyFactory,
    LevelFactory,
    PersonFactory,
    RoleFactory,
    UnitFactory,
    UserFactory,
)


@pytest.fixture
def tutor(school):
    user = UserFactory(username="tutor")
    PersonFactory(organisation=school.organisation, name="Olli Tutor", user=user)
    return user


@pytest.fixture
def tutor_client(client, tutor):
    client.force_login(tutor)
    return client


@pytest.fixture
def tutor_role(organisation):
    return RoleFactory(level=LevelFactory(organisation=organisation), name="Digitutor",
                       sectors=["varhaiskasvatus", "perusopetus"])


def test_anonymous_user_is_sent_to_login(client, db):
    assert client.get(reverse("matrix:my_duties")).status_code == 302


def test_user_without_a_person_is_told_why_nothing_shows(client, db):
    client.force_login(UserFactory())
    response = client.get(reverse("matrix:my_duties"))
    assert response.status_code == 200
    assert response.context["person"] is None and response.context["places"] == []


def test_duties_apply_by_the_units_sectors(tutor_client, tutor, tutor_role, school):
    DutyFactory(role=tutor_role, text="Arjen digituki päiväkodissa.", sectors=["varhaiskasvatus"])
    DutyFactory(role=tutor_role, text="Digitutor-tunnit.", sectors=["perusopetus"])
    DutyFactory(role=tutor_role, text="Helpdesk-pyynnöt.")
    AssignmentFactory(role=tutor_role, unit=school, person=tutor.person)
    response = tutor_client.get(reverse("matrix:my_duties"))
    [place] = response.context["places"]
    assert [duty.text for duty in place.duties] == ["Digitutor-tunnit.", "Helpdesk-pyynnöt."]
    assert "Arjen digituki päiväkodissa." not in response.text


def test_duties_are_grouped_by_place_units_first(tutor_client, tutor, tutor_role, school,
                                                 organisation):
    coordinator = RoleFactory(level=tutor_role.level, name="TVT-koordinaattori",
                              scope=Role.Scope.ORGANISATION)
    DutyFactory(role=coordinator, text="Koordinoimme laitehankinnat.")
    daycare = UnitFactory(organisation=organisation, name="Aapiskukko", slug="aapiskukko",
                          sectors=["varhaiskasvatus"])
    AssignmentFactory(role=coordinator, unit=None, organisation=organisation,
                      person=tutor.person)
    AssignmentFactory(role=tutor_role, unit=school, person=tutor.person)
    AssignmentFactory(role=tutor_role, unit=daycare, person=tutor.person, is_lead=False)
    places = [str(item.place) for item in
              tutor_client.get(reverse("matrix:my_duties")).context["places"]]
    assert places == ["Aapiskukko", "Kalevalan koulu", "Kuopio"]


def test_this_months_duties_come_first(tutor_client, tutor, tutor_role, school):
    month = timezone.localdate().month
    other = month % 12 + 1
    DutyFactory(role=tutor_role, text="Tämän kuun tehtävä.", months=[month])
    DutyFactory(role=tutor_role, text="Ensi kuun tehtävä.", months=[other])
    AssignmentFactory(role=tutor_role, unit=school, person=tutor.person)
    response = tutor_client.get(reverse("matrix:my_duties"))
    assert [duty.text for _item, duty in response.context["this_month"]] == ["Tämän kuun tehtävä."]
    page = response.text
    assert page.index("Tämän kuun tehtävä.") < page.index("Ensi kuun tehtävä.")


def test_ended_assignments_are_not_listed(tutor_client, tutor, tutor_role, school):
    AssignmentFactory(role=tutor_role, unit=school, person=tutor.person,
                      start_date=datetime.date(2020, 8, 1), end_date=datetime.date(2021, 7, 31))
    assert tutor_client.get(reverse("matrix:my_duties")).context["places"] == []


def test_unit_link_only_where_the_user_may_view(tutor_client, tutor, tutor_role, school):
    AssignmentFactory(role=tutor_role, unit=school, person=tutor.person)
    unit_url = reverse("matrix:unit", args=[school.slug])
    assert unit_url not in tutor_client.get(reverse("matrix:my_duties")).text
    from guardian.shortcuts import assign_perm

    assign_perm("units.view_unit", tutor, school)
    assert unit_url in tutor_client.get(reverse("matrix:my_duties")).text


def test_my_duties_runs_the_same_queries_for_many_roles(tutor_client, tutor, tutor_role, school,
                                                       django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    AssignmentFactory(role=tutor_role, unit=school, person=tutor.person)
    DutyFactory(role=tutor_role, months=[9])
    tutor_client.get(reverse("matrix:my_duties"))
    with CaptureQueriesContext(connection) as small:
        tutor_client.get(reverse("matrix:my_duties"))
    for _index in range(10):
        role = RoleFactory(level=tutor_role.level)
        for _duty in range(3):
            DutyFactory(role=role, months=[9, 2], sectors=["perusopetus"]).collaborating_roles.add(
                tutor_role)
        AssignmentFactory(role=role, unit=UnitFactory(organisation=school.organisation),
                          person=tutor.person)
    with django_assert_num_queries(len(small)):
        tutor_client.get(reverse("matrix:my_duties"))
