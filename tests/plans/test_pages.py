"""The plans page and its download: who may see them, which plan, progress, flat queries."""

import datetime
import io
import re

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm

from plans import summary
from tests.factories import (
    ActionFactory,
    ActionPlanFactory,
    GoalFactory,
    OrganisationFactory,
    UnitFactory,
    UserFactory,
)
from tests.plans.conftest import role
from units.resources import CSV


def plans_url(organisation, year=None):
    url = reverse("plans:plan_list", args=[organisation.slug])
    return f"{url}?year={year}" if year is not None else url


def export_url(organisation, year, fmt):
    return reverse("plans:plan_export", args=[organisation.slug, year, fmt])


def shown_year(response):
    """Return the year of the plan the page shows."""
    return response.context["plan"].year if response.context["plan"] else None


@pytest.fixture
def today(monkeypatch):
    """Return a function that sets the date the pages think it is."""
    def set_today(year, month, day):
        monkeypatch.setattr(timezone, "localdate", lambda: datetime.date(year, month, day))
    set_today(2026, 3, 2)  # in the school year 2025–2026
    return set_today


@pytest.fixture
def unit_viewer(lahti):
    """A user who may view one school of Lahti, and nothing of the organisation itself."""
    user = UserFactory(username="opettaja")
    assign_perm("units.view_unit", user, UnitFactory(organisation=lahti, slug="kivimaa"))
    return user


@pytest.fixture
def viewer_client(client, unit_viewer):
    client.force_login(unit_viewer)
    return client


def test_anonymous_user_is_sent_to_log_in(client, plan):
    for url in (plans_url(plan.organisation), export_url(plan.organisation, 2025, "csv")):
        response = client.get(url)

        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_user_without_a_grant_gets_404(client, plan):
    client.force_login(UserFactory())

    assert client.get(plans_url(plan.organisation)).status_code == 404
    assert client.get(export_url(plan.organisation, 2025, "csv")).status_code == 404


def test_viewer_of_another_organisations_unit_gets_404(client, plan):
    user = UserFactory()
    assign_perm("units.view_unit", user, UnitFactory(organisation=OrganisationFactory()))
    client.force_login(user)

    assert client.get(plans_url(plan.organisation)).status_code == 404


def test_unit_viewer_reads_the_plan_without_admin_links(viewer_client, plan, today):
    response = viewer_client.get(plans_url(plan.organisation))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Digisuunnitelma 2025–2026" in page
    assert "School year 2025–2026" in page
    assert "Tutoropettajat pitävät tutorvartteja." in page
    assert "/admin/" not in page
    # The organisation page is not theirs to see: the breadcrumb names it without a link.
    assert f'href="{reverse("matrix:organisation", args=["lahti"])}"' not in page


def test_member_organisations_viewer_may_read_the_regions_plans(client, region, lahti):
    ActionPlanFactory(organisation=region, year=2025, title="Seudun tiekartta")
    user = UserFactory()
    assign_perm("units.view_unit", user, UnitFactory(organisation=lahti))
    client.force_login(user)

    assert "Seudun tiekartta" in client.get(plans_url(region)).content.decode()


def test_page_shows_goals_with_areas_actions_roles_targets_and_statuses(viewer_client, plan,
                                                                       today):
    page = viewer_client.get(plans_url(plan.organisation)).content.decode()

    goal = page[page.index('id="goal-'):]
    assert re.search(r'<span class="plan-area plan-area-competence">Competence</span>', goal)
    row = re.search(r"<tr>\s*<td data-label=\"Action\">Tutoropettajat.*?</tr>", goal, re.S)[0]
    assert "Digitutor" in row
    assert "=2 krt/kk" in row
    assert '<span class="plan-status plan-status-in_progress">In progress</span>' in row
    row = re.search(r"<tr>\s*<td data-label=\"Action\">-Päivitämme.*?</tr>", goal, re.S)[0]
    assert "Seudullinen TVT-ryhmä" in row and "(Päijät-Häme)" in row
    assert '<span class="plan-status plan-status-done">Done</span>' in row
    assert "Not named" in page  # the action without a role
    assert "No actions for this goal yet." in page


def test_page_counts_done_actions_per_goal_and_overall(viewer_client, plan, today):
    response = viewer_client.get(plans_url(plan.organisation))

    progress = response.context["progress"]
    assert (progress.done, progress.total, progress.percent) == (1, 3, 33)
    assert {item.status: item.count for item in progress.statuses} == {
        "planned": 1, "in_progress": 1, "done": 1, "postponed": 0}
    assert [(goal.progress.done, goal.progress.total) for goal in response.context["goals"]] == [
        (0, 2), (1, 1), (0, 0)]
    page = response.content.decode()
    assert "1 of 3 actions done (33 %)" in page
    assert '<progress value="1" max="3"' in page


@pytest.mark.parametrize(("date", "year"), [
    ((2026, 3, 2), 2025),  # spring: the school year started the August before
    ((2026, 7, 31), 2025),
    ((2026, 8, 1), 2026),  # the school year turns on 1 August
    ((2030, 9, 1), 2026),  # no plan yet: the latest before
    ((2020, 9, 1), 2024),  # only plans ahead: the earliest of them
])
def test_page_opens_at_the_current_school_years_plan(viewer_client, plan, today, date, year):
    for other in (2024, 2026):
        ActionPlanFactory(organisation=plan.organisation, year=other)
    today(*date)

    assert shown_year(viewer_client.get(plans_url(plan.organisation))) == year


