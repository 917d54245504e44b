"""The unit pages: home, a unit's matrix, its grid and its export."""

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
    return render(request, "matrix/home.html", {"groups": groups})


def unit(request, slug):
    raise NotImplementedError


unit_grid = unit_export = unit
