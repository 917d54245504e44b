"""The annual clock of an organisation: its roles' recurring duties and its groups' meetings."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from matrix.clock import (
    clock_duties,
    clock_entries,
    clock_meetings,
    meeting_entries,
    months_with_duties,
    wheel,
    year_of,
)
from plans.summary import default_plan
from units.access import organisation_or_404
from units.years import YearKind, year_months


def admin_role_href(role, anchor):
    """Return the admin change page of `role`: where staff go to edit what the clock shows."""
    return reverse("admin:roles_role_change", args=[role.pk])


@login_required
def clock(request, slug):
    """Show the organisation's annual clock as a wheel and as a list, optionally for one role.

    The clock names no people, so anyone who may view a unit of the organisation may see it. An
    unknown `?role=` shows every role with a note, rather than a 404: a bookmark outlives a
    renamed role, and the page is still worth showing. The year is the organisation's kind
    (school or calendar year); a group chosen with `?role=` follows its own organisation's, and
    a plan chosen with `?plan=<year>` its own. Meetings with months are in their months; those
    without are listed as "n times a year". The plan's meetings shown are those of the chosen
    plan, or of the plan the plans page opens at.
    """
    organisation = organisation_or_404(request.user, slug, unit_viewers=True)
    today = timezone.localdate()
    may_edit = request.user.is_staff and request.user.has_perm("roles.view_role")
    role_href = admin_role_href if may_edit else None
    lineage_ids = organisation.lineage_ids()
    plans = list(organisation.action_plans.all())
    asked_plan = request.GET.get("plan", "").strip()
    chosen_plan = next((plan for plan in plans if str(plan.year) == asked_plan), None)
    plan = chosen_plan or default_plan(plans, today)
    entries, roles = clock_entries(clock_duties(organisation), lineage_ids=lineage_ids,
                                   role_href=role_href)
    meetings = meeting_entries(clock_meetings(organisation, plan), roles,
                               lineage_ids=lineage_ids, role_href=role_href)
    asked = request.GET.get("role", "")
    selected = next((role for role in roles if role.key == asked), None)
    kind = organisation.year_kind
    if selected:
        entries = [entry for entry in entries if entry.role is selected]
        meetings = [entry for entry in meetings if entry.role is selected]
        if selected.role.is_group:
            kind = selected.role.year_kind
    elif chosen_plan:
        kind = chosen_plan.kind
    order = year_months(kind)
    for clock_role in roles:
        clock_role.months.sort(key=order.index)
    months = months_with_duties([*entries, *(entry for entry in meetings if entry.months)],
                                today=today, year_order=order)
    return render(request, "matrix/clock.html", {
        "organisation": organisation,
        "roles": roles,
        "listed_roles": [selected] if selected else roles,
        "selected": selected,
        "unknown_role": asked if asked and not selected else "",
        "months": months,
        "wheel": wheel(months),
        "school_year": year_of(today, kind),
        "calendar_year": kind == YearKind.CALENDAR,
        "plan": chosen_plan,
        "meetings_without_months": [entry for entry in meetings if not entry.months],
        "may_edit": may_edit,
    })
