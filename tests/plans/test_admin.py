"""The plans admin: pages render, roles are narrowed to the plan's, sheets go in and out whole."""

import json

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from plans.models import Action, ActionPlan, Goal
from plans.resources import PlanResource
from tests.factories import (
    ActionFactory,
    ActionPlanFactory,
    GoalFactory,
    LevelFactory,
    OrganisationFactory,
    RoleFactory,
    UserFactory,
)
from tests.plans.conftest import role, snapshot
from units.resources import CSV

CSV_FORMAT, XLSX_FORMAT = "0", "1"
MODELS = [ActionPlan, Goal, Action]


def url(model, view, *args):
    """Return the URL of the admin `view` of `model`."""
    return reverse(f"admin:plans_{model._meta.model_name}_{view}", args=args)


def upload(client, model, content, name="plan.csv", file_format=CSV_FORMAT):
    """Post `content` to the admin import page of `model` as a file."""
    return client.post(url(model, "import"), {
        "resource": "0", "format": file_format,
        "import_file": SimpleUploadedFile(name, content),
    })


def confirm(client, model, response):
    """Confirm the import that `response` (the dry run's page) offers."""
    return client.post(url(model, "process_import"), response.context["confirm_form"].initial)


def export(client, model, file_format=CSV_FORMAT, query=""):
    """Return the body of the admin export of `model`'s changelist, every column chosen."""
    data = {"format": file_format, "resource": "0"}
    data.update({f"planresource_{name}": "on" for name in PlanResource().get_export_order()})
    return client.post(url(model, "export") + query, data).content


@pytest.fixture
def unrelated_role(db):
    """Return a role of an organisation that is no ancestor of Lahti."""
    return RoleFactory(level=LevelFactory(organisation=OrganisationFactory(slug="muu-kunta")),
                       slug="rehtori", name="Muun kunnan rehtori")


def goal_form(goal, *actions):
    """Return the POST data of `goal`'s change page with `actions` (dicts) as new inline rows."""
    data = {"plan": goal.plan_id, "text": goal.text, "development_area": goal.development_area,
            "order": goal.order, "actions-TOTAL_FORMS": len(actions),
            "actions-INITIAL_FORMS": 0, "actions-MIN_NUM_FORMS": 0,
            "actions-MAX_NUM_FORMS": 1000}
    for index, action in enumerate(actions):
        data.update({f"actions-{index}-{key}": value for key, value in action.items()})
        data[f"actions-{index}-goal"] = goal.pk or ""
    return data


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_changelist_renders(admin_client, plan, model):
    response = admin_client.get(url(model, "changelist"))

    assert response.status_code == 200
    assert response.context["cl"].result_count >= 1


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_add_page_renders(admin_client, plan, model):
    assert admin_client.get(url(model, "add")).status_code == 200


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_change_page_renders(admin_client, plan, model):
    obj = model.objects.first()

    assert admin_client.get(url(model, "change", obj.pk)).status_code == 200


def test_plan_changelist_counts_goals_and_done_actions(admin_client, plan):
    page = admin_client.get(url(ActionPlan, "changelist")).content.decode()

    assert '<td class="field-goal_count">3</td>' in page
    assert '<td class="field-progress">1 / 3</td>' in page


@pytest.mark.parametrize(("query", "count"), [
    ("", 2), ("?year=2024", 1), ("?goals__actions__status__exact=postponed", 0),
    ("?goals__actions__status__exact=done", 1),
])
def test_plan_changelist_filters_by_year_and_action_status(admin_client, plan, query, count):
    ActionPlanFactory(organisation=plan.organisation, year=2024)
    response = admin_client.get(url(ActionPlan, "changelist") + query)

    assert response.context["cl"].result_count == count


def test_action_changelist_filters_by_organisation_year_and_status(admin_client, plan):
    base = url(Action, "changelist")
    lahti = plan.organisation.pk

    assert admin_client.get(f"{base}?status__exact=done").context["cl"].result_count == 1
    assert admin_client.get(
        f"{base}?goal__plan__organisation__id__exact={lahti}&goal__plan__year=2025"
    ).context["cl"].result_count == 3


def test_plan_changelist_runs_the_same_queries_for_many_plans(admin_client, plan):
    def count_queries():
        """Return how many queries the plan changelist runs."""
        with CaptureQueriesContext(connection) as queries:
            admin_client.get(url(ActionPlan, "changelist"))
        return len(queries)

    few = count_queries()
    for year in range(2015, 2020):
        ActionFactory(goal=GoalFactory(plan=ActionPlanFactory(year=year)))
    assert count_queries() == few


def test_goal_page_offers_only_roles_reaching_the_plans_organisation(admin_client, plan,
                                                                     unrelated_role):
    goal = plan.goals.first()

    response = admin_client.get(url(Goal, "change", goal.pk))

    form = response.context["inline_admin_formsets"][0].formset.forms[0]
    offered = set(form.fields["responsible_role"].queryset.values_list("slug", flat=True))
    assert offered == {"digitutor", "rehtori", "tvt-ryhma"}
    assert unrelated_role.pk not in form.fields["responsible_role"].queryset.values_list(
        "pk", flat=True)
    search = reverse("admin:plans_action_role_autocomplete")
    assert f"{search}?organisation={plan.organisation.pk}" in response.content.decode()


