"""The organisation pages: who may see them, what the organisation page shows, query counts."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm

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

PAGES = ["organisation", "coverage", "coverage_export", "health"]


pytestmark = pytest.mark.usefixtures("english")


def url(page, slug):
    args = [slug, "csv"] if page == "coverage_export" else [slug]
    return reverse(f"matrix:{page}", args=args)


@pytest.fixture
def region(organisation):
    """Put Kuopio in a region, beside another municipality."""
    region = OrganisationFactory(name="Pohjois-Savo", slug="pohjois-savo",
                                 kind=Organisation.Kind.REGION)
    organisation.parent = region
    organisation.save()
    OrganisationFactory(name="Siilinjärvi", slug="siilinjarvi", parent=region)
    return region


@pytest.fixture
def matrix(organisation, school, region):
    """Kuopio's roles: a principal in post, an empty tutor role, a coordinator, guardians."""
    administration = LevelFactory(organisation=organisation, name="Hallinto", order=1)
    units = LevelFactory(organisation=organisation, name="Yksiköt", order=2)
    coordinator = RoleFactory(level=administration, name="TVT-koordinaattori",
                              scope=Role.Scope.ORGANISATION)
    RoleFactory(level=administration, name="Tietohallinto", scope=Role.Scope.ORGANISATION)
    RoleFactory(level=administration, name="Huoltajat", scope=Role.Scope.ORGANISATION,
                named_holders=False)
    principal = RoleFactory(level=units, name="Rehtori", sectors=["perusopetus"])
    RoleFactory(level=units, name="Digitutor", sectors=["perusopetus"])
    for role in Role.objects.all():
        DutyFactory(role=role)
    AssignmentFactory(role=principal, unit=school,
                      person=PersonFactory(organisation=organisation, name="Sanna Tervo"))
    AssignmentFactory(role=coordinator, unit=None, organisation=organisation,
                      person=PersonFactory(organisation=organisation, name="Päivi Lappalainen",
                                           title="TVT-koordinaattori"))
    return organisation