def test_year_picks_a_plan_and_the_years_are_listed_newest_first(viewer_client, plan, today):
    ActionPlanFactory(organisation=plan.organisation, year=2023, title="Vanha suunnitelma")
    ActionPlanFactory(organisation=plan.organisation, year=2026)

    response = viewer_client.get(plans_url(plan.organisation, 2023))

    assert shown_year(response) == 2023
    assert [item.year for item in response.context["plans"]] == [2026, 2025, 2023]
    page = response.content.decode()
    assert 'href="?year=2023" aria-current="page"' in page
    assert "Vanha suunnitelma" in page


@pytest.mark.parametrize("asked", ["1990", "kaksi"])
def test_unknown_year_shows_the_current_plan_with_a_note(viewer_client, plan, today, asked):
    response = viewer_client.get(plans_url(plan.organisation, asked))

    assert response.status_code == 200
    assert shown_year(response) == 2025
    assert f"There is no action plan for {asked}" in response.content.decode()


def test_organisation_without_plans_says_so(viewer_client, lahti):
    response = viewer_client.get(plans_url(lahti, 2025))

    assert response.status_code == 200
    page = response.content.decode()
    assert "This organisation has no action plans yet." in page
    assert "There is no action plan for" not in page


def test_staff_with_change_permission_get_links_to_the_admin(admin_client, plan, today):
    page = admin_client.get(plans_url(plan.organisation)).content.decode()

    assert reverse("admin:plans_actionplan_change", args=[plan.pk]) in page
    goal = plan.goals.first()
    assert reverse("admin:plans_goal_change", args=[goal.pk]) in page
    assert f"{reverse('admin:plans_actionplan_add')}?organisation={plan.organisation.pk}" \
           "&amp;year=2026" in page


def test_staff_without_change_permission_get_no_admin_links(client, plan, today):
    user = UserFactory(is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename="view_actionplan"))
    assign_perm("units.view_organisation", user, plan.organisation)
    client.force_login(user)

    page = client.get(plans_url(plan.organisation)).content.decode()

    assert "/admin/plans/" not in page
    assert f'href="{reverse("matrix:organisation", args=["lahti"])}"' in page


def test_page_runs_the_same_queries_for_any_number_of_goals_and_actions(viewer_client, plan,
                                                                        today):
    def count_queries():
        """Return how many queries the plan page runs."""
        with CaptureQueriesContext(connection) as queries:
            assert viewer_client.get(plans_url(plan.organisation)).status_code == 200
        return len(queries)

    few = count_queries()
    region_role = role("paijat-hame", "tvt-ryhma")
    for number in range(5):
        goal = GoalFactory(plan=plan, text=f"Lisätavoite {number}", development_area="services")
        ActionFactory.create_batch(4, goal=goal, responsible_role=region_role, status="done")
    assert count_queries() == few


def test_plan_page_query_count_is_pinned(viewer_client, plan, today, django_assert_num_queries):
    # Session and user; the organisation, the user's global permissions (own and groups') and two
    # access checks (the organisations, read once, then units); the plans, the goals, their
    # actions with roles; the plan's funding and its meetings. Whether the organisation's own
    # page is visible, for the breadcrumb, is the first check's answer again.
    with django_assert_num_queries(12):
        viewer_client.get(plans_url(plan.organisation))


def test_csv_export_is_the_plan_sheet_with_formulas_neutralised(viewer_client, plan):
    response = viewer_client.get(export_url(plan.organisation, 2025, "csv"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="lahti-action-plan-2025.csv"' in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    assert "'=2 krt/kk" in text and "'-Päivitämme laiterekisterin." in text
    rows = CSV(encoding="utf-8-sig").create_dataset(response.content).dict
    assert [row["action"] for row in rows] == [
        "Tutoropettajat pitävät tutorvartteja.", "Osaamismerkit käyttöön.",
        "'-Päivitämme laiterekisterin.", ""]
    assert rows[2]["responsible role"] == "paijat-hame/tvt-ryhma"


def test_xlsx_export_writes_formulas_as_text(viewer_client, plan):
    response = viewer_client.get(export_url(plan.organisation, 2025, "xlsx"))

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    assert not [cell.value for cell in cells if cell.data_type == "f"]
    assert "'=2 krt/kk" in {cell.value for cell in cells}
    assert sheet["B2"].value == 2025  # numbers stay numbers


@pytest.mark.parametrize(("year", "fmt"), [(2024, "csv"), (2025, "pdf")])
def test_export_of_a_missing_plan_or_an_unknown_format_is_404(viewer_client, plan, year, fmt):
    assert viewer_client.get(export_url(plan.organisation, year, fmt)).status_code == 404


def test_summary_gives_the_current_plan_with_counts_in_one_query(plan, today,
                                                                django_assert_num_queries):
    ActionPlanFactory(organisation=plan.organisation, year=2026)

    with django_assert_num_queries(1):
        result = summary.for_organisation(plan.organisation)

    assert result.plan == plan
    assert (result.goal_count, result.progress.done, result.progress.total) == (3, 1, 3)
    assert result.plan_url == "/organisations/lahti/plans/?year=2025"


def test_summary_include_renders_the_plan_and_a_link_to_all_plans(plan, today):
    html = render_to_string("plans/_organisation_summary.html",
                            {"plan_summary": summary.for_organisation(plan.organisation)})

    assert '<a href="/organisations/lahti/plans/?year=2025">Digisuunnitelma 2025–2026</a>' in html
    assert "1 of 3 actions done (33 %)" in html
    assert "3 goals" in html
    assert '<a href="/organisations/lahti/plans/">All action plans</a>' in html


def test_summary_include_without_plans_says_so(lahti):
    html = render_to_string("plans/_organisation_summary.html",
                            {"plan_summary": summary.for_organisation(lahti)})

    assert "This organisation has no action plans yet." in html
    assert 'href="/organisations/lahti/plans/"' in html
