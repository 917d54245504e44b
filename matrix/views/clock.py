"""The annual clock of an organisation: its roles' recurring duties over the school year."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from matrix.clock import (
    clock_duties,
    clock_entries,
    months_with_duties,
    school_year,
    wheel,
)
from units.access import organisation_or_404


def admin_role_href(role, anchor):
    """Return the admin change page of `role`: where staff go to edit what the clock shows."""
    return reverse("admin:roles_role_change", args=[role.pk])


@login_required
def clock(request, slug):
    """Show the organisation's annual clock as a wheel and as a list, optionally for one role.

    The clock names no people, so anyone who may view a unit of the organisation may see it. An
    unknown `?role=` shows every role with a note, rather than a 404: a bookmark outlives a
    renamed role, and the page is still worth showing.
    """
    organisation = organisation_or_404(request.user, slug, unit_viewers=True)
    today = timezone.localdate()
    may_edit = request.user.is_staff and request.user.has_perm("roles.view_role")
    entries, roles = clock_entries(
        clock_duties(organisation), lineage_ids=organisation.lineage_ids(),
        role_href=admin_role_href if may_edit else None,
    )
    asked = request.GET.get("role", "")
    selected = next((role for role in roles if role.key == asked), None)
    if selected:
        entries = [entry for entry in entries if entry.role is selected]
    months = months_with_duties(entries, today=today)
    return render(request, "matrix/clock.html", {
        "organisation": organisation,
        "roles": roles,
        "listed_roles": [selected] if selected else roles,
        "selected": selected,
        "unknown_role": asked if asked and not selected else "",
        "months": months,
        "wheel": wheel(months),
        "school_year": school_year(today),
        "may_edit": may_edit,
    })
