"""The machinery every sheet shares: choices by code or word, every problem of a file in one
round, honest counts per model, a template for each sheet, new duties after the stored ones."""

import io

import openpyxl
import pytest
import tablib
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from matrix.models import Assignment
from plans.models import Action, ActionPlan, Goal
from plans.resources import PlanResource
from roles.models import Duty, Role
from roles.resources import MatrixResource
from tests.factories import (
    DutyFactory,
    LevelFactory,
    OrganisationFactory,
    PersonFactory,
    RoleFactory,
    UnitFactory,
    UserFactory,
)
from units.models import Organisation, Person, Unit
from units.resources import CSV, XLSX, OrganisationResource
from units.services import organisation_administrator_appoint

CSV_FORMAT, XLSX_FORMAT = "0", "1"


def upload(client, model_path, content, name="sheet.csv", file_format=CSV_FORMAT):
    """Post `content` to the admin import page of `model_path` ("app/model") as a file."""
    return client.post(f"/admin/{model_path}/import/", {
        "resource": "0", "format": file_format,
        "import_file": SimpleUploadedFile(name, content),
    })


def confirm(client, model_path, response):
    """Confirm the import that `response` (the dry run's page) offers."""
    return client.post(f"/admin/{model_path}/process_import/",
                       response.context["confirm_form"].initial, follow=True)


def sheet(headers, *rows):
    """Return a CSV file of `headers` and `rows`, as bytes."""
    return CSV().export_data(tablib.Dataset(*rows, headers=headers)).encode()


