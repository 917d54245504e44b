"""Admin for assignments: who holds which role, at which unit or in which organisation."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from matrix.models import Assignment
from matrix.resources import AssignmentResource
from units.admin import SheetAdmin


@admin.register(Assignment)
class AssignmentAdmin(SheetAdmin):
    """Assignments, imported and exported by person email, role, place and start date."""

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
