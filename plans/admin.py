"""Admin for action plans, their goals and actions, and the plan sheet's import and export."""

from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.db.models import Count, Q
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from plans.inlines import FundingInline, MeetingInline
from plans.models import Action, ActionPlan, Funding, Goal, Meeting
from plans.resources import PlanResource
from roles.admin import role_label
from roles.models import Role
from units.admin import ScopedSheetAdmin
from units.admin_input import KeyedAutocompleteSelect
from units.models import Organisation

# A plan import may create plans and goals as well as actions.
PLAN_IMPORT_PERMISSIONS = ("plans.add_actionplan", "plans.add_goal", "plans.add_action")
# Where the admin views leave the organisation whose roles an action may name, for the role field.
ORGANISATION_ATTRIBUTE = "plans_role_organisation"


def progress(done, total):
    """Return "done / total" for a changelist column."""
    return f"{done} / {total}"


def with_counts(queryset, actions="actions"):
    """Return `queryset` with the number of its actions, and of those done, annotated."""
    return queryset.annotate(
        action_count=Count(actions, distinct=True),
        done_count=Count(actions, filter=Q(**{f"{actions}__status": Action.Status.DONE}),
                         distinct=True),
    )


class RoleAutocompleteView(AutocompleteJsonView):
    """The roles an action may name: those of one organisation and of its ancestors."""

    def get_queryset(self):
        """Return the matching roles, narrowed to the organisation the widget asks for."""
        roles = super().get_queryset().select_related("level__organisation")
        asked = self.request.GET.get("organisation", "")
        organisation = (Organisation.objects.select_related("parent__parent")
                        .filter(pk=asked).first() if asked.isdigit() else None)
        return roles.reaching(organisation) if organisation else roles

    def serialize_result(self, obj, to_field_name):
        """Return a role as the widget lists it: its name and organisation."""
        return {"id": str(getattr(obj, to_field_name)), "text": role_label(obj)}


class RoleSelect(KeyedAutocompleteSelect):
    """An autocomplete of roles that offers only those reaching the plan's organisation."""

    def __init__(self, field, admin_site, organisation=None, **kwargs):
        """Ask the role search for the roles reaching `organisation` (all if None)."""
        super().__init__(field, admin_site, **kwargs)
        self.organisation = organisation

    def get_url(self):
        """Return the URL of the narrowed role search."""
        url = reverse(f"{self.admin_site.name}:plans_action_role_autocomplete")
        return f"{url}?{urlencode({'organisation': self.organisation.pk})}" if (
            self.organisation) else url


class RoleFieldMixin:
    """Offer an action's responsible role through the narrowed autocomplete.

    The organisation comes from the object being edited, which the admin views leave on the
    request: formfield_for_foreignkey() is not told which object its form is for.
    """

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """Return the form field of `db_field`; roles reach the plan's organisation only."""
        if db_field.name == "responsible_role":
            organisation = getattr(request, ORGANISATION_ATTRIBUTE, None)
            # The roles the user may name at all: their organisations' and those above them.
            roles = self.admin_site._registry[Role].choices_for(request, Role).select_related(
                "level__organisation")
            kwargs["queryset"] = roles.reaching(organisation) if organisation else roles
            kwargs["widget"] = RoleSelect(db_field, self.admin_site, organisation=organisation)
            field = super().formfield_for_foreignkey(db_field, request, **kwargs)
            field.label_from_instance = role_label
            return field
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def remember_organisation(request, plan):
    """Leave the organisation of `plan` (if any) on `request`, for the role field."""
    organisation = plan.organisation if plan is not None else None
    setattr(request, ORGANISATION_ATTRIBUTE, organisation)


class PlanSheetAdmin(ScopedSheetAdmin):
    """Import and export of the plan sheet, whichever of plans, goals and actions is listed."""

    resource_classes = [PlanResource]

    def has_import_permission(self, request):
        """Return whether the user may add plans, goals and actions, as an import may."""
        return request.user.has_perms(PLAN_IMPORT_PERMISSIONS)


class GoalInline(admin.TabularInline):
    """A plan's goals in order; each links to its own page, where its actions are."""

    model = Goal
    fields = ["order", "text", "development_area", "target", "progress"]
    readonly_fields = ["progress"]
    ordering = ["order", "pk"]
    extra = 1
    show_change_link = True

    def get_queryset(self, request):
        """Return the goals with their actions counted."""
        return with_counts(super().get_queryset(request))

    @admin.display(description=_("done / actions"))
    def progress(self, goal):
        """Return how many of the goal's actions are done, of all."""
        if goal.pk is None:
            return ""
        return progress(goal.done_count, goal.action_count)