def in_finnish(client):
    """Make `client` ask for Finnish pages (the folder's tests run in English)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fi"


def success(response):
    """Return the text of the messages that `response` shows."""
    return " ".join(str(message) for message in get_messages(response.wsgi_request))


@pytest.fixture
def kuopio(db):
    return OrganisationFactory(name="Kuopio", slug="kuopio")


# Choices: code or label in any language, any case and spacing; errors list the valid values.

@pytest.mark.parametrize("cell", ["municipality", "Kunta", "  KOMMUN ", "Municipality"])
def test_organisation_kind_reads_code_or_label_in_any_language(kuopio, cell):
    dataset = tablib.Dataset(["espoo", "Espoo", cell], headers=["slug", "name", "kind"])

    result = OrganisationResource().import_data(dataset)

    assert not result.has_validation_errors(), result.invalid_rows[0].error_dict
    assert Organisation.objects.get(slug="espoo").kind == Organisation.Kind.MUNICIPALITY


def test_bad_choice_names_its_value_and_lists_the_valid_ones(kuopio):
    dataset = tablib.Dataset(["espoo", "Espoo", "Valtio"], headers=["slug", "name", "kind"])

    result = OrganisationResource().import_data(dataset)

    [row] = result.invalid_rows
    assert row.error_dict["kind"] == [
        "Value 'Valtio' is not valid. Valid values: Region, Municipality, Joint authority, "
        "Service provider."]
    assert not Organisation.objects.filter(slug="espoo").exists()


def test_bad_choice_lists_the_valid_values_in_finnish(kuopio):
    with translation.override("fi"):
        dataset = tablib.Dataset(["espoo", "Espoo", "Valtio"],
                                 headers=["tunniste", "nimi", "tyyppi"])
        result = OrganisationResource().import_data(dataset)

    [row] = result.invalid_rows
    [message] = row.error_dict["tyyppi"]  # the column in Finnish
    assert "'Valtio'" in message
    assert "Seutu, Kunta" in message


def test_matrix_scope_reads_the_first_word_of_its_label_in_finnish(kuopio):
    headers = ["organisation", "level", "role", "role slug", "scope", "duty"]
    dataset = tablib.Dataset(["kuopio", "Hallinto", "Koordinaattori", "koordinaattori",
                              "organisaatio", "Teemme suunnitelman."], headers=headers)

    result = MatrixResource().import_data(dataset)

    assert not result.has_validation_errors(), result.invalid_rows[0].error_dict
    assert Role.objects.get(slug="koordinaattori").scope == Role.Scope.ORGANISATION


def test_plan_status_reads_swedish_and_finnish_words(kuopio):
    headers = ["organisation", "year", "goal", "action", "status"]
    dataset = tablib.Dataset(["kuopio", 2025, "Tavoite", "Yksi", " VALMIS"],
                             ["kuopio", 2025, "Tavoite", "Kaksi", "pågår"], headers=headers)

    result = PlanResource().import_data(dataset)

    assert not result.has_validation_errors(), [r.error_dict for r in result.invalid_rows]
    assert dict(Action.objects.values_list("text", "status")) == {
        "Yksi": Action.Status.DONE, "Kaksi": Action.Status.IN_PROGRESS}


def test_plan_export_writes_words_in_finnish_and_reimports_unchanged_in_english(kuopio):
    goal = Goal.objects.create(plan=ActionPlan.objects.create(organisation=kuopio, year=2025),
                               text="Osaaminen kasvaa.", development_area=Duty.Area.COMPETENCE)
    Action.objects.create(goal=goal, text="Koulutamme.", status=Action.Status.IN_PROGRESS)
    with translation.override("fi"):
        exported = PlanResource().export(ActionPlan.objects.all())
        [row] = exported.dict
        assert (row["tila"], row["kehittämisalue"]) == ("Käynnissä", "Osaaminen")
        data = XLSX().export_data(exported)

    result = PlanResource().import_data(XLSX().create_dataset(data))

    assert not (result.has_errors() or result.has_validation_errors())
    assert (result.totals["new"], result.totals["update"]) == (0, 0)


# Every problem of a file in one round, in words above the rows, and nothing saved.

def test_every_error_of_every_row_is_listed_by_line_and_column(admin_client, kuopio):
    content = sheet(["slug", "name", "kind", "parent organisation"],
                    ["a", "A", "Valtio", "ei-ole"], ["b", "B", "kunta", ""],
                    ["c", "", "seutu", "ei-ole"])

    response = upload(admin_client, "units/organisation", content)

    problems = response.context["problems"]
    assert problems == [
        "Line 2, kind: Value 'Valtio' is not valid. Valid values: Region, Municipality, "
        "Joint authority, Service provider.",
        "Line 2, parent organisation: Unknown organisation: ei-ole.",
        "Line 4, parent organisation: Unknown organisation: ei-ole.",
        "Line 4, name: This field cannot be blank.",
    ]
    page = response.content.decode()
    assert "Line 4, parent organisation: Unknown organisation: ei-ole." in page
    assert "validation-error-container" not in page  # not hidden in a hover
    assert "confirm_form" not in response.context
    assert not Organisation.objects.exclude(slug="kuopio").exists()


def test_problems_are_listed_in_finnish_columns_on_a_finnish_page(client, superuser, kuopio):
    in_finnish(client)
    client.force_login(superuser)
    content = sheet(["tunniste", "nimi", "organisaatio", "sektorit"],
                    ["a", "A", "ei-ole", "perusopetus"], ["b", "B", "kuopio", "koulu"])

    response = upload(client, "units/unit", content)

    # "Line" becomes "Rivi" once the merge adds the new translations.
    [first, second] = response.context["problems"]
    assert first.endswith(" 2, organisaatio: Tuntematon organisaatio: ei-ole.")
    assert second.endswith(" 3, sektorit: Tuntematon sektorikoodi: koulu.")
    assert '<html lang="fi"' in response.content.decode()
    assert not Unit.objects.exists()


# The result in words, counted per model.

def test_plan_import_tells_plans_goals_and_actions_apart(admin_client, kuopio):
    rows = [["kuopio", 2025, f"Tavoite {goal}", f"Toimenpide {action}"]
            for goal, actions in ((1, (1, 2)), (2, (3, 4)), (3, (5,))) for action in actions]
    content = sheet(["organisation", "year", "goal", "action"], *rows)

    response = confirm(admin_client, "plans/actionplan",
                       upload(admin_client, "plans/actionplan", content))

    assert "Import finished. New: 1 action plan, 3 goals, 5 actions." in success(response)
    assert (ActionPlan.objects.count(), Goal.objects.count(), Action.objects.count()) == (1, 3, 5)


def test_matrix_import_counts_levels_roles_and_duties(admin_client, kuopio):
    headers = ["organisation", "level", "role", "role slug", "duty"]
    content = sheet(headers, ["kuopio", "Taso", "Rehtori", "rehtori", "Yksi."],
                    ["kuopio", "Taso", "Rehtori", "rehtori", "Kaksi."])

    response = confirm(admin_client, "roles/role", upload(admin_client, "roles/role", content))

    assert "New: 1 level, 1 role, 2 duties." in success(response)


def test_unchanged_rows_are_counted_as_rows(admin_client, kuopio):
    UnitFactory(organisation=kuopio, slug="a", name="A", sectors=["perusopetus"])
    content = sheet(["slug", "name", "organisation", "sectors"],
                    ["a", "A", "kuopio", "perusopetus"], ["b", "B", "kuopio", "perusopetus"])

    response = confirm(admin_client, "units/unit", upload(admin_client, "units/unit", content))

    assert "Import finished. New: 1 unit. 1 row unchanged." in success(response)


# A template for each sheet, in the user's language, whose examples import cleanly.

TEMPLATE_SHEETS = ["units/organisation", "units/unit", "units/person", "roles/role",
                   "plans/actionplan", "matrix/assignment"]


def template_rows(response, format_name):
    """Return the rows of a downloaded template, the header first."""
    if format_name == "xlsx":
        sheet_ = openpyxl.load_workbook(io.BytesIO(response.content)).active
        return [list(row) for row in sheet_.iter_rows(values_only=True)]
    return [line.split(",") for line in response.content.decode("utf-8-sig").splitlines()]


@pytest.fixture
def filled(kuopio):
    """Kuopio with a school, two people and a role of each scope, for the assignment examples."""
    UnitFactory(organisation=kuopio, slug="koulu", name="Koulu", sectors=["perusopetus"])
    level = LevelFactory(organisation=kuopio, name="Taso", order=0)
    RoleFactory(level=level, name="Rehtori", slug="rehtori", scope="unit", order=0)
    RoleFactory(level=level, name="Koordinaattori", slug="koordinaattori",
                scope="organisation", order=1)
    PersonFactory(organisation=kuopio, email="a@example.fi", name="A")
    PersonFactory(organisation=kuopio, email="b@example.fi", name="B")
    return kuopio


@pytest.mark.parametrize("format_name, file_format", [("csv", CSV_FORMAT),
                                                     ("xlsx", XLSX_FORMAT)])
@pytest.mark.parametrize("model_path", TEMPLATE_SHEETS)
def test_each_sheets_template_imports_cleanly(admin_client, filled, model_path, format_name,
                                              file_format):
    before = Assignment.objects.count()
    response = admin_client.get(f"/admin/{model_path}/import-template/?format={format_name}")

    assert response.status_code == 200
    assert f".{format_name}" in response["Content-Disposition"]
    rows = template_rows(response, format_name)
    assert len(rows) == 3  # the headers and two examples
    checked = upload(admin_client, model_path, response.content, f"template.{format_name}",
                     file_format)
    assert checked.context["problems"] == []
    confirm(admin_client, model_path, checked)
    if model_path == "matrix/assignment":
        assert Assignment.objects.count() == before + 2


def test_template_headers_are_in_the_users_language(client, superuser, filled):
    in_finnish(client)
    client.force_login(superuser)

    response = client.get("/admin/units/unit/import-template/")

    header, first, _second = template_rows(response, "csv")
    assert header == ["tunniste", "nimi", "organisaatio", "sektorit"]
    assert first[2] == "kuopio"
    checked = upload(client, "units/unit", response.content)
    assert checked.context["problems"] == []


def test_import_page_links_the_templates(admin_client, kuopio):
    page = admin_client.get("/admin/units/person/import/").content.decode()

    assert "/admin/units/person/import-template/?format=csv" in page
    assert "/admin/units/person/import-template/?format=xlsx" in page


def test_organisation_administrators_template_names_their_own_organisation(client, filled):
    OrganisationFactory(name="Aapiskylä", slug="aapiskyla")  # first by name, but not theirs
    user = organisation_administrator_appoint(user=UserFactory(username="kuopion-admin"),
                                              organisation=filled)
    client.force_login(user)

    response = client.get("/admin/units/person/import-template/")

    _header, first, second = template_rows(response, "csv")
    assert first[3] == second[3] == "kuopio"
    checked = upload(client, "units/person", response.content)
    assert checked.context["problems"] == []
    confirm(client, "units/person", checked)
    assert Person.objects.filter(organisation=filled).count() == 4


def test_template_needs_the_import_permission(client, kuopio):
    client.force_login(UserFactory(username="staff", is_staff=True))

    assert client.get("/admin/units/unit/import-template/").status_code == 403


# New duties come after the role's stored ones, in the order of the file.

def test_new_duties_are_placed_after_the_roles_stored_duties(kuopio):
    level = LevelFactory(organisation=kuopio, name="Taso", order=0)
    role = RoleFactory(level=level, name="Rehtori", slug="rehtori", scope="unit")
    for order, text in enumerate(["Vanha 1.", "Vanha 2.", "Vanha 3."]):
        DutyFactory(role=role, text=text, order=order)
    headers = ["organisation", "level", "role", "role slug", "duty"]
    dataset = tablib.Dataset(*[["kuopio", "Taso", "Rehtori", "rehtori", text]
                               for text in ("Uusi B.", "Uusi A.")], headers=headers)

    result = MatrixResource().import_data(dataset)

    assert not (result.has_errors() or result.has_validation_errors())
    assert list(role.duties.order_by("order").values_list("text_fi", "order")) == [
        ("Vanha 1.", 0), ("Vanha 2.", 1), ("Vanha 3.", 2), ("Uusi B.", 3), ("Uusi A.", 4)]


# Headers in any language, any case and spacing, and the old names too.

def test_headers_in_swedish_or_with_odd_spacing_are_read(kuopio):
    with translation.override("sv"):
        swedish = [str(OrganisationResource().column(name)) for name in ("slug", "name")]
    dataset = tablib.Dataset(["espoo", "Espoo", "kunta"],
                             headers=[f"  {swedish[0].upper()} ", swedish[1], "Kind"])

    result = OrganisationResource().import_data(dataset)

    assert not result.has_validation_errors(), result.invalid_rows[0].error_dict
    assert Organisation.objects.filter(slug="espoo", name="Espoo").exists()


def test_a_row_refused_early_still_tells_its_other_bad_cells(kuopio):
    headers = ["organisation", "year", "goal", "development area", "action", "status"]
    dataset = tablib.Dataset(["ei-ole", 2025, "Tavoite", "talous", "Yksi", "valmiina"],
                             headers=headers)

    result = PlanResource().import_data(dataset)

    [row] = result.invalid_rows
    assert set(row.error_dict) == {"organisation", "development area", "status"}
    assert "Valid values: Planned" in row.error_dict["status"][0]
    assert not ActionPlan.objects.exists()
