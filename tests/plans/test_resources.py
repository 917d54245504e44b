"""An action plan as one sheet: round trips, building plans, updates, all-or-nothing imports."""

import pytest
import tablib
from django.db import connection
from django.test.utils import CaptureQueriesContext

from plans.models import Action, ActionPlan, Goal
from plans.resources import PlanResource
from tests.factories import ActionFactory, GoalFactory, LevelFactory, RoleFactory
from tests.plans.conftest import invalid_lines, snapshot
from tests.resources.conftest import through_file
from units.resources import CSV

HEADERS = ["organisation", "year", "plan title", "goal", "development area", "goal order",
           "action", "responsible role", "result or target level", "status", "action order"]
# The export writes every column: the plan's period, kind of year and notes, the goal's result.
EXPORT_HEADERS = ["organisation", "year", "until year", "kind of year", "plan title",
                  "plan notes", "goal", "development area", "goal result or target level",
                  "goal order", "action", "responsible role", "result or target level", "status",
                  "action order"]


def row(**cells):
    """Return a sheet row of a new goal in Lahti's 2026 plan, with `cells` (by header) changed."""
    values = {"organisation": "lahti", "year": "2026", "plan title": "Suunnitelma 2026",
              "goal": "Oppilaat tuottavat digitaalisia sisältöjä.", "development area": "content",
              "action": "Jokainen luokka tekee videon.", "responsible role": "digitutor",
              "result or target level": "20 videota", "status": "planned"}
    values.update({key.replace("_", " "): value for key, value in cells.items()})
    return [values.get(header, "") for header in HEADERS]


def sheet(*rows):
    """Return a plan sheet of `rows`."""
    return tablib.Dataset(*rows, headers=HEADERS)


def imported(dataset):
    """Import `dataset`, assert that no row failed and return the result."""
    result = PlanResource().import_data(dataset)
    assert not result.has_errors(), result.row_errors()
    assert not result.has_validation_errors(), invalid_lines(result)
    return result


def test_plan_sheet_has_one_row_per_action_and_one_per_goal_without_actions(plan):
    dataset = PlanResource().export(ActionPlan.objects.all())

    assert dataset.headers == EXPORT_HEADERS
    assert [(r["goal order"], r["action"], r["action order"]) for r in dataset.dict] == [
        (1, "Tutoropettajat pitävät tutorvartteja.", 1),
        (1, "Osaamismerkit käyttöön.", 2),
        (2, "-Päivitämme laiterekisterin.", 1),
        (3, "", ""),
    ]
    first, _second, third, last = dataset.dict
    assert first == {
        "organisation": "lahti", "year": 2025, "until year": "", "kind of year": "",
        "plan title": "Digisuunnitelma 2025–2026", "plan notes": "Seudullisen tiekartan mukaan.",
        "goal": "Opettajien TVT-osaaminen vahvistuu.", "development area": "Competence",
        "goal result or target level": "", "goal order": 1,
        "action": "Tutoropettajat pitävät tutorvartteja.", "responsible role": "digitutor",
        "result or target level": "=2 krt/kk", "status": "In progress", "action order": 1,
    }
    # A role of the region is named with the region's slug.
    assert third["responsible role"] == "paijat-hame/tvt-ryhma"
    assert (last["status"], last["responsible role"], last["development area"]) == ("", "", "")


@pytest.mark.parametrize("format_name", ["csv", "xlsx"])
@pytest.mark.parametrize("model", [ActionPlan, Goal, Action], ids=lambda model: model.__name__)
def test_exported_plan_reimports_without_changing_anything(plan, format_name, model):
    before = snapshot()
    dataset = through_file(PlanResource().export(model.objects.all()), format_name)

    result = imported(dataset)

    assert result.totals["new"] == 0
    assert result.totals["update"] == 0
    assert snapshot() == before


def test_csv_export_escapes_formulas_and_the_import_takes_the_escape_off(plan):
    text = CSV().export_data(PlanResource().export(ActionPlan.objects.all()))

    assert "'=2 krt/kk" in text and "'-Päivitämme laiterekisterin." in text
    imported(CSV().create_dataset(text))
    assert Action.objects.filter(target="=2 krt/kk").exists()
    assert not Action.objects.filter(target__startswith="'").exists()


@pytest.mark.parametrize("format_name", ["csv", "xlsx"])
def test_sheet_builds_the_whole_plan_when_it_is_gone(plan, format_name):
    before = snapshot(with_notes=False)  # the notes are not in the sheet
    dataset = through_file(PlanResource().export(ActionPlan.objects.all()), format_name)
    plan.delete()

    result = imported(dataset)

    assert result.totals["new"] == 4  # three actions, and the goal without actions
    assert snapshot(with_notes=False) == before


def test_reimport_updates_actions_and_adds_new_ones(plan):
    dataset = PlanResource().export(ActionPlan.objects.all())
    rows = dataset.dict
    rows[0]["status"] = "done"
    rows[1]["result or target level"] = "Puolet opettajista"
    rows[1]["responsible role"] = "rehtori"
    rows.append({**rows[0], "action": "Digiagentit aloittavat.", "action order": "",
                 "status": ""})

    result = imported(tablib.Dataset(*[list(r.values()) for r in rows], headers=EXPORT_HEADERS))

    assert (result.totals["update"], result.totals["new"]) == (2, 1)
    assert Action.objects.get(text="Tutoropettajat pitävät tutorvartteja.").status == "done"
    second = Action.objects.get(text="Osaamismerkit käyttöön.")
    assert (second.target, second.responsible_role.slug) == ("Puolet opettajista", "rehtori")
    new = Action.objects.get(text="Digiagentit aloittavat.")
    # An empty status is planned; an empty order puts the action after the goal's others.
    assert (new.status, new.order) == ("planned", 3)
    assert Action.objects.count() == 4


