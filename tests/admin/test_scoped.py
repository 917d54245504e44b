"""The admin of a region running one Vastuu for many municipalities: each keeps to its own.

The administrator of municipality A (staff, in the group of organisation administrators,
granted A only) works in every admin screen on A's objects, reads the roles and staff of the
region above A, and gets nothing of municipality B: not in lists, pages, choices, imports,
autocompletes or object-permission screens.
"""

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from guardian.shortcuts import get_perms

from devices import services as device_services
from devices.models import ChargingCart, Device, DeviceEvent, InventoryRound, Loan
from matrix import services as matrix_services
from matrix.models import Assignment
from plans.models import Action, ActionPlan, Goal
from roles.models import Duty, Level, Role
from tests.factories import (
    DutyFactory,
    LevelFactory,
    OrganisationFactory,
    PersonFactory,
    RoleFactory,
    UnitFactory,
    UserFactory,
)
from units.admin import ScopedAdmin
from units.models import Organisation, Person, Unit
from units.services import organisation_administrator_appoint

CSV_FORMAT = "0"


def build_municipality(name, parent=None):
    """Return a municipality with one object of every kind, keyed by model."""
    municipality = OrganisationFactory(name=name, slug=name.lower(), parent=parent)
    unit = UnitFactory(organisation=municipality, name=f"{name}n koulu",
                       slug=f"{name.lower()}-koulu")
    person = PersonFactory(organisation=municipality, name=f"{name}n rehtori",
                           email=f"rehtori@{name.lower()}.fi")
    level = LevelFactory(organisation=municipality, name=f"{name}n taso")
    role = RoleFactory(level=level, name=f"{name}n rooli", slug=f"rooli-{name.lower()}")
    duty = DutyFactory(role=role, text=f"{name}n tehtävä")
    assignment = matrix_services.assignment_create(person=person, role=role, unit=unit)
    cart = ChargingCart.objects.create(unit=unit, name=f"{name}n vaunu", slots=5)
    device = device_services.device_register(by=None, unit=unit, category="tablet",
                                             asset_tag=f"{name[:3].upper()}-1")
    device_services.device_check_out(device=device, by=None, holder=person)
    inventory = device_services.inventory_start(unit=unit, by=None)
    plan = ActionPlan.objects.create(organisation=municipality, year=2025, title=f"{name} 2025")
    goal = Goal.objects.create(plan=plan, text=f"{name}n tavoite")
    action = Action.objects.create(goal=goal, text=f"{name}n toimenpide", responsible_role=role)
    return {Organisation: municipality, Unit: unit, Person: person, Level: level, Role: role,
            Duty: duty, Assignment: assignment, ChargingCart: cart, Device: device,
            DeviceEvent: device.events.first(), Loan: device.loans.get(),
            InventoryRound: inventory, ActionPlan: plan, Goal: goal, Action: action}


@pytest.fixture
def region(db):
    region = OrganisationFactory(name="Seutu", slug="seutu", kind=Organisation.Kind.REGION)
    level = LevelFactory(organisation=region, name="Seudun taso")
    RoleFactory(level=level, name="Seudun digitutor", slug="seudun-digitutor")
    PersonFactory(organisation=region, name="Seudun koordinaattori", email="koord@seutu.fi")
    return region


@pytest.fixture
def mine(region):
    return build_municipality("Kuopio", parent=region)


@pytest.fixture
def theirs(db):
    return build_municipality("Joensuu")


@pytest.fixture
def administrator(mine):
    return organisation_administrator_appoint(user=UserFactory(username="kuopio-admin"),
                                              organisation=mine[Organisation])


@pytest.fixture
def admin_client_of_a(client, administrator, theirs):
    client.force_login(administrator)
    return client


SCOPED_MODELS = [model for model, model_admin in admin.site._registry.items()
                 if isinstance(model_admin, ScopedAdmin)]


