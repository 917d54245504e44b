"""Groups and networks as data: holders needed, networks beside the tree, computed access,
members added from a list, the sheets' person rules and members' /me/."""


import pytest
import tablib
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from matrix import services
from matrix.coverage import staffing
from matrix.health import findings
from matrix.models import Assignment
from matrix.resources import AssignmentResource
from roles.models import Role
from roles.resources import MatrixResource
from tests.conftest import words
from tests.factories import (
    ActionFactory,
    AssignmentFactory,
    GoalFactory,
    LevelFactory,
    OrganisationFactory,
    PersonFactory,
    RoleFactory,
    UnitFactory,
    UserFactory,
)
from units.access import organisation_allows, unit_allows
from units.models import Membership, Organisation, Person, Unit


@pytest.fixture
def network(db):
    """A library network of two regions' towns, with an organisation-wide group."""
    network = OrganisationFactory(name="Kirjastoverkosto", slug="kirjastot",
                                  kind=Organisation.Kind.JOINT_AUTHORITY)
    for region_name, town_name in (("Päijät-Häme", "Lahti"), ("Pohjois-Savo", "Kuopio")):
        region = OrganisationFactory(name=region_name, kind=Organisation.Kind.REGION)
        town = OrganisationFactory(name=town_name, slug=town_name.lower(), parent=region)
        Membership.objects.create(network=network, member=town)
    return network


@pytest.fixture
def group(network):
    return RoleFactory(level=LevelFactory(organisation=network), name="Digitutorverkosto",
                       slug="digitutorverkosto", scope=Role.Scope.ORGANISATION, is_group=True,
                       min_holders=2, max_holders=3)


def member(group, town_slug, *, chair=False, user=None, name=None):
    person = PersonFactory(organisation=Organisation.objects.get(slug=town_slug), user=user,
                           **({"name": name} if name else {}))
    return AssignmentFactory(role=group, unit=None, organisation=group.level.organisation,
                             person=person, is_chair=chair)


# Holders needed


def test_holders_needed_reads_as_a_range(db):
    assert Role(min_holders=1, max_holders=2).holders_needed() == "1–2"
    assert Role(min_holders=4, max_holders=4).holders_needed() == "4"
    assert Role().holders_needed() == ""


def test_most_holders_below_fewest_is_refused(group):
    group.min_holders, group.max_holders = 5, 4
    with pytest.raises(ValidationError) as error:
        group.full_clean()
    assert "max_holders" in error.value.message_dict


def test_a_group_short_of_holders_is_a_finding_and_in_coverage(admin_client, group, english):
    member(group, "lahti")
    network = group.level.organisation
    found = [f for f in findings(network, Unit.objects.none()) if f.kind == "holders_short"]
    assert len(found) == 1 and "needs 2–3" in found[0].message
    page = words(admin_client.get(reverse("matrix:coverage", args=[network.slug]),
                                  HTTP_ACCEPT_LANGUAGE="en"))
    assert "Digitutorverkosto" in page and "1 holders, needs 2–3" in page


def test_a_group_over_its_maximum_is_a_finding(group):
    for town in ("lahti", "kuopio", "lahti", "kuopio"):
        member(group, town)
    entries = staffing(group.level.organisation, Unit.objects.none())
    assert [(entry.count, entry.off_by) for entry in entries] == [(4, "over")]
    group.max_holders = 4
    group.save()
    assert staffing(group.level.organisation, Unit.objects.none()) == []


def test_unit_role_holders_are_counted_per_unit(organisation):
    school = UnitFactory(organisation=organisation, sectors=["perusopetus"])
    team = RoleFactory(level=LevelFactory(organisation=organisation), min_holders=2)
    AssignmentFactory(role=team, unit=school)
    [entry] = staffing(organisation, Unit.objects.all())
    assert (entry.place, entry.count, entry.off_by) == (school.name, 1, "short")


