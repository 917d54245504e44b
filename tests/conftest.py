"""Fixtures shared by the whole suite, named after the state they set up."""

import pytest
from guardian.shortcuts import assign_perm

from tests.factories import OrganisationFactory, UnitFactory, UserFactory


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Hash passwords cheaply: the slow default hasher would dominate the suite's time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def organisation(db):
    return OrganisationFactory(name="Kuopio", slug="kuopio")


@pytest.fixture
def school(organisation):
    return UnitFactory(organisation=organisation, name="Kalevalan koulu", slug="kalevalan-koulu",
                       sectors=["perusopetus"])


@pytest.fixture
def other_school(db):
    return UnitFactory(name="Toinen koulu", slug="toinen-koulu", sectors=["perusopetus"])


@pytest.fixture
def superuser(db):
    return UserFactory(username="admin", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def principal(school):
    user = UserFactory(username="rehtori")
    for codename in ("view_unit", "manage_assignments", "manage_devices"):
        assign_perm(f"units.{codename}", user, school)
    return user


@pytest.fixture
def principal_client(client, principal):
    client.force_login(principal)
    return client
