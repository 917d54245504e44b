"""My duties: everything the logged-in person's roles ask of them."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from matrix.clock import clock_entries, months_with_duties, school_year, wheel
from matrix.compose import person_duties
from units.access import permitted_ids
from units.models import Unit


@login_required
def my_duties(request):
    """Show the user's roles with their duties, grouped by place, this month's first.

    Beneath them the user's own annual clock: the months of the school year with the recurring
    duties of the roles they hold.
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
        "places": places,
        "this_month": this_month,
        "today": today,
        "visible_units": permitted_ids(
            request.user, Unit, {item.assignment.unit_id for item in places} - {None}),
        "months": months,
        "wheel": wheel(months) if recurring else None,
        "school_year": school_year(today),
    })