def viewer_of(organisation):
    user = UserFactory()
    assign_perm("units.view_organisation", user, organisation)
    return user


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_user_is_sent_to_login(client, matrix, page):
    response = client.get(url(page, "kuopio"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("page", PAGES)
def test_user_without_a_grant_gets_404(client, matrix, page):
    client.force_login(UserFactory())
    assert client.get(url(page, "kuopio")).status_code == 404


@pytest.mark.parametrize("page", PAGES)
def test_principal_with_a_unit_grant_only_gets_404(principal_client, matrix, page):
    assert principal_client.get(url(page, "kuopio")).status_code == 404


@pytest.mark.parametrize("page", PAGES)
def test_grant_on_another_municipality_or_below_does_not_reach_up(client, matrix, region, page):
    client.force_login(viewer_of(Organisation.objects.get(slug="siilinjarvi")))
    assert client.get(url(page, "kuopio")).status_code == 404
    client.force_login(viewer_of(matrix))
    assert client.get(url(page, "pohjois-savo")).status_code == 404


@pytest.mark.parametrize("page", PAGES)
def test_organisation_and_region_viewers_and_superusers_see_the_pages(
        client, admin_client, matrix, region, page):
    assert admin_client.get(url(page, "kuopio")).status_code == 200
    for organisation in (matrix, region):
        client.force_login(viewer_of(organisation))
        assert client.get(url(page, "kuopio")).status_code == 200


def test_unknown_organisation_is_404(admin_client, db):
    assert admin_client.get(url("organisation", "ei-ole")).status_code == 404


def test_organisation_page_shows_roles_holders_units_and_links(client, matrix, school):
    client.force_login(viewer_of(matrix))
    response = client.get(url("organisation", "kuopio"))
    text = words(response)
    assert "Kuopio" in text and "Municipality" in text
    assert "part of Pohjois-Savo" in text
    assert reverse("matrix:organisation", args=["pohjois-savo"]) not in response.text
    assert "Hallinto" in text and "Yksiköt" in text
    assert "TVT-koordinaattori Organisation-wide" in text
    assert "Päivi Lappalainen, TVT-koordinaattori" in text
    assert "Tietohallinto Organisation-wide All sectors Gap nobody holds this role" in text
    assert "Huoltajat Organisation-wide All sectors Nobody is named in this role." in text
    assert "Rehtori At each unit" in text
    assert "Sanna Tervo" not in text  # a unit's holders are on the unit's own page
    assert f'href="{reverse("matrix:unit", args=[school.slug])}"' in response.text
    assert "Kalevalan koulu Perusopetus" in text
    # The empty tutor role at the school and the empty Tietohallinto.
    assert "Health check : 2 findings" in text
    for page in ("coverage", "health", "clock"):
        assert reverse(f"matrix:{page}", args=["kuopio"]) in response.text


def test_region_page_lists_its_municipalities_and_their_units(client, matrix, region, school):
    client.force_login(viewer_of(region))
    response = client.get(url("organisation", "pohjois-savo"))
    text = words(response)
    assert "Region" in text and "Member organisations" in text
    assert reverse("matrix:organisation", args=["siilinjarvi"]) in response.text
    assert "This organisation has no levels or roles of its own." in text
    assert "Kuopio Kalevalan koulu" in text
    # From Kuopio's page the region viewer may follow the link up.
    page = client.get(url("organisation", "kuopio"))
    assert reverse("matrix:organisation", args=["pohjois-savo"]) in page.text


def test_health_count_says_when_there_are_no_findings(admin_client, organisation):
    assert "Health check : No findings" in words(admin_client.get(url("organisation",
                                                                      "kuopio")))


def build_organisation(name, scale):
    """Return an organisation under a region with `scale` times the units, roles and holders.

    Every relation the pages prefetch has rows at every scale, so the query counts compare
    like with like.
    """
    region = OrganisationFactory(name=f"{name} seutu", kind=Organisation.Kind.REGION)
    organisation = OrganisationFactory(name=name, slug=name.lower(), parent=region)
    RoleFactory(level=LevelFactory(organisation=region), name=f"{name} seudun tuki",
                sectors=["perusopetus"])
    levels = [LevelFactory(organisation=organisation) for _level in range(2)]
    today = timezone.localdate()
    units = [UnitFactory(organisation=organisation,
                         sectors=["perusopetus", "lukio"] if n % 2 else ["varhaiskasvatus"])
             for n in range(2 * scale)]
    unit_roles = [RoleFactory(level=levels[1], sectors=[["perusopetus"], ["lukio"],
                                                        ["varhaiskasvatus"]][n % 3])
                  for n in range(3 * scale)]
    org_roles = [RoleFactory(level=levels[0], scope=Role.Scope.ORGANISATION)
                 for _role in range(scale)]
    for role in unit_roles + org_roles:
        DutyFactory(role=role)
        DutyFactory(role=role, sectors=["perusopetus"]).collaborating_roles.set(unit_roles[:2])
    people = [PersonFactory(organisation=organisation) for _person in range(2 * scale)]
    for n, unit in enumerate(units):
        AssignmentFactory(role=unit_roles[n % len(unit_roles)], unit=unit, person=people[n],
                          end_date=today + datetime.timedelta(days=n))
        AssignmentFactory(role=unit_roles[(n + 1) % len(unit_roles)], unit=unit,
                          person=people[0], is_lead=False)
    for role in org_roles:
        AssignmentFactory(role=role, unit=None, organisation=organisation, person=people[0])
    # A group of the organisation with members from elsewhere, and one of the region's.
    group = RoleFactory(level=levels[0], scope=Role.Scope.ORGANISATION, is_group=True)
    RoleFactory(level=LevelFactory(organisation=region), scope=Role.Scope.ORGANISATION,
                is_group=True)
    for n in range(2 * scale):
        AssignmentFactory(role=group, unit=None, organisation=organisation, person=PersonFactory(),
                          is_chair=n == 0)
    return organisation


# The queries of each page, whatever the size of the organisation.
# The staffing of roles (two queries) is counted on the coverage and health pages, and the
# organisation page reads its network members and networks (two more).
QUERIES = {"organisation": 31, "coverage": 14, "coverage_export": 11, "health": 20}


@pytest.mark.parametrize("page", PAGES)
def test_queries_stay_flat_as_the_organisation_grows(client, django_assert_num_queries,
                                                     page, db):
    small, large = build_organisation("Pieni", 1), build_organisation("Iso", 10)
    user = UserFactory()
    for organisation in (small, large):
        assign_perm("units.view_organisation", user, organisation)
    client.force_login(user)
    for organisation in (small, large):
        with django_assert_num_queries(QUERIES[page]):
            response = client.get(url(page, organisation.slug), {"sort": "gaps"})
        assert response.status_code == 200
