"""A region's municipality with an action plan, and helpers to snapshot plans and read sheets."""

import pytest

from plans.models import Action, ActionPlan, Goal
from roles.models import Role
from tests.factories import (
    ActionFactory,
    ActionPlanFactory,
    GoalFactory,
    LevelFactory,
    OrganisationFactory,
    RoleFactory,
)
from units.models import Organisation


@pytest.fixture(autouse=True)
def in_english(english):
    """Run every test of this folder in English (tests/conftest.py)."""


@pytest.fixture
def region(db):
    """Return Päijät-Häme, with the regional ICT group as a role of its own."""
    region = OrganisationFactory(name="Päijät-Häme", slug="paijat-hame",
                                 kind=Organisation.Kind.REGION)
    RoleFactory(level=LevelFactory(organisation=region, name="Seutu"), name="Seudullinen TVT-ryhmä",
                slug="tvt-ryhma", scope="organisation")
    return region


@pytest.fixture
def lahti(region):
    """Return a municipality of the region, with a digitutor and a principal role."""
    lahti = OrganisationFactory(name="Lahti", slug="lahti", parent=region)
    level = LevelFactory(organisation=lahti, name="Yksikön taso")
    RoleFactory(level=level, name="Digitutor", slug="digitutor")
    RoleFactory(level=level, name="Rehtori", slug="rehtori")
    return lahti


@pytest.fixture
def plan(lahti):
    """Return Lahti's plan for 2025: three goals, one without actions, formula-like cells.

    The actions name a role of Lahti, one of the region and none.
    """
    plan = ActionPlanFactory(organisation=lahti, year=2025, title="Digisuunnitelma 2025–2026",
                             notes="Seudullisen tiekartan mukaan.")
    competence = GoalFactory(plan=plan, text="Opettajien TVT-osaaminen vahvistuu.",
                             development_area="competence", order=1)
    ActionFactory(goal=competence, text="Tutoropettajat pitävät tutorvartteja.",
                  responsible_role=role("lahti", "digitutor"), target="=2 krt/kk",
                  status="in_progress", order=1)
    ActionFactory(goal=competence, text="Osaamismerkit käyttöön.", responsible_role=None,
                  target="", status="planned", order=2)
    infrastructure = GoalFactory(plan=plan, text="Laitekanta on ajan tasalla.",
                                 development_area="infrastructure", order=2)
    ActionFactory(goal=infrastructure, text="-Päivitämme laiterekisterin.",
                  responsible_role=role("paijat-hame", "tvt-ryhma"), target="Kaikki koulut",
                  status="done", order=1)
    GoalFactory(plan=plan, text="Yhteiset sisällöt jaetaan.", development_area="", order=3)
    return plan


def role(organisation_slug, slug):
    """Return the role `slug` of the organisation `organisation_slug`."""
    return Role.objects.get(level__organisation__slug=organisation_slug, slug=slug)


def snapshot(with_notes=True):
    """Return every plan, goal and action as plain values, to compare before and after."""
    plans = sorted((plan.organisation.slug, plan.year, plan.title,
                    plan.notes if with_notes else None)
                   for plan in ActionPlan.objects.select_related("organisation"))
    goals = sorted((goal.plan.organisation.slug, goal.plan.year, goal.text,
                    goal.development_area, goal.order)
                   for goal in Goal.objects.select_related("plan__organisation"))
    actions = sorted(
        (action.goal.plan.year, action.goal.text, action.text,
         action.responsible_role.slug if action.responsible_role else None, action.target,
         action.status, action.order)
        for action in Action.objects.select_related("goal__plan", "responsible_role"))
    return {"plans": plans, "goals": goals, "actions": actions}


def invalid_lines(result):
    """Return {line: {column: messages}} for the rows of `result` that failed validation."""
    return {row.number: row.error_dict for row in result.invalid_rows}
