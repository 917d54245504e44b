"""Every change leaves a history row saying who, when, how and what: pages, admin, imports."""

import io

import pytest
from django.contrib.admin.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from guardian.shortcuts import assign_perm

from devices.models import ChargingCart, Device
from matrix.models import Assignment
from plans.models import Action, ActionPlan, Goal
from roles.models import Duty, Level, Role
from tests.factories import (
    DeviceFactory,
    DutyFactory,
    LevelFactory,
    OrganisationFactory,
    PersonFactory,
    UserFactory,
)
from tests.matrix.grants import granting_role
from units.history import recording
from units.models import (
    Organisation,
    OrganisationGroupObjectPermission,
    OrganisationUserObjectPermission,
    Person,
    Unit,
    UnitGroupObjectPermission,
    UnitUserObjectPermission,
)

TRACKED = [Organisation, Unit, Person, Level, Role, Duty, Assignment, Device, ChargingCart,
           ActionPlan, Goal, Action, UnitUserObjectPermission, UnitGroupObjectPermission,
           OrganisationUserObjectPermission, OrganisationGroupObjectPermission]


def latest(model, **lookup):
    """Return the newest historical record of `model` matching `lookup`."""
    return model.history.filter(**lookup).order_by("-history_id").first()


@pytest.mark.parametrize("model", TRACKED, ids=lambda model: model.__name__)
def test_every_model_named_by_the_issue_keeps_history(model):
    assert hasattr(model, "history")


def test_the_device_event_log_is_no_history_but_stays_append_only():
    from devices.models import DeviceEvent
    assert not hasattr(DeviceEvent, "history")


# Pages


def test_an_assignment_added_on_a_page_is_recorded_with_its_user(principal_client, principal,
                                                                 school):
    role = granting_role(school.organisation, "view_unit", sectors=["perusopetus"])
    person = PersonFactory(organisation=school.organisation)
    response = principal_client.post(f"/units/{school.slug}/assignments/add/", {
        "person": person.pk, "role": role.pk, "is_lead": "on"})
    assert response.status_code == 302
    record = latest(Assignment, person=person)
    assert (record.history_type, record.history_user, record.history_change_reason) == (
        "+", principal, "page")


def test_a_device_edited_on_its_page_says_what_it_was_before(principal_client, principal,
                                                             school):
    device = DeviceFactory(unit=school, model="Vanha")
    response = principal_client.post(f"/units/{school.slug}/devices/{device.asset_tag}/edit/", {
        "category": device.category, "serial_number": device.serial_number, "model": "Uusi",
        "use": "staff", "ownership": "purchased"})
    assert response.status_code == 302
    record = latest(Device, id=device.pk)
    assert (record.model, record.prev_record.model) == ("Uusi", "Vanha")
    assert (record.history_user, record.history_change_reason) == (principal, "page")
    page = principal_client.get(f"/units/{school.slug}/devices/{device.asset_tag}/").content
    assert "Vanha</del> → <ins>Uusi" in page.decode()  # its change history


def test_a_device_step_is_recorded_in_history_and_in_the_event_log(principal_client, principal,
                                                                   school):
    device = DeviceFactory(unit=school)
    principal_client.post(f"/units/{school.slug}/devices/{device.asset_tag}/retire/", {})
    record = latest(Device, id=device.pk)
    assert (record.status, record.history_user) == ("retired", principal)
    assert device.events.get().kind == "retired"


# Admin


@pytest.fixture
def english_admin(admin_client, settings):
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return admin_client


def test_a_unit_changed_in_the_admin_is_recorded_with_the_values_before(english_admin,
                                                                         superuser, school):
    response = english_admin.post(f"/admin/units/unit/{school.pk}/change/", {
        "name": "Uusi nimi", "slug": school.slug, "organisation": school.organisation_id,
        "sectors": list(school.sectors.values_list("pk", flat=True))})
    assert response.status_code == 302
    record = latest(Unit, id=school.pk)
    assert (record.name, record.prev_record.name) == ("Uusi nimi", "Kalevalan koulu")
    assert (record.history_user, record.history_change_reason) == (superuser, "admin")
    history = english_admin.get(f"/admin/units/unit/{school.pk}/history/").content.decode()
    assert "Uusi nimi" in history and "admin" in history


def test_a_grant_made_in_the_admin_is_recorded(english_admin, superuser, school):
    user = UserFactory(username="saaja")
    response = english_admin.post(
        f"/admin/units/unit/{school.pk}/permissions/user-manage/{user.pk}/",
        {"permissions": ["view_unit"]})
    assert response.status_code == 302
    record = latest(UnitUserObjectPermission, user_id=user.pk)
    assert (record.history_type, record.history_user, record.history_change_reason) == (
        "+", superuser, "admin")


