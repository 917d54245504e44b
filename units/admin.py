"""Admin for organisations, sectors, units and people, and the scope every admin keeps to.

A region runs one Vastuu for its municipalities, so each administrator sees and changes only the
objects of the organisations granted to them (ScopedAdmin): their lists, their pages, the
choices their forms offer, and the rows their imports may write.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q
from django.utils.translation import gettext_lazy as _
from guardian.admin import GuardedModelAdminMixin
from guardian.forms import UserObjectPermissionsForm
from modeltranslation.admin import TranslationAdmin
from simple_history.admin import SimpleHistoryAdmin

from privacy.admin_actions import PersonDataProtectionAdmin
from units.access import may_anywhere, organisation_allows, organisation_ids_of
from units.admin_input import (
    CappedSearchMixin,
    KeyedAutocompleteSelect,
    KeyedAutocompleteSelectMultiple,
    require_key,
)
from units.forms import VersionedForm
from units.history import (
    StaleError,
    deleting_in_bulk,
    refuse_if_stale,
)
from units.models import Membership, Organisation, Person, Sector, Unit, sees_everything
from units.resources import OrganisationResource, PersonResource, UnitResource
from units.sheet_admin import SheetAdmin


class VersionedAdmin(CappedSearchMixin, SimpleHistoryAdmin):
    """An admin with history whose forms carry the version they were read at (no lost updates).

    Saving an existing object locks its row and refuses when someone saved it, or what is edited
    with it (`versioned_with`: its inlines), since the form was read.
    """

    def versioned_with(self, obj):
        """Return the historical querysets of what is edited with `obj` here (its inlines)."""
        return ()

    def history_view(self, request, object_id, extra_context=None):
        """Show the object's history; an id that is no key of the model is not found."""
        require_key(self.model, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """Show one version of the object; ids that are no keys are not found."""
        require_key(self.model, object_id)
        if hasattr(self.model._meta, "simple_history_manager_attribute"):
            require_key(self.model.history.model, version_id, "history_id")
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_fieldsets(self, request, obj=None):
        """Return the fieldsets; an existing object's form carries its version, hidden."""
        fieldsets = super().get_fieldsets(request, obj)
        if (obj is None or not hasattr(self.model, "history")
                or "version" in flatten_fieldsets(fieldsets)):
            return fieldsets
        return [*fieldsets, (None, {"fields": ["version"]})]

    def get_form(self, request, obj=None, change=False, **kwargs):
        """Return the form, which refuses a stale save.

        The form carries the version of the object (and of its inlines) it was read at; saving
        locks the object's row and refuses when someone saved it since (refuse_if_stale).
        """
        if not hasattr(self.model, "history"):
            return super().get_form(request, obj, change=change, **kwargs)
        admin_of = self
        base = kwargs.get("form", self.form)

        class VersionedAdminForm(VersionedForm, base):
            def versioned_with(self):
                return admin_of.versioned_with(self.instance) if self.instance.pk else ()

            def _post_clean(self):
                super()._post_clean()
                if self.instance.pk is None:
                    return
                # Locked until the admin's transaction ends: the check sees what the save does.
                list(type(self.instance)._default_manager.select_for_update()
                     .filter(pk=self.instance.pk).values_list("pk"))
                try:
                    refuse_if_stale(self.instance, self.posted_version(), self.versioned_with())
                except StaleError as error:
                    self.refresh_version(error.version)
                    self.add_error(None, error)

        VersionedAdminForm.__name__ = base.__name__
        kwargs["form"] = VersionedAdminForm
        return super().get_form(request, obj, change=change, **kwargs)


class ScopedAdmin(VersionedAdmin):
    """An admin that keeps to the organisations the user is granted, through the choke point.

    `organisation_paths` lead from the model to its organisation ("" for an organisation
    itself); an object belongs to the organisations any of them reaches. The user sees the
    objects of the organisations they may view, and adds, changes and deletes those of the
    ones they may change; Django's model permissions still say which models. Superusers and
    holders of the global permissions keep to nothing.

    Foreign keys and many-to-many fields offer only what the user may change, or, where
    `choices_reach_ancestors`, also what reaches them from above (a region's roles and staff
    work in its municipalities' units). Every form refuses to save an object outside the
    user's scope, and a bulk delete refuses any object the user may only view.
    """

    organisation_paths = ()
    # The history page lists how each change came: on a page, in the admin, by an import.
    history_list_display = ["history_change_reason"]
    # The view reaches the organisations above the granted ones: a municipality's
    # administrators read the region's roles that reach their units, but do not change them.
    view_reaches_ancestors = False
    # Other forms may point to this admin's objects of the organisations above the granted ones.
    choices_reach_ancestors = False

    def get_urls(self):
        """Return the admin's URLs; a model that keeps no history has no page of a version."""
        urls = super().get_urls()
        if hasattr(self.model._meta, "simple_history_manager_attribute"):
            return urls
        name = f"{self.model._meta.app_label}_{self.model._meta.model_name}_simple_history"
        return [url for url in urls if getattr(url, "name", None) != name]

    def history_view(self, request, object_id, extra_context=None):
        """Show the object's history: its versions, or the admin's log if it keeps none."""
        if hasattr(self.model._meta, "simple_history_manager_attribute"):
            return super().history_view(request, object_id, extra_context)
        return admin.ModelAdmin.history_view(self, request, object_id, extra_context)

    def scoped(self, request, queryset, action, *, ancestors=False):
        """Return `queryset` (of this admin's model) narrowed to the user's `action` scope."""
        if sees_everything(request.user, action):
            return queryset
        organisations = Organisation.objects.for_user(request.user, action)
        if ancestors:
            organisations = Organisation.objects.with_ancestors(organisations)
        condition = Q()
        for path in self.organisation_paths:
            condition |= Q(**{f"{path}__in" if path else "pk__in": organisations.values("pk")})
        return queryset.filter(condition)

    def get_queryset(self, request):
        """Return the objects of the organisations the user may view."""
        return self.scoped(request, super().get_queryset(request), "view",
                           ancestors=self.view_reaches_ancestors)

    def may_change(self, request, obj):
        """Return whether the user may change `obj` (None: objects of some organisation)."""
        if sees_everything(request.user, "change"):
            return True
        if obj is None:
            return may_anywhere(request.user, "change")
        return any(organisation_allows(request.user, pk, "change")
                   for pk in organisation_ids_of(obj, self.organisation_paths))

    def may_view(self, request, obj):
        """Return whether the user may see `obj` here (None: objects of some organisation)."""
        if obj is None or self.may_change(request, obj):
            return True
        return self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self.may_view(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.may_change(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.may_change(request, obj)

    def has_add_permission(self, request, *args):
        return super().has_add_permission(request, *args) and self.may_change(request, None)

    def delete_queryset(self, request, queryset):
        """Delete the chosen objects, refusing all of them if one is only the user's to view.

        The history of everything deleted, cascades included, is written in bulk.
        """
        if queryset.exclude(pk__in=self.scoped(request, queryset, "change").values("pk")).exists():
            raise PermissionDenied
        with deleting_in_bulk():
            self.delete_objects(queryset)

    def delete_model(self, request, obj):
        """Delete the object, writing the history of what goes with it in bulk."""
        with deleting_in_bulk():
            self.delete_object(obj)

    def delete_objects(self, queryset):
        """Delete the objects of `queryset`; an admin whose model has a delete service calls it."""
        queryset.delete()

    def delete_object(self, obj):
        """Delete `obj`; an admin whose model has a delete service calls it."""
        obj.delete()

    def choices_for(self, request, model):
        """Return the objects of `model` a form here may point to, or None to keep Django's."""
        related_admin = self.admin_site._registry.get(model)
        if not isinstance(related_admin, ScopedAdmin):
            return None
        return related_admin.scoped(request, model._default_manager.all(), "change",
                                    ancestors=related_admin.choices_reach_ancestors)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """Offer only the related objects the user may point to."""
        if "queryset" not in kwargs:
            choices = self.choices_for(request, db_field.remote_field.model)
            if choices is not None:
                kwargs["queryset"] = choices
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = KeyedAutocompleteSelect(db_field, self.admin_site,
                                                       using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        """Offer only the related objects the user may point to."""
        if "queryset" not in kwargs:
            choices = self.choices_for(request, db_field.remote_field.model)
            if choices is not None:
                kwargs["queryset"] = choices
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = KeyedAutocompleteSelectMultiple(db_field, self.admin_site,
                                                               using=kwargs.get("using"))
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        """Return the form (versioned: VersionedAdmin), which keeps to the user's scope."""
        return self._scoped_form(request, super().get_form(request, obj, change=change, **kwargs))

    def get_changelist_form(self, request, **kwargs):
        """Return the list's row form, which refuses rows the user may only view."""
        return self._scoped_form(request, super().get_changelist_form(request, **kwargs))

    def _scoped_form(self, request, form_class):
        admin_of = self

        class ScopedForm(form_class):
            def _post_clean(self):
                super()._post_clean()
                if not admin_of.may_change(request, self.instance):
                    self.add_error(None, _("You may save only what belongs to your own "
                                           "organisations."))

        ScopedForm.__name__ = form_class.__name__
        return ScopedForm


class ScopedSheetAdmin(ScopedAdmin, SheetAdmin):
    """A scoped admin with sheet import and export."""


class GuardedScopedAdmin(GuardedModelAdminMixin, ScopedSheetAdmin):
    """A scoped admin with guardian's object-permission screens, kept to the scope too.

    The screens open only for objects the user may change. A user who is not a superuser
    grants only the permissions they hold on the object themselves, to users who work in
    their organisations; groups are the superusers' to manage.
    """

    def obj_perms_manage_view(self, request, object_pk):
        """Show who holds which permissions on the object; an id that is no key is not found."""
        require_key(self.model, object_pk)
        return super().obj_perms_manage_view(request, object_pk)

    def obj_perms_manage_group_view(self, request, object_pk, group_id):
        """Refuse everyone but superusers: groups span organisations."""
        if not request.user.is_superuser:
            raise PermissionDenied
        require_key(self.model, object_pk)
        require_key(Group, group_id)
        return super().obj_perms_manage_group_view(request, object_pk, group_id)

    def get_obj_perms_manage_user_form(self, request):
        """Return the grant form, offering only the permissions the granter holds there."""
        granter = request.user

        class Form(UserObjectPermissionsForm):
            def get_obj_perms_field_choices(self):
                choices = super().get_obj_perms_field_choices()
                if granter.is_superuser:
                    return choices
                label = self.obj._meta.app_label
                return [(codename, name) for codename, name in choices
                        if granter.has_perm(f"{label}.{codename}", self.obj)]

        return Form

    def get_obj_perms_user_select_form(self, request):
        """Return the form that names the user to grant to: someone of the granter's scope."""
        form_class = super().get_obj_perms_user_select_form(request)
        granter = request.user

        class Form(form_class):
            def clean_user(self):
                user = super().clean_user()
                if granter.is_superuser:
                    return user
                people = Person.objects.filter(user=user, organisation__in=(
                    Organisation.objects.for_user(granter, "change")))
                if not people.exists():
                    raise forms.ValidationError(
                        _("Grant only to the staff of your own organisations."))
                return user

        return Form

    def obj_perms_manage_user_view(self, request, object_pk, user_id):
        """Manage one user's permissions on the object, if the granter may grant to them."""
        require_key(self.model, object_pk)
        require_key(User, user_id)
        if not request.user.is_superuser:
            people = Person.objects.filter(user_id=user_id, organisation__in=(
                Organisation.objects.for_user(request.user, "change")))
            if not people.exists():
                raise PermissionDenied
        return super().obj_perms_manage_user_view(request, object_pk, user_id)


def sector_codes(units_or_roles):
    """Return the sector names of a unit or role, from its prefetched sectors."""
    return ", ".join(str(sector) for sector in units_or_roles.sectors.all())


class MembershipInline(admin.TabularInline):
    """A network's member organisations, beside the parent tree.

    Any organisation may be a member: a network gathers towns of other regions, whose
    administrators the network's need not be, and the names of organisations are no secret.
    """

    model = Membership
    fk_name = "network"
    fields = ["member"]
    extra = 1
    verbose_name = _("member organisation")
    verbose_name_plural = _("member organisations (for a network)")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """Offer every organisation as a member."""
        if db_field.name == "member":
            kwargs["queryset"] = Organisation.objects.order_by("name")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Organisation)
class OrganisationAdmin(GuardedScopedAdmin):
    """Organisations, with object permissions that reach all their units.

    An administrator sees their organisations and the ones above them, and adds organisations
    below their own; moving an organisation under another parent is the superusers' to do.
    """

    resource_classes = [OrganisationResource]
    list_display = ["name", "slug", "kind", "parent"]
    list_filter = ["kind", "year_kind"]
    search_fields = ["name", "slug"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    prepopulated_fields = {"slug": ["name"]}
    organisation_paths = ("",)
    view_reaches_ancestors = True
    inlines = [MembershipInline]

    def versioned_with(self, obj):
        """Return the history of the organisation's members, edited inline with it."""
        return (Membership.history.filter(network_id=obj.pk),)

    def get_readonly_fields(self, request, obj=None):
        """Fix the parent for all but superusers once the organisation exists."""
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and not request.user.is_superuser:
            fields.append("parent")
        return fields


@admin.register(Sector)
class SectorAdmin(CappedSearchMixin, TranslationAdmin):
    """The five sectors: their names (Finnish and Swedish) and order can change, codes cannot.

    They are shared by every organisation, so only superusers change them.
    """

    list_display = ["name", "code", "order"]
    list_editable = ["order"]
    search_fields = ["name_fi", "name_sv", "code"]
    readonly_fields = ["code"]

    def has_add_permission(self, request):
        """Refuse: the five sectors are fixed by a migration."""
        return False  # the sectors are fixed by a migration

    def has_change_permission(self, request, obj=None):
        """Let superusers alone rename or reorder the sectors every organisation shares."""
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        """Refuse: units, roles and duties refer to the sectors."""
        return False


@admin.register(Unit)
class UnitAdmin(GuardedScopedAdmin):
    """Units, with object permissions for principals and device managers."""

    organisation_paths = ("organisation",)

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
class PersonAdmin(PersonDataProtectionAdmin, ScopedSheetAdmin):
    """Staff who can hold roles; pupils are never stored.

    An administrator sees the staff of their organisations and of those above them, who may hold
    roles at their units. Logins span organisations, so only superusers link them.
    """

    resource_classes = [PersonResource]
    list_display = ["name", "title", "email", "organisation", "user", "left_on"]
    list_filter = [("organisation", admin.RelatedOnlyFieldListFilter),
                   ("left_on", admin.EmptyFieldListFilter)]
    search_fields = ["name", "email", "title"]
    list_select_related = ["organisation", "user"]
    autocomplete_fields = ["organisation", "user"]
    organisation_paths = ("organisation",)
    view_reaches_ancestors = True
    choices_reach_ancestors = True

    def get_readonly_fields(self, request, obj=None):
        """Show the login to all but superusers, who alone link one."""
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields.append("user")
        return fields


class SuperuserOnly:
    """An admin of objects that span organisations: for superusers only."""

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


# Logins and groups belong to no organisation: an organisation's administrator must not read
# or change another organisation's people through them.
admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class VastuuUserAdmin(SuperuserOnly, CappedSearchMixin, UserAdmin):
    """Logins, for superusers only: they belong to no organisation."""


@admin.register(Group)
class VastuuGroupAdmin(SuperuserOnly, CappedSearchMixin, GroupAdmin):
    """Groups, for superusers only: their permissions reach every organisation."""
