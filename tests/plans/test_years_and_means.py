"""Plans in school or calendar years and over periods, goals' results, funding and meetings."""

import datetime

import pytest
import tablib
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from plans.models import ActionPlan, Funding, Goal, Meeting
from plans.resources import PlanResource
from tests.factories import ActionPlanFactory, GoalFactory, LevelFactory, RoleFactory
from units.resources import CSV
from units.years import YearKind


def plan_page(client, organisation, year=None):
    url = reverse("plans:plan_list", args=[organisation.slug])
    return client.get(f"{url}?year={year}" if year else url)


@pytest.fixture
def group(lahti):
    """Return a working group role of Lahti."""
    return RoleFactory(level=LevelFactory(organisation=lahti, name="Ryhmät"), name="Digiryhmä",
                       slug="digiryhma", scope="organisation", is_group=True)


def test_a_calendar_year_plan_is_named_by_its_one_year(admin_client, lahti):
    ActionPlanFactory(organisation=lahti, year=2022, year_kind=YearKind.CALENDAR)

    page = plan_page(admin_client, lahti, 2022).content.decode()

    assert "Year 2022" in page
    assert "2022–2023" not in page


def test_a_plan_follows_its_organisations_calendar_year_unless_it_says_otherwise(lahti):
    lahti.year_kind = YearKind.CALENDAR
    lahti.save()
    follows = ActionPlanFactory(organisation=lahti, year=2022)
    own = ActionPlanFactory(organisation=lahti, year=2023, year_kind=YearKind.SCHOOL)

    assert (follows.kind, follows.label) == (YearKind.CALENDAR, "Year 2022")
    assert (own.kind, str(own.label)) == (YearKind.SCHOOL, "School year 2023–2024")
    assert follows.covers(datetime.date(2022, 12, 31))
    assert not follows.covers(datetime.date(2023, 1, 1))


def test_a_period_plan_shows_its_years_on_its_page_and_in_the_picker(admin_client, lahti):
    ActionPlanFactory(organisation=lahti, year=2024, end_year=2026)
    ActionPlanFactory(organisation=lahti, year=2027)

    response = plan_page(admin_client, lahti, 2025)  # a year inside the period picks it

    assert response.context["plan"].year == 2024
    page = response.content.decode()
    assert "Period 2024–2026" in page
    assert '?year=2024" aria-current="page">2024–2026</a>' in page


def test_a_school_year_period_covers_its_school_years_only(lahti):
    plan = ActionPlanFactory(organisation=lahti, year=2024, end_year=2026)

    assert plan.covers(datetime.date(2024, 8, 1))
    assert plan.covers(datetime.date(2026, 7, 31))
    assert not plan.covers(datetime.date(2026, 8, 1))
    assert not plan.covers(datetime.date(2024, 7, 31))


def test_a_period_must_end_after_it_starts(lahti):
    plan = ActionPlan(organisation=lahti, year=2025, end_year=2025)
    with pytest.raises(ValidationError) as raised:
        plan.full_clean()
    assert "end_year" in raised.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        ActionPlan.objects.create(organisation=lahti, year=2025, end_year=2024)


def test_a_plan_may_not_overlap_a_period_of_the_same_organisation(lahti):
    ActionPlanFactory(organisation=lahti, year=2024, end_year=2026)

    with pytest.raises(ValidationError) as raised:
        ActionPlan(organisation=lahti, year=2025).full_clean()
    assert "2024–2026" in str(raised.value.message_dict["year"])
    ActionPlan(organisation=lahti, year=2026).full_clean()  # the school year after it is free


def test_a_goal_shows_its_own_result_on_the_plan_page(admin_client, lahti):
    plan = ActionPlanFactory(organisation=lahti, year=2025)
    GoalFactory(plan=plan, text="Opettajat osaavat.", target="80 % opettajista suorittaa polun.")

    page = plan_page(admin_client, lahti, 2025).content.decode()

    assert "80 % opettajista suorittaa polun." in page


