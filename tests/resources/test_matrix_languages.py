"""The matrix sheet in Finnish and Swedish: a Swedish column beside each text."""

import pytest
from django.utils import translation

from roles.models import Duty, Level, Role
from roles.resources import MatrixResource
from tests.factories import OrganisationFactory
from tests.resources.conftest import invalid_lines, snapshot, through_file
from tests.resources.test_matrix import row, sheet
from units.models import Organisation

SWEDISH_HEADERS = ["level in Swedish", "role in Swedish", "responsible title in Swedish",
                   "supporting titles in Swedish", "duty in Swedish", "recurrence in Swedish"]


def export(organisation):
    """Return the sheet of `organisation`'s matrix."""
    return MatrixResource().export(Role.objects.of_organisation(organisation))


def test_export_writes_each_swedish_text_beside_its_finnish_one(matrix):
    rows = {(r["role slug"], r["duty"]): r for r in export(matrix).dict}

    plan = rows["tvt-koordinaattori", "Laadimme TVT-suunnitelman."]
    assert (plan["role"], plan["role in Swedish"]) == ("TVT-koordinaattori", "IKT-koordinator")
    assert plan["level in Swedish"] == ""
    assert plan["supporting titles in Swedish"] == "IT-tjänster\nUndervisningstjänster"
    assert (plan["duty in Swedish"], plan["recurrence in Swedish"]) == (
        "Vi gör upp IKT-planen.", "1 gång/läsår")
    tutoring = rows["digitutor", "-Tuemme opettajia."]
    assert (tutoring["level"], tutoring["level in Swedish"]) == ("Yksikön taso", "Enhetsnivå")
    assert tutoring["responsible title in Swedish"] == "tutorlärare"
    assert tutoring["duty in Swedish"] == ""


@pytest.mark.parametrize("format_name", ["csv", "xlsx"])
def test_export_reimports_unchanged_for_an_editor_reading_swedish(matrix, format_name):
    before = snapshot()

    with translation.override("sv"):
        dataset = through_file(export(matrix), format_name)
        result = MatrixResource().import_data(dataset)

    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["new"] == result.totals["update"] == 0
    assert snapshot() == before


def test_import_in_swedish_leaves_a_finnish_only_duty_without_swedish_text(region):
    OrganisationFactory(name="Kuopio", slug="kuopio", parent=region)

    with translation.override("sv"):
        result = MatrixResource().import_data(sheet(row(duty="Tuemme opettajia.")))

    assert not result.has_validation_errors()
    duty = Duty.objects.get(text_fi="Tuemme opettajia.")
    assert duty.text_sv is None
    assert Role.objects.get(slug="digitutor").name_sv is None


def test_sheet_without_swedish_columns_keeps_the_swedish_texts(matrix):
    dataset = export(matrix)
    for header in SWEDISH_HEADERS:
        del dataset[header]
    tutor_rows = [index for index, values in enumerate(dataset.dict)
                  if values["role slug"] == "digitutor"]
    for index in tutor_rows:
        values = list(dataset[index])
        values[dataset.headers.index("responsible title")] = "tutoropettajat"
        dataset[index] = values

    result = MatrixResource().import_data(dataset)

    assert not result.has_validation_errors()
    tutor = Role.objects.get(slug="digitutor")
    assert (tutor.responsible_title_fi, tutor.responsible_title_sv) == (
        "tutoropettajat", "tutorlärare")
    assert Level.objects.get(name_fi="Yksikön taso").name_sv == "Enhetsnivå"
    assert Duty.objects.get(text_fi="Laadimme TVT-suunnitelman.").text_sv == (
        "Vi gör upp IKT-planen.")


def test_empty_swedish_cell_clears_the_swedish_text(matrix):
    dataset = export(matrix)
    column = dataset.headers.index("duty in Swedish")
    for index, values in enumerate(dataset.dict):
        if values["duty"] == "Laadimme TVT-suunnitelman.":
            cells = list(dataset[index])
            cells[column] = ""
            dataset[index] = cells

    result = MatrixResource().import_data(dataset)

    assert result.totals["update"] == 1
    assert Duty.objects.get(text_fi="Laadimme TVT-suunnitelman.").text_sv is None


def test_swedish_texts_are_imported_and_shown_to_swedish_readers(region):
    OrganisationFactory(name="Kuopio", slug="kuopio", parent=region)
    dataset = sheet(row(duty="Tuemme opettajia.", duty_in_Swedish="Vi stöder lärarna.",
                        role_in_Swedish="Digitutor", level_in_Swedish="Enhetsnivå",
                        responsible_title_in_Swedish="tutorlärare"))

    MatrixResource().import_data(dataset)

    duty = Duty.objects.select_related("role__level").get()
    with translation.override("sv"):
        assert (duty.text, duty.role.responsible_title, duty.role.level.name) == (
            "Vi stöder lärarna.", "tutorlärare", "Enhetsnivå")
    with translation.override("en"):
        assert (duty.text, duty.role.responsible_title) == ("Tuemme opettajia.", "tutoropettaja")


def test_swedish_speaking_organisation_may_leave_the_finnish_cells_empty(region):
    OrganisationFactory(name="Närpes stad", slug="narpes", parent=region,
                        language=Organisation.Language.SWEDISH)
    dataset = sheet(row(organisation="narpes", level="", level_in_Swedish="Enhetsnivå", role="",
                        role_in_Swedish="Rektor", responsible_title="",
                        responsible_title_in_Swedish="rektor", duty="",
                        duty_in_Swedish="Vi leder skolan."))

    result = MatrixResource().import_data(dataset)

    assert not result.has_validation_errors()
    duty = Duty.objects.select_related("role__level").get()
    assert (duty.text_fi, duty.text_sv) == ("Vi leder skolan.", "Vi leder skolan.")
    assert (duty.role.name_fi, duty.role.name_sv) == ("Rektor", "Rektor")
    assert duty.role.responsible_title_fi == "rektor"
    assert duty.role.level.name_fi == "Enhetsnivå"


def test_finnish_speaking_organisation_needs_the_finnish_duty(region):
    OrganisationFactory(name="Kuopio", slug="kuopio", parent=region)

    result = MatrixResource().import_data(
        sheet(row(duty="", duty_in_Swedish="Vi stöder lärarna.")))

    assert "required" in " ".join(invalid_lines(result)[2]["duty"])
    assert not Duty.objects.exists()


def test_rows_of_one_level_must_give_it_the_same_swedish_name(region):
    OrganisationFactory(name="Kuopio", slug="kuopio", parent=region)
    dataset = sheet(row(duty="Tuemme opettajia.", level_in_Swedish="Enhetsnivå"),
                    row(duty="Kokoamme vinkkejä.", level_in_Swedish="Enhetens nivå"))

    result = MatrixResource().import_data(dataset)

    assert invalid_lines(result) == {
        3: {"level in Swedish": ["Line 2 gives this level another Swedish name."]}}


def test_two_roles_of_a_level_cannot_share_a_swedish_name(region):
    OrganisationFactory(name="Kuopio", slug="kuopio", parent=region)
    dataset = sheet(row(duty="Tuemme opettajia.", role_in_Swedish="Digitutor"),
                    row(role="Apuri", role_slug="apuri", role_in_Swedish="Digitutor"))

    result = MatrixResource().import_data(dataset)

    assert list(invalid_lines(result)) == [3]
    assert not Role.objects.filter(slug="digitutor").exists()
