"""Coverage: holders and gaps per unit and role, sorting, the sector filter and the exports."""

import csv
import datetime
import io
import re
from types import SimpleNamespace

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm

from matrix.coverage import build_coverage, busiest, parse_options
from roles.models import Role
from tests.factories import (
    AssignmentFactory,
    LevelFactory,
    OrganisationFactory,
    PersonFactory,
    RoleFactory,
    UnitFactory,
    UserFactory,
)
from units.models import Organisation, Unit


def days(count):
    """Return the date `count` days from today (negative: ago)."""
    return timezone.localdate() + datetime.timedelta(days=count)


pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def roles(organisation):
    """Three named unit roles in different sectors, a collective one and an organisation one."""
    level = LevelFactory(organisation=organisation, name="Yksikön taso")
    return {
        "principal": RoleFactory(level=level, name="Rehtori", slug="rehtori", order=1,
                                 sectors=["perusopetus", "lukio"]),
        "tutor": RoleFactory(level=level, name="Digitutor", slug="digitutor", order=2,
                             sectors=["perusopetus"]),
        "daycare": RoleFactory(level=level, name="Päiväkodin johtaja", slug="pk-johtaja",
                               order=3, sectors=["varhaiskasvatus"]),
        "pupils": RoleFactory(level=level, name="Oppilaat", slug="oppilaat", order=4,
                              sectors=["perusopetus"], named_holders=False),
        "coordinator": RoleFactory(level=level, name="TVT-koordinaattori", slug="tvt", order=5,
                                   scope=Role.Scope.ORGANISATION),
    }


def hold(role, unit, name, **kwargs):
    """Give `name` (a new person of the unit's organisation) the role at the unit."""
    person = PersonFactory(organisation=unit.organisation, name=name)
    return AssignmentFactory(role=role, unit=unit, person=person, **kwargs)


@pytest.fixture
def staffed(organisation, school, roles):
    """Four units: two gaps at Ylämäki, one each at Kalevala (tutor left) and Lyseo, none at Peikko.

    Returns the units by short name.
    """
    lyseo = UnitFactory(organisation=organisation, name="Lyseon lukio", slug="lyseo",
                        sectors=["lukio"])
    peikko = UnitFactory(organisation=organisation, name="Päiväkoti Peikko", slug="peikko",
                         sectors=["varhaiskasvatus"])
    ylamaki = UnitFactory(organisation=organisation, name="Ylämäen koulu", slug="ylamaki",
                          sectors=["perusopetus", "lukio"])
    hold(roles["principal"], school, "Sanna Tervo")
    hold(roles["principal"], school, "Pekka Leinonen", is_lead=False)
    hold(roles["tutor"], school, "Entinen Tutor", start_date=days(-400),
         end_date=days(-1))
    hold(roles["daycare"], peikko, "Riikka Kärkkäinen")
    AssignmentFactory(role=roles["coordinator"], unit=None, organisation=organisation,
                      person=PersonFactory(organisation=organisation, name="Päivi Lappalainen"))
    return {"kalevala": school, "lyseo": lyseo, "peikko": peikko, "ylamaki": ylamaki}


@pytest.fixture
def viewer_client(client, organisation):
    """A client logged in as someone who may view the whole organisation."""
    user = UserFactory(username="sivistystoimi")
    assign_perm("units.view_organisation", user, organisation)
    client.force_login(user)
    return client


def coverage_of(organisation, **kwargs):
    return build_coverage(organisation, Unit.objects.in_organisation(organisation), **kwargs)


def grid(coverage):
    """Return {unit name: [cell text…, gaps]} of a coverage, for comparing at a glance."""
    return {row.unit.name: [cell.text() for cell in row.cells] + [row.gaps]
            for row in coverage.rows}


def test_cells_show_holders_gaps_and_roles_that_do_not_apply(organisation, staffed):
    coverage = coverage_of(organisation)
    assert [role.name for role in coverage.roles] == ["Rehtori", "Digitutor",
                                                      "Päiväkodin johtaja"]
    assert grid(coverage) == {
        "Kalevalan koulu": ["Sanna Tervo; supporting: Pekka Leinonen", "Gap", "–", 1],
        "Lyseon lukio": ["Gap", "–", "–", 1],
        "Päiväkoti Peikko": ["–", "–", "Riikka Kärkkäinen", 0],
        "Ylämäen koulu": ["Gap", "Gap", "–", 2],
    }
    assert coverage.role_gaps == [2, 2, 0]
    assert coverage.total_gaps == 4


