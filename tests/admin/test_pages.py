"""Every admin page renders, and a changelist runs as many queries for many rows as for one."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from devices.models import ChargingCart, Device
from matrix.models import Assignment
from roles.models import Duty, Level, Role
from tests.factories import (
    AssignmentFactory,
    DeviceFactory,
    DutyFactory,
    LevelFactory,
    OrganisationFactory,
    PersonFactory,
    RoleFactory,
    UnitFactory,
    UserFactory,
)
from units.models import Organisation, Person, Sector, Unit


def organisation_with_parent():
    """Return an organisation inside another."""
    return OrganisationFactory(parent=OrganisationFactory())


def duty_with_everything():
    """Return a duty with sectors, months and a collaborating role."""
    role = RoleFactory(sectors=["lukio"])
    duty = DutyFactory(role=role, sectors=["lukio"], months=[9, 2])
    duty.collaborating_roles.set([role])
    return duty


# A factory per model that fills in every column the changelist shows.
BUILDERS = {
    Organisation: organisation_with_parent,
    Unit: lambda: UnitFactory(sectors=["perusopetus", "lukio"]),
    Person: lambda: PersonFactory(user=UserFactory()),
    Level: LevelFactory,
    Role: lambda: RoleFactory(sectors=["lukio", "perusopetus"]),
    Duty: duty_with_everything,
    Assignment: AssignmentFactory,
    Device: lambda: DeviceFactory(holder=PersonFactory()),
    ChargingCart: lambda: ChargingCart.objects.create(unit=UnitFactory(), name="Vaunu 1"),
}
MODELS = [Sector, *BUILDERS]
SHEET_MODELS = [Organisation, Unit, Person, Role, Duty, Assignment, Device]


def url(model, view, *args):
    """Return the URL of the admin `view` of `model`."""
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def everything(db):
    """Create a row of every model."""
    for build in BUILDERS.values():
        build()


def test_every_model_is_registered():
    assert all(admin.site.is_registered(model) for model in MODELS)


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_changelist_renders(admin_client, everything, model):
    response = admin_client.get(url(model, "changelist"))

    assert response.status_code == 200
    assert response.context["cl"].result_count >= 1


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_add_page_renders(admin_client, everything, model):
    response = admin_client.get(url(model, "add"))

    # The five sectors come from a migration: there is nothing to add.
    assert response.status_code == (403 if model is Sector else 200)


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_change_page_renders(admin_client, everything, model):
    response = admin_client.get(url(model, "change", model.objects.first().pk))

    assert response.status_code == 200


@pytest.mark.parametrize("model", SHEET_MODELS, ids=lambda model: model.__name__)
def test_import_and_export_pages_render(admin_client, everything, model):
    assert admin_client.get(url(model, "import")).status_code == 200
    assert admin_client.get(url(model, "export")).status_code == 200


@pytest.mark.parametrize("model", [Unit, Organisation], ids=lambda model: model.__name__)
def test_object_permission_page_renders(admin_client, everything, model):
    response = admin_client.get(url(model, "permissions", model.objects.first().pk))

    assert response.status_code == 200


@pytest.mark.parametrize("model", list(BUILDERS), ids=lambda model: model.__name__)
def test_changelist_queries_do_not_grow_with_rows(admin_client, model):
    def count_queries():
        """Return how many queries the changelist runs."""
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(url(model, "changelist")).status_code == 200
        return len(queries)

    BUILDERS[model]()
    one = count_queries()
    for _row in range(4):
        BUILDERS[model]()
    assert count_queries() == one
