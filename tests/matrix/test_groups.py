"""Working groups and networks: the group page, its meetings on the annual clock, the chair."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm

from matrix.models import Assignment
from roles.models import Role
from tests.conftest import words
from tests.factories import (
    AssignmentFactory,
    DutyFactory,
    LevelFactory,
    OrganisationFactory,
    PersonFactory,
    RoleFactory,
    UnitFactory,
    UserFactory,
)
from units.models import Organisation

MEETINGS = "Kokoonnumme verkoston tapaamiseen."
ACTIVITY_DAY = "Järjestämme digitutorien toimintapäivän."


pytestmark = pytest.mark.usefixtures("english")


def group_url(organisation_slug, role_slug):
    return reverse("matrix:group", args=[organisation_slug, role_slug])


def town(name, slug):
    return OrganisationFactory(name=name, slug=slug)


@pytest.fixture
def network(db):
    """The libraries' network: a digitutor group with members from four towns, Heinola chairs."""
    network = OrganisationFactory(name="Kirjastoverkosto", slug="kirjastot",
                                  kind=Organisation.Kind.JOINT_AUTHORITY)
    group = RoleFactory(level=LevelFactory(organisation=network, name="Yhteistyö"),
                        name="Kirjastojen digitutorverkosto", slug="digitutorverkosto",
                        scope=Role.Scope.ORGANISATION, is_group=True, sectors=["kirjasto"])
    DutyFactory(role=group, text=MEETINGS, recurrence="vähintään 2 kertaa vuodessa",
                months=[9, 3])
    DutyFactory(role=group, text=ACTIVITY_DAY, recurrence="toimintapäivä kerran vuodessa",
                months=[11])
    DutyFactory(role=group, text="Jaamme hyviä käytäntöjä.")
    members = [("Aino Aalto", "Lahti", "lahti", False),
               ("Veera Virta", "Heinola", "heinola", True),
               ("Outi Oja", "Hollola", "hollola", False),
               ("Liisa Laine", "Kuopio", "kuopio", False)]
    for name, town_name, slug, chair in members:
        person = PersonFactory(name=name, title="kirjastonhoitaja",
                               organisation=town(town_name, slug))
        AssignmentFactory(role=group, unit=None, organisation=network, person=person,
                          is_chair=chair)
    # A member whose term is over is no longer listed.
    AssignmentFactory(role=group, unit=None, organisation=network,
                      person=PersonFactory(name="Entinen Jäsen"),
                      end_date=timezone.localdate() - datetime.timedelta(days=1))
    RoleFactory(level=group.level, name="Verkoston koordinaattori", slug="koordinaattori",
                scope=Role.Scope.ORGANISATION)
    return network


def viewer_of(organisation):
    user = UserFactory()
    assign_perm("units.view_organisation", user, organisation)
    return user


# What the page shows


def test_group_page_lists_members_from_several_towns_with_the_chair_first(client, network):
    client.force_login(viewer_of(network))
    response = client.get(group_url("kirjastot", "digitutorverkosto"))
    assert response.status_code == 200
    text = words(response)
    assert "Kirjastojen digitutorverkosto" in text
    # The change history names former members too; the page's own lists come before it.
    history = text.index("Change history")
    text, history = text[:history], text[history:]
    assert "Entinen Jäsen" in history
    members = [assignment.person.name for assignment in response.context["members"]]
    assert members == ["Veera Virta", "Aino Aalto", "Liisa Laine", "Outi Oja"]
    assert "Veera Virta , kirjastonhoitaja chair Heinola" in text
    assert "Aino Aalto , kirjastonhoitaja Lahti" in text
    assert "Liisa Laine , kirjastonhoitaja Kuopio" in text
    assert text.count(" chair ") == 1
    assert "Entinen Jäsen" not in text


def test_group_page_shows_duties_with_their_meetings_and_links_the_clock(client, network):
    client.force_login(viewer_of(network))
    response = client.get(group_url("kirjastot", "digitutorverkosto"))
    text = words(response)
    assert f"{MEETINGS} vähintään 2 kertaa vuodessa September, March" in text
    assert f"{ACTIVITY_DAY} toimintapäivä kerran vuodessa November" in text
    clock = reverse("matrix:clock", args=["kirjastot"]) + "?role=digitutorverkosto"
    assert f'href="{clock}"' in response.text


def test_group_meetings_appear_in_their_months_on_the_networks_clock(client, network):
    client.force_login(viewer_of(network))
    response = client.get(reverse("matrix:clock", args=["kirjastot"]),
                          {"role": "digitutorverkosto"})
    assert response.status_code == 200
    by_month = {month.number: [entry.duty.text for entry in month.duties]
                for month in response.context["months"]}
    assert by_month[9] == [MEETINGS]
    assert by_month[3] == [MEETINGS]
    assert by_month[11] == [ACTIVITY_DAY]
    assert sum(len(texts) for texts in by_month.values()) == 3


