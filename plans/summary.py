"""Which of an organisation's action plans is current, and how far its actions have got."""

from dataclasses import dataclass

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from plans.models import Action
from units.years import year_start


def default_plan(plans, today):
    """Return the plan to show when no year is asked for, or None if there are no plans.

    That is the plan whose year or period `today` falls in (each plan counts in its own kind of
    year); without one, the latest before it, which is still the one being followed; failing
    that, the earliest after it, drafted ahead.
    """
    current = [plan for plan in plans if plan.covers(today)]
    if current:
        return max(current, key=lambda plan: plan.year)
    past = [plan for plan in plans if plan.year <= year_start(today, plan.kind)]
    if past:
        return max(past, key=lambda plan: plan.year)
    return min(plans, key=lambda plan: plan.year, default=None)


@dataclass(frozen=True)
class StatusCount:
    """How many actions are in one status."""

    status: str
    label: str
    count: int


@dataclass(frozen=True)
class Progress:
    """How many actions are done of all, and how many are in each status."""

    done: int
    total: int
    statuses: tuple

    @property
    def percent(self):
        """Return the share of actions done, as a whole percentage (0 when there are none)."""
        return round(100 * self.done / self.total) if self.total else 0


def progress(counts):
    """Return the progress of actions counted by status in `counts` ({status: count})."""
    statuses = tuple(StatusCount(status, label, counts.get(status, 0))
                     for status, label in Action.Status.choices)
    return Progress(done=counts.get(Action.Status.DONE, 0), total=sum(counts.values()),
                    statuses=statuses)


def progress_of(actions):
    """Return the progress of `actions` (fetched already: no query)."""
    counts = {}
    for action in actions:
        counts[action.status] = counts.get(action.status, 0) + 1
    return progress(counts)


@dataclass(frozen=True)
class PlanSummary:
    """An organisation's current action plan (None if it has none) and its progress."""

    organisation: object
    plan: object
    goal_count: int
    progress: Progress

    @property
    def school_year(self):
        """Return the plan's year as its page names it ("School year 2025–2026", "Year 2025",
        "Period 2024–2026"), or "" without a plan."""
        return self.plan.label if self.plan else ""

    @property
    def plans_url(self):
        """Return the page of all the organisation's plans."""
        return reverse("plans:plan_list", args=[self.organisation.slug])

    @property
    def plan_url(self):
        """Return the page of the plan, or "" without a plan."""
        return f"{self.plans_url}?year={self.plan.year}" if self.plan else ""


def for_organisation(organisation, *, today=None):
    """Return the summary of `organisation`'s current action plan, in one query.

    The plan is the one its plans page opens at (see default_plan()); the summary has no plan if
    the organisation has none.
    """
    counts = {f"{status}_count": Count("goals__actions", distinct=True,
                                       filter=Q(goals__actions__status=status))
              for status in Action.Status.values}
    plans = list(organisation.action_plans.annotate(
        goal_count=Count("goals", distinct=True), **counts))
    plan = default_plan(plans, today or timezone.localdate())
    if plan is None:
        return PlanSummary(organisation=organisation, plan=None, goal_count=0,
                           progress=progress({}))
    return PlanSummary(
        organisation=organisation, plan=plan, goal_count=plan.goal_count,
        progress=progress({status: getattr(plan, f"{status}_count")
                           for status in Action.Status.values}),
    )
