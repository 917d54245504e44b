"""Admin forms for levels, roles and duties: texts in the organisation's languages, months as
checkboxes, duties within their role's sectors."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet, InlineForeignKeyField
from django.utils import translation
from django.utils.dates import MONTHS
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from roles.models import SCHOOL_YEAR_MONTHS, Duty, Level, Role
from units.models import Organisation
from units.translation import FINNISH, SWEDISH
from units.years import year_months

# August first: the annual clock follows the school year, unless the organisation's is a
# calendar year (month_choices()).
MONTH_CHOICES = [(month, MONTHS[month]) for month in SCHOOL_YEAR_MONTHS]


def month_choices(kind):
    """Return the months as choices in the order of a year of `kind` (units.years.YearKind)."""
    return [(month, MONTHS[month]) for month in year_months(kind)]


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


FINNISH_HELP = _("In Finnish. In a Swedish-speaking organisation it may be left empty: the Swedish "
                 "text is then copied here, and kept in step with it.")
SWEDISH_HELP = _("In Swedish: required in Swedish-speaking and bilingual organisations. Where it "
                 "is empty, Swedish pages show the Finnish text.")


class ContentLanguageForm(forms.ModelForm):
    """A form for texts in Finnish and Swedish that asks for the organisation's languages.

    A Finnish-speaking organisation writes Finnish, Swedish if it likes; a Swedish-speaking one
    writes Swedish, and its Finnish text is copied from the Swedish one when left empty, because
    the unique constraints rest on the Finnish column and English pages show it; a bilingual one
    writes both. An optional text (a recurrence, a title) is asked for in the same languages
    once it is given at all. A stored text is asked for again only when it is edited, so that
    an organisation turned bilingual can still reorder its duties before translating them.
    The fields are optional as fields: the organisation is known only once the form is cleaned.
    """

    # The translated fields of the form, each with whether a text is required.
    translated = {}

    def __init__(self, *args, **kwargs):
        """Make the language fields optional and tell in their help which languages are asked."""
        super().__init__(*args, **kwargs)
        for name in self.translated:
            for language, note in ((FINNISH, FINNISH_HELP), (SWEDISH, SWEDISH_HELP)):
                field = self.fields.get(f"{name}_{language}")
                if field is None:
                    continue
                field.required = False
                help_text = self._meta.model._meta.get_field(name).help_text
                field.help_text = format_lazy("{} {}", help_text, note) if help_text else note

    def organisation(self, cleaned_data):
        """Return the organisation the texts belong to, or None while it is not known."""
        raise NotImplementedError

    def clean(self):
        """Require the texts in the organisation's languages; fill in a Swedish one's Finnish."""
        cleaned_data = super().clean()
        organisation = self.organisation(cleaned_data)
        if organisation is None:
            return cleaned_data  # the field that names it has an error of its own
        changed = set(self.changed_data)
        for name, required in self.translated.items():
            finnish, swedish = f"{name}_{FINNISH}", f"{name}_{SWEDISH}"
            if finnish not in self.fields or swedish not in self.fields:
                continue
            if self.instance.pk is not None and not {finnish, swedish} & changed:
                continue
            self._check_languages(cleaned_data, organisation, finnish, swedish, required)
        return cleaned_data

    def _check_languages(self, cleaned_data, organisation, finnish, swedish, required):
        """Check one text's Finnish and Swedish fields against the organisation's language."""
        in_finnish, in_swedish = cleaned_data.get(finnish), cleaned_data.get(swedish)
        wanted = required or in_finnish or in_swedish
        names = {"organisation": organisation}
        if organisation.language == Organisation.Language.SWEDISH:
            if wanted and not in_swedish:
                self.add_error(swedish, _("Write this in Swedish: %(organisation)s is a "
                                          "Swedish-speaking organisation.") % names)
            elif not in_finnish or self._copied(finnish, swedish):
                cleaned_data[finnish] = in_swedish
        elif organisation.language == Organisation.Language.BILINGUAL:
            message = _("Write this in Finnish and in Swedish: %(organisation)s is bilingual.")
            for field_name, value in ((finnish, in_finnish), (swedish, in_swedish)):
                if wanted and not value:
                    self.add_error(field_name, message % names)
        elif wanted and not in_finnish:
            self.add_error(finnish, _("Write this in Finnish: %(organisation)s is a "
                                      "Finnish-speaking organisation.") % names)

    def _copied(self, finnish, swedish):
        """Return whether the Finnish text is an untouched copy of the stored Swedish one."""
        stored = self.initial.get(finnish)
        return (stored is not None and stored == self.initial.get(swedish)
                and finnish not in self.changed_data)

    def _post_clean(self):
        """Validate the model in Finnish, the language of the columns its constraints rest on.

        modeltranslation reads and writes `name` and `text` in the active language: in Swedish,
        Duty.clean() would copy a Finnish text into the Swedish column as it strips it.
        """
        with translation.override(FINNISH):
            super()._post_clean()

    def _update_errors(self, errors):
        """Show the model's errors about a translated text on its Finnish field.

        Duty.clean() names `text`, which the form has as `text_fi` and `text_sv`; a field the
        form has already found wanting keeps the form's message alone.
        """
        if hasattr(errors, "error_dict"):
            renamed = {}
            for name, messages in errors.error_dict.items():
                finnish = f"{name}_{FINNISH}"
                if name in self.translated and finnish in self.fields:
                    if finnish in self._errors:
                        continue
                    name = finnish
                renamed.setdefault(name, []).extend(messages)
            errors = ValidationError(renamed)
        super()._update_errors(errors)


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


class LevelForm(ContentLanguageForm):
    """A level of an organisation's matrix, named in the organisation's languages."""

    translated = {"name": True}

    class Meta:
        model = Level
        fields = ["organisation", "name_fi", "name_sv", "order"]

    def organisation(self, cleaned_data):
        """Return the organisation chosen in the form."""
        return cleaned_data.get("organisation")


class DutyForm(ContentLanguageForm):
    """A duty with its months as checkboxes and its sectors within its role's."""

    months = MonthsField()
    translated = {"text": True, "recurrence": False}

    class Meta:
        model = Duty
        fields = ["role", "order", "text_fi", "text_sv", "sectors", "collaborating_roles",
                  "recurrence_fi", "recurrence_sv", "months", "development_area"]
        widgets = {
            "text_fi": forms.Textarea(attrs={"rows": 2, "cols": 60}),
            "text_sv": forms.Textarea(attrs={"rows": 2, "cols": 60}),
            "sectors": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        """Offer the months in the order of the role's organisation's year, once it is known."""
        super().__init__(*args, **kwargs)
        months = self.fields.get("months")
        role = self.instance.role if self.instance.role_id else None
        asked = str(getattr(self.initial.get("role"), "pk", self.initial.get("role")) or "")
        if role is None and asked.isdigit():
            role = Role.objects.select_related("level__organisation").filter(pk=asked).first()
        if months is not None and role is not None:
            months.choices = month_choices(role.level.organisation.year_kind)

    def organisation(self, cleaned_data):
        """Return the organisation of the duty's role (in the inline, the role being edited)."""
        role = cleaned_data.get("role")
        return role.level.organisation if role is not None and role.level_id else None

    def clean(self):
        """Check the texts' languages and that the duty's sectors lie within its role's."""
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
        fields = ["order", "text_fi", "text_sv", "sectors", "recurrence_fi", "recurrence_sv"]


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


class RoleForm(ContentLanguageForm):
    """A role; it hands its chosen sectors to the duty inline, which is validated after it."""

    translated = {"name": True, "responsible_title": False, "supporting_titles": False,
                  "description": False, "joining": False}

    class Meta:
        model = Role
        fields = ["level", "name_fi", "name_sv", "slug", "scope", "order", "sectors",
                  "responsible_title_fi", "responsible_title_sv", "supporting_roles",
                  "supporting_titles_fi", "supporting_titles_sv", "named_holders",
                  "is_group", "description_fi", "description_sv", "joining_fi", "joining_sv",
                  "min_holders", "max_holders", "unit_permissions"]

    def organisation(self, cleaned_data):
        """Return the organisation of the chosen level."""
        level = cleaned_data.get("level")
        return level.organisation if level is not None else None

    def clean(self):
        """Check the texts' languages and hand the chosen sectors to the duty inline."""
        cleaned_data = super().clean()
        # The sectors are saved only after the inline is validated, so the inline would check
        # the old ones; the admin validates this form first and hands the new ones over here.
        self.instance.sectors_in_form = list(cleaned_data.get("sectors") or [])
        return cleaned_data
