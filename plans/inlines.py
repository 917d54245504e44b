"""The funding and meetings of a plan or a group, as inlines of the plan and role admins.

Kept apart from plans.admin so that the role admin can list the group inlines without importing
the plan admin (which imports the role admin).
"""

from django import forms
from django.contrib import admin

from plans.models import Funding, Meeting
from roles.forms import MonthsField, month_choices
from units.years import YearKind


class MeetingForm(forms.ModelForm):
    """A meeting with its months as checkboxes, in the order of its year."""

    months = MonthsField()
    link = forms.URLField(label=Meeting._meta.get_field("link").verbose_name, required=False,
                          max_length=500, assume_scheme="https")

    class Meta:
        model = Meeting
        fields = ["order", "name", "per_year", "mode", "place", "link", "months"]
        widgets = {"name": forms.TextInput(attrs={"size": 24}),
                   "place": forms.TextInput(attrs={"size": 20}),
                   "per_year": forms.NumberInput(attrs={"min": 1, "style": "width: 4em"}),
                   "order": forms.NumberInput(attrs={"style": "width: 4em"})}


def meeting_form(kind):
    """Return a MeetingForm whose months run in the order of a year of `kind`."""

    class OrderedMeetingForm(MeetingForm):
        """A meeting whose months run in the order of its plan's or group's year."""

        def __init__(self, *args, **kwargs):
            """Offer the months August or January first, as the year runs."""
            super().__init__(*args, **kwargs)
            self.fields["months"].choices = month_choices(kind)

    return OrderedMeetingForm


class FundingInline(admin.TabularInline):
    """The funding of a plan: funder, grant, amount, period and what it covers."""

    model = Funding
    fk_name = "plan"
    fields = ["order", "funder", "grant", "amount", "starts", "ends", "covers"]
    ordering = ["order", "pk"]
    extra = 0
    formfield_overrides = {Funding._meta.get_field("covers").__class__: {
        "widget": forms.Textarea(attrs={"rows": 2, "cols": 30})}}


class MeetingInline(admin.TabularInline):
    """The meetings of a plan: how often, how, where and, when known, in which months."""

    model = Meeting
    fk_name = "plan"
    form = MeetingForm
    ordering = ["order", "pk"]
    extra = 0

    def year_kind(self, obj):
        """Return the kind of year of the plan or group `obj` (the school year for a new one)."""
        if obj is None:
            return YearKind.SCHOOL
        return obj.kind

    def get_formset(self, request, obj=None, **kwargs):
        """Return the formset of `obj`'s meetings, their months in the order of its year."""
        kwargs["form"] = meeting_form(self.year_kind(obj))
        return super().get_formset(request, obj, **kwargs)


class GroupOnly:
    """Show an inline on the page of a group role only (and of a new role, which may be one)."""

    def _is_group(self, obj):
        """Return whether `obj` (a role, or None for a new one) may record funding and meetings."""
        return obj is None or obj.is_group

    def has_view_permission(self, request, obj=None):
        """Return whether the user may see the rows, on a group's page."""
        return self._is_group(obj) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        """Return whether the user may add rows, on a group's page."""
        return self._is_group(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        """Return whether the user may change rows, on a group's page."""
        return self._is_group(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        """Return whether the user may delete rows, on a group's page."""
        return self._is_group(obj) and super().has_delete_permission(request, obj)


class GroupFundingInline(GroupOnly, FundingInline):
    """The funding of a working group or network, on its role's page."""

    fk_name = "role"


class GroupMeetingInline(GroupOnly, MeetingInline):
    """The meetings of a working group or network, on its role's page."""

    fk_name = "role"

    def year_kind(self, obj):
        """Return the kind of year of the group's organisation (the school year for a new role)."""
        return obj.year_kind if obj is not None else YearKind.SCHOOL


# What the role admin lists after its duties.
GROUP_INLINES = [GroupFundingInline, GroupMeetingInline]
