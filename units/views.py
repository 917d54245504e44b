"""Pages about organisations and units."""

from itertools import groupby

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from units.models import Unit


@login_required
def home(request):
    """Show the units the user may see, grouped by organisation."""
    units = (Unit.objects.for_user(request.user, "view")
             .select_related("organisation").prefetch_related("sectors")
             .order_by("organisation__name", "name"))
    groups = [(organisation, list(members))
              for organisation, members in groupby(units, key=lambda unit: unit.organisation)]
    return render(request, "units/home.html", {"groups": groups})
