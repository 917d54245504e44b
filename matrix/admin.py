"""Admin for assignments: who holds which role, at which unit or in which organisation."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from matrix import services
from matrix.models import Assignment
from matrix.resources import AssignmentResource
from units.admin import SheetAdmin


@admin.register(Assignment)
class AssignmentAdmin(SheetAdmin):
    """Assignments, imported and exported by person email, role, place and start date.

    Every write goes through matrix.services, so the unit permissions a role grants follow.
    """

    resource_classes = [AssignmentResource]
    list_display = ["person", "role", "place", "is_lead", "start_date", "end_date"]
    list_filter = ["is_lead", "role__scope",
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
        """Save the assignment through the services, which grant what its role gives."""
        if change:
            services.assignment_update(
                assignment=obj, **{name: form.cleaned_data[name] for name in form.changed_data})
            return
        saved = services.assignment_create(
            **{name: getattr(obj, name) for name in services.EDITABLE_FIELDS})
        # The admin goes on with its own instance (log entry, redirect): make it the saved one.
        obj.pk, obj._state = saved.pk, saved._state

    def delete_model(self, request, obj):
        """Delete the assignment and take back what its role granted."""
        services.assignments_delete(assignments=Assignment.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        """Delete the chosen assignments and take back what their roles granted."""
        services.assignments_delete(assignments=queryset)

    def process_result(self, result, request):
        """Finish an import, then regrant: imported rows are saved around the services."""
        response = super().process_result(result, request)
        services.sync_all_role_permissions()
        return response
