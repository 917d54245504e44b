"""The annual clock in school or calendar years, meetings in it and on the group page."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from plans.models import Funding, Meeting
from roles.forms import DutyForm
from tests.factories import (
    ActionPlanFactory,
    DutyFactory,
    LevelFactory,
    OrganisationFactory,
    RoleFactory,
)
from units.models import Organisation
from units.years import YearKind


@pytest.fixture(autouse=True)
def spring(monkeypatch):
    """Let it be March 2026 for the pages."""
    monkeypatch.setattr(timezone, "localdate", lambda: datetime.date(2026, 3, 2))


@pytest.fixture
def network(db):
    """Return a calendar-year library network with a group that has duties and meetings."""
    network = OrganisationFactory(name="Kirjastoverkosto", slug="kirjastot",
                                  kind=Organisation.Kind.JOINT_AUTHORITY,
                                  year_kind=YearKind.CALENDAR)
    group = RoleFactory(level=LevelFactory(organisation=network), name="Digitutorverkosto",
                        slug="digitutorit", scope="organisation", is_group=True)
    DutyFactory(role=group, text="Kokoonnumme.", months=[3, 9])
    Meeting.objects.create(role=group, name="Toimintapäivä", per_year=1, months=[11],
                           mode=Meeting.Mode.ON_SITE, place="Lahden kaupunginkirjasto")
    Meeting.objects.create(role=group, name="Verkostotapaaminen", per_year=2,
                           mode=Meeting.Mode.REMOTE, link="https://teams.example.fi/verkosto")
    Funding.objects.create(role=group, funder="Opetushallitus", grant="Kirjastojen avustus",
                           amount=8000, covers="Toimintapäivän kulut")
    return network


def clock_page(client, organisation, **query):
    url = reverse("matrix:clock", args=[organisation.slug])
    return client.get(url, query)


def month_numbers(response):
    return [month.number for month in response.context["months"]]


def test_a_calendar_year_clock_runs_from_january_in_english(admin_client, network, english):
    response = clock_page(admin_client, network)

    assert month_numbers(response) == list(range(1, 13))
    page = response.content.decode()
    assert "over the year 2026, from January to December" in page
    assert "2026–2027" not in page and "2025–2026" not in page


def test_a_calendar_year_clock_runs_from_january_in_finnish(admin_client, network):
    admin_client.cookies["django_language"] = "fi"
    with translation.override("fi"):
        page = clock_page(admin_client, network).content.decode()

    assert page.index("tammikuu") < page.index("elokuu")  # Django's own month names
    assert ">2026</tspan>" in page


def test_a_school_year_clock_still_runs_from_august(admin_client, english):
    school_town = OrganisationFactory(name="Lahti", slug="lahti")
    role = RoleFactory(level=LevelFactory(organisation=school_town), slug="tutor")
    DutyFactory(role=role, months=[9])

    response = clock_page(admin_client, school_town)

    assert month_numbers(response)[0] == 8
    assert "2025–2026" in response.content.decode()


def test_meetings_with_months_are_in_the_clock_and_the_others_as_times_a_year(
        admin_client, network, english):
    response = clock_page(admin_client, network)

    november = next(month for month in response.context["months"] if month.number == 11)
    assert [entry.meeting.name for entry in november.duties] == ["Toimintapäivä"]
    page = response.content.decode()
    assert "Meetings without months" in page
    assert "Verkostotapaaminen" in page and "2 times a year" in page


def test_a_groups_role_filter_keeps_its_meetings_and_its_year(admin_client, network, english):
    response = clock_page(admin_client, network, role="digitutorit")

    assert response.context["selected"].key == "digitutorit"
    assert month_numbers(response)[0] == 1
    assert sum(len(month.duties) for month in response.context["months"]) == 3


def test_a_calendar_year_plan_runs_the_clock_from_january(admin_client, english):
    town = OrganisationFactory(name="Hollola", slug="hollola")
    plan = ActionPlanFactory(organisation=town, year=2022, year_kind=YearKind.CALENDAR)
    Meeting.objects.create(plan=plan, name="Ohjausryhmä", per_year=2, months=[2, 10])

    response = clock_page(admin_client, town, plan="2022")

    assert month_numbers(response)[0] == 1
    february = next(month for month in response.context["months"] if month.number == 2)
    assert [entry.meeting.name for entry in february.duties] == ["Ohjausryhmä"]
    assert "Year 2022" in response.content.decode()


def test_the_group_page_lists_its_meetings_and_funding(admin_client, network, english):
    url = reverse("matrix:group", args=[network.slug, "digitutorit"])

    page = admin_client.get(url).content.decode()

    assert "Toimintapäivä" in page and "Lahden kaupunginkirjasto" in page
    assert "1 time a year" in page and "2 times a year" in page
    assert "https://teams.example.fi/verkosto" in page
    assert "Opetushallitus" in page and "Kirjastojen avustus" in page


def test_the_group_page_shows_its_meetings_in_finnish(admin_client, network):
    admin_client.cookies["django_language"] = "fi"
    url = reverse("matrix:group", args=[network.slug, "digitutorit"])
    with translation.override("fi"):
        response = admin_client.get(url)

    assert response.status_code == 200
    assert "Verkostotapaaminen" in response.content.decode()


def test_the_month_picker_follows_the_organisations_year(network):
    group = network.levels.get().roles.get()
    duty = group.duties.get()

    assert [month for month, _name in DutyForm(instance=duty).fields["months"].choices][:2] == [
        1, 2]
    network.year_kind = YearKind.SCHOOL
    network.save()
    duty.role.level.organisation.year_kind = YearKind.SCHOOL
    assert [month for month, _name in DutyForm(instance=duty).fields["months"].choices][0] == 8


def test_a_duty_of_a_calendar_year_keeps_its_months_january_first(network):
    duty = DutyFactory.build(role=network.levels.get().roles.get(), text="Uusi", months=[9, 3])
    duty.full_clean()
    assert duty.months == [3, 9]


def test_other_organisations_meetings_stay_out_of_a_clock(admin_client, network, english):
    other = OrganisationFactory(name="Muu", slug="muu")

    response = clock_page(admin_client, other)

    assert not response.context["meetings_without_months"]
    assert all(not month.duties for month in response.context["months"])