def test_a_group_without_members_or_months_says_so(admin_client, network):
    RoleFactory(level=LevelFactory(organisation=network), slug="tyhja", is_group=True,
                scope=Role.Scope.ORGANISATION)
    Role.objects.get(slug="tyhja").duties.create(text="Sovimme asioista.")
    text = words(admin_client.get(group_url("kirjastot", "tyhja")))
    assert "Nobody is a member of this group yet." in text
    assert "None of its duties has months" in text


# Who may see it


def test_anonymous_user_is_sent_to_login(client, network):
    response = client.get(group_url("kirjastot", "digitutorverkosto"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_user_without_a_grant_gets_404(client, network):
    client.force_login(UserFactory())
    assert client.get(group_url("kirjastot", "digitutorverkosto")).status_code == 404


def test_a_members_home_town_grant_does_not_open_the_network(client, network):
    client.force_login(viewer_of(Organisation.objects.get(slug="lahti")))
    assert client.get(group_url("kirjastot", "digitutorverkosto")).status_code == 404


def test_a_role_that_is_no_group_is_404(admin_client, network):
    assert admin_client.get(group_url("kirjastot", "koordinaattori")).status_code == 404


def test_an_unknown_or_foreign_role_slug_is_404(admin_client, network):
    elsewhere = OrganisationFactory(slug="muualla")
    RoleFactory(level=LevelFactory(organisation=elsewhere), slug="muu-ryhma", is_group=True,
                scope=Role.Scope.ORGANISATION)
    assert admin_client.get(group_url("kirjastot", "muu-ryhma")).status_code == 404
    assert admin_client.get(group_url("kirjastot", "ei-ole")).status_code == 404
    assert admin_client.get(group_url("ei-ole", "digitutorverkosto")).status_code == 404


@pytest.fixture
def school_team(db):
    """A group held at each school of a municipality: a chair and a member at two schools."""
    municipality = OrganisationFactory(name="Hollola", slug="hollola")
    team = RoleFactory(level=LevelFactory(organisation=municipality), name="Koulun digitiimi",
                       slug="koulun-digitiimi", is_group=True, sectors=["perusopetus"])
    schools = [UnitFactory(organisation=municipality, name=name, slug=slug)
               for name, slug in (("Alakoulu", "alakoulu"), ("Yläkoulu", "ylakoulu"))]
    for school in schools:
        for name, chair in ((f"Puheenjohtaja {school.name}", True),
                            (f"Jäsen {school.name}", False)):
            AssignmentFactory(role=team, unit=school, is_chair=chair, is_lead=chair,
                              person=PersonFactory(organisation=municipality, name=name))
    return schools


def test_a_unit_viewer_sees_the_members_at_the_units_they_may_view(client, school_team):
    alakoulu, _ylakoulu = school_team
    user = UserFactory()
    assign_perm("units.view_unit", user, alakoulu)
    client.force_login(user)
    response = client.get(group_url("hollola", "koulun-digitiimi"))
    assert response.status_code == 200
    assert [assignment.person.name for assignment in response.context["members"]] \
        == ["Puheenjohtaja Alakoulu", "Jäsen Alakoulu"]
    assert "Yläkoulu" not in words(response)


def test_an_organisation_viewer_sees_each_units_team_with_its_chair(client, school_team):
    client.force_login(viewer_of(Organisation.objects.get(slug="hollola")))
    text = words(client.get(group_url("hollola", "koulun-digitiimi")))
    assert ("Alakoulu Puheenjohtaja Alakoulu , opettaja chair Hollola Jäsen Alakoulu , opettaja"
            " (supporting) Hollola Yläkoulu Puheenjohtaja Yläkoulu") in text


# The chair in the assignment form


@pytest.fixture
def team_at_school(school, organisation):
    """A digital team held at each school of Kuopio, and a principal role beside it."""
    team = RoleFactory(level=LevelFactory(organisation=organisation), name="Koulun digitiimi",
                       slug="koulun-digitiimi", is_group=True)
    chair = AssignmentFactory(role=team, unit=school, is_chair=True,
                              person=PersonFactory(organisation=organisation, name="Ville Veto"))
    return team, chair


def test_the_form_offers_the_chair_box_only_when_a_group_is_offered(principal_client, school,
                                                                    organisation):
    RoleFactory(level=LevelFactory(organisation=organisation), name="Rehtori")
    url = reverse("matrix:assignment_add", args=[school.slug])
    assert "is_chair" not in principal_client.get(url).context["form"].fields
    RoleFactory(level=LevelFactory(organisation=organisation), name="Digitiimi", is_group=True)
    assert "is_chair" in principal_client.get(url).context["form"].fields


def test_a_second_chair_is_refused_with_a_message(principal_client, school, organisation,
                                                  team_at_school):
    team, _chair = team_at_school
    newcomer = PersonFactory(organisation=organisation, name="Uusi Jäsen")
    response = principal_client.post(
        reverse("matrix:assignment_add", args=[school.slug]),
        {"person": newcomer.pk, "role": team.pk, "is_chair": "on"})
    assert response.status_code == 200
    assert response.context["form"].errors["is_chair"] == [
        "Ville Veto already chairs this group for that period."]
    assert "Ville Veto already chairs this group for that period." in words(response)
    assert not Assignment.objects.filter(person=newcomer).exists()


def test_a_member_is_added_and_the_chair_passed_on_when_the_first_ends(principal_client, school,
                                                                       organisation,
                                                                       team_at_school):
    team, chair = team_at_school
    member = PersonFactory(organisation=organisation, name="Uusi Jäsen")
    add = reverse("matrix:assignment_add", args=[school.slug])
    response = principal_client.post(add, {"person": member.pk, "role": team.pk})
    assert response.status_code == 302
    assert not Assignment.objects.get(person=member).is_chair
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    principal_client.post(reverse("matrix:assignment_end", args=[school.slug, chair.pk]),
                          {"end_date": yesterday.isoformat()})
    edit = reverse("matrix:assignment_edit",
                   args=[school.slug, Assignment.objects.get(person=member).pk])
    response = principal_client.post(edit, {"person": member.pk, "role": team.pk,
                                            "is_chair": "on",
                                            "start_date": timezone.localdate().isoformat()})
    assert response.status_code == 302
    assert Assignment.objects.get(person=member).is_chair


def test_a_chair_of_a_role_that_is_no_group_is_refused(principal_client, school, organisation,
                                                       team_at_school):
    principal = RoleFactory(level=LevelFactory(organisation=organisation), name="Rehtori")
    teacher = PersonFactory(organisation=organisation)
    response = principal_client.post(
        reverse("matrix:assignment_add", args=[school.slug]),
        {"person": teacher.pk, "role": principal.pk, "is_lead": "on", "is_chair": "on"})
    assert response.context["form"].errors["is_chair"] == [
        "Only a working group or network has a chair."]


def test_each_unit_of_a_unit_scoped_group_has_its_own_chair(school, other_school,
                                                            team_at_school):
    team, _chair = team_at_school
    other_school.organisation = school.organisation
    other_school.save()
    elsewhere = Assignment(role=team, unit=other_school, is_chair=True,
                           person=PersonFactory(organisation=school.organisation))
    elsewhere.full_clean()


# The chair in the administration


def admin_form(network, person, **extra):
    group = Role.objects.get(slug="digitutorverkosto")
    return {"person": person.pk, "role": group.pk, "organisation": network.pk,
            "is_lead": "on", **extra}


def test_the_admin_names_a_chair_and_refuses_a_second(admin_client, network):
    Assignment.objects.filter(is_chair=True).update(is_chair=False)
    first, second = PersonFactory(name="Ensimmäinen"), PersonFactory(name="Toinen")
    add = reverse("admin:matrix_assignment_add")
    response = admin_client.post(add, admin_form(network, first, is_chair="on"))
    assert response.status_code == 302
    assert Assignment.objects.get(person=first).is_chair
    response = admin_client.post(add, admin_form(network, second, is_chair="on"))
    assert response.status_code == 200
    assert "Ensimmäinen already chairs this group for that period." in words(response)
    assert not Assignment.objects.filter(person=second).exists()


def test_the_admin_passes_the_chair_on(admin_client, network):
    chair = Assignment.objects.get(is_chair=True)
    member = Assignment.objects.get(person__name="Aino Aalto")
    change = reverse("admin:matrix_assignment_change", args=[chair.pk])
    assert admin_client.post(change, admin_form(network, chair.person)).status_code == 302
    change = reverse("admin:matrix_assignment_change", args=[member.pk])
    response = admin_client.post(change, admin_form(network, member.person, is_chair="on"))
    assert response.status_code == 302
    assert list(Assignment.objects.filter(is_chair=True)) == [member]


# Queries


def build_network(name, scale):
    """Return a network whose group has `scale` times the members, duties and partners."""
    network = OrganisationFactory(name=name, slug=name.lower(),
                                  kind=Organisation.Kind.JOINT_AUTHORITY)
    level = LevelFactory(organisation=network)
    group = RoleFactory(level=level, slug="ryhma", scope=Role.Scope.ORGANISATION, is_group=True)
    partners = [RoleFactory(level=level) for _role in range(2)]
    for _duty in range(3 * scale):
        DutyFactory(role=group, months=[9, 3], sectors=["kirjasto"]).collaborating_roles.set(
            partners)
    for n in range(4 * scale):
        AssignmentFactory(role=group, unit=None, organisation=network, is_chair=n == 0,
                          person=PersonFactory())
    return network


# Session, user, the organisation, the organisations the user may view (once, for the page and
# its breadcrumbs), the group, its duties, their sectors, their partners, its meetings, its
# funding, the members, and the change history: the role's and the members' latest records (2;
# the records before them are a query more each where there are any, and here everything was
# only created).
GROUP_QUERIES = 13


def test_the_group_page_takes_the_same_queries_for_a_larger_group(client, db,
                                                                  django_assert_num_queries):
    small, large = build_network("Pieni", 1), build_network("Iso", 10)
    user = UserFactory()
    for network in (small, large):
        assign_perm("units.view_organisation", user, network)
    client.force_login(user)
    for network in (small, large):
        with django_assert_num_queries(GROUP_QUERIES + 2):  # + the user's global permissions
            response = client.get(group_url(network.slug, "ryhma"))
        assert response.status_code == 200
