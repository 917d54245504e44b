"""My duties: everything the logged-in person's roles ask of them."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from matrix.compose import person_duties, visible_unit_ids


@login_required
def my_duties(request):
    """Show the user's roles with their duties, grouped by place, this month's first."""
    person = getattr(request.user, "person", None)
    today = timezone.localdate()
    places = person_duties(person, on=today) if person else []
    this_month = [(item, duty) for item in places for duty in item.duties
                  if today.month in duty.months]
    return render(request, "matrix/my_duties.html", {
        "person": person,
        "places": places,
        "this_month": this_month,
        "today": today,
        "visible_units": visible_unit_ids(request.user) if places else set(),
    })
