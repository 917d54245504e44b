"""Levels, roles and duties: constraints and validation."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from roles.models import Duty, Role
from tests.factories import DutyFactory, LevelFactory, RoleFactory, UnitFactory, sector


def test_role_slug_is_unique_within_its_organisation(organisation):
    first = LevelFactory(organisation=organisation)
    second = LevelFactory(organisation=organisation)
    RoleFactory(level=first, slug="rehtori")
    clash = RoleFactory.build(level=second, slug="rehtori", name="Toinen")
    with pytest.raises(ValidationError, match="slug"):
        clash.full_clean()


def test_role_slug_may_repeat_in_another_organisation(organisation):
    RoleFactory(level=LevelFactory(organisation=organisation), slug="rehtori")
    other = RoleFactory.build(level=LevelFactory(), slug="rehtori")
    other.full_clean()


def test_role_name_is_unique_in_level(db):
    role = RoleFactory()
    with pytest.raises(IntegrityError):
        RoleFactory(level=role.level, name=role.name)


def test_supporting_titles_are_read_one_per_line(db):
    role = RoleFactory(supporting_titles="koulun apulaisjohtaja\n\n  koulun digitiimi \n")
    assert role.supporting_title_list() == ["koulun apulaisjohtaja", "koulun digitiimi"]


def test_roles_reaching_a_municipality_include_its_regions(organisation):
    from tests.factories import OrganisationFactory

    region = OrganisationFactory()
    organisation.parent = region
    organisation.save()
    own = RoleFactory(level=LevelFactory(organisation=organisation))
    regional = RoleFactory(level=LevelFactory(organisation=region))
    foreign = RoleFactory()
    reaching = set(Role.objects.reaching(organisation))
    assert {own, regional} <= reaching
    assert foreign not in reaching


def test_duty_text_is_unique_within_a_role(db):
    duty = DutyFactory()
    with pytest.raises(IntegrityError):
        DutyFactory(role=duty.role, text=duty.text)


@pytest.mark.parametrize("months", [[0], [13], ["9"], [9, 9], "9", [True]])
def test_duty_months_must_be_distinct_month_numbers(db, months):
    duty = DutyFactory.build(role=RoleFactory(), months=months)
    with pytest.raises(ValidationError):
        duty.full_clean()


def test_duty_months_are_kept_in_school_year_order(db):
    duty = DutyFactory.build(role=RoleFactory(), months=[2, 9, 12, 8])
    duty.full_clean()
    assert duty.months == [8, 9, 12, 2]


def test_duty_needs_text(db):
    duty = DutyFactory.build(role=RoleFactory(), text="   ")
    with pytest.raises(ValidationError):
        duty.full_clean()


def test_duties_for_sectors_keep_unrestricted_and_matching_ones(db):
    role = RoleFactory(sectors=["perusopetus", "lukio"])
    everywhere = DutyFactory(role=role)
    basic = DutyFactory(role=role, sectors=["perusopetus"])
    upper = DutyFactory(role=role, sectors=["lukio"])
    unit = UnitFactory(sectors=["lukio"])
    assert set(Duty.objects.for_sectors(unit.sectors.all())) == {everywhere, upper}
    assert basic not in Duty.objects.for_sectors([sector("lukio")])
