"""The unit's matrix, its grid and its export: who may see them and what they show."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.urls import reverse
from guardian.shortcuts import assign_perm

from roles.models import Role
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

PAGES = ["matrix:unit", "matrix:unit_grid"]


def url(name, unit, *args):
    return reverse(name, args=[unit.slug, *args])


@pytest.fixture
def principal_role(organisation):
    level = LevelFactory(organisation=organisation, name="Yksikön taso", order=2)
    return RoleFactory(level=level, name="Koulun johto", slug="koulun-johto",
                       responsible_title="rehtori", sectors=["perusopetus", "lukio"])


@pytest.fixture
def tutor_role(principal_role):
    return RoleFactory(level=principal_role.level, name="Digitutor", slug="digitutor",
                       sectors=["perusopetus"], responsible_title="tutoropettaja")


@pytest.fixture
def matrix(principal_role, tutor_role, school):
    """A small matrix at the school: a principal in post, the tutor's role empty."""
    DutyFactory(role=principal_role, text="Johdamme koulun digitaalista ympäristöä.")
    DutyFactory(role=principal_role, text="Turvaamme ylioppilastutkinnon.", sectors=["lukio"])
    duty = DutyFactory(role=tutor_role, text="Pidämme digitutor-tunteja.", recurrence="viikoittain")
    duty.collaborating_roles.set([principal_role])
    principal_role.supporting_roles.set([tutor_role])
    AssignmentFactory(role=principal_role, unit=school,
                      person=PersonFactory(organisation=school.organisation, name="Sanna Tervo",
                                           title="rehtori", email="sanna@example.fi"))
    return school


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_user_is_sent_to_login(client, matrix, name):
    response = client.get(url(name, matrix))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("name", [*PAGES, "export"])
def test_other_units_principal_gets_404(client, matrix, other_school, name):
    stranger = UserFactory()
    assign_perm("units.view_unit", stranger, other_school)
    client.force_login(stranger)
    target = url("matrix:unit_export", matrix, "csv") if name == "export" else url(name, matrix)
    assert client.get(target).status_code == 404


def test_unknown_unit_is_404(principal_client, matrix):
    assert principal_client.get(reverse("matrix:unit", args=["ei-ole"])).status_code == 404


def test_unit_page_shows_holders_duties_and_gaps(principal_client, matrix):
    response = principal_client.get(url("matrix:unit", matrix))
    page = response.text
    assert response.status_code == 200
    assert "Sanna Tervo" in page and "sanna@example.fi" in page
    assert "Johdamme koulun digitaalista ympäristöä." in page
    assert "Turvaamme ylioppilastutkinnon." not in page  # a basic school is not a lukio
    assert "Pidämme digitutor-tunteja." in page and "viikoittain" in page
    # The tutor's role is empty here: a gap, said in words and summarised at the top.
    assert "Aukko: roolissa ei ole ketään tässä yksikössä" in page
    assert [entry.role.name for entry in response.context["gaps"]] == ["Digitutor"]


def test_collective_roles_are_never_gaps(principal_client, matrix, principal_role):
    RoleFactory(level=principal_role.level, name="Oppija", named_holders=False)
    response = principal_client.get(url("matrix:unit", matrix))
    assert [entry.role.name for entry in response.context["gaps"]] == ["Digitutor"]


def test_ended_assignment_leaves_a_gap(principal_client, matrix, principal_role):
    principal_role.assignments.update(start_date=datetime.date(2020, 8, 1),
                                      end_date=datetime.date(2021, 7, 31))
    response = principal_client.get(url("matrix:unit", matrix))
    matrix_part, history = response.text.split('class="changes"')
    assert "Sanna Tervo" not in matrix_part
    assert "Sanna Tervo" in history  # the change history names who held the role
    assert {entry.role.name for entry in response.context["gaps"]} == {"Koulun johto",
                                                                       "Digitutor"}


def test_roles_of_other_sectors_are_left_out(principal_client, matrix, principal_role):
    RoleFactory(level=principal_role.level, name="Päiväkodin johto",
                sectors=["varhaiskasvatus"])
    assert "Päiväkodin johto" not in principal_client.get(url("matrix:unit", matrix)).text


def test_regional_roles_reach_the_municipalitys_units(principal_client, matrix, organisation):
    region = OrganisationFactory(name="Pohjois-Savo", slug="pohjois-savo", kind="region")
    organisation.parent = region
    organisation.save()
    level = LevelFactory(organisation=region, name="Seudun taso", order=0)
    group = RoleFactory(level=level, name="Seudullinen TVT-ryhmä", scope=Role.Scope.ORGANISATION)
    DutyFactory(role=group, text="Kokoonnumme kahdesti vuodessa.")
    AssignmentFactory(role=group, unit=None, organisation=region,
                      person=PersonFactory(organisation=region, name="Outi Seutula"))
    response = principal_client.get(url("matrix:unit", matrix))
    page = response.text
    assert "Seudullinen TVT-ryhmä" in page and "Outi Seutula" in page
    assert "Kokoonnumme kahdesti vuodessa." in page
    # The region's levels come first: the strategy on top of the municipality's matrix.
    assert [level.level.name for level in response.context["levels"]] == ["Seudun taso",
                                                                         "Yksikön taso"]


def test_other_organisations_roles_are_not_shown(principal_client, matrix):
    RoleFactory(name="Vieras rooli")
    assert "Vieras rooli" not in principal_client.get(url("matrix:unit", matrix)).text