def test_a_role_deleted_in_the_admin_records_its_duties_going_too(english_admin, superuser,
                                                                  organisation):
    duty = DutyFactory(role__level__organisation=organisation)
    role = duty.role
    response = english_admin.post(f"/admin/roles/role/{role.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert latest(Role, id=role.pk).history_type == "-"
    record = latest(Duty, id=duty.pk)
    assert (record.history_type, record.history_user, record.history_change_reason) == (
        "-", superuser, "admin")


def test_plans_goals_and_actions_changed_in_the_admin_are_recorded(english_admin, organisation):
    plan = ActionPlan.objects.create(organisation=organisation, year=2025)
    response = english_admin.post(f"/admin/plans/actionplan/{plan.pk}/change/", {
        "organisation": organisation.pk, "year": 2025, "title": "Uusi otsikko", "notes": "",
        "goals-TOTAL_FORMS": 0, "goals-INITIAL_FORMS": 0, "fundings-TOTAL_FORMS": 0,
        "fundings-INITIAL_FORMS": 0, "meetings-TOTAL_FORMS": 0, "meetings-INITIAL_FORMS": 0})
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert latest(ActionPlan, id=plan.pk).title == "Uusi otsikko"
    goal = Goal.objects.create(plan=plan, text="Tavoite")
    Action.objects.create(goal=goal, text="Toimenpide")
    assert latest(Goal, id=goal.pk).history_type == "+"


# Imports and commands


def test_a_unit_sheet_imported_in_the_admin_is_recorded_as_that_import(english_admin,
                                                                        superuser, organisation):
    content = b"slug,name,organisation,sectors\nuusi,Uusi koulu,kuopio,perusopetus\n"
    preview = english_admin.post("/admin/units/unit/import/", {
        "resource": "0", "format": "0",
        "import_file": SimpleUploadedFile("yksikot.csv", content)})
    english_admin.post("/admin/units/unit/process_import/",
                       preview.context["confirm_form"].initial)
    record = latest(Unit, slug="uusi")
    assert (record.history_user, record.history_change_reason) == (superuser,
                                                                    "import yksikot.csv")
    # The whole import is one entry of the admin's log, for the reader to follow.
    batch = LogEntry.objects.get(object_id__isnull=True)
    assert batch.object_repr == "yksikot.csv"
    assert batch.get_change_message() == (
        "Import of yksikot.csv by admin: New: 1 unit.")


def test_a_device_sheet_imported_by_the_command_is_recorded_in_bulk(school, tmp_path):
    DeviceFactory(unit=school, asset_tag="KUO-1", model="Vanha")
    path = tmp_path / "laitteet.csv"
    path.write_text("unit,category,asset tag,model\n"
                    f"{school.slug},tablet,KUO-1,Uusi\n"
                    f"{school.slug},tablet,KUO-2,Uusi\n", encoding="utf-8")
    with recording("command import_devices"):  # as manage.py says
        call_command("import_devices", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    changed, new = latest(Device, asset_tag="KUO-1"), latest(Device, asset_tag="KUO-2")
    assert (changed.history_type, changed.model, changed.prev_record.model) == ("~", "Uusi",
                                                                               "Vanha")
    assert (new.history_type, new.history_change_reason) == ("+", "import laitteet.csv")


def test_copy_matrix_records_every_copy_in_bulk(db):
    source = OrganisationFactory(slug="malli")
    LevelFactory(organisation=source)
    target = OrganisationFactory(slug="kopio")
    call_command("copy_matrix", "malli", "kopio", stdout=io.StringIO())
    copy = Level.objects.get(organisation=target)
    assert latest(Level, id=copy.pk).history_change_reason == "copy of malli"


def test_who_changes_what_is_shown_on_the_unit_page(principal_client, school):

    with recording("admin"):
        school.name = "Kalevalan yhtenäiskoulu"
        school.save()
    page = principal_client.get(f"/units/{school.slug}/").content.decode()
    assert "Kalevalan koulu</del> → <ins>Kalevalan yhtenäiskoulu" in page


def test_a_principal_of_another_unit_sees_no_history_of_this_one(client, school, other_school):
    user = UserFactory()
    assign_perm("units.view_unit", user, other_school)
    client.force_login(user)
    assert client.get(f"/units/{school.slug}/").status_code == 404