def url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_model_of_an_organisation_has_a_scoped_admin():
    assert set(SCOPED_MODELS) == {Organisation, Unit, Person, Level, Role, Duty, Assignment,
                                  ChargingCart, Device, DeviceEvent, Loan, InventoryRound,
                                  ActionPlan, Goal, Action}


@pytest.mark.parametrize("model", SCOPED_MODELS, ids=lambda model: model.__name__)
def test_each_list_shows_the_municipalitys_objects_and_none_of_anothers(
        admin_client_of_a, mine, theirs, model):
    response = admin_client_of_a.get(url(model, "changelist"))
    assert response.status_code == 200
    listed = set(response.context["cl"].queryset)
    assert mine[model] in listed
    assert theirs[model] not in listed


@pytest.mark.parametrize("model", SCOPED_MODELS, ids=lambda model: model.__name__)
@pytest.mark.parametrize("view", ["change", "history", "delete"])
def test_another_municipalitys_object_is_not_found_on_any_page(admin_client_of_a, theirs,
                                                               model, view):
    response = admin_client_of_a.get(url(model, view, theirs[model].pk))
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert response.url == reverse("admin:index")  # "does not exist"
    response = admin_client_of_a.get(url(model, view, theirs[model].pk), follow=True)
    assert str(theirs[model]) not in response.content.decode().replace(
        str(theirs[model].pk), "")


@pytest.mark.parametrize("model", SCOPED_MODELS, ids=lambda model: model.__name__)
def test_the_municipalitys_own_object_opens(admin_client_of_a, mine, model):
    response = admin_client_of_a.get(url(model, "change", mine[model].pk))
    assert response.status_code == 200


def test_a_post_to_another_municipalitys_unit_changes_nothing(admin_client_of_a, theirs):
    unit = theirs[Unit]
    admin_client_of_a.post(url(Unit, "change", unit.pk), {
        "name": "Kaapattu", "slug": unit.slug, "organisation": unit.organisation_id,
        "sectors": [sector.pk for sector in unit.sectors.all()]})
    unit.refresh_from_db()
    assert unit.name != "Kaapattu"


@pytest.mark.parametrize("model, field", [
    (Unit, "organisation"), (Person, "organisation"), (Level, "organisation"), (Role, "level"),
    (Duty, "role"), (Assignment, "unit"), (Device, "unit"), (ChargingCart, "unit"),
    (ActionPlan, "organisation"), (Goal, "plan"),
], ids=lambda value: getattr(value, "__name__", value))
def test_an_add_form_offers_only_the_municipalitys_objects(admin_client_of_a, mine, theirs,
                                                           model, field):
    form = admin_client_of_a.get(url(model, "add")).context["adminform"].form
    choices = set(form.fields[field].queryset)
    related = form.fields[field].queryset.model
    assert mine[related] in choices
    assert theirs[related] not in choices


def test_a_unit_cannot_be_added_to_another_municipality(admin_client_of_a, theirs):
    response = admin_client_of_a.post(url(Unit, "add"), {
        "name": "Uusi koulu", "slug": "uusi-koulu", "organisation": theirs[Organisation].pk,
        "sectors": [1]})
    assert response.status_code == 200
    assert "organisation" in response.context["adminform"].form.errors
    assert not Unit.objects.filter(slug="uusi-koulu").exists()


def test_a_unit_of_its_own_can_be_added(admin_client_of_a, mine):
    response = admin_client_of_a.post(url(Unit, "add"), {
        "name": "Uusi koulu", "slug": "uusi-koulu", "organisation": mine[Organisation].pk,
        "sectors": [mine[Unit].sectors.first().pk]})
    assert response.status_code == 302
    assert Unit.objects.get(slug="uusi-koulu").organisation == mine[Organisation]