def test_the_plan_download_has_its_notes_and_words_for_codes(admin_client, plan):
    plan.year_kind = YearKind.CALENDAR
    plan.save()
    url = reverse("plans:plan_export", args=[plan.organisation.slug, plan.year, "csv"])

    rows = CSV(encoding="utf-8-sig").create_dataset(admin_client.get(url).content).dict

    assert {row["plan notes"] for row in rows} == {"Seudullisen tiekartan mukaan."}
    assert rows[0]["status"] == "In progress"
    assert rows[0]["development area"] == "Competence"
    assert rows[0]["kind of year"] == "Calendar year (January – December)"


def test_the_plan_sheet_creates_goals_without_actions_with_their_results(lahti):
    headers = ["organisation", "year", "until year", "kind of year", "plan notes", "goal",
               "goal result or target level", "action"]
    dataset = tablib.Dataset(
        ["lahti", "2024", "2026", "Calendar year", "Hankkeen suunnitelma.", "Tavoite yksi",
         "Kaikki mukana", ""],
        ["lahti", "2024", "", "", "", "Tavoite kaksi", "", ""],
        headers=headers)

    result = PlanResource().import_data(dataset)

    assert not result.has_validation_errors() and not result.has_errors()
    plan = ActionPlan.objects.get(organisation=lahti, year=2024)
    assert (plan.end_year, plan.year_kind, plan.notes) == (2024 + 2, "calendar",
                                                           "Hankkeen suunnitelma.")
    assert [(goal.text, goal.target, goal.actions.count()) for goal in plan.goals.all()] == [
        ("Tavoite yksi", "Kaikki mukana", 0), ("Tavoite kaksi", "", 0)]


def test_an_unknown_kind_of_year_in_the_sheet_lists_the_valid_ones(lahti):
    dataset = tablib.Dataset(["lahti", "2024", "Tilikausi", "Tavoite", ""],
                             headers=["organisation", "year", "kind of year", "goal", "action"])

    result = PlanResource().import_data(dataset)

    assert result.has_validation_errors()
    message = str(result.invalid_rows[0].error_dict)
    assert "Tilikausi" in message and "School year" in message
    assert not ActionPlan.objects.exists()