def test_collective_roles_are_never_columns_nor_gaps(organisation, staffed, roles):
    coverage = coverage_of(organisation)
    assert roles["pupils"] not in coverage.roles
    assert roles["coordinator"] not in coverage.roles


def test_an_ended_assignment_leaves_a_gap_and_a_future_one_does_not_fill_it(
        organisation, staffed, roles):
    hold(roles["principal"], staffed["lyseo"], "Tuleva Rehtori",
         start_date=days(10))
    coverage = coverage_of(organisation)
    assert grid(coverage)["Kalevalan koulu"][1] == "Gap"
    assert grid(coverage)["Lyseon lukio"][0] == "Gap"


def test_supporting_holder_alone_is_not_a_gap(organisation, staffed, roles):
    hold(roles["principal"], staffed["lyseo"], "Apu Rehtori", is_lead=False)
    assert grid(coverage_of(organisation))["Lyseon lukio"][0] == "supporting: Apu Rehtori"


def test_sort_by_gaps_keeps_units_with_equal_gaps_by_name(organisation, staffed):
    coverage = coverage_of(organisation, sort="gaps")
    assert [row.unit.name for row in coverage.rows] == [
        "Ylämäen koulu", "Kalevalan koulu", "Lyseon lukio", "Päiväkoti Peikko"]


def test_sector_filter_keeps_units_and_roles_of_the_sector(organisation, staffed):
    coverage = coverage_of(organisation, sector="lukio")
    assert [role.name for role in coverage.roles] == ["Rehtori"]
    assert grid(coverage) == {"Lyseon lukio": ["Gap", 1], "Ylämäen koulu": ["Gap", 1]}


def test_unknown_options_fall_back_to_the_defaults():
    assert parse_options({"sort": "gaps", "sector": "lukio"}) == ("gaps", "lukio")
    assert parse_options({"sort": "drop table", "sector": "ei-ole"}) == ("name", None)
    assert parse_options({}) == ("name", None)


def test_region_columns_are_the_union_and_other_municipalities_roles_do_not_apply(db):
    region = OrganisationFactory(name="Päijät-Häme", slug="paijat-hame",
                                 kind=Organisation.Kind.REGION)
    north = OrganisationFactory(name="Pohjoinen", slug="pohjoinen", parent=region)
    south = OrganisationFactory(name="Etelä", slug="etela", parent=region)
    regional = RoleFactory(level=LevelFactory(organisation=region), name="Seutututor", order=1)
    own = RoleFactory(level=LevelFactory(organisation=north), name="Pohjoisen rehtori", order=1)
    north_school = UnitFactory(organisation=north, name="Pohjoisen koulu")
    south_school = UnitFactory(organisation=south, name="Etelän koulu")
    hold(regional, south_school, "Seppo Seutu")
    coverage = coverage_of(region)
    assert coverage.roles == [regional, own]
    assert grid(coverage) == {"Etelän koulu": ["Seppo Seutu", "–", 0],
                              "Pohjoisen koulu": ["Gap", "Gap", 2]}
    # A municipality's own coverage shows the region's roles too.
    assert coverage_of(north).roles == [regional, own]
    assert north_school.organisation == north


def test_busiest_counts_unit_and_organisation_assignments(organisation, staffed, roles):
    person = PersonFactory(organisation=organisation, name="Kaisa Kaikki", title="rehtori")
    AssignmentFactory(role=roles["principal"], unit=staffed["lyseo"], person=person)
    AssignmentFactory(role=roles["principal"], unit=staffed["ylamaki"], person=person)
    AssignmentFactory(role=roles["coordinator"], unit=None, organisation=organisation,
                      person=person, is_lead=False)
    top = coverage_of(organisation).busiest[0]
    assert (top.person.name, top.count) == ("Kaisa Kaikki", 3)
    assert top.held() == ["Rehtori (Lyseon lukio)", "Rehtori (Ylämäen koulu)",
                          "TVT-koordinaattori (Kuopio)"]


def test_busiest_lists_at_most_ten_most_loaded_first():
    def held(n, times):
        person = SimpleNamespace(pk=n, name=f"H {n:02}")
        return [SimpleNamespace(person_id=n, person=person)] * times

    assignments = [item for n in range(1, 13) for item in held(n, 1 + (n == 12))]
    assert [entry.person.name for entry in busiest(assignments)] == [
        "H 12", *(f"H {n:02}" for n in range(1, 10))]


