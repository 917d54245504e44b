"""Adding, changing and ending a unit's assignments, for those who manage the unit's assignments.

Every page starts from `unit_or_404(…, "manage_assignments")`: a unit the user may not manage
answers 404, even one they may view, and an assignment of another unit is not found under this
one. The views parse the form and call matrix.services, which validate and save.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from matrix import services
from matrix.forms import AssignmentForm, EndAssignmentForm
from matrix.models import Assignment
from units.access import forget_permitted, unit_allows, unit_or_404

MANAGE = "manage_assignments"


@login_required
@require_http_methods(["GET", "POST"])
def assignment_add(request, slug):
    """Show the form for a new assignment at the unit; on POST, add it."""
    unit = unit_or_404(request.user, slug, MANAGE)
    form = AssignmentForm(request.POST if request.method == "POST" else None, unit=unit)
    if form.is_bound and form.is_valid():
        try:
            assignment = services.assignment_create(unit=unit, **form.object_data())
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Added %(person)s as %(role)s.") % _names(assignment))
            return _back_to(request, unit)
    return render(request, "matrix/assignment_form.html", {
        "unit": unit, "form": form, "title": _("Add an assignment"), "submit": _("Add"),
    })


@login_required
@require_http_methods(["GET", "POST"])
def assignment_edit(request, slug, pk):
    """Show the form for one of the unit's assignments; on POST, save the changes."""
    unit = unit_or_404(request.user, slug, MANAGE)
    assignment = _assignment_or_404(unit, pk)
    form = AssignmentForm(request.POST if request.method == "POST" else None,
                          instance=assignment, unit=unit)
    if form.is_bound and form.is_valid():
        try:
            services.assignment_update(assignment=assignment,
                                       version=form.posted_version(), **form.object_data())
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Saved the assignment of %(person)s as %(role)s.")
                             % _names(assignment))
            return _back_to(request, unit)
    return render(request, "matrix/assignment_form.html", {
        "unit": unit, "form": form, "assignment": assignment,
        "title": _("Change the assignment"), "submit": _("Save"),
    })


@login_required
@require_http_methods(["GET", "POST"])
def assignment_end(request, slug, pk):
    """Ask for the last day of one of the unit's assignments; on POST, end it then."""
    unit = unit_or_404(request.user, slug, MANAGE)
    assignment = _assignment_or_404(unit, pk)
    form = EndAssignmentForm(request.POST if request.method == "POST" else None,
                             versioned=assignment)
    if form.is_bound and form.is_valid():
        try:
            services.assignment_end(assignment=assignment, end_date=form.cleaned_data["end_date"],
                                    version=form.posted_version())
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The last day of %(person)s as %(role)s is now %(date)s.")
                             % {**_names(assignment), "date": date_format(assignment.end_date)})
            return _back_to(request, unit)
    return render(request, "matrix/assignment_end.html", {
        "unit": unit, "form": form, "assignment": assignment,
    })


def _assignment_or_404(unit, pk):
    """Return the assignment `pk` if it is held at `unit`; otherwise raise Http404."""
    return get_object_or_404(Assignment.objects.filter(unit=unit).select_related("person", "role"),
                             pk=pk)


def _names(assignment):
    """Return the person's and the role's names, for the success messages."""
    return {"person": assignment.person.name, "role": assignment.role.name}


def _back_to(request, unit):
    """Redirect to the unit page, or home when the change took away the user's view of it."""
    # A principal who ends their own assignment may lose the unit with it; a 404 is no thanks.
    forget_permitted(request.user)
    if unit_allows(request.user, unit, "view"):
        return redirect("matrix:unit", unit.slug)
    return redirect("matrix:home")