@admin.register(ActionPlan)
class ActionPlanAdmin(PlanSheetAdmin):
    """Action plans with their goals inline; the export writes the listed plans as one sheet."""

    inlines = [GoalInline, FundingInline, MeetingInline]
    list_display = ["__str__", "organisation", "years", "goal_count", "progress"]
    list_filter = [("organisation", admin.RelatedOnlyFieldListFilter), "year", "year_kind",
                   ("goals__actions__status", admin.ChoicesFieldListFilter)]
    search_fields = ["title", "organisation__name", "organisation__slug", "goals__text"]
    list_select_related = ["organisation"]
    autocomplete_fields = ["organisation"]
    fields = ["organisation", "year", "end_year", "year_kind", "title", "notes"]
    organisation_paths = ("organisation",)

    def versioned_with(self, obj):
        """Return the history of the plan's goals, funding and meetings, edited inline with it."""
        return (Goal.history.filter(plan_id=obj.pk), Funding.history.filter(plan_id=obj.pk),
                Meeting.history.filter(plan_id=obj.pk))

    @admin.display(description=_("year"), ordering="year")
    def years(self, plan):
        """Return the plan's year or period: "2025", "2024–2026"."""
        return plan.years

    def get_queryset(self, request):
        """Return the plans with their goals and actions counted for the changelist."""
        return with_counts(super().get_queryset(request), "goals__actions").annotate(
            goal_count=Count("goals", distinct=True))

    @admin.display(description=_("goals"), ordering="goal_count")
    def goal_count(self, plan):
        """Return the number of the plan's goals."""
        return plan.goal_count

    @admin.display(description=_("done / actions"))
    def progress(self, plan):
        """Return how many of the plan's actions are done, of all."""
        return progress(plan.done_count, plan.action_count)


class ActionInline(RoleFieldMixin, admin.TabularInline):
    """A goal's actions in order: who is responsible, the result or target level, the status."""

    model = Action
    fields = ["order", "text", "responsible_role", "target", "status"]
    ordering = ["order", "pk"]
    extra = 1

    def get_queryset(self, request):
        """Return the actions with their roles' names and organisations."""
        return super().get_queryset(request).select_related("responsible_role__level__organisation")

    def get_formset(self, request, obj=None, **kwargs):
        """Return the formset for the actions of goal `obj`, roles narrowed to its plan's."""
        remember_organisation(request, obj.plan if obj is not None else None)
        return super().get_formset(request, obj, **kwargs)


@admin.register(Goal)
class GoalAdmin(PlanSheetAdmin):
    """Goals with their actions inline; the export writes the listed goals' actions."""

    inlines = [ActionInline]
    fields = ["plan", "order", "text", "development_area", "target"]
    list_display = ["__str__", "plan", "development_area", "order", "progress"]
    list_filter = [("plan__organisation", admin.RelatedOnlyFieldListFilter), "plan__year",
                   "development_area", "actions__status"]
    search_fields = ["text", "plan__title", "plan__organisation__name"]
    list_select_related = ["plan__organisation"]
    autocomplete_fields = ["plan"]
    ordering = ["plan__organisation__name", "-plan__year", "order", "pk"]
    organisation_paths = ("plan__organisation",)

    def versioned_with(self, obj):
        """Return the history of the goal's actions, edited inline with it."""
        return (Action.history.filter(goal_id=obj.pk),)

    def get_queryset(self, request):
        """Return the goals with their actions counted for the changelist."""
        return with_counts(super().get_queryset(request).select_related("plan__organisation"))

    @admin.display(description=_("done / actions"))
    def progress(self, goal):
        """Return how many of the goal's actions are done, of all."""
        return progress(goal.done_count, goal.action_count)


@admin.register(Action)
class ActionAdmin(RoleFieldMixin, PlanSheetAdmin):
    """Actions across plans, to follow them by status; their statuses can be changed in the list."""

    list_display = ["__str__", "goal", "organisation", "year", "responsible_role", "status",
                    "order"]
    list_editable = ["status"]
    list_filter = [("goal__plan__organisation", admin.RelatedOnlyFieldListFilter),
                   "goal__plan__year", "status", "goal__development_area"]
    search_fields = ["text", "target", "goal__text", "responsible_role__name"]
    list_select_related = ["goal__plan__organisation", "responsible_role"]
    autocomplete_fields = ["goal"]
    ordering = ["goal__plan__organisation__name", "-goal__plan__year", "goal__order",
                "goal__pk", "order", "pk"]
    organisation_paths = ("goal__plan__organisation",)

    def get_form(self, request, obj=None, change=False, **kwargs):
        """Return the form of action `obj`, its roles narrowed to those reaching its plan."""
        remember_organisation(request, obj.goal.plan if obj is not None else None)
        return super().get_form(request, obj, change=change, **kwargs)

    def get_urls(self):
        """Return the admin's URLs, with the narrowed role search the role fields use."""
        role_search = self.admin_site.admin_view(
            RoleAutocompleteView.as_view(admin_site=self.admin_site))
        return [path("role-autocomplete/", role_search, name="plans_action_role_autocomplete"),
                *super().get_urls()]

    @admin.display(description=_("organisation"), ordering="goal__plan__organisation__name")
    def organisation(self, action):
        """Return the organisation whose plan the action belongs to."""
        return action.goal.plan.organisation

    @admin.display(description=_("year"), ordering="goal__plan__year")
    def year(self, action):
        """Return the year of the action's plan."""
        return action.goal.plan.year