def test_manager_sees_edit_links_and_viewer_does_not(client, principal_client, matrix):
    assert reverse("matrix:assignment_add", args=[matrix.slug]) in principal_client.get(
        url("matrix:unit", matrix)).text
    viewer = UserFactory()
    assign_perm("units.view_unit", viewer, matrix)
    client.force_login(viewer)
    assert reverse("matrix:assignment_add", args=[matrix.slug]) not in client.get(
        url("matrix:unit", matrix)).text


def test_grid_marks_owner_together_and_supporting(principal_client, matrix):
    response = principal_client.get(url("matrix:unit_grid", matrix))
    assert response.status_code == 200
    roles = [role.name for role in response.context["roles"]]
    assert roles == ["Koulun johto", "Digitutor"]
    marks = {row.duty.text: row.cells for row in response.context["rows"]}
    assert marks["Johdamme koulun digitaalista ympäristöä."] == ["owner", "supporting"]
    assert marks["Pidämme digitutor-tunteja."] == ["together", "owner"]
    assert 'scope="col"' in response.text and 'scope="row"' in response.text


def test_csv_export_has_a_row_per_duty_and_escapes_formulas(principal_client, matrix,
                                                             principal_role):
    principal_role.assignments.update(person=PersonFactory(
        organisation=matrix.organisation, name="=HYPERLINK(\"http://evil\")", email=""))
    response = principal_client.get(url("matrix:unit_export", matrix, "csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["Taso", "Rooli"]
    duties = {row[5] for row in rows[1:]}
    assert duties == {"Johdamme koulun digitaalista ympäristöä.", "Pidämme digitutor-tunteja."}
    holders = {row[3] for row in rows[1:]}
    assert "'=HYPERLINK(\"http://evil\"), opettaja" in holders


def test_xlsx_export_opens_in_a_spreadsheet(principal_client, matrix):
    response = principal_client.get(url("matrix:unit_export", matrix, "xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][0] == "Taso"
    assert any(row[1] == "Digitutor" and row[8] == "kyllä" for row in values[1:])


def test_unknown_export_format_is_404(principal_client, matrix):
    assert principal_client.get(url("matrix:unit_export", matrix, "pdf")).status_code == 404


def grow(unit, principal_role, tutor_role, times):
    """Add `times` roles, each with three duties, a partner and a holder, to the unit's matrix."""
    for index in range(times):
        role = RoleFactory(level=principal_role.level, sectors=["perusopetus"])
        role.supporting_roles.set([principal_role, tutor_role])
        for _duty in range(3):
            duty = DutyFactory(role=role, sectors=["perusopetus"])
            duty.collaborating_roles.set([tutor_role])
        if index % 2:
            AssignmentFactory(role=role, unit=unit,
                              person=PersonFactory(organisation=unit.organisation))


@pytest.mark.parametrize("name", [*PAGES, "export"])
def test_pages_run_the_same_queries_for_a_ten_times_larger_matrix(
        principal_client, matrix, principal_role, tutor_role, django_assert_num_queries, name):
    target = (url("matrix:unit_export", matrix, "csv") if name == "export"
              else url(name, matrix))
    grow(matrix, principal_role, tutor_role, 2)
    principal_client.get(target)  # warm the session and permission caches alike
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert principal_client.get(target).status_code == 200
    grow(matrix, principal_role, tutor_role, 20)
    with django_assert_num_queries(len(small)):
        assert principal_client.get(target).status_code == 200


def test_home_lists_units_with_search_and_my_roles(client, matrix, principal_role, organisation):
    second = UnitFactory(organisation=organisation, name="Harjurinteen koulu", slug="harju")
    person = principal_role.assignments.get().person
    user = UserFactory()
    person.user = user
    person.save()
    assign_perm("units.view_organisation", user, organisation)
    client.force_login(user)
    page = client.get(reverse("matrix:home")).text
    assert matrix.name in page and second.name in page
    assert "Koulun johto" in page  # my roles
    searched = client.get(reverse("matrix:home"), {"q": "harju"})
    assert [units for _organisation, units in searched.context["groups"]] == [[second]]
    assert 'value="harju"' in searched.text


def test_organisation_is_linked_only_for_its_viewers(client, principal_client, matrix,
                                                     organisation):
    org_url = f'href="{reverse("matrix:organisation", args=[organisation.slug])}"'
    page = principal_client.get(url("matrix:unit", matrix)).text
    assert org_url not in page
    assert reverse("matrix:clock", args=[organisation.slug]) in page
    viewer = UserFactory()
    assign_perm("units.view_organisation", viewer, organisation)
    client.force_login(viewer)
    assert org_url in client.get(url("matrix:unit", matrix)).text
    assert org_url in client.get(reverse("matrix:home")).text


def test_a_group_links_to_its_page_with_its_chair_first(principal_client, matrix, organisation,
                                                       principal_role):
    group = RoleFactory(level=principal_role.level, name="Digiryhmä", slug="digiryhma",
                        scope=Role.Scope.ORGANISATION, is_group=True)
    AssignmentFactory(role=group, unit=None, organisation=organisation,
                      person=PersonFactory(organisation=organisation, name="Aino Jäsen"))
    AssignmentFactory(role=group, unit=None, organisation=organisation, is_chair=True,
                      person=PersonFactory(organisation=organisation, name="Veikko Vetäjä"))
    response = principal_client.get(url("matrix:unit", matrix))
    [entry] = [e for level in response.context["levels"] for e in level.roles
               if e.role == group]
    assert [a.person.name for a in entry.holders] == ["Veikko Vetäjä", "Aino Jäsen"]
    assert reverse("matrix:group", args=[organisation.slug, "digiryhma"]) in response.text
