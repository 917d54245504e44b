"""The unit pages: home, a unit's matrix, its grid and its export."""

from itertools import groupby

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from matrix.changes import unit_changes
from matrix.compose import grid_rows, lineage, place_order, unit_matrix
from units.access import permitted_ids, unit_allows, unit_or_404
from units.export import sheet_response
from units.forms import SEARCH_MAX_LENGTH
from units.models import Organisation, Unit


@login_required
def home(request):
    """Show the units the user may see, grouped by organisation, and the user's own roles."""
    query = request.GET.get("q", "").strip()[:SEARCH_MAX_LENGTH]
    units = (Unit.objects.for_user(request.user, "view")
             .select_related("organisation").prefetch_related("sectors")
             .order_by("organisation__name", "name"))
    if query:
        units = units.filter(Q(name__icontains=query) | Q(organisation__name__icontains=query))
    groups = [(organisation, list(members))
              for organisation, members in groupby(units, key=lambda unit: unit.organisation)]
    person = getattr(request.user, "person", None)
    return render(request, "matrix/home.html", {
        "groups": groups,
        "linked_organisations": _viewable([organisation for organisation, _units in groups],
                                          request.user),
        "query": query,
        "search_max_length": SEARCH_MAX_LENGTH,
        "my_roles": _current_roles(person) if person else [],
    })


def _current_roles(person):
    """Return the person's current assignments, at units by unit name first, then the rest."""
    assignments = (person.assignments.current()
                   .select_related("role__level", "unit", "organisation"))
    return sorted(assignments, key=place_order)


def _viewable(organisations, user):
    """Return the ids of those of `organisations` whose pages `user` may open."""
    return permitted_ids(user, Organisation, [organisation.pk for organisation in organisations])


def _unit_context(request, unit):
    """Return what every page of a unit shows about the unit itself."""
    organisations = lineage(unit.organisation)
    return {
        "unit": unit,
        "organisations": organisations,
        "linked_organisations": _viewable(organisations, request.user),
        "can_manage": unit_allows(request.user, unit, "manage_assignments"),
    }


@login_required
def unit(request, slug):
    """Show the unit's responsibility matrix: levels, roles, holders, gaps and duties."""
    unit = unit_or_404(request.user, slug)
    levels = unit_matrix(unit)
    gaps = [entry for level in levels for entry in level.gaps]
    return render(request, "matrix/unit.html", {
        **_unit_context(request, unit), "levels": levels, "gaps": gaps,
        "changes": unit_changes(unit),
    })


@login_required
def unit_grid(request, slug):
    """Show the unit's duties against its roles: owner, together with, supporting."""
    unit = unit_or_404(request.user, slug)
    levels = unit_matrix(unit)
    roles, rows = grid_rows(levels)
    return render(request, "matrix/unit_grid.html", {
        **_unit_context(request, unit), "roles": roles, "rows": rows,
    })


@login_required
def unit_export(request, slug, fmt):
    """Download the unit's matrix as CSV or Excel, one row per duty."""
    unit = unit_or_404(request.user, slug)
    headers = [_("Level"), _("Role"), _("Responsible title"), _("Holders"), _("Supporting"),
               _("Duty"), _("Recurrence"), _("Together with"),
               pgettext("column heading", "Gap")]
    rows = []
    for level in unit_matrix(unit):
        for entry in level.roles:
            role = entry.role
            holders = "; ".join(_holder_label(assignment) for assignment in entry.holders)
            supporting = "; ".join([*(str(r) for r in role.supporting_roles.all()),
                                    *role.supporting_title_list()])
            gap = _("yes") if entry.is_gap else ""
            for duty in entry.duties or [None]:
                rows.append([
                    level.level.name, role.name, role.responsible_title, holders, supporting,
                    duty.text if duty else "", duty.recurrence if duty else "",
                    ", ".join(str(r) for r in duty.collaborating_roles.all()) if duty else "",
                    gap,
                ])
    return sheet_response(headers=headers, rows=rows, fmt=fmt, title=unit.name,
                          filename=f"vastuumatriisi-{slugify(unit.slug)}")


def _holder_label(assignment):
    """Return a holder as the export writes it: name, title and email, supporting marked."""
    person = assignment.person
    parts = [person.name, person.title, person.email]
    label = ", ".join(part for part in parts if part)
    return label if assignment.is_lead else f"{label} ({_('supporting')})"
