"""Organisations, sectors, units and people: constraints and validation."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from tests.factories import OrganisationFactory, PersonFactory, UnitFactory
from units.models import Organisation, Sector


def test_the_five_sectors_come_from_the_migration(db):
    assert sorted(Sector.objects.values_list("code", flat=True)) == sorted(
        ["varhaiskasvatus", "esiopetus", "perusopetus", "lukio", "kirjasto"])


def test_organisation_ancestors_nearest_first(db):
    region = OrganisationFactory(kind=Organisation.Kind.REGION)
    town = OrganisationFactory(parent=region)
    authority = OrganisationFactory(parent=town, kind=Organisation.Kind.JOINT_AUTHORITY)
    assert authority.ancestors() == [town, region]
    assert authority.lineage_ids() == [authority.pk, town.pk, region.pk]


def test_organisation_cannot_be_its_own_parent_in_the_database(db):
    org = OrganisationFactory()
    org.parent_id = org.pk
    with pytest.raises(IntegrityError):
        org.save()


def test_organisation_parent_loop_is_refused(db):
    region = OrganisationFactory()
    town = OrganisationFactory(parent=region)
    region.parent = town
    with pytest.raises(ValidationError, match="kehän"):
        region.full_clean()


def test_organisation_tree_depth_is_limited(db):
    top = OrganisationFactory()
    middle = OrganisationFactory(parent=top)
    bottom = OrganisationFactory(parent=middle)
    too_deep = OrganisationFactory.build(parent=bottom, slug="syva", name="Syvä")
    with pytest.raises(ValidationError, match="enintään 3"):
        too_deep.full_clean()
    # Moving a subtree under another counts the levels below it too.
    other = OrganisationFactory()
    top.parent = other
    with pytest.raises(ValidationError, match="enintään 3"):
        top.full_clean()


def test_unit_slug_is_unique(school):
    with pytest.raises(IntegrityError):
        UnitFactory(slug=school.slug)


def test_unit_name_is_unique_within_its_organisation(school):
    with pytest.raises(IntegrityError):
        UnitFactory(organisation=school.organisation, name=school.name)


def test_same_unit_name_in_two_organisations_is_fine(school):
    assert UnitFactory(name=school.name).name == school.name


def test_person_email_is_unique_where_given(organisation):
    PersonFactory(organisation=organisation, email="")
    PersonFactory(organisation=organisation, email="")
    PersonFactory(organisation=organisation, email="maija@example.fi")
    with pytest.raises(IntegrityError):
        PersonFactory(organisation=organisation, email="maija@example.fi")


def test_person_email_is_normalised_by_clean(organisation):
    person = PersonFactory.build(organisation=organisation, email=" Maija@Example.FI ")
    person.full_clean()
    assert person.email == "maija@example.fi"


def test_unit_str_is_its_name(school):
    assert str(school) == "Kalevalan koulu"