def test_funding_and_meetings_belong_to_a_plan_or_a_group_only(lahti, group):
    plan = ActionPlanFactory(organisation=lahti, year=2025)
    Funding(plan=plan, funder="Opetushallitus").full_clean()
    Funding(role=group, funder="Opetushallitus").full_clean()
    with pytest.raises(ValidationError):
        Funding(funder="Opetushallitus").full_clean()
    with pytest.raises(ValidationError):
        Funding(plan=plan, role=group, funder="Opetushallitus").full_clean()
    not_a_group = RoleFactory(level=group.level, name="Rehtori", slug="rehtori2")
    with pytest.raises(ValidationError) as raised:
        Meeting(role=not_a_group).full_clean()
    assert "group or network" in str(raised.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        Meeting.objects.create(name="Kellään")


def test_funding_must_end_after_it_starts_and_meetings_fit_their_months(group):
    with pytest.raises(ValidationError) as raised:
        Funding(role=group, funder="OPH", starts=datetime.date(2026, 8, 1),
                ends=datetime.date(2026, 1, 1)).full_clean()
    assert "ends" in raised.value.message_dict
    with pytest.raises(ValidationError) as raised:
        Meeting(role=group, per_year=1, months=[9, 3]).full_clean()
    assert "months" in raised.value.message_dict


def test_a_meetings_months_follow_its_year(lahti, group):
    lahti.year_kind = YearKind.CALENDAR
    lahti.save()
    meeting = Meeting(role=group, per_year=2, months=[9, 3])
    meeting.full_clean()
    assert meeting.months == [3, 9]
    plan = ActionPlanFactory(organisation=lahti, year=2025, year_kind=YearKind.SCHOOL)
    meeting = Meeting(plan=plan, per_year=2, months=[3, 9])
    meeting.full_clean()
    assert meeting.months == [9, 3]


def test_the_plan_page_shows_its_funding_and_meetings(admin_client, lahti):
    plan = ActionPlanFactory(organisation=lahti, year=2025)
    Funding.objects.create(plan=plan, funder="Opetushallitus", grant="Digiavustus",
                           amount=12000, covers="Koulutukset")
    Meeting.objects.create(plan=plan, name="Ohjausryhmä", per_year=4, mode="remote")

    page = plan_page(admin_client, lahti, 2025).content.decode()

    assert "Opetushallitus" in page and "Digiavustus" in page and "Koulutukset" in page
    assert "Ohjausryhmä" in page and "4 times a year" in page and "remote" in page


def test_the_plan_admin_saves_funding_and_meetings_inline(admin_client, lahti):
    plan = ActionPlanFactory(organisation=lahti, year=2025)
    url = reverse("admin:plans_actionplan_change", args=[plan.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {"organisation": lahti.pk, "year": 2025, "end_year": "", "year_kind": "calendar",
            "title": "", "notes": "", "version": form.initial.get("version", ""),
            "goals-TOTAL_FORMS": 0, "goals-INITIAL_FORMS": 0,
            "fundings-TOTAL_FORMS": 1, "fundings-INITIAL_FORMS": 0,
            "fundings-0-order": 0, "fundings-0-funder": "Opetushallitus",
            "fundings-0-amount": "5000", "meetings-TOTAL_FORMS": 1, "meetings-INITIAL_FORMS": 0,
            "meetings-0-order": 0, "meetings-0-name": "Kokous", "meetings-0-per_year": 2,
            "meetings-0-mode": "on_site", "meetings-0-months": ["9", "3"]}

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    plan.refresh_from_db()
    assert plan.year_kind == "calendar"
    assert plan.fundings.get().amount == 5000
    assert plan.meetings.get().months == [3, 9]  # the plan counts in calendar years


def test_the_role_admin_offers_funding_and_meetings_for_groups_only(admin_client, lahti, group):
    other = RoleFactory(level=group.level, name="Rehtori", slug="rehtori2")

    group_page = admin_client.get(reverse("admin:roles_role_change", args=[group.pk]))
    other_page = admin_client.get(reverse("admin:roles_role_change", args=[other.pk]))

    prefixes = {formset.formset.prefix for formset in group_page.context["inline_admin_formsets"]}
    assert {"fundings", "meetings"} <= prefixes
    assert not {"fundings", "meetings"} & {
        formset.formset.prefix for formset in other_page.context["inline_admin_formsets"]}


def test_goal_target_is_kept_by_a_round_trip_of_the_sheet(plan):
    goal = plan.goals.get(order=1)
    goal.target = "Kaikki opettajat"
    goal.save()
    dataset = PlanResource().export(ActionPlan.objects.all())
    goal.target = ""
    goal.save()

    PlanResource().import_data(dataset)

    assert Goal.objects.get(pk=goal.pk).target == "Kaikki opettajat"


def test_a_new_role_that_is_no_group_refuses_meetings_with_a_message(admin_client, group):
    url = reverse("admin:roles_role_add")
    response = admin_client.get(url)
    data = {}
    for name, field in response.context["adminform"].form.fields.items():
        data[name] = field.initial if field.initial is not None else ""
    data.update({"level": group.level.pk, "name_fi": "Uusi rooli", "slug": "uusi-rooli",
                 "scope": "unit", "order": 0, "named_holders": "on"})
    for inline in response.context["inline_admin_formsets"]:
        prefix = inline.formset.prefix
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    data.update({"meetings-TOTAL_FORMS": 1, "meetings-0-name": "Kokous",
                 "meetings-0-per_year": 2, "meetings-0-mode": "remote", "meetings-0-order": 0})
    data = {key: value for key, value in data.items() if value is not None and value != []}

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "group or network" in response.content.decode()
    assert not Meeting.objects.exists()
