"""The matrix as one sheet: round trips, building a matrix, all-or-nothing imports."""

import pytest
import tablib
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from roles.models import Duty, Level, Role
from roles.resources import MatrixResource
from tests.factories import DutyFactory, LevelFactory, OrganisationFactory, RoleFactory
from tests.resources.conftest import invalid_lines, matrix_order, snapshot, through_file

HEADERS = ["organisation", "level", "level in Swedish", "level order", "role", "role in Swedish",
           "role slug", "scope", "role sectors", "responsible title",
           "responsible title in Swedish", "supporting roles", "supporting titles",
           "supporting titles in Swedish", "group or network", "purpose", "purpose in Swedish",
           "who may join", "who may join in Swedish", "holders at least", "holders at most",
           "duty", "duty in Swedish", "duty sectors", "recurrence",
           "recurrence in Swedish", "months", "together with", "development area"]


def row(**cells):
    """Return a sheet row for Kuopio's digitutor, with `cells` (keyed by header) changed."""
    values = {"organisation": "kuopio", "level": "Yksikön taso", "level order": "2",
              "role": "Digitutor", "role slug": "digitutor", "scope": "unit",
              "role sectors": "perusopetus", "responsible title": "tutoropettaja"}
    values.update({key.replace("_", " "): value for key, value in cells.items()})
    return [values.get(header, "") for header in HEADERS]


def sheet(*rows):
    """Return a matrix sheet of `rows`."""
    return tablib.Dataset(*rows, headers=HEADERS)


@pytest.mark.parametrize("format_name", ["csv", "xlsx"])
@pytest.mark.parametrize("source", ["roles", "duties"])
def test_exported_matrix_reimports_without_changing_anything(matrix, format_name, source):
    before = snapshot()
    queryset = Role.objects.all() if source == "roles" else Duty.objects.all()
    dataset = through_file(MatrixResource().export(queryset), format_name)

    result = MatrixResource().import_data(dataset)

    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["new"] == 0
    assert result.totals["update"] == 0
    assert snapshot() == before


@pytest.mark.parametrize("format_name", ["csv", "xlsx"])
def test_sheet_builds_the_whole_matrix_in_an_empty_organisation(matrix, format_name):
    before, order_before = snapshot(with_order=False), matrix_order()
    dataset = through_file(MatrixResource().export(Role.objects.of_organisation(matrix)),
                           format_name)
    Level.objects.filter(organisation=matrix).delete()

    result = MatrixResource().import_data(dataset)

    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["new"] == 3  # the duties; the role with no duties is a skipped row
    # The sheet has no order columns: the orders are renumbered, in the same sequence.
    assert snapshot(with_order=False) == before
    assert matrix_order() == order_before


def test_matrix_sheet_has_one_row_per_duty_in_matrix_order(matrix):
    dataset = MatrixResource().export(Role.objects.of_organisation(matrix))

    assert dataset.headers == HEADERS
    assert [(r["role slug"], r["duty"]) for r in dataset.dict] == [
        ("tvt-koordinaattori", "Laadimme TVT-suunnitelman."),
        ("tvt-koordinaattori", "=Seuraamme\nlaitekantaa."),
        ("rehtori", ""),
        ("digitutor", "-Tuemme opettajia."),
    ]
    first = dataset.dict[0]
    assert first["months"] == "9, 11, 2"
    assert first["role sectors"] == "perusopetus, lukio"
    assert first["supporting roles"] == "rehtori, digitutor"
    assert first["together with"] == "rehtori, digitutor, pohjois-savo/tvt-ryhma"
    assert first["supporting titles"] == "IT-palvelut\nOpetuspalvelut"


def test_matrix_export_runs_the_same_queries_for_any_number_of_rows(matrix):
    def count_queries():
        """Return how many queries exporting the matrix runs."""
        with CaptureQueriesContext(connection) as queries:
            MatrixResource().export(Role.objects.all())
        return len(queries)

    few = count_queries()
    role = RoleFactory(level=Level.objects.first(), sectors=["lukio"])
    for _duty in range(5):
        DutyFactory(role=role, sectors=["lukio"]).collaborating_roles.set(Role.objects.all()[:2])
    assert count_queries() == few


def test_row_order_sets_duty_and_role_order(matrix):
    dataset = MatrixResource().export(Role.objects.of_organisation(matrix))
    first, second = dataset[0], dataset[1]
    dataset[0], dataset[1] = second, first

    MatrixResource().import_data(dataset)

    duties = Duty.objects.filter(role__slug="tvt-koordinaattori").order_by("order")
    assert [duty.text for duty in duties] == ["=Seuraamme\nlaitekantaa.",
                                              "Laadimme TVT-suunnitelman."]


