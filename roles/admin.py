"""Admin for levels, roles and duties, and the matrix sheet's import and export."""

from django.contrib import admin
from django.contrib.auth.models import Permission
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from plans.inlines import GROUP_INLINES
from plans.models import Funding, Meeting
from roles.forms import DutyForm, DutyInlineForm, DutyInlineFormSet, LevelForm, RoleForm
from roles.models import Duty, Level, Role
from roles.resources import MatrixResource
from units.admin import ScopedAdmin, SheetAdmin, sector_codes

# A matrix import may create levels and roles as well as duties.
MATRIX_IMPORT_PERMISSIONS = ("roles.add_level", "roles.add_role", "roles.add_duty")


def month_names(duty):
    """Return the duty's months by name, in school-year order."""
    return ", ".join(duty.month_names())


def role_label(role):
    """Return a role with its organisation, to tell apart roles of the same name."""
    return f"{role.name} ({role.level.organisation})"


class MatrixSheetAdmin(SheetAdmin):
    """Import and export of the matrix sheet, whichever of roles and duties the admin lists."""

    resource_classes = [MatrixResource]

    def has_import_permission(self, request):
        """Return whether the user may add levels, roles and duties, as an import may."""
        return request.user.has_perms(MATRIX_IMPORT_PERMISSIONS)


@admin.register(Level)
class LevelAdmin(ScopedAdmin, TranslationAdmin):
    """The levels of each organisation's matrix, in order, named in its languages.

    An administrator reads the levels of the organisations above theirs too, which reach their
    units, and changes their own.
    """

    organisation_paths = ("organisation",)
    view_reaches_ancestors = True

    form = LevelForm
    list_display = ["name", "organisation", "order"]
    list_editable = ["order"]
    list_filter = [("organisation", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name_fi", "name_sv", "organisation__name"]
    list_select_related = ["organisation"]
    autocomplete_fields = ["organisation"]

    def get_queryset(self, request):
        """Return the levels with their organisations, which their names include."""
        # Also used by the role form's autocomplete, which shows each level's name.
        return super().get_queryset(request).select_related("organisation")


class DutyInline(TranslationTabularInline):
    """A role's duties, one compact row each, in the order the matrix lists them.

    Months, partners and the development area take room: each row links to the duty's own page.
    The text and the recurrence have a Finnish and a Swedish column each.
    """

    model = Duty
    form = DutyInlineForm
    formset = DutyInlineFormSet
    fields = ["order", "text", "sectors", "recurrence", "month_names"]
    readonly_fields = ["month_names"]
    ordering = ["order", "pk"]
    extra = 1
    show_change_link = True

    def get_queryset(self, request):
        """Return the duties with their sectors prefetched."""
        return super().get_queryset(request).prefetch_related("sectors")

    @admin.display(description=_("months"))
    def month_names(self, duty):
        """Return the duty's months by name, in school-year order."""
        return month_names(duty)


@admin.register(Role)
class RoleAdmin(ScopedAdmin, TranslationAdmin, MatrixSheetAdmin):
    """Roles with their duties inline; the export writes the matrix of the listed roles.

    Names, titles and duties are written in the languages of the role's organisation
    (roles.forms.ContentLanguageForm). The roles of the organisations above the user's reach
    their units: they are read, and offered as partners and supporting roles, not changed.
    """

    organisation_paths = ("level__organisation",)
    view_reaches_ancestors = True
    choices_reach_ancestors = True

    form = RoleForm
    inlines = [DutyInline, *GROUP_INLINES]
    list_display = ["name", "slug", "level", "scope", "responsible_title", "sector_list",
                    "named_holders", "is_group", "holders_needed", "order"]
    list_editable = ["order"]
    list_filter = [("level__organisation", admin.RelatedOnlyFieldListFilter), "scope",
                   "sectors", "named_holders", "is_group"]
    search_fields = ["name_fi", "name_sv", "slug", "responsible_title_fi",
                     "responsible_title_sv", "level__name_fi", "level__name_sv"]
    list_select_related = ["level__organisation"]
    autocomplete_fields = ["level"]
    filter_horizontal = ["sectors", "supporting_roles", "unit_permissions"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": ["level", "name", "slug", "scope", "order", "sectors"]}),
        (_("Who leads and who supports"), {"fields": [
            "responsible_title", "supporting_roles", "supporting_titles", "named_holders"]}),
        (_("Group or network"), {"fields": [
            "is_group", "description", "joining", ("min_holders", "max_holders")]}),
        (_("Permissions"), {"fields": ["unit_permissions"]}),
    ]

    def versioned_with(self, obj):
        """Return the history of the role's duties, and a group's funding and meetings, edited
        inline with it."""
        return (Duty.history.filter(role_id=obj.pk), Funding.history.filter(role_id=obj.pk),
                Meeting.history.filter(role_id=obj.pk))

    def get_queryset(self, request):
        """Return the roles with their sectors prefetched for the changelist column."""
        return super().get_queryset(request).prefetch_related("sectors")

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        """Return the form field of `db_field`, labelling roles with their organisation."""
        if db_field.name == "supporting_roles":
            kwargs["queryset"] = self.choices_for(request, Role).select_related(
                "level__organisation")
        elif db_field.name == "unit_permissions":
            kwargs["queryset"] = Permission.objects.select_related("content_type").filter(
                content_type__app_label="units", content_type__model="unit")
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "supporting_roles":
            field.label_from_instance = role_label
        return field

    @admin.display(description=_("holders needed"))
    def holders_needed(self, role):
        """Return how many holders the role needs, as "1–2"."""
        return role.holders_needed()

    @admin.display(description=_("sectors"))
    def sector_list(self, role):
        """Return the role's sectors, or "all" when it has none."""
        return sector_codes(role) or _("all")


@admin.register(Duty)
class DutyAdmin(ScopedAdmin, TranslationAdmin, MatrixSheetAdmin):
    """Duties one by one; the import and export handle the whole matrix as one sheet."""

    organisation_paths = ("role__level__organisation",)
    view_reaches_ancestors = True

    form = DutyForm
    list_display = ["__str__", "role", "organisation", "recurrence", "month_names",
                    "development_area", "order"]
    list_filter = [("role__level__organisation", admin.RelatedOnlyFieldListFilter),
                   "development_area", "sectors", "role__scope"]
    search_fields = ["text_fi", "text_sv", "role__name_fi", "role__name_sv", "role__slug",
                     "recurrence_fi", "recurrence_sv"]
    list_select_related = ["role__level__organisation"]
    autocomplete_fields = ["role", "collaborating_roles"]
    ordering = ["role__level__organisation__name", "role__level__order", "role__order", "order"]

    @admin.display(description=_("organisation"), ordering="role__level__organisation__name")
    def organisation(self, duty):
        """Return the organisation whose matrix the duty belongs to."""
        return duty.role.level.organisation

    @admin.display(description=_("months"))
    def month_names(self, duty):
        """Return the duty's months by name, in school-year order."""
        return month_names(duty)
