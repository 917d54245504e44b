"""A region's roles reach its municipalities: unit pages, the organisation pages, group pages."""


import pytest
from django.urls import reverse
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

TOWNS = [("Lahti", "lahti"), ("Heinola", "heinola"), ("Hollola", "hollola")]


pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def region(db):
    """Päijät-Häme with three municipalities, a school in each and a regional ICT group.

    Each municipality sends one member to the group; Heinola's member chairs it.
    """
    region = OrganisationFactory(name="Päijät-Hämeen seutu", slug="paijat-hame",
                                 kind=Organisation.Kind.REGION)
    level = LevelFactory(organisation=region, name="Seudullinen kehittämisverkosto")
    group = RoleFactory(level=level, name="Seudullinen TVT-kehittämisryhmä",
                        slug="seudullinen-tvt-kehittamisryhma", scope=Role.Scope.ORGANISATION,
                        is_group=True, sectors=["perusopetus"])
    DutyFactory(role=group, text="Kokoonnumme suunnittelemaan seudullista kehittämistä.",
                recurrence="4 kertaa lukuvuodessa", months=[9, 11, 2, 4])
    RoleFactory(level=level, name="Seudullinen koordinaattori", slug="koordinaattori",
                scope=Role.Scope.ORGANISATION)
    for name, slug in TOWNS:
        town = OrganisationFactory(name=name, slug=slug, parent=region)
        UnitFactory(organisation=town, name=f"{name}n koulu", slug=f"{slug}-koulu")
        member = PersonFactory(organisation=town, name=f"Edustaja {name}", title="TVT-opettaja")
        AssignmentFactory(role=group, unit=None, organisation=region, person=member,
                          is_chair=slug == "heinola")
    return region


def viewer_of(organisation):
    user = UserFactory()
    assign_perm("units.view_organisation", user, organisation)
    return user


# The region's roles on the municipalities' units


@pytest.mark.parametrize(("name", "slug"), TOWNS)
def test_each_municipalitys_school_shows_the_regional_group_with_its_members(client, region,
                                                                            name, slug):
    school = Organisation.objects.get(slug=slug).units.get()
    user = UserFactory()
    assign_perm("units.view_unit", user, school)
    client.force_login(user)
    response = client.get(reverse("matrix:unit", args=[school.slug]))
    assert response.status_code == 200
    entries = {entry.role.slug: entry for level in response.context["levels"]
               for entry in level.roles}
    group = entries["seudullinen-tvt-kehittamisryhma"]
    assert group.role.level.organisation == region
    assert sorted(holder.person.name for holder in group.holders) \
        == ["Edustaja Heinola", "Edustaja Hollola", "Edustaja Lahti"]
    text = words(response)
    assert "Seudullinen TVT-kehittämisryhmä" in text
    assert "Edustaja Lahti , TVT-opettaja" in text


def test_a_school_viewer_may_open_the_regional_group_page_from_their_municipality(client,
                                                                                 region):
    school = Organisation.objects.get(slug="hollola").units.get()
    user = UserFactory()
    assign_perm("units.view_unit", user, school)
    client.force_login(user)
    for slug in ("hollola", "paijat-hame"):
        response = client.get(reverse("matrix:group",
                                      args=[slug, "seudullinen-tvt-kehittamisryhma"]))
        assert response.status_code == 200
        assert [member.person.name for member in response.context["members"]][0] \
            == "Edustaja Heinola"
    # A neighbour's group page is not theirs to see.
    assert client.get(reverse("matrix:group", args=["lahti", "seudullinen-tvt-kehittamisryhma"])
                      ).status_code == 404


def test_a_regional_role_that_is_no_group_has_no_group_page(admin_client, region):
    response = admin_client.get(reverse("matrix:group", args=["lahti", "koordinaattori"]))
    assert response.status_code == 404


# The organisation pages


def test_region_page_links_its_municipalities_and_shows_the_group_with_its_chair(client,
                                                                               region):
    client.force_login(viewer_of(region))
    response = client.get(reverse("matrix:organisation", args=["paijat-hame"]))
    assert response.status_code == 200
    text = words(response)
    for _name, slug in TOWNS:
        assert f'href="{reverse("matrix:organisation", args=[slug])}"' in response.text
    group_url = reverse("matrix:group", args=["paijat-hame", "seudullinen-tvt-kehittamisryhma"])
    assert f'href="{group_url}"' in response.text
    assert "Seudullinen TVT-kehittämisryhmä Organisation-wide Group or network" in text
    # The chair first and marked, every member with their home organisation.
    assert ("Edustaja Heinola, TVT-opettaja chair – Heinola "
            "Edustaja Hollola, TVT-opettaja – Hollola "
            "Edustaja Lahti, TVT-opettaja – Lahti") in text
    for name, args in (("matrix:coverage", ["paijat-hame"]), ("matrix:health", ["paijat-hame"]),
                       ("matrix:clock", ["paijat-hame"]), ("plans:plan_list", ["paijat-hame"])):
        assert f'href="{reverse(name, args=args)}"' in response.text
    assert "Groups and networks" in text


def test_municipality_page_links_the_regional_group_under_its_own_address(client, region):
    client.force_login(viewer_of(Organisation.objects.get(slug="lahti")))
    response = client.get(reverse("matrix:organisation", args=["lahti"]))
    text = words(response)
    assert "Groups and networks Seudullinen TVT-kehittämisryhmä Päijät-Hämeen seutu" in text
    group_url = reverse("matrix:group", args=["lahti", "seudullinen-tvt-kehittamisryhma"])
    assert f'href="{group_url}"' in response.text
    assert client.get(group_url).status_code == 200
    # The region itself is not linked: a municipality's grant does not reach up.
    assert reverse("matrix:organisation", args=["paijat-hame"]) not in response.text


def test_a_municipalitys_own_group_shadows_the_regions_group_of_the_same_slug(admin_client,
                                                                            region):
    lahti = Organisation.objects.get(slug="lahti")
    own = RoleFactory(level=LevelFactory(organisation=lahti), name="Lahden oma ryhmä",
                      slug="seudullinen-tvt-kehittamisryhma", is_group=True,
                      scope=Role.Scope.ORGANISATION)
    response = admin_client.get(reverse("matrix:group",
                                        args=["lahti", "seudullinen-tvt-kehittamisryhma"]))
    assert response.context["group"] == own
    page = admin_client.get(reverse("matrix:organisation", args=["lahti"]))
    urls = [url for _group, url in page.context["groups"]]
    assert urls == [
        reverse("matrix:group", args=["paijat-hame", "seudullinen-tvt-kehittamisryhma"]),
        reverse("matrix:group", args=["lahti", "seudullinen-tvt-kehittamisryhma"]),
    ]
