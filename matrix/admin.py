"""Admin for assignments, and the organisation admin's action that copies a matrix."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from matrix import services
from matrix.copying import matrix_copy, matrix_size
from matrix.models import Assignment
from matrix.resources import AssignmentResource
from units import admin as units_admin
from units.admin import ScopedSheetAdmin
from units.models import Organisation

# Copying creates levels, roles and duties; overwriting also deletes them and their assignments.
COPY_PERMISSIONS = ("roles.add_level", "roles.add_role", "roles.add_duty")
OVERWRITE_PERMISSIONS = ("roles.delete_level", "roles.delete_role", "roles.delete_duty",
                         "matrix.delete_assignment")


@admin.register(Assignment)
class AssignmentAdmin(ScopedSheetAdmin):
    """Assignments, imported and exported by person email, role, place and start date.

    Every write goes through matrix.services, so the model's rules hold under concurrent edits.
    """

    resource_classes = [AssignmentResource]
    organisation_paths = ("unit__organisation", "organisation")
    list_display = ["person", "role", "place", "is_lead", "is_chair", "start_date", "end_date"]
    list_filter = ["is_lead", "is_chair", "role__scope",
                   ("role__level__organisation", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["person__name", "person__email", "role__name", "unit__name",
                     "organisation__name"]
    list_select_related = ["person", "role", "unit", "organisation"]
    autocomplete_fields = ["person", "role", "unit", "organisation"]
    date_hierarchy = "start_date"

    @admin.display(description=_("place"))
    def place(self, assignment):
        """Return the unit or organisation where the role is held."""
        return assignment.place

    def save_model(self, request, obj, form, change):
        """Save the assignment through the services (the form has refused a stale save)."""
        if change:
            services.assignment_update(
                assignment=obj, **form.object_data(form.changed_data))
            return
        saved = services.assignment_create(
            **{name: getattr(obj, name) for name in services.EDITABLE_FIELDS})
        # The admin goes on with its own instance (log entry, redirect): make it the saved one.
        obj.pk, obj._state = saved.pk, saved._state

    def delete_object(self, obj):
        """Delete the assignment through the services."""
        services.assignment_delete(assignment=obj)

    def delete_objects(self, queryset):
        """Delete the chosen assignments through the services."""
        services.assignments_delete(assignments=queryset)

class CopyMatrixForm(forms.Form):
    """Where to copy an organisation's matrix, and whether to replace the matrix there."""

    target = forms.ModelChoiceField(
        label=_("Copy to"), queryset=Organisation.objects.none(),
        help_text=_("The organisation that gets a copy of the levels, roles and duties."))
    overwrite = forms.BooleanField(
        label=_("Replace the matrix the organisation already has"), required=False,
        help_text=_("Deletes its levels, roles and duties and every assignment to its roles "
                    "before copying. This cannot be undone."))

    def __init__(self, *args, source, targets, **kwargs):
        """Offer `targets` (the organisations the user may change) but `source` itself."""
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = targets.exclude(pk=source.pk)


# Copying a matrix is the matrix app's business, and units may not import matrix (apps depend
# downwards only), so the units app's organisation admin cannot offer the action itself: the
# matrix app replaces its registration with a subclass that adds it.
admin.site.unregister(Organisation)


@admin.register(Organisation)
class OrganisationMatrixAdmin(units_admin.OrganisationAdmin):
    """Organisations, with an action that copies one's matrix to another organisation."""

    actions = [*(units_admin.OrganisationAdmin.actions or ()), "copy_matrix"]

    def has_copy_matrix_permission(self, request):
        """Return whether the user may create the levels, roles and duties a copy creates."""
        return request.user.has_perms(COPY_PERMISSIONS)

    @admin.action(description=_("Copy this matrix to another organisation"),
                  permissions=["copy_matrix"])
    def copy_matrix(self, request, queryset):
        """Ask where to copy the chosen organisation's matrix, then copy it there."""
        chosen = list(queryset[:2])
        if len(chosen) != 1:
            self.message_user(request, gettext("Choose one organisation to copy the matrix of."),
                              messages.WARNING)
            return None
        source, replaceable = chosen[0], None
        if not self.may_change(request, source):
            # Copying is between the organisations the user may change, the template included.
            self.message_user(request, gettext(
                "You may copy only the matrix of an organisation you may change."),
                messages.ERROR)
            return None
        targets = self.scoped(request, Organisation.objects.all(), "change")
        # The action form posts back to the changelist; "apply" tells this page's from it.
        form = CopyMatrixForm(request.POST if "apply" in request.POST else None, source=source,
                              targets=targets)
        if form.is_valid():
            target, overwrite = form.cleaned_data["target"], form.cleaned_data["overwrite"]
            if overwrite and not request.user.has_perms(OVERWRITE_PERMISSIONS):
                form.add_error("overwrite", gettext(
                    "Replacing a matrix deletes levels, roles, duties and assignments, which "
                    "you may not delete."))
            else:
                try:
                    result = matrix_copy(source=source, target=target, overwrite=overwrite)
                except ValidationError as error:
                    form.add_error(None, error)
                    replaceable = matrix_size(target)
                else:
                    self._report(request, source, target, result)
                    return None
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Copy the matrix of %(name)s") % {"name": source.name},
            "opts": self.model._meta,
            "source": source,
            "size": matrix_size(source),
            # When the target turns out to have a matrix: what replacing it would delete.
            "replaceable": replaceable if replaceable and replaceable.levels else None,
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/matrix/copy_matrix.html", context)

    def _report(self, request, source, target, result):
        """Tell what the copy created and, loudly, what it replaced."""
        self.message_user(request, gettext(
            "Copied the matrix of %(source)s to %(target)s: %(counts)s.") % {
            "source": source.name, "target": target.name, "counts": result.describe()},
            messages.SUCCESS)
        if result.replaced:
            self.message_user(request, gettext(
                "The previous matrix of %(target)s was deleted: %(counts)s.") % {
                "target": target.name, "counts": result.replaced.describe()}, messages.WARNING)


# The role admin's page for adding a group's members, registered over roles' own admin.
from matrix import admin_members  # noqa: E402, F401
