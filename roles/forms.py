"""Admin forms for roles and duties: months as checkboxes, duties within their role's sectors."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet, InlineForeignKeyField
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from roles.models import SCHOOL_YEAR_MONTHS, Duty, Role

# August first: the annual clock follows the school year.
MONTH_CHOICES = [(month, MONTHS[month]) for month in SCHOOL_YEAR_MONTHS]


def validate_duty_sectors(role_sectors, duty_sectors):
    """Raise ValidationError if `duty_sectors` reach outside `role_sectors` (empty: all sectors)."""
    role_sectors = set(role_sectors)
    outside = [sector for sector in duty_sectors if role_sectors and sector not in role_sectors]
    if outside:
        raise ValidationError(
            _("The role does not work in %(outside)s. A duty can only apply in its role's "
              "sectors: %(sectors)s.")
            % {"outside": ", ".join(str(sector) for sector in outside),
               "sectors": ", ".join(str(sector) for sector in sorted(role_sectors,
                                                                      key=lambda s: s.order))},
            code="sector_outside_role",
        )


class MonthsField(forms.TypedMultipleChoiceField):
    """The months of the school year as twelve checkboxes, August first."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        """Offer the twelve months, none required."""
        kwargs.setdefault("label", _("months"))
        kwargs.setdefault("help_text", Duty._meta.get_field("months").help_text)
        super().__init__(choices=MONTH_CHOICES, coerce=int, required=False, **kwargs)

    def prepare_value(self, value):
        """Return the stored month numbers as the checkboxes' values."""
        return [str(month) for month in value or []]


class DutyForm(forms.ModelForm):
    """A duty with its months as checkboxes and its sectors within its role's."""

    months = MonthsField()

    class Meta:
        model = Duty
        fields = ["role", "order", "text", "sectors", "collaborating_roles", "recurrence",
                  "months", "development_area"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 2, "cols": 60}),
            "sectors": forms.CheckboxSelectMultiple,
        }

    def clean(self):
        """Check that the duty's sectors lie within its role's."""
        cleaned_data = super().clean()
        role = cleaned_data.get("role")
        sectors = cleaned_data.get("sectors")
        # In the role's inline the formset checks instead, against the sectors in the role form.
        in_inline = isinstance(self.fields.get("role"), InlineForeignKeyField)
        if not in_inline and role is not None and sectors is not None:
            try:
                validate_duty_sectors(role.sectors.all(), sectors)
            except ValidationError as error:
                self.add_error("sectors", error)
        return cleaned_data


class DutyInlineForm(DutyForm):
    """A duty as one compact row of its role's page; months and partners are edited on its own."""

    months = None  # not in this form at all, so saving the row leaves the months as they are

    class Meta(DutyForm.Meta):
        fields = ["order", "text", "sectors", "recurrence"]


class DutyInlineFormSet(BaseInlineFormSet):
    """The duties of a role, checked against the sectors the role form is about to save."""

    def clean(self):
        """Check every duty's sectors against the role's, as the role form is saving them."""
        super().clean()
        role = self.instance
        role_sectors = getattr(role, "sectors_in_form", None)
        if role_sectors is None:
            role_sectors = list(role.sectors.all()) if role.pk else []
        for form in self.forms:
            cleaned_data = getattr(form, "cleaned_data", None)
            if not cleaned_data or cleaned_data.get("DELETE"):
                continue
            try:
                validate_duty_sectors(role_sectors, cleaned_data.get("sectors") or [])
            except ValidationError as error:
                form.add_error("sectors", error)


class RoleForm(forms.ModelForm):
    """A role; it hands its chosen sectors to the duty inline, which is validated after it."""

    class Meta:
        model = Role
        fields = ["level", "name", "slug", "scope", "order", "sectors", "responsible_title",
                  "supporting_roles", "supporting_titles", "named_holders", "unit_permissions"]

    def clean(self):
        """Hand the chosen sectors to the duty inline."""
        cleaned_data = super().clean()
        # The sectors are saved only after the inline is validated, so the inline would check
        # the old ones; the admin validates this form first and hands the new ones over here.
        self.instance.sectors_in_form = list(cleaned_data.get("sectors") or [])
        return cleaned_data
