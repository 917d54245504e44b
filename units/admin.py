"""Admin for organisations, sectors, units and people, with object permissions on units."""

from django import forms
from django.contrib import admin
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from guardian.admin import GuardedModelAdminMixin
from import_export.admin import ImportExportModelAdmin
from modeltranslation.admin import TranslationAdmin

from units.models import Organisation, Person, Sector, Unit
from units.resources import FORMATS, OrganisationResource, PersonResource, UnitResource


class SheetAdmin(ImportExportModelAdmin):
    """An admin with CSV and Excel import and export, all or nothing, formulas neutralised."""

    formats = FORMATS
    # Excel reads a CSV file as UTF-8 only when it starts with a byte order mark.
    to_encoding = "utf-8-sig"
    # Show the offending cells with the message, so the bad row is easy to find in the sheet.
    import_error_display = ("message", "row")


def sector_codes(units_or_roles):
    """Return the sector names of a unit or role, from its prefetched sectors."""
    return ", ".join(str(sector) for sector in units_or_roles.sectors.all())


@admin.register(Organisation)
class OrganisationAdmin(GuardedModelAdminMixin, SheetAdmin):
    """Organisations, with object permissions that reach all their units."""

    resource_classes = [OrganisationResource]
    list_display = ["name", "slug", "kind", "parent"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Sector)
class SectorAdmin(TranslationAdmin):
    """The five sectors: their names (Finnish and Swedish) and order can change, codes cannot."""

    list_display = ["name", "code", "order"]
    list_editable = ["order"]
    search_fields = ["name_fi", "name_sv", "code"]
    readonly_fields = ["code"]

    def has_add_permission(self, request):
        """Refuse: the five sectors are fixed by a migration."""
        return False  # the sectors are fixed by a migration

    def has_delete_permission(self, request, obj=None):
        """Refuse: units, roles and duties refer to the sectors."""
        return False


@admin.register(Unit)
class UnitAdmin(GuardedModelAdminMixin, SheetAdmin):
    """Units, with object permissions for principals and device managers."""

    resource_classes = [UnitResource]
    list_display = ["name", "organisation", "slug", "sector_list"]
    list_filter = ["sectors", ("organisation", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "slug", "organisation__name"]
    list_select_related = ["organisation"]
    autocomplete_fields = ["organisation"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        """Return the units with their sectors prefetched for the changelist column."""
        return super().get_queryset(request).prefetch_related(
            Prefetch("sectors", queryset=Sector.objects.all()))

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        """Return the form field of `db_field`: the five sectors as checkboxes."""
        if db_field.name == "sectors":
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description=_("sectors"))
    def sector_list(self, unit):
        """Return the unit's sectors."""
        return sector_codes(unit)


@admin.register(Person)
class PersonAdmin(SheetAdmin):
    """Staff who can hold roles; pupils are never stored."""

    resource_classes = [PersonResource]
    list_display = ["name", "title", "email", "organisation", "user"]
    list_filter = [("organisation", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "email", "title"]
    list_select_related = ["organisation", "user"]
    autocomplete_fields = ["organisation", "user"]