def test_staffing_is_counted_in_a_fixed_number_of_queries(network, django_assert_num_queries):
    for size in (1, 8):
        role = RoleFactory(level=LevelFactory(organisation=network), min_holders=20,
                           scope=Role.Scope.ORGANISATION, is_group=True)
        for _n in range(size):
            member(role, "lahti")
        with django_assert_num_queries(3):
            staffing(network, Unit.objects.none())


def test_role_sheet_round_trip_keeps_the_group_columns(group, english):
    group.description_fi = "Digiopastuksen yhteistyö."
    group.joining_fi = "Yksi kirjastonhoitaja kustakin jäsenkunnasta."
    group.save()
    dataset = MatrixResource().export(queryset=Role.objects.filter(pk=group.pk))
    row = dataset.dict[0]
    assert row["holders at least"] == 2 and row["group or network"] == "yes"
    Role.objects.filter(pk=group.pk).update(min_holders=None, is_group=False, joining_fi="")
    result = MatrixResource().import_data(dataset)
    assert not result.has_errors() and not result.has_validation_errors()
    group.refresh_from_db()
    assert (group.is_group, group.min_holders, group.max_holders) == (True, 2, 3)
    assert group.joining_fi == "Yksi kirjastonhoitaja kustakin jäsenkunnasta."


def test_role_sheet_refuses_a_count_that_is_no_number(group, english):
    dataset = MatrixResource().export(queryset=Role.objects.filter(pk=group.pk))
    rows = dataset.dict
    rows[0]["holders at most"] = "kolme"
    result = MatrixResource().import_data(tablib.Dataset(
        *[list(row.values()) for row in rows], headers=list(rows[0])))
    errors = [error for row in result.invalid_rows for error in row.error_dict]
    assert "holders at most" in errors


# Networks


def test_a_network_lists_its_members_and_members_link_it(admin_client, network):
    page = words(admin_client.get(reverse("matrix:organisation", args=["kirjastot"]),
                                  HTTP_ACCEPT_LANGUAGE="en"))
    assert "Lahti" in page and "Kuopio" in page
    response = admin_client.get(reverse("matrix:organisation", args=["lahti"]))
    assert reverse("matrix:organisation", args=["kirjastot"]) in response.content.decode()


def test_an_organisation_is_not_its_own_member(network):
    with pytest.raises(ValidationError):
        Membership(network=network, member=network).full_clean()


def test_network_groups_reach_their_members_people(network):
    reached = set(Organisation.objects.reached_by_groups_of(network)
                  .values_list("slug", flat=True))
    assert {"kirjastot", "lahti", "kuopio"} <= reached
    assert not reached & set(Organisation.objects.filter(kind="region")
                             .values_list("slug", flat=True))


def test_membership_inline_on_the_organisation_admin(admin_client, network):
    response = admin_client.get(reverse("admin:units_organisation_change", args=[network.pk]))
    assert "member_links-TOTAL_FORMS" in response.content.decode()


# Access computed from group membership


@pytest.fixture
def member_client(group):
    user = UserFactory()
    member(group, "lahti", user=user)
    client = Client()
    client.force_login(user)
    return client, user


@pytest.mark.parametrize("page", ["matrix:organisation", "plans:plan_list"])
def test_a_member_sees_the_groups_organisation_without_a_grant(member_client, group, page):
    client, _user = member_client
    assert client.get(reverse(page, args=["kirjastot"])).status_code == 200
    assert client.get(reverse("matrix:group", args=["kirjastot", group.slug])).status_code == 200


def test_a_member_gets_nothing_more_than_view(member_client, network):
    _client, user = member_client
    assert organisation_allows(user, network)
    for action in ("change", "manage_assignments", "manage_devices"):
        assert not organisation_allows(user, network, action)
    unit = UnitFactory(organisation=network, sectors=["kirjasto"])
    assert not unit_allows(user, unit)
    # Not the member towns either: the group's organisation alone.
    assert not organisation_allows(user, Organisation.objects.get(slug="kuopio"))


