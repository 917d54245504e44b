"""Unit.objects.for_user(): the one choke point that decides which units a user may see."""

import pytest
from django.contrib.auth.models import AnonymousUser, Group, Permission
from guardian.shortcuts import assign_perm

from tests.factories import OrganisationFactory, UnitFactory, UserFactory
from units.models import Organisation, Unit


@pytest.fixture
def region(db):
    return OrganisationFactory(name="Päijät-Häme", slug="paijat-hame",
                               kind=Organisation.Kind.REGION)


@pytest.fixture
def lahti(region):
    return OrganisationFactory(name="Lahti", slug="lahti", parent=region)


@pytest.fixture
def lahti_school(lahti):
    return UnitFactory(organisation=lahti, name="Lahden koulu", slug="lahden-koulu")


def test_anonymous_user_sees_no_units(school):
    assert not Unit.objects.for_user(AnonymousUser()).exists()


def test_user_without_grants_sees_no_units(school):
    assert list(Unit.objects.for_user(UserFactory())) == []


def test_inactive_user_sees_nothing_even_with_a_grant(school):
    user = UserFactory(is_active=False)
    assign_perm("units.view_unit", user, school)
    assert list(Unit.objects.for_user(user)) == []


def test_superuser_sees_every_unit(superuser, school, other_school):
    assert set(Unit.objects.for_user(superuser)) == {school, other_school}


def test_the_named_global_permission_sees_every_unit(school, other_school):
    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="view_every_organisation"))
    assert set(Unit.objects.for_user(user)) == {school, other_school}
    assert set(Organisation.objects.for_user(user)) == {school.organisation,
                                                        other_school.organisation}
    assert list(Unit.objects.for_user(user, "manage_devices")) == []


def test_the_admins_model_permission_to_view_units_sees_no_unit(school, other_school):
    # A staff user needs units.view_unit for the admin; it must not open every municipality.
    user = UserFactory(is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(
        codename__in=["view_unit", "view_organisation", "change_unit", "manage_devices"]))
    for action in ("view", "change", "manage_devices"):
        assert list(Unit.objects.for_user(user, action)) == []
        assert list(Organisation.objects.for_user(user, action)) == []


def test_each_permission_codename_names_one_permission(school):
    # assign_perm() without an object finds the permission by codename alone.
    user = UserFactory()
    for codename in ("manage_devices", "manage_assignments", "manage_organisation_devices",
                     "manage_organisation_assignments"):
        assign_perm(f"units.{codename}", user)
    assert user.user_permissions.count() == 4


def test_unit_grant_covers_only_that_unit(principal, school, other_school):
    assert list(Unit.objects.for_user(principal)) == [school]


def test_grant_is_per_action(school):
    user = UserFactory()
    assign_perm("units.view_unit", user, school)
    assert list(Unit.objects.for_user(user, "view")) == [school]
    assert list(Unit.objects.for_user(user, "manage_devices")) == []


def test_group_grant_on_unit_covers_members(school, other_school):
    user = UserFactory()
    group = Group.objects.create(name="Digitutorit")
    user.groups.add(group)
    assign_perm("units.manage_devices", group, other_school)
    assert list(Unit.objects.for_user(user, "manage_devices")) == [other_school]


def test_organisation_grant_covers_its_units(organisation, school, other_school):
    second = UnitFactory(organisation=organisation, name="Päiväkoti", slug="paivakoti")
    user = UserFactory()
    assign_perm("units.view_organisation", user, organisation)
    assert set(Unit.objects.for_user(user)) == {school, second}


def test_group_grant_on_organisation_covers_its_units(organisation, school, other_school):
    user = UserFactory()
    group = Group.objects.create(name="Opetustoimi")
    user.groups.add(group)
    assign_perm("units.manage_organisation_assignments", group, organisation)
    assert list(Unit.objects.for_user(user, "manage_assignments")) == [school]


def test_region_grant_covers_its_municipalities_units(region, lahti, lahti_school, school):
    user = UserFactory()
    assign_perm("units.view_organisation", user, region)
    assert list(Unit.objects.for_user(user)) == [lahti_school]


def test_municipality_grant_does_not_reach_the_region_or_siblings(region, lahti, lahti_school):
    heinola = OrganisationFactory(name="Heinola", slug="heinola", parent=region)
    heinola_school = UnitFactory(organisation=heinola, slug="heinolan-koulu")
    regional_unit = UnitFactory(organisation=region, slug="seutu-yksikko")
    user = UserFactory()
    assign_perm("units.view_organisation", user, heinola)
    assert list(Unit.objects.for_user(user)) == [heinola_school]
    assert regional_unit not in Unit.objects.for_user(user)


def test_for_user_is_one_query(django_assert_num_queries, region, lahti, lahti_school, school):
    user = UserFactory()
    assign_perm("units.view_organisation", user, region)
    assign_perm("units.view_unit", user, school)
    user = type(user).objects.get(pk=user.pk)  # fresh, no cached permissions
    with django_assert_num_queries(3):  # the user's global permissions (2), then the units
        assert set(Unit.objects.for_user(user)) == {lahti_school, school}


def test_unknown_action_is_an_error(school):
    with pytest.raises(ValueError, match="Unknown action"):
        Unit.objects.for_user(UserFactory(), "destroy")


def test_organisation_for_user_includes_descendants(region, lahti):
    user = UserFactory()
    assign_perm("units.view_organisation", user, region)
    assert set(Organisation.objects.for_user(user)) == {region, lahti}


def test_in_organisation_includes_descendant_units(region, lahti, lahti_school, school):
    assert list(Unit.objects.in_organisation(region)) == [lahti_school]