def test_an_organisation_is_added_only_below_the_administrators_own(admin_client_of_a, mine,
                                                                    region):
    response = admin_client_of_a.post(url(Organisation, "add"), {
        "name": "Sisarkunta", "slug": "sisarkunta", "kind": "municipality",
        "parent": region.pk, "max_lead_roles": 3, "language": "fi", "year_kind": "school"})
    assert response.status_code == 200
    assert not Organisation.objects.filter(slug="sisarkunta").exists()
    response = admin_client_of_a.post(url(Organisation, "add"), {
        "name": "Kuntayhtymä", "slug": "kuntayhtyma", "kind": "joint_authority",
        "parent": mine[Organisation].pk, "max_lead_roles": 3, "language": "fi",
        "year_kind": "school"})
    assert response.status_code == 302
    assert Organisation.objects.get(slug="kuntayhtyma").parent == mine[Organisation]


def test_the_regions_roles_are_read_but_not_changed(admin_client_of_a, region):
    role = Role.objects.get(slug="seudun-digitutor")
    listed = admin_client_of_a.get(url(Role, "changelist")).context["cl"].queryset
    assert role in listed
    response = admin_client_of_a.get(url(Role, "change", role.pk))
    assert response.status_code == 200
    assert not response.context["has_change_permission"]
    response = admin_client_of_a.post(url(Role, "changelist"), {
        "action": "delete_selected", "_selected_action": [role.pk], "post": "yes"})
    assert response.status_code == 403
    assert Role.objects.filter(pk=role.pk).exists()


def test_the_regions_roles_and_staff_may_be_named_in_the_municipalitys_assignments(
        admin_client_of_a, region, theirs):
    form = admin_client_of_a.get(url(Assignment, "add")).context["adminform"].form
    assert Role.objects.get(slug="seudun-digitutor") in form.fields["role"].queryset
    assert Person.objects.get(email="koord@seutu.fi") in form.fields["person"].queryset
    assert theirs[Role] not in form.fields["role"].queryset
    assert theirs[Person] not in form.fields["person"].queryset


def test_a_bulk_delete_skips_what_the_list_does_not_show(admin_client_of_a, mine, theirs):
    admin_client_of_a.post(url(Duty, "changelist"), {
        "action": "delete_selected", "_selected_action": [mine[Duty].pk, theirs[Duty].pk],
        "post": "yes"})
    assert not Duty.objects.filter(pk=mine[Duty].pk).exists()
    assert Duty.objects.filter(pk=theirs[Duty].pk).exists()


def test_the_autocomplete_finds_only_the_municipalitys_units(admin_client_of_a, mine):
    response = admin_client_of_a.get(reverse("admin:autocomplete"), {
        "app_label": "devices", "model_name": "device", "field_name": "unit", "term": "koulu"})
    assert [item["text"] for item in response.json()["results"]] == [str(mine[Unit])]


def test_logins_groups_and_sectors_are_the_superusers(admin_client_of_a):
    for path in ("/admin/auth/user/", "/admin/auth/group/"):
        assert admin_client_of_a.get(path).status_code == 403
    sector = Unit.objects.get(slug="kuopio-koulu").sectors.first()
    response = admin_client_of_a.get(f"/admin/units/sector/{sector.pk}/change/")
    assert not response.context["has_change_permission"]


def test_a_persons_login_is_shown_not_edited(admin_client_of_a, mine):
    form = admin_client_of_a.get(url(Person, "change", mine[Person].pk)).context[
        "adminform"].form
    assert "user" not in form.fields


# Imports


def upload(client, model, content):
    """Post `content` (CSV) to the admin import of `model`; return the preview response."""
    return client.post(url(model, "import"), {
        "resource": "0", "format": CSV_FORMAT,
        "import_file": SimpleUploadedFile("sheet.csv", content.encode())})


def line_errors(response):
    """Return {line: messages} of an import preview's invalid rows."""
    return {row.number: [message for messages in row.error_dict.values() for message in messages]
            for row in response.context["result"].invalid_rows}


def test_a_unit_sheet_refuses_rows_of_another_municipality(admin_client_of_a, mine, theirs):
    response = upload(admin_client_of_a, Unit, (
        "slug,name,organisation,sectors\n"
        "oma,Oma koulu,kuopio,perusopetus\n"
        "vieras,Vieras koulu,joensuu,perusopetus\n"
        f"{theirs[Unit].slug},Kaapattu,kuopio,perusopetus\n"))
    errors = line_errors(response)
    assert list(errors) == [3, 4]
    assert all("Joensuu" in " ".join(messages) for messages in errors.values())
    assert "confirm_form" not in response.context