def test_an_ended_membership_grants_nothing(member_client, network):
    client, user = member_client
    Assignment.objects.filter(person__user=user).update(end_date="2000-01-01",
                                                        start_date="1999-01-01")
    assert client.get(reverse("matrix:organisation", args=["kirjastot"])).status_code == 404


def test_group_access_queries_stay_flat(db, django_assert_num_queries):
    user = UserFactory()
    for size in (1, 6):
        for _n in range(size):
            role = RoleFactory(scope=Role.Scope.ORGANISATION, is_group=True)
            AssignmentFactory(role=role, unit=None, organisation=role.level.organisation,
                              person=PersonFactory(user=None))
        role = RoleFactory(scope=Role.Scope.ORGANISATION, is_group=True)
        person = Person.objects.filter(user=user).first() or PersonFactory(user=user)
        AssignmentFactory(role=role, unit=None, organisation=role.level.organisation,
                          person=person)
        user = type(user).objects.get(pk=user.pk)  # no permissions cached from the last round
        with django_assert_num_queries(3):  # the user's global permissions, then one query
            ids = list(Organisation.objects.for_user(user).values_list("pk", flat=True))
        assert len(ids) == Assignment.objects.filter(person__user=user).count()


# Members from a list


LINES = ("Aino Aalto; Lahti; kirjastonhoitaja; aino@lahti.fi; puheenjohtaja\n"
         "Liisa Laine; kuopio; informaatikko\n")


def test_preview_saves_nothing_and_save_saves_all(group, english):
    preview = services.group_members_add(role=group, text=LINES, commit=False)
    assert not preview.errors and not preview.saved
    assert [line.new_person for line in preview.lines] == [True, True]
    assert not Person.objects.exists() and not Assignment.objects.exists()
    saved = services.group_members_add(role=group, text=LINES)
    assert saved.saved and saved.counts() == (2, 2, 0)
    chair = Assignment.objects.get(is_chair=True)
    assert chair.person.email == "aino@lahti.fi"
    assert Person.objects.get(name="Liisa Laine").organisation.slug == "kuopio"


def test_known_people_are_found_by_email_else_by_name(group):
    by_email = PersonFactory(organisation=Organisation.objects.get(slug="lahti"),
                             name="A. Aalto", email="aino@lahti.fi")
    by_name = PersonFactory(organisation=Organisation.objects.get(slug="kuopio"),
                            name="Liisa Laine", email="")
    result = services.group_members_add(role=group, text=LINES)
    assert result.counts() == (0, 2, 0)
    assert set(Assignment.objects.values_list("person", flat=True)) == {by_email.pk, by_name.pk}


def test_one_bad_line_saves_nothing_and_says_why(group, english):
    text = LINES + "Outi Oja; Tampere; ; ; ehkä\nVille Virta; Päijät-Häme\n"
    result = services.group_members_add(role=group, text=text)
    assert not result.saved and not Person.objects.exists()
    errors = {line.number: line.errors for line in result.errors}
    assert errors[3] == ["Unknown home organisation: Tampere.",
                         "Write “puheenjohtaja” or leave the chair field empty, not ehkä."]
    assert errors[4] == ["Päijät-Häme is not a member of Kirjastoverkosto, nor part of it."]


def test_an_ambiguous_name_asks_for_the_email(group, english):
    lahti = Organisation.objects.get(slug="lahti")
    PersonFactory.create_batch(2, organisation=lahti, name="Matti Virtanen", email="")
    result = services.group_members_add(role=group, text="Matti Virtanen; Lahti")
    assert result.errors[0].errors == [
        "Lahti has more than one person named Matti Virtanen: give the e-mail to tell them "
        "apart."]


def test_a_second_chair_is_refused(group, english):
    member(group, "kuopio", chair=True)
    result = services.group_members_add(role=group, text=LINES)
    assert not result.saved and "already chairs" in result.errors[0].errors[0]