def test_sheet_creates_plan_goals_and_actions_as_it_goes(lahti):
    dataset = sheet(
        row(),
        row(action="Kerhot jakavat tuotoksensa.", status="In progress",
            responsible_role="paijat-hame/tvt-ryhma", plan_title="", development_area=""),
        row(goal="Yhteinen oppimisalusta on käytössä.", development_area="Infrastructure",
            action="", responsible_role="", result_or_target_level="", status=""),
        row(goal="", action="", responsible_role="", result_or_target_level="", status="",
            development_area="", year="2027", plan_title="Luonnos"),
    )

    result = imported(dataset)

    assert result.totals["new"] == 4
    plan = ActionPlan.objects.get(organisation=lahti, year=2026)
    assert plan.title == "Suunnitelma 2026"
    assert ActionPlan.objects.get(organisation=lahti, year=2027).title == "Luonnos"
    content, infrastructure = plan.goals.order_by("order")
    assert (content.development_area, content.order) == ("content", 0)
    assert (infrastructure.development_area, infrastructure.order) == ("infrastructure", 1)
    assert not infrastructure.actions.exists()
    assert [(a.text, a.status, a.order, a.responsible_role.slug)
            for a in content.actions.order_by("order")] == [
        ("Jokainen luokka tekee videon.", "planned", 0, "digitutor"),
        ("Kerhot jakavat tuotoksensa.", "in_progress", 1, "tvt-ryhma"),
    ]


def test_new_goal_without_an_order_goes_after_the_stored_goals(plan):
    imported(sheet(row(year="2025", plan_title="")))

    goal = Goal.objects.get(text="Oppilaat tuottavat digitaalisia sisältöjä.")
    assert goal.plan == plan
    assert goal.order == 4
    plan.refresh_from_db()
    assert plan.title == "Digisuunnitelma 2025–2026"  # an empty title cell keeps the title


def test_bare_slug_prefers_the_organisations_own_role_over_the_regions(lahti, region):
    RoleFactory(level=LevelFactory(organisation=lahti), slug="tvt-ryhma", name="Lahden TVT")

    imported(sheet(row(responsible_role="tvt-ryhma")))

    assert Action.objects.get().responsible_role.level.organisation == lahti


@pytest.mark.parametrize(("cells", "column", "message"), [
    ({"responsible_role": "talonmies"}, "responsible role", "Unknown role: talonmies."),
    ({"responsible_role": "muu-kunta/rehtori"}, "responsible role",
     "The role belongs to another organisation's matrix."),
    ({"status": "valmiina"}, "status",
     "Value 'valmiina' is not valid. Valid values: Planned, In progress, Done, Postponed."),
    ({"year": "20x6"}, "year", "Enter a whole number."),
    ({"year": "1999"}, "year", "Write a year from 2000 to 2100."),
    ({"year": ""}, "year", "This field is required."),
    ({"development_area": "talous"}, "development area",
     "Value 'talous' is not valid. Valid values: Competence, Infrastructure, Services"),
    ({"organisation": "atlantis"}, "organisation", "Unknown organisation: atlantis."),
    ({"goal_order": "toinen"}, "goal order", "Enter a whole number."),
    ({"action_order": "-1"}, "action order", "Enter a whole number."),
    ({"goal": ""}, "goal", "This field is required."),
    ({"action": "", "status": "done"}, "action", "This field is required."),
    ({"action": "Jokainen luokka tekee videon."}, "action", "already on line 2"),
    ({"development_area": "services"}, "development area",
     "Line 2 describes the same goal otherwise."),
    ({"plan_title": "Toinen nimi"}, "plan title", "Line 2 gives this plan another title."),
])
def test_one_bad_row_saves_no_row_and_names_its_line(lahti, cells, column, message):
    other = LevelFactory(name="Muu taso", organisation__slug="muu-kunta")
    RoleFactory(level=other, slug="rehtori")
    before = snapshot()
    dataset = sheet(
        row(),
        row(**{"action": "Pidämme digipäivän.", **cells}),
        row(action="Kokoamme vinkkejä.", status="done"),
    )

    result = PlanResource().import_data(dataset)

    errors = invalid_lines(result)
    assert list(errors) == [3]  # the header is line 1
    assert message in " ".join(errors[3][column])
    assert snapshot() == before
    assert not ActionPlan.objects.filter(year=2026).exists()


def test_sheet_without_a_key_column_is_refused(lahti):
    dataset = tablib.Dataset(row()[:1] + row()[2:], headers=HEADERS[:1] + HEADERS[2:])

    result = PlanResource().import_data(dataset)

    assert result.has_errors()
    assert "year" in str(result.base_errors[0].error)
    assert not ActionPlan.objects.exists()


def test_plan_export_runs_the_same_queries_for_any_number_of_rows(plan):
    def count_queries():
        """Return how many queries exporting every plan runs."""
        with CaptureQueriesContext(connection) as queries:
            PlanResource().export(ActionPlan.objects.all())
        return len(queries)

    few = count_queries()
    for number in range(4):
        goal = GoalFactory(plan=plan, text=f"Lisätavoite {number}")
        ActionFactory.create_batch(3, goal=goal, responsible_role=plan.goals.first()
                                   .actions.first().responsible_role)
    assert count_queries() == few
