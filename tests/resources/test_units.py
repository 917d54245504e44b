"""Organisations, units and people re-imported by their natural keys."""

import tablib

from tests.factories import OrganisationFactory, PersonFactory, UnitFactory
from tests.resources.conftest import invalid_lines, through_file
from units.models import Organisation, Person, Unit
from units.resources import OrganisationResource, PersonResource, UnitResource


def test_unit_import_creates_then_updates_by_slug(organisation):
    dataset = tablib.Dataset(["kalevala", "Kalevalan koulu", "kuopio", "perusopetus"],
                             headers=["slug", "name", "organisation", "sectors"])
    UnitResource().import_data(dataset)
    dataset = tablib.Dataset(
        ["kalevala", "Kalevalan yhtenäiskoulu", "kuopio", "esiopetus; perusopetus"],
        headers=["slug", "name", "organisation", "sectors"])

    result = UnitResource().import_data(dataset)

    assert result.totals["update"] == 1
    unit = Unit.objects.get()
    assert unit.name == "Kalevalan yhtenäiskoulu"
    assert {s.code for s in unit.sectors.all()} == {"esiopetus", "perusopetus"}


def test_unit_import_reports_unknown_organisation_and_sector(organisation):
    dataset = tablib.Dataset(["a", "A", "kuopio", "perusopetus"], ["b", "B", "tampere", "koulu"],
                             headers=["slug", "name", "organisation", "sectors"])

    result = UnitResource().import_data(dataset)

    assert invalid_lines(result) == {3: {"organisation": ["Unknown organisation: tampere."],
                                         "sectors": ["Unknown sector code: koulu."]}}
    assert not Unit.objects.exists()


def test_unit_needs_a_sector(organisation):
    dataset = tablib.Dataset(["a", "A", "kuopio", ""],
                             headers=["slug", "name", "organisation", "sectors"])

    result = UnitResource().import_data(dataset)

    assert invalid_lines(result) == {2: {"sectors": ["This field is required."]}}


def test_unit_export_reimports_unchanged_from_xlsx(school):
    dataset = through_file(UnitResource().export(), "xlsx")

    result = UnitResource().import_data(dataset)

    assert result.totals["skip"] == 1 and Unit.objects.count() == 1


def test_person_import_recognises_email_in_any_case(organisation):
    PersonFactory(organisation=organisation, name="Maija", email="maija@kuopio.fi")
    dataset = tablib.Dataset(["Maija@Kuopio.FI ", "Maija Meikäläinen", "rehtori", "kuopio"],
                             headers=["email", "name", "title", "organisation"])

    result = PersonResource().import_data(dataset)

    assert result.totals["update"] == 1
    assert Person.objects.get().name == "Maija Meikäläinen"


def test_person_import_without_email_finds_by_name_in_the_organisation(organisation):
    known = PersonFactory(organisation=organisation, name="Liisa Lukija", email="")
    dataset = tablib.Dataset(["", "liisa  lukija", "kirjastonhoitaja", "kuopio"],
                             ["", "Uusi Ihminen", "", "kuopio"],
                             headers=["email", "name", "title", "organisation"])

    result = PersonResource().import_data(dataset)

    assert (result.totals["update"], result.totals["new"]) == (1, 1)
    known.refresh_from_db()
    assert known.title == "kirjastonhoitaja"
    assert Person.objects.get(name="Uusi Ihminen").email == ""


def test_person_import_says_when_a_name_is_ambiguous(organisation):
    PersonFactory.create_batch(2, organisation=organisation, name="Matti Virtanen", email="")
    dataset = tablib.Dataset(["", "Matti Virtanen", "", "kuopio"],
                             headers=["email", "name", "title", "organisation"])

    result = PersonResource().import_data(dataset)

    assert invalid_lines(result) == {2: {"name": [
        "Kuopio has more than one person named Matti Virtanen: give the e-mail to tell them "
        "apart."]}}


def test_organisation_export_puts_parents_first_and_reimports(db):
    region = OrganisationFactory(name="A-seutu", slug="a-seutu", kind="region")
    OrganisationFactory(name="Aaltola", slug="aaltola", parent=region)
    dataset = OrganisationResource().export()
    assert [r["slug"] for r in dataset.dict] == ["a-seutu", "aaltola"]
    Organisation.objects.filter(slug="aaltola").delete()

    result = OrganisationResource().import_data(dataset)

    assert result.totals == {**result.totals, "new": 1, "skip": 1}
    assert Organisation.objects.get(slug="aaltola").parent == region


def test_unit_export_runs_the_same_queries_for_any_number_of_rows(organisation,
                                                                  django_assert_num_queries):
    UnitFactory(organisation=organisation)
    with django_assert_num_queries(3):
        UnitResource().export()
    UnitFactory.create_batch(5, organisation=organisation, sectors=["lukio", "perusopetus"])
    with django_assert_num_queries(3):
        UnitResource().export()