def test_members_page_previews_then_saves(admin_client, group, english):
    url = reverse("admin:roles_role_members", args=[group.pk])
    response = admin_client.post(url, {"lines": LINES, "preview": "1"},
                                 HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and not Assignment.objects.exists()
    assert "new person, and a member" in words(response)
    response = admin_client.post(url, {"lines": LINES, "save": "1"})
    assert response.status_code == 302 and Assignment.objects.count() == 2


def test_members_page_keeps_the_lines_after_an_error(admin_client, group):
    url = reverse("admin:roles_role_members", args=[group.pk])
    bad = "Aino Aalto; Tampere"
    response = admin_client.post(url, {"lines": bad, "save": "1"})
    assert response.status_code == 200 and not Person.objects.exists()
    assert response.context["form"].initial["lines"] == bad


def test_members_page_is_404_for_another_organisations_administrator(client, group):
    from units.services import organisation_administrator_appoint

    elsewhere = OrganisationFactory()
    user = UserFactory()
    organisation_administrator_appoint(user=user, organisation=elsewhere)
    client.force_login(user)
    assert client.get(reverse("admin:roles_role_members", args=[group.pk])).status_code == 404
    assert client.post(reverse("admin:roles_role_members", args=[group.pk]),
                       {"lines": LINES, "save": "1"}).status_code == 404
    assert not Assignment.objects.exists()


# The assignment sheet


def test_assignment_sheet_finds_people_by_name_and_home_and_keeps_the_chair(group, english):
    kuopio = Organisation.objects.get(slug="kuopio")
    person = PersonFactory(organisation=kuopio, name="Liisa Laine", email="")
    dataset = tablib.Dataset(["Liisa Laine", "Kuopio", "kirjastot", group.slug, "", "kirjastot",
                              "kyllä", ""],
                             headers=["person name", "home organisation", "role organisation",
                                      "role", "unit", "organisation", "chair", "start date"])
    result = AssignmentResource().import_data(dataset)
    assert not result.has_validation_errors() and not result.has_errors()
    assert Assignment.objects.get(person=person).is_chair
    exported = AssignmentResource().export()
    assert exported.dict[0]["chair"] == "yes"
    assert AssignmentResource().import_data(exported).totals["skip"] == 1


@pytest.mark.parametrize(("cells", "why"), [
    (["nobody@example.fi", "", ""], "Nobody has the e-mail nobody@example.fi."),
    (["", "Liisa Laine", ""], "Give Liisa Laine's e-mail or home organisation"),
    (["", "Liisa Laine", "kuopio"], "Nobody named Liisa Laine works for Kuopio."),
])
def test_assignment_sheet_says_why_a_person_is_unknown(group, cells, why, english):
    dataset = tablib.Dataset([*cells, "kirjastot", group.slug, "", "kirjastot", ""],
                             headers=["person", "person name", "home organisation",
                                      "role organisation", "role", "unit", "organisation",
                                      "start date"])
    result = AssignmentResource().import_data(dataset)
    [row] = result.invalid_rows
    assert why in " ".join(row.error_dict["person"])


# /me/


def test_me_links_my_groups_marks_the_chair_and_lists_my_roles_actions(group):
    user = UserFactory()
    member(group, "lahti", user=user, chair=True)
    action = ActionFactory(goal=GoalFactory(plan__organisation=group.level.organisation),
                           responsible_role=group, text="Järjestetään toimintapäivä.")
    ActionFactory(goal=action.goal, text="Jonkun muun tehtävä.")
    client = Client()
    client.force_login(user)
    response = client.get(reverse("matrix:my_duties"))  # in Finnish, the default
    page = words(response)
    assert reverse("matrix:group", args=["kirjastot", group.slug]) in response.content.decode()
    assert "puheenjohtaja" in page
    assert "Järjestetään toimintapäivä." in page and "Jonkun muun tehtävä." not in page
    assert action.goal.plan.get_absolute_url() in response.content.decode()
    assert client.get(action.goal.plan.get_absolute_url()).status_code == 200


def test_me_in_english_says_chair(group, client, english):
    user = UserFactory()
    member(group, "lahti", user=user, chair=True)
    client.force_login(user)
    assert "chair" in words(client.get(reverse("matrix:my_duties")))