def test_role_search_lists_the_roles_of_the_organisation_and_its_ancestors(admin_client, plan,
                                                                          unrelated_role):
    response = admin_client.get(reverse("admin:plans_action_role_autocomplete"), {
        "organisation": plan.organisation.pk, "term": "", "app_label": "plans",
        "model_name": "action", "field_name": "responsible_role"})

    names = [result["text"] for result in json.loads(response.content)["results"]]
    assert sorted(names) == ["Digitutor (Lahti)", "Rehtori (Lahti)",
                             "Seudullinen TVT-ryhmä (Päijät-Häme)"]


def test_goal_page_refuses_a_role_of_an_unrelated_organisation(admin_client, plan,
                                                               unrelated_role):
    goal = plan.goals.get(order=3)
    action = {"text": "Jaamme materiaalit.", "responsible_role": unrelated_role.pk,
              "status": "planned", "order": 1}

    response = admin_client.post(url(Goal, "change", goal.pk), goal_form(goal, action))

    assert response.status_code == 200
    [errors] = response.context["inline_admin_formsets"][0].formset.errors
    assert "Select a valid choice" in errors["responsible_role"][0]
    assert not goal.actions.exists()


def test_new_goal_refuses_a_role_of_an_unrelated_organisation(admin_client, plan, unrelated_role):
    goal = Goal(plan=plan, text="Uusi tavoite.", order=4)
    action = {"text": "Jaamme materiaalit.", "responsible_role": unrelated_role.pk,
              "status": "planned", "order": 1}

    response = admin_client.post(url(Goal, "add"), goal_form(goal, action))

    assert response.status_code == 200
    assert "The role belongs to another organisation&#x27;s matrix." in response.content.decode()
    assert not Goal.objects.filter(text="Uusi tavoite.").exists()


def test_new_goal_saves_its_actions_with_a_role_of_the_region(admin_client, plan):
    goal = Goal(plan=plan, text="Uusi tavoite.", order=4)
    region_role = role("paijat-hame", "tvt-ryhma")
    action = {"text": "Jaamme materiaalit.", "responsible_role": region_role.pk,
              "status": "in_progress", "order": 1}

    response = admin_client.post(url(Goal, "add"), goal_form(goal, action))

    assert response.status_code == 302
    saved = Goal.objects.get(text="Uusi tavoite.").actions.get()
    assert (saved.responsible_role.slug, saved.status) == ("tvt-ryhma", "in_progress")


def test_good_plan_sheet_imports_after_confirmation(admin_client, lahti):
    headers = ",".join(PlanResource().get_export_headers())
    # organisation, year, until year, kind of year, title, notes; goal, area, result, order; action…
    content = (f"{headers}\nlahti,2026,,,,,Tavoite,services,,,Toimenpide,digitutor,,done,\n"
               .encode())

    preview = upload(admin_client, ActionPlan, content)
    assert not ActionPlan.objects.exists()  # the first step is a dry run
    response = confirm(admin_client, ActionPlan, preview)

    assert response.status_code == 302
    action = Action.objects.get()
    assert (action.goal.plan.year, action.goal.development_area, action.status) == (
        2026, "services", "done")


def test_plan_sheet_with_one_bad_row_shows_its_line_and_saves_nothing(admin_client, plan):
    before = snapshot()
    headers = ",".join(PlanResource().get_export_headers())
    good = "lahti,2026,,,,,Tavoite,services,,,{action},{role},,planned,"
    content = "\n".join([
        headers,
        good.format(action="Yksi", role="digitutor"),
        good.format(action="Kaksi", role="talonmies"),
        good.format(action="Kolme", role="rehtori"),
    ]).encode()

    response = upload(admin_client, ActionPlan, content)

    assert [row.number for row in response.context["result"].invalid_rows] == [3]
    assert "Unknown role: talonmies." in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize("file_format", [CSV_FORMAT, XLSX_FORMAT])
def test_plan_exported_from_the_admin_reimports_unchanged(admin_client, plan, file_format):
    before = snapshot()
    exported = export(admin_client, ActionPlan, file_format)

    preview = upload(admin_client, ActionPlan, exported, "plan", file_format)
    response = confirm(admin_client, ActionPlan, preview)

    assert response.status_code == 302
    assert preview.context["result"].totals["new"] == 0
    assert preview.context["result"].totals["update"] == 0
    assert snapshot() == before


def test_admin_export_neutralises_formulas(admin_client, plan):
    text = export(admin_client, Action).decode("utf-8-sig")

    assert "'=2 krt/kk" in text and "'-Päivitämme laiterekisterin." in text


def test_goal_admin_exports_the_listed_goals_with_their_actions(admin_client, plan):
    goal = plan.goals.get(order=1)

    body = export(admin_client, Goal, query=f"?q={goal.text[:10]}")

    dataset = CSV(encoding="utf-8-sig").create_dataset(body)
    assert [row["action"] for row in dataset.dict] == [
        "Tutoropettajat pitävät tutorvartteja.", "Osaamismerkit käyttöön."]


def test_plan_import_needs_add_permission_on_plans_goals_and_actions(client, db):
    user = UserFactory(username="toimisto", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(
        content_type__app_label="plans", codename__in=["view_actionplan", "add_actionplan"]))
    client.force_login(user)
    assert client.get(url(ActionPlan, "changelist")).status_code == 200
    assert client.get(url(ActionPlan, "import")).status_code == 403

    user.user_permissions.add(*Permission.objects.filter(codename__in=["add_goal", "add_action"]))
    assert client.get(url(ActionPlan, "import")).status_code == 200
