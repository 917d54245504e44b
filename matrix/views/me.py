"""My duties: everything the logged-in person's roles ask of them."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from matrix.clock import clock_entries, months_with_duties, school_year, wheel
from matrix.compose import person_duties
from matrix.models import Assignment
from plans.models import Action
from units.access import permitted_ids
from units.models import Organisation, Unit


def my_groups(person, today):
    """Return (assignment, URL of the group's page) for each group `person` is a member of.

    The page is under the group's own organisation, which its members may view.
    """
    assignments = (Assignment.objects.current(today)
                   .filter(person=person, role__is_group=True)
                   .select_related("role__level__organisation", "unit", "organisation")
                   .order_by("role__name", "pk"))
    return [(assignment, reverse("matrix:group", args=[
        assignment.role.level.organisation.slug, assignment.role.slug]))
        for assignment in assignments]


def my_plan_actions(user, person, today):
    """Return (action, whether its plan's page opens for `user`) for the plan actions the
    roles `person` holds today are responsible for, plan by plan. Three queries."""
    roles = Assignment.objects.current(today).filter(person=person).values("role")
    actions = list(Action.objects.filter(responsible_role__in=roles)
                   .select_related("goal__plan__organisation", "responsible_role")
                   .order_by("goal__plan__organisation__name", "-goal__plan__year",
                             "goal__order", "order", "pk"))
    plan_orgs = {action.goal.plan.organisation_id for action in actions}
    viewable = permitted_ids(user, Organisation, plan_orgs)
    if plan_orgs - viewable:
        # Plans name roles, not people: whoever sees a unit below may read them.
        seen_units = Organisation.objects.with_ancestors(
            Organisation.objects.filter(units__in=Unit.objects.for_user(user, "view")))
        viewable |= set(seen_units.filter(pk__in=plan_orgs).values_list("pk", flat=True))
    return [(action, action.goal.plan.organisation_id in viewable) for action in actions]


@login_required
def my_duties(request):
    """Show the user's roles with their duties, grouped by place, this month's first.

    Beneath them the user's own annual clock: the months of the school year with the recurring
    duties of the roles they hold. Above them the groups the user is a member of, each with
    a link and "chair" where they chair it, and the plan actions their roles are responsible
    for, with their plans.
    """
    person = getattr(request.user, "person", None)
    today = timezone.localdate()
    places = person_duties(person, on=today) if person else []
    this_month = [(item, duty) for item in places for duty in item.duties
                  if today.month in duty.months]
    # A role held at two units has the same duties at both: the clock shows each duty once and
    # links its role to the first place it is held.
    first_article = {}
    recurring = {}
    for item in places:
        first_article.setdefault(item.assignment.role_id, f"#assignment-{item.assignment.pk}")
        recurring.update({duty.pk: duty for duty in item.duties if duty.months})
    entries, _roles = clock_entries(list(recurring.values()),
                                    role_href=lambda role, anchor: first_article[role.pk])
    months = months_with_duties(entries, today=today)
    return render(request, "matrix/my_duties.html", {
        "person": person,
        "groups": my_groups(person, today) if person else [],
        "plan_actions": my_plan_actions(request.user, person, today) if person else [],
        "places": places,
        "this_month": this_month,
        "today": today,
        "visible_units": permitted_ids(
            request.user, Unit, {item.assignment.unit_id for item in places} - {None}),
        "months": months,
        "wheel": wheel(months) if recurring else None,
        "school_year": school_year(today),
    })