def test_page_shows_the_table_gaps_in_words_and_the_busiest(viewer_client, staffed):
    response = viewer_client.get(reverse("matrix:coverage", args=["kuopio"]))
    page = response.text
    assert response.status_code == 200
    assert page.count('<th scope="col"') == 3 + 2  # the roles, the unit and the gaps
    assert page.count("<strong>Gap</strong>") == 4
    assert page.count("Not applicable") == 6
    assert "Sanna Tervo" in page and "Pekka Leinonen" in page
    assert "Entinen Tutor" not in page
    assert '<th scope="row" class="coverage-unit">' in page
    assert reverse("matrix:unit", args=["ylamaki"]) in page
    assert 'aria-sort="ascending"' in page and 'aria-sort="descending"' not in page
    words = " ".join(re.sub(r"<[^>]+>", "", page).split())
    assert ("Who holds the most roles Pekka Leinonen, opettaja – 1 role: Rehtori (Kalevalan koulu)"
            in words)
    assert "Päivi Lappalainen, opettaja – 1 role: TVT-koordinaattori (Kuopio)" in words


def test_page_sorts_by_gaps_and_filters_by_sector(viewer_client, staffed):
    url = reverse("matrix:coverage", args=["kuopio"])
    page = viewer_client.get(url, {"sort": "gaps"}).text
    assert 'aria-sort="descending"' in page
    assert page.index("Ylämäen koulu") < page.index("Kalevalan koulu")
    page = viewer_client.get(url, {"sector": "lukio", "sort": "gaps"}).text
    assert "Päiväkoti Peikko" not in page and "Kalevalan koulu" not in page
    assert '<option value="lukio" selected>' in page
    assert '<label for="coverage-sector">' in page
    # The sort links and the downloads keep the filter.
    assert "?sector=lukio&amp;sort=name" in page
    assert reverse("matrix:coverage_export", args=["kuopio", "csv"]) + "?sector=lukio" in page


def csv_rows(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def xlsx_rows(response):
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return [["" if value is None else value for value in row]
            for row in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize("fmt, read", [("csv", csv_rows), ("xlsx", xlsx_rows)])
def test_export_has_the_table_and_escapes_formulas(viewer_client, staffed, roles, fmt, read):
    hold(roles["principal"], staffed["lyseo"], '=HYPERLINK("http://example.com","x")')
    response = viewer_client.get(reverse("matrix:coverage_export", args=["kuopio", fmt]),
                                 {"sort": "gaps"})
    assert response.status_code == 200
    assert f'filename="kuopio-coverage.{fmt}"' in response["Content-Disposition"]
    rows = read(response)
    assert rows[0] == ["Unit", "Organisation", "Rehtori", "Digitutor", "Päiväkodin johtaja",
                       "Gaps"]
    counts = [str(cell) for cell in rows[-1]]
    assert counts == ["Gaps per role", "", "1", "2", "0", "3"]
    by_unit = {row[0]: [str(cell) for cell in row[1:]] for row in rows[1:-1]}
    assert list(by_unit) == ["Ylämäen koulu", "Kalevalan koulu", "Lyseon lukio",
                             "Päiväkoti Peikko"]
    assert by_unit["Lyseon lukio"] == [
        "Kuopio", "'=HYPERLINK(\"http://example.com\",\"x\")", "–", "–", "0"]
    assert by_unit["Kalevalan koulu"] == [
        "Kuopio", "Sanna Tervo; supporting: Pekka Leinonen", "Gap", "–", "1"]


def test_export_applies_the_sector_filter(viewer_client, staffed):
    response = viewer_client.get(reverse("matrix:coverage_export", args=["kuopio", "csv"]),
                                 {"sector": "varhaiskasvatus"})
    assert 'filename="kuopio-coverage-varhaiskasvatus.csv"' in response["Content-Disposition"]
    assert csv_rows(response) == [
        ["Unit", "Organisation", "Päiväkodin johtaja", "Gaps"],
        ["Päiväkoti Peikko", "Kuopio", "Riikka Kärkkäinen", "0"],
        ["Gaps per role", "", "0", "0"],
    ]


def test_export_in_an_unknown_format_is_404(viewer_client, staffed):
    url = reverse("matrix:coverage_export", args=["kuopio", "pdf"])
    assert viewer_client.get(url).status_code == 404
