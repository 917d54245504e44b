"""Action plans, goals and actions: what they check, and how they present themselves."""

import pytest
from django.core.exceptions import ValidationError

from plans.models import Action
from tests.factories import (
    ActionFactory,
    ActionPlanFactory,
    GoalFactory,
    LevelFactory,
    OrganisationFactory,
    RoleFactory,
)
from tests.plans.conftest import role


def test_action_refuses_a_role_of_an_unrelated_organisation(plan):
    stranger = RoleFactory(level=LevelFactory(organisation=OrganisationFactory()))
    action = Action(goal=plan.goals.first(), text="Pidämme digipäivän.", responsible_role=stranger)

    with pytest.raises(ValidationError) as error:
        action.full_clean()

    assert error.value.message_dict == {
        "responsible_role": ["The role belongs to another organisation's matrix."]}


def test_action_refuses_a_role_of_a_member_organisation_in_the_regions_plan(plan, region):
    regional_plan = ActionPlanFactory(organisation=region, year=2025)
    action = Action(goal=GoalFactory(plan=regional_plan), text="Kokoamme kunnat.",
                    responsible_role=role("lahti", "digitutor"))

    with pytest.raises(ValidationError):
        action.full_clean()


@pytest.mark.parametrize(("organisation", "slug"), [("lahti", "rehtori"),
                                                     ("paijat-hame", "tvt-ryhma")])
def test_action_accepts_a_role_of_its_organisation_or_an_ancestor(plan, organisation, slug):
    action = Action(goal=plan.goals.first(), text="Pidämme digipäivän.",
                    responsible_role=role(organisation, slug))

    action.full_clean()


def test_action_without_a_role_is_valid_and_planned_by_default(plan):
    action = Action(goal=plan.goals.first(), text="Pidämme digipäivän.")

    action.full_clean()

    assert action.status == Action.Status.PLANNED


def test_long_texts_are_shortened_in_their_names(db):
    action = ActionFactory(text="x" * 100, goal__text="y" * 100)

    assert str(action) == "x" * 77 + "…"
    assert str(action.goal) == "y" * 77 + "…"


def test_plan_is_named_by_its_title_or_year_and_links_to_its_year(lahti):
    plan = ActionPlanFactory(organisation=lahti, year=2026, title="")

    assert str(plan) == "Lahti: 2026"
    assert plan.get_absolute_url() == "/organisations/lahti/plans/?year=2026"
