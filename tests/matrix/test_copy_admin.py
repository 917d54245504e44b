"""The organisation admin's action that copies a matrix: the page, the permissions, the result."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.urls import reverse
from guardian.shortcuts import assign_perm

from matrix.admin import OrganisationMatrixAdmin
from matrix.copying import MatrixSize, matrix_size
from matrix.models import Assignment
from roles.models import Role
from tests.factories import (
    AssignmentFactory,
    DutyFactory,
    LevelFactory,
    OrganisationFactory,
    RoleFactory,
    UserFactory,
)
from units import admin as units_admin
from units.models import Organisation

CHANGELIST = reverse("admin:units_organisation_changelist")


pytestmark = pytest.mark.usefixtures("english")


def give_matrix(organisation, roles=2, duties=2):
    """Give `organisation` one level with `roles` roles of `duties` duties each."""
    level = LevelFactory(organisation=organisation)
    for _role in range(roles):
        role = RoleFactory(level=level)
        for _duty in range(duties):
            DutyFactory(role=role)
    return organisation


@pytest.fixture
def source(db):
    return give_matrix(OrganisationFactory(name="Malliseutu", slug="malliseutu"), roles=3)


@pytest.fixture
def target(db):
    return OrganisationFactory(name="Kopiola", slug="kopiola")


def staff_with(*perms, granted=None):
    """Return a staff user with the model permissions named "app.codename".

    The user may view and change the organisations `granted` (by default every one there is
    yet): the admin keeps to them.
    """
    user = UserFactory(is_staff=True)
    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename))
    for organisation in Organisation.objects.all() if granted is None else granted:
        for codename in ("view_organisation", "change_organisation"):
            assign_perm(f"units.{codename}", user, organisation)
    return user


COPIER = ("units.view_organisation", "roles.add_level", "roles.add_role", "roles.add_duty")
OVERWRITER = (*COPIER, "roles.delete_level", "roles.delete_role", "roles.delete_duty",
              "matrix.delete_assignment")


def run_action(client, source, **fields):
    """Post the copy action for `source`; with `fields`, as the intermediate page's form."""
    data = {"action": "copy_matrix", "_selected_action": [source.pk]}
    if fields:
        data.update(apply="yes", **fields)
    return client.post(CHANGELIST, data)


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_the_organisation_admin_is_the_units_one_with_the_action():
    registered = admin.site._registry[Organisation]

    assert isinstance(registered, OrganisationMatrixAdmin)
    assert isinstance(registered, units_admin.OrganisationAdmin)
    assert "copy_matrix" in registered.actions


def test_the_action_is_offered_to_those_who_may_add_levels_roles_and_duties(client, source):
    client.force_login(staff_with(*COPIER))
    assert "Copy this matrix to another organisation" in client.get(CHANGELIST).content.decode()

    client.force_login(staff_with("units.view_organisation", "roles.add_level"))
    assert "Copy this matrix" not in client.get(CHANGELIST).content.decode()


def test_without_the_permissions_the_action_copies_nothing(client, source, target):
    client.force_login(staff_with("units.view_organisation", "units.change_organisation"))

    response = run_action(client, source, target=target.pk)

    # No action is offered, so the post just shows the list again.
    assert response.status_code == 200
    assert "admin/matrix/copy_matrix.html" not in [t.name for t in response.templates]
    assert matrix_size(target).levels == 0


def test_the_action_asks_for_the_target_on_an_intermediate_page(client, source, target):
    client.force_login(staff_with(*COPIER))

    response = run_action(client, source)

    assert response.status_code == 200
    assert "admin/matrix/copy_matrix.html" in [t.name for t in response.templates]
    content = response.content.decode()
    assert "Copy the matrix of Malliseutu" in content
    assert "1 level, 3 roles, 6 duties and 0 assignments" in content
    assert "every assignment to its roles" in content  # the warning, before anything is done
    form = response.context["form"]
    assert target in form.fields["target"].queryset
    assert source not in form.fields["target"].queryset
    assert matrix_size(target).levels == 0


def test_applying_copies_and_reports_the_counts(client, source, target):
    client.force_login(staff_with(*COPIER))

    response = run_action(client, source, target=target.pk)

    assert response.status_code == 302
    assert matrix_size(target) == MatrixSize(levels=1, roles=3, duties=6, assignments=0)
    target.refresh_from_db()
    assert target.template == source
    assert messages_of(response) == [
        "Copied the matrix of Malliseutu to Kopiola: 1 level, 3 roles and 6 duties, with 0 "
        "supporting and 0 collaborating links."]


def test_a_target_with_a_matrix_is_refused_without_overwrite(client, source, target):
    give_matrix(target, roles=2)
    client.force_login(staff_with(*OVERWRITER))

    response = run_action(client, source, target=target.pk)

    assert response.status_code == 200
    content = response.content.decode()
    assert "Kopiola already has a matrix: 1 level and 2 roles" in content
    assert "Replacing the matrix of Kopiola deletes 1 level, 2 roles, 4 duties and 0 " \
           "assignments." in content
    assert matrix_size(target).roles == 2


def test_overwrite_replaces_the_matrix_and_says_what_it_deleted(client, source, target):
    give_matrix(target, roles=2)
    AssignmentFactory(role=Role.objects.filter(level__organisation=target).first())
    client.force_login(staff_with(*OVERWRITER))

    response = run_action(client, source, target=target.pk, overwrite="on")

    assert response.status_code == 302
    assert matrix_size(target) == MatrixSize(levels=1, roles=3, duties=6, assignments=0)
    assert not Assignment.objects.exists()
    assert messages_of(response)[1] == ("The previous matrix of Kopiola was deleted: 1 level, "
                                        "2 roles, 4 duties and 1 assignment.")


def test_overwrite_needs_the_permissions_to_delete(client, source, target):
    give_matrix(target, roles=2)
    client.force_login(staff_with(*COPIER))

    response = run_action(client, source, target=target.pk, overwrite="on")

    assert response.status_code == 200
    assert "which you may not delete" in response.content.decode()
    assert matrix_size(target).roles == 2


def test_choosing_two_organisations_copies_nothing(client, source, target):
    client.force_login(staff_with(*COPIER))

    response = client.post(CHANGELIST, {"action": "copy_matrix",
                                        "_selected_action": [source.pk, target.pk]})

    assert response.status_code == 302
    assert messages_of(response) == ["Choose one organisation to copy the matrix of."]
    assert matrix_size(target).levels == 0


def test_only_organisations_the_user_may_change_are_offered_as_targets(client, source, target):
    elsewhere = OrganisationFactory(name="Muualla", slug="muualla")
    client.force_login(staff_with(*COPIER, granted=[source, target]))

    form = run_action(client, source).context["form"]

    assert list(form.fields["target"].queryset) == [target]
    response = run_action(client, source, target=elsewhere.pk)
    assert "target" in response.context["form"].errors
    assert matrix_size(elsewhere).levels == 0


def test_the_matrix_of_an_organisation_the_user_may_only_view_is_not_copied(client, source,
                                                                            target):
    user = staff_with(*COPIER, granted=[target])
    assign_perm("units.view_organisation", user, source)
    client.force_login(user)

    response = run_action(client, source, target=target.pk)

    assert "admin/matrix/copy_matrix.html" not in [t.name for t in response.templates]
    assert matrix_size(target).levels == 0