@pytest.mark.parametrize(("cells", "column", "message"), [
    ({"months": "9, 13"}, "months", "Unknown month 13"),
    ({"organisation": "atlantis"}, "organisation", "Unknown organisation: atlantis."),
    ({"duty_sectors": "perusopetus, koulu"}, "duty sectors", "Unknown sector code: koulu."),
    ({"role_sectors": "lukioo"}, "role sectors", "Unknown sector code: lukioo."),
    ({"duty_sectors": "lukio"}, "duty sectors", "A duty can only apply in its role's sectors"),
    ({"together_with": "talonmies"}, "together with", "Unknown role: talonmies."),
    ({"scope": "valtakunta"}, "scope", "Value 'valtakunta' is not valid. Valid values: Unit"),
    ({"level_order": "toinen"}, "level order", "whole number"),
    ({"duty": ""}, "duty", "required"),
])
def test_one_bad_row_saves_no_row_and_names_its_line(region, cells, column, message):
    OrganisationFactory(name="Kuopio", slug="kuopio", parent=region)
    before = snapshot()
    bad = {"role": "Apuri", "role_slug": "apuri", "duty": "Pidämme tutorvartteja.",
           "months": "9", "recurrence": "joka kuukausi"}
    dataset = sheet(
        row(duty="Tuemme opettajia.", months="10"),
        row(**{**bad, **cells}),
        row(duty="Kokoamme vinkkejä.", months="5"),
    )

    result = MatrixResource().import_data(dataset)

    errors = invalid_lines(result)
    assert list(errors) == [3]  # the header is line 1
    assert message in " ".join(errors[3][column])
    assert snapshot() == before


def test_rows_of_one_role_must_describe_it_alike(region):
    OrganisationFactory(name="Kuopio", slug="kuopio", parent=region)
    dataset = sheet(row(duty="Tuemme opettajia."),
                    row(duty="Kokoamme vinkkejä.", responsible_title="rehtori"))

    result = MatrixResource().import_data(dataset)

    assert invalid_lines(result) == {
        3: {"responsible title": ["Line 2 describes the same role otherwise."]}}
    assert not Role.objects.filter(slug="digitutor").exists()


def test_same_duty_twice_in_a_sheet_is_an_error(region):
    OrganisationFactory(name="Kuopio", slug="kuopio", parent=region)
    dataset = sheet(row(duty="Tuemme opettajia."), row(duty="Tuemme opettajia."))

    result = MatrixResource().import_data(dataset)

    assert invalid_lines(result) == {3: {"duty": ["The same duty is already on line 2."]}}


def test_error_at_save_time_rolls_back_the_rows_before_it(region, monkeypatch):
    OrganisationFactory(name="Kuopio", slug="kuopio", parent=region)
    before = snapshot()
    save = Duty.save

    def failing_save(duty, *args, **kwargs):
        """Save a duty, except that one fails as a database would."""
        if duty.text == "Kokoamme vinkkejä.":
            raise IntegrityError("the database refused the row")
        return save(duty, *args, **kwargs)

    monkeypatch.setattr(Duty, "save", failing_save)
    dataset = sheet(row(duty="Tuemme opettajia."), row(duty="Kokoamme vinkkejä."),
                    row(duty="Pidämme tutorvartteja."))

    result = MatrixResource().import_data(dataset)

    assert result.has_errors()
    [(line, errors)] = result.row_errors()
    assert line == 3
    # The user is told the line failed; the database's words and the traceback go to the log.
    assert "could not be imported because of an unexpected error" in str(errors[0].error)
    assert "the database refused the row" not in str(errors[0].error)
    assert errors[0].traceback == ""
    assert snapshot() == before


def test_dry_run_saves_nothing(region):
    OrganisationFactory(name="Kuopio", slug="kuopio", parent=region)

    result = MatrixResource().import_data(sheet(row(duty="Tuemme opettajia.")), dry_run=True)

    assert result.totals["new"] == 1
    assert not Level.objects.filter(organisation__slug="kuopio").exists()


def test_role_refers_to_roles_by_slug_name_or_other_organisations_slug(region):
    kuopio = OrganisationFactory(name="Kuopio", slug="kuopio", parent=region)
    principal = RoleFactory(level=LevelFactory(organisation=kuopio, name="Yksikön taso"),
                            name="Rehtori", slug="rehtori")
    dataset = sheet(row(duty="Tuemme opettajia.", supporting_roles="Rehtori, tvt-ryhma",
                        together_with="pohjois-savo/tvt-ryhma, ict-tuki"),
                    row(role="ICT-tuki", role_slug="ict-tuki", role_sectors=""))

    result = MatrixResource().import_data(dataset)

    assert not result.has_validation_errors()
    tutor = Role.objects.get(slug="digitutor")
    assert {r.slug for r in tutor.supporting_roles.all()} == {principal.slug, "tvt-ryhma"}
    duty = tutor.duties.get()
    assert {r.slug for r in duty.collaborating_roles.all()} == {"tvt-ryhma", "ict-tuki"}
    assert not Role.objects.get(slug="ict-tuki").duties.exists()


def test_headers_are_recognised_in_any_case(region):
    OrganisationFactory(name="Kuopio", slug="kuopio", parent=region)
    dataset = sheet(row(duty="Tuemme opettajia."))
    dataset.headers = [header.upper() for header in HEADERS]

    result = MatrixResource().import_data(dataset)

    assert result.totals["new"] == 1