def test_an_assignment_sheet_refuses_another_municipalitys_unit(admin_client_of_a, mine,
                                                                 theirs):
    # A row that would be valid for Joensuu's own administrator.
    response = upload(admin_client_of_a, Assignment, (
        "person,role organisation,role,unit,organisation,lead,start date,end date\n"
        f"{theirs[Person].email},joensuu,{theirs[Role].slug},{theirs[Unit].slug},,no,,\n"))
    errors = line_errors(response)
    assert list(errors) == [2]
    assert "Joensuu" in " ".join(errors[2])


def test_a_matrix_sheet_refuses_another_municipalitys_rows(admin_client_of_a, theirs):
    response = upload(admin_client_of_a, Role, (
        "organisation,level,role,role slug,duty\n"
        "joensuu,Taso,Uusi rooli,uusi-rooli,Uusi tehtävä\n"))
    assert list(line_errors(response)) == [2]
    assert not Role.objects.filter(slug="uusi-rooli").exists()


def test_a_plan_sheet_refuses_another_municipalitys_rows(admin_client_of_a, theirs):
    response = upload(admin_client_of_a, ActionPlan, (
        "organisation,year,goal,action\n"
        "joensuu,2026,Tavoite,Toimenpide\n"))
    assert list(line_errors(response)) == [2]
    assert not ActionPlan.objects.filter(year=2026).exists()


def test_the_municipalitys_own_unit_sheet_imports(admin_client_of_a, mine):
    response = upload(admin_client_of_a, Unit, (
        "slug,name,organisation,sectors\noma,Oma koulu,kuopio,perusopetus\n"))
    assert not line_errors(response)
    response = admin_client_of_a.post(url(Unit, "process_import"),
                                      response.context["confirm_form"].initial)
    assert Unit.objects.get(slug="oma").organisation == mine[Organisation]


# Object permissions


def test_the_object_permission_screen_opens_for_own_units_only(admin_client_of_a, mine,
                                                              theirs):
    assert admin_client_of_a.get(url(Unit, "permissions", mine[Unit].pk)).status_code == 200
    response = admin_client_of_a.get(url(Unit, "permissions", theirs[Unit].pk))
    assert response.status_code in (302, 404)


def test_the_administrator_grants_their_own_staff_what_they_hold(admin_client_of_a, mine,
                                                                 theirs):
    colleague = PersonFactory(organisation=mine[Organisation], user=UserFactory(username="o"))
    stranger = PersonFactory(organisation=theirs[Organisation], user=UserFactory(username="s"))
    unit = mine[Unit]
    manage = url(Unit, "permissions_manage_user", unit.pk, stranger.user.pk)
    assert admin_client_of_a.get(manage).status_code == 403
    manage = url(Unit, "permissions_manage_user", unit.pk, colleague.user.pk)
    form = admin_client_of_a.get(manage).context["form"]
    offered = {codename for codename, _name in form.fields["permissions"].choices}
    assert offered == {"view_unit", "change_unit", "manage_assignments", "manage_devices"}
    response = admin_client_of_a.post(manage, {"permissions": ["view_unit", "delete_unit"]})
    assert response.status_code == 200  # delete_unit is not the administrator's to grant
    assert get_perms(colleague.user, unit) == []
    response = admin_client_of_a.post(manage, {"permissions": ["view_unit", "manage_devices"]})
    assert response.status_code == 302
    assert set(get_perms(colleague.user, unit)) == {"view_unit", "manage_devices"}
    # A user chosen by name on the screen must work in the administrator's organisations.
    response = admin_client_of_a.post(url(Unit, "permissions", unit.pk), {
        "user": stranger.user.username, "submit_manage_user": "submit"})
    assert response.status_code == 200
    assert response.context["user_form"].errors
