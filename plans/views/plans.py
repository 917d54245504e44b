"""The action plans of an organisation: one plan a page, year by year, and its download."""

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from plans.models import Action, ActionPlan
from plans.resources import PlanResource
from plans.summary import default_plan, progress_of
from units.access import organisation_allows, organisation_or_404
from units.export import sheet_response
from units.years import year_start


def plan_for_year(plans, asked):
    """Return the plan of `plans` for the year `asked` (text): the one starting in it, else the
    period that covers it; None if none does."""
    if not asked.isdigit():
        return None
    year = int(asked)
    return (next((plan for plan in plans if plan.year == year), None)
            or next((plan for plan in plans if plan.end_year and year in plan.start_years()),
                    None))


def next_plan_year(organisation, plans, today):
    """Return the year a new plan would be for: this year, or the one after the last plan's."""
    this_year = year_start(today, organisation.year_kind)
    if not plans:
        return this_year
    return max(this_year, *(max(plan.start_years()) + 1 for plan in plans))


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
    plan = plan_for_year(plans, asked)
    asked_found = plan is not None
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
        "unknown_year": asked if plan is not None and asked and not asked_found else "",
        "school_year": plan.label if plan else "",
        "is_current": plan is not None and plan.covers(today),
        "goals": goals,
        "funding": list(plan.fundings.all()) if plan else [],
        "meetings": list(plan.meetings.all()) if plan else [],
        "progress": progress_of(action for goal in goals for action in goal.actions.all()),
        "may_change": user.is_staff and user.has_perm("plans.change_actionplan"),
        "may_add": user.is_staff and user.has_perm("plans.add_actionplan"),
        "next_year": next_plan_year(organisation, plans, today),
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
