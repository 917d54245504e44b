"""The action plans of an organisation: one plan a page, year by year, and its download."""

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from plans.models import Action, ActionPlan
from plans.resources import PlanResource
from plans.summary import default_plan, progress_of
from roles.models import school_year_label, school_year_start
from units.access import organisation_allows, organisation_or_404
from units.export import sheet_response


def plan_goals(plan):
    """Return the goals of `plan` in order, each with its actions and their roles: two queries."""
    actions = (Action.objects.select_related("responsible_role__level__organisation")
               .order_by("order", "pk"))
    return list(plan.goals.order_by("order", "pk")
                .prefetch_related(Prefetch("actions", queryset=actions)))


@login_required
def plan_list(request, slug):
    """Show the organisation's action plans: the years it has one for, and one plan in full.

    Plans name roles, not people, so anyone who may view a unit of the organisation may read them.
    `?year=` picks the plan; without it (or for a year with no plan, with a note) the page shows
    this school year's plan, or the nearest one.
    """
    organisation = organisation_or_404(request.user, slug, unit_viewers=True)
    today = timezone.localdate()
    plans = list(organisation.action_plans.order_by("-year"))
    asked = request.GET.get("year", "").strip()
    plan = next((plan for plan in plans if str(plan.year) == asked), None)
    if plan is None:
        plan = default_plan(plans, today)
    goals = plan_goals(plan) if plan else []
    for goal in goals:
        goal.progress = progress_of(goal.actions.all())
    user = request.user
    return render(request, "plans/plan_list.html", {
        "organisation": organisation,
        "organisation_visible": organisation_allows(user, organisation),
        "plans": plans,
        "plan": plan,
        "unknown_year": asked if plan is not None and asked and str(plan.year) != asked else "",
        "school_year": school_year_label(plan.year) if plan else "",
        "is_current": plan is not None and plan.year == school_year_start(today),
        "goals": goals,
        "progress": progress_of(action for goal in goals for action in goal.actions.all()),
        "may_change": user.is_staff and user.has_perm("plans.change_actionplan"),
        "may_add": user.is_staff and user.has_perm("plans.add_actionplan"),
        "next_year": school_year_start(today) if not plans else max(
            school_year_start(today), plans[0].year + 1),
    })


@login_required
def plan_export(request, slug, year, fmt):
    """Download the plan of `year` as CSV or Excel: the sheet the admin imports."""
    organisation = organisation_or_404(request.user, slug, unit_viewers=True)
    plan = get_object_or_404(ActionPlan, organisation=organisation, year=year)
    dataset = PlanResource().export(ActionPlan.objects.filter(pk=plan.pk))
    return sheet_response(headers=dataset.headers, rows=dataset,
                          filename=f"{organisation.slug}-action-plan-{year}", fmt=fmt,
                          title=f"{organisation.name} {year}")
