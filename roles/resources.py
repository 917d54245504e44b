"""The matrix as one sheet: a row per duty, with its level and role written out on every row.

An import creates or updates levels (by organisation and name), roles (by organisation and slug)
and duties (by role and text). Roles and duties take their order from the order of the rows.
A role is referred to by its slug, or by "organisation/slug" for a role of another organisation.

The texts are in Finnish, each with a column for its Swedish text beside it ("level in Swedish").
A sheet without a Swedish column leaves the stored Swedish texts as they are; an empty Swedish
cell clears one. A Swedish-speaking organisation may leave the Finnish cells empty: the Swedish
texts are stored as its Finnish ones too, as the admin does.
"""

from django.core.exceptions import ValidationError
from django.db.models import Max, Prefetch, Q
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from import_export import widgets
from import_export.fields import Field

from roles.forms import validate_duty_sectors
from roles.models import Duty, Level, Role, title_lines
from units.models import Organisation
from units.resources import (
    VastuuResource,
    YesNoWidget,
    choice_label,
    sector_widget,
    split_cell,
    text_field,
)
from units.translation import FINNISH

# The columns that describe the role rather than the duty; every row of a role must agree on them.
ROLE_COLUMNS = ("level", "role_name", "scope", "role_sectors", "responsible_title",
                "supporting_roles", "supporting_titles", "role_name_sv", "responsible_title_sv",
                "supporting_titles_sv", "is_group", "description", "description_sv", "joining",
                "joining_sv", "min_holders", "max_holders")
# A group's columns, with the role's attribute each sets; a sheet without one leaves it as is.
GROUP_COLUMNS = {"is_group": "is_group", "description": "description_fi",
                 "description_sv": "description_sv", "joining": "joining_fi",
                 "joining_sv": "joining_sv", "min_holders": "min_holders",
                 "max_holders": "max_holders"}
# The columns of a duty: one of them filled in on a row with no duty text is a mistake.
DUTY_COLUMNS = ("text_sv", "sectors", "recurrence", "recurrence_sv", "months",
                "collaborating_roles", "development_area")
# Each Finnish column with its Swedish one.
SWEDISH_COLUMNS = {"level": "level_sv", "role_name": "role_name_sv",
                   "responsible_title": "responsible_title_sv",
                   "supporting_titles": "supporting_titles_sv", "text": "text_sv",
                   "recurrence": "recurrence_sv", "description": "description_sv",
                   "joining": "joining_sv"}
# The model fields a level, role or duty has in Finnish and Swedish; their untranslated columns
# are left out of validation, which checks the _fi and _sv ones (roles.translation).
TRANSLATED = {Level: ("name",), Role: ("name", "responsible_title", "supporting_titles",
                                       "description", "joining"),
              Duty: ("text", "recurrence")}


def same_text(first, second):
    """Return whether two stored texts say the same; no text (None) and an empty one do."""
    return (first or "") == (second or "")


class OptionalTextWidget(widgets.CharWidget):
    """Read an empty cell as no text at all (None): an empty Swedish text is stored as NULL."""

    def clean(self, value, row=None, **kwargs):
        """Return the text of the cell, or None if it is empty."""
        text = super().clean(value, row, **kwargs)
        return text.strip() or None


def optional_text_field(attribute, column_name):
    """Return a field for a text column whose empty cell means no text."""
    return Field(attribute, column_name, widget=OptionalTextWidget())


class MonthsWidget(widgets.Widget):
    """Read and write the months of a duty as month numbers: "9, 11, 2"."""

    def clean(self, value, row=None, **kwargs):
        """Return the month numbers in `value`, without repeats."""
        months = []
        for part in split_cell(value):
            month = int(part) if part.isdigit() else None
            if month is None or not 1 <= month <= 12:
                raise ValueError(
                    _("Unknown month %(value)s: months are numbers from 1 to 12.") % {"value": part}
                )
            if month not in months:
                months.append(month)
        return months

    def render(self, value, obj=None, **kwargs):
        """Return the month numbers as "9, 11, 2"."""
        return ", ".join(str(month) for month in value or [])


def references(roles, of_role):
    """Return how a row of `of_role` writes `roles`: slugs, "organisation/slug" if foreign."""
    organisation_id = of_role.level.organisation_id
    return ", ".join(role.slug if role.level.organisation_id == organisation_id
                     else f"{role.level.organisation.slug}/{role.slug}" for role in roles)


class MatrixResource(VastuuResource):
    """A whole matrix as one sheet: organisation, level, role and duty on every row.

    A row with no duty text describes a role that has no duties yet.
    """

    # The role's columns are read by before_import_row(), not set on the duty: no attribute.
    organisation = Field(column_name=_("organisation"),
                         dehydrate_method=lambda duty: duty.role.level.organisation.slug)
    level = Field(column_name=_("level"), dehydrate_method=lambda duty: duty.role.level.name_fi)
    level_sv = Field(column_name=_("level in Swedish"),
                     dehydrate_method=lambda duty: duty.role.level.name_sv or "")
    level_order = Field(column_name=_("level order"),
                        dehydrate_method=lambda duty: duty.role.level.order)
    role_name = Field(column_name=_("role"), dehydrate_method=lambda duty: duty.role.name_fi)
    role_name_sv = Field(column_name=_("role in Swedish"),
                         dehydrate_method=lambda duty: duty.role.name_sv or "")
    role = Field(column_name=_("role slug"), dehydrate_method=lambda duty: duty.role.slug)
    scope = Field(column_name=_("scope"), dehydrate_method=lambda duty: duty.role.scope)
    role_sectors = Field(column_name=_("role sectors"), dehydrate_method=lambda duty: ", ".join(
        sector.code for sector in duty.role.sectors.all()))
    responsible_title = Field(column_name=_("responsible title"),
                              dehydrate_method=lambda duty: duty.role.responsible_title_fi or "")
    responsible_title_sv = Field(
        column_name=_("responsible title in Swedish"),
        dehydrate_method=lambda duty: duty.role.responsible_title_sv or "")
    supporting_roles = Field(column_name=_("supporting roles"),
                             dehydrate_method=lambda duty: references(
                                 duty.role.supporting_roles.all(), duty.role))
    supporting_titles = Field(column_name=_("supporting titles"),
                              dehydrate_method=lambda duty: "\n".join(
                                  title_lines(duty.role.supporting_titles_fi)))
    supporting_titles_sv = Field(column_name=_("supporting titles in Swedish"),
                                 dehydrate_method=lambda duty: "\n".join(
                                     title_lines(duty.role.supporting_titles_sv)))
    is_group = Field(column_name=_("group or network"),
                     dehydrate_method=lambda duty: YesNoWidget().render(duty.role.is_group))
    description = Field(column_name=_("purpose"),
                        dehydrate_method=lambda duty: duty.role.description_fi or "")
    description_sv = Field(column_name=_("purpose in Swedish"),
                           dehydrate_method=lambda duty: duty.role.description_sv or "")
    joining = Field(column_name=_("who may join"),
                    dehydrate_method=lambda duty: duty.role.joining_fi or "")
    joining_sv = Field(column_name=_("who may join in Swedish"),
                       dehydrate_method=lambda duty: duty.role.joining_sv or "")
    min_holders = Field(column_name=_("holders at least"), dehydrate_method=lambda duty: (
        "" if duty.role.min_holders is None else duty.role.min_holders))
    max_holders = Field(column_name=_("holders at most"), dehydrate_method=lambda duty: (
        "" if duty.role.max_holders is None else duty.role.max_holders))
    text = text_field("text_fi", _("duty"))
    text_sv = optional_text_field("text_sv", _("duty in Swedish"))
    sectors = Field("sectors", _("duty sectors"), widget=sector_widget())
    recurrence = optional_text_field("recurrence_fi", _("recurrence"))
    recurrence_sv = optional_text_field("recurrence_sv", _("recurrence in Swedish"))
    months = Field("months", _("months"), widget=MonthsWidget())
    collaborating_roles = Field(column_name=_("together with"), dehydrate_method=lambda duty: (
        references(duty.collaborating_roles.all(), duty.role) if duty.pk else ""))
    development_area = text_field("development_area", _("development area"))

    # A matrix is read by people: its choices are written as words.
    labels_in_export = True
    choice_columns = {"scope": Role.Scope.choices}

    class Meta(VastuuResource.Meta):
        model = Duty
        fields = ("organisation", "level", "level_sv", "level_order", "role_name",
                  "role_name_sv", "role", "scope", "role_sectors", "responsible_title",
                  "responsible_title_sv", "supporting_roles", "supporting_titles",
                  "supporting_titles_sv", "is_group", "description", "description_sv",
                  "joining", "joining_sv", "min_holders", "max_holders", "text", "text_sv",
                  "sectors", "recurrence",
                  "recurrence_sv", "months", "collaborating_roles", "development_area")
        import_id_fields = ("role", "text")

    @classmethod
    def get_display_name(cls):
        """Return the name the admin's import and export forms show for this resource."""
        return _("Matrix (one row per duty)")

    def examples(self):
        """Return a role of one of the user's organisations with two duties."""
        organisation = self.example_organisation()
        role = str(_("Example role"))
        row = {"organisation": organisation.slug if organisation else "",
               "level": str(_("Example level")), "role_name": role, "role": slugify(role),
               "scope": choice_label(Role.Scope.choices, Role.Scope.ORGANISATION),
               "responsible_title": str(_("ICT coordinator"))}
        return [
            {**row, "text": str(_("We keep the ICT plan up to date.")),
             "recurrence": str(_("once a school year")), "months": "8",
             "development_area": choice_label(Duty.Area.choices, Duty.Area.SERVICES)},
            {**row, "text": str(_("We train the staff in the new tools.")), "months": "9, 1",
             "development_area": choice_label(Duty.Area.choices, Duty.Area.COMPETENCE)},
        ]

    # Export

    def export(self, queryset=None, **kwargs):
        """Export the duties in `queryset` (or the duties of the roles in it) in matrix order."""
        return super().export(queryset=matrix_rows(queryset), **kwargs)

    # Import

    def swedish_cell(self, row, field_name):
        """Return the Swedish text of `row` for `field_name`: None if empty or not in the sheet."""
        return self.cell(row, SWEDISH_COLUMNS[field_name]) or None

    def has_column(self, row, field_name):
        """Return whether the sheet has the column of `field_name`."""
        return self.column(field_name) in row

    def before_import(self, dataset, **kwargs):
        """Start the bookkeeping of one import, and note every role the sheet describes."""
        super().before_import(dataset, **kwargs)
        self.lineages = {}  # organisation pk → [organisation, *its ancestors]
        self.levels = {}  # (organisation pk, name) → (level, order given, line)
        self.roles = {}  # (organisation pk, slug) → (role, role columns, line)
        self.role_sectors = {}  # role pk → sectors
        self.role_orders = {}  # level pk → order of the last role placed in it
        # role pk → (highest order of its duties, order of the last duty the file placed)
        self.duty_orders = {}
        self.duty_lines = {}  # (role pk, text) → line
        self.links = []  # (object, relation, references, organisation), set once all rows exist
        self.found = {}  # (organisation pk, reference) → Role
        # A reference may name a role described further down the sheet; it is linked at the end.
        self.declared = set()
        for values in dataset.dict:
            organisation = self.cell(values, "organisation")
            self.declared.add((organisation, self.cell(values, "role")))
            self.declared.add((organisation, self.cell(values, "role_name").casefold()))
            self.declared.add((organisation, self.cell(values, "role_name_sv").casefold()))

    def before_import_row(self, row, **kwargs):
        """Create or update the level and the role that `row` describes."""
        line = kwargs["row_number"] + 1
        self.row_changed = False
        self.row_organisation = self._organisation(row)
        if self.row_organisation.language == Organisation.Language.SWEDISH:
            self._finnish_from_swedish(row)
        level = self._level(row, self.row_organisation, line)
        self.row_role = self._role(row, level, self.row_organisation, line)

    def get_instance(self, instance_loader, row):
        """Return the duty of the row's role with the row's text, if there is one."""
        text = self.cell(row, "text")
        return Duty.objects.filter(role=self.row_role, text_fi=text).first() if text else None

    def init_instance(self, row=None):
        """Return a new duty of the row's role."""
        return Duty(role=self.row_role)

    def import_instance(self, instance, row, **kwargs):
        """Set the duty from `row`, checking its sectors, collaborators, place and order."""
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        self.row_references = split_cell(row.get(self.column("collaborating_roles")))
        if not instance.text_fi:
            if any(self.cell(row, name) for name in DUTY_COLUMNS):
                errors["text"] = [_("This field is required.")]
            if errors:
                raise ValidationError(errors)
            return  # a role with no duties: skip_row() skips it
        role = self.row_role
        if "sectors" not in errors and self.column("sectors") in row:
            try:
                validate_duty_sectors(self.role_sectors[role.pk], self.fields["sectors"].clean(row))
            except ValidationError as error:
                errors["sectors"] = error.messages
        unknown = [ref for ref in self.row_references
                   if not self._known(ref, self.row_organisation)]
        if unknown:
            errors[self.column("collaborating_roles")] = [
                _("Unknown role: %(value)s.") % {"value": ", ".join(unknown)}]
        line = kwargs["row_number"] + 1
        first_line = self.duty_lines.setdefault((role.pk, instance.text_fi), line)
        if first_line != line:
            errors["text"] = [
                _("The same duty is already on line %(line)s.") % {"line": first_line}]
        self._place_duty(instance, role)
        if errors:
            raise ValidationError(errors)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        """Skip a row with no duty, and a duty that the row leaves as it is."""
        if import_validation_errors:
            return False
        if not instance.text_fi:
            return True
        if instance.pk is None or self.row_changed:
            return False
        if any(not same_text(getattr(instance, name), getattr(original, name))
               for name in ("text_fi", "text_sv", "recurrence_fi", "recurrence_sv",
                            "development_area")) or instance.order != original.order:
            return False
        if set(instance.months) != set(original.months):
            return False
        if self.column("sectors") in row:
            sectors = {sector.pk for sector in self.fields["sectors"].clean(row)}
            if sectors != set(original.sectors.values_list("pk", flat=True)):
                return False
        return not self._links_differ(original, "collaborating_roles", self.row_references,
                                      self.row_organisation)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """Validate the duty in Finnish, naming its texts' errors by their Finnish columns.

        modeltranslation reads and writes `text` in the active language: in Swedish, Duty.clean()
        would copy the Finnish text into the Swedish column as it strips it.
        """
        try:
            with translation.override(FINNISH):
                super().validate_instance(instance, import_validation_errors, validate_unique)
        except ValidationError as error:
            raise ValidationError({
                self.column(key) if key in TRANSLATED[Duty] else key: messages
                for key, messages in error.error_dict.items()
            }) from None

    def after_save_instance(self, instance, row, **kwargs):
        """Note the duty's collaborators, to link once every role of the sheet exists."""
        self.links.append((instance, "collaborating_roles", self.row_references,
                           self.row_organisation))

    def after_import(self, dataset, result, **kwargs):
        """Link supporting and collaborating roles, now that every role of the sheet exists."""
        super().after_import(dataset, result, **kwargs)
        if result.has_errors() or result.has_validation_errors():
            return  # everything is rolled back
        for obj, relation, references, organisation in self.links:
            roles = {ref: self._resolve(ref, organisation) for ref in references}
            unknown = [ref for ref, role in roles.items() if role is None]
            if unknown:
                raise ValidationError(_("Unknown role: %(value)s.") % {"value": ", ".join(unknown)})
            getattr(obj, relation).set(roles.values())

    def _organisation(self, row):
        """Return the organisation the row names, or raise ValidationError."""
        organisation = self.organisation_named(row)
        if organisation.pk not in self.lineages:
            self.lineages[organisation.pk] = [organisation, *organisation.ancestors()]
        return organisation

    def _finnish_from_swedish(self, row):
        """Fill the empty Finnish cells of a Swedish-speaking organisation's row from Swedish."""
        for finnish, swedish in SWEDISH_COLUMNS.items():
            if not self.cell(row, finnish) and self.cell(row, swedish):
                row[self.column(finnish)] = row[self.column(swedish)]

    def _set_text(self, obj, attname, value):
        """Set a text of `obj` if it says something else than the stored one (empty: None)."""
        if not same_text(getattr(obj, attname), value):
            setattr(obj, attname, value or None)

    def _level(self, row, organisation, line):
        """Return the level the row names, created, reordered or renamed as the row says."""
        name, order_text = self.cell(row, "level"), self.cell(row, "level_order")
        swedish = self.cell(row, "level_sv")
        errors = {}
        if not name:
            errors[self.column("level")] = _("This field is required.")
        if order_text and not order_text.isdigit():
            errors[self.column("level_order")] = _("Enter a whole number.")
        if errors:
            raise ValidationError(errors)
        order = int(order_text) if order_text else None
        if (organisation.pk, name) in self.levels:
            level, first_order, first_swedish, first_line = self.levels[organisation.pk, name]
            if order is not None and first_order is not None and order != first_order:
                raise ValidationError({self.column("level_order"): _(
                    "Line %(line)s gives this level another order.") % {"line": first_line}})
            if swedish != first_swedish:
                raise ValidationError({self.column("level_sv"): _(
                    "Line %(line)s gives this level another Swedish name.")
                    % {"line": first_line}})
            return level
        level = (Level.objects.filter(organisation=organisation, name_fi=name).first()
                 or Level(organisation=organisation, name_fi=name))
        changed = level.pk is None
        if order is not None and level.order != order:
            level.order, changed = order, True
        if self.has_column(row, "level_sv") and not same_text(level.name_sv, swedish):
            level.name_sv, changed = swedish or None, True
        if changed:
            self._save(level, {"name_fi": "level", "name_sv": "level_sv", "order": "level_order"})
        self.levels[organisation.pk, name] = (level, order, swedish, line)
        return level

    def _role(self, row, level, organisation, line):
        """Return the role the row names, created or updated as its first row says."""
        slug, name = self.cell(row, "role"), self.cell(row, "role_name")
        errors = {}
        for field_name, value in (("role", slug), ("role_name", name)):
            if not value:
                errors[self.column(field_name)] = _("This field is required.")
        try:
            sectors = self.fields["sectors"].widget.clean(row.get(self.column("role_sectors")))
        except ValueError as error:
            errors[self.column("role_sectors")] = str(error)
            sectors = []
        references = split_cell(row.get(self.column("supporting_roles")))
        unknown = [ref for ref in references if not self._known(ref, organisation)]
        if unknown:
            errors[self.column("supporting_roles")] = (
                _("Unknown role: %(value)s.") % {"value": ", ".join(unknown)})
        try:
            scope = self.choice(row, "scope") or Role.Scope.UNIT
        except ValidationError as error:
            errors.update(error.message_dict)
        group = self._group_values(row, errors)
        if errors:
            raise ValidationError(errors)
        titles = title_lines(self.cell(row, "supporting_titles"))
        described = (level.pk, name, scope,
                     sorted(sector.pk for sector in sectors), self.cell(row, "responsible_title"),
                     references, titles, self.cell(row, "role_name_sv"),
                     self.cell(row, "responsible_title_sv"),
                     title_lines(self.cell(row, "supporting_titles_sv")),
                     *(group.get(name) for name in GROUP_COLUMNS))
        if (organisation.pk, slug) in self.roles:
            return self._same_role(organisation, slug, described)
        role = (Role.objects.filter(level__organisation=organisation, slug=slug).first()
                or Role(slug=slug))
        self._place_role(role, level)
        (_level, name, role.scope, _sectors, responsible_title, _refs, titles,
         name_sv, responsible_title_sv, titles_sv) = described[:10]
        for field_name, value in group.items():
            attname = GROUP_COLUMNS[field_name]
            if isinstance(value, str):
                self._set_text(role, attname, value)
            else:
                setattr(role, attname, value)
        texts = [("name_fi", name, "role_name"), ("responsible_title_fi", responsible_title,
                                                   "responsible_title"),
                 ("name_sv", name_sv, "role_name_sv"),
                 ("responsible_title_sv", responsible_title_sv, "responsible_title_sv")]
        for attname, value, field_name in texts:
            if self.has_column(row, field_name):
                self._set_text(role, attname, value)
        for attname, lines, field_name in (("supporting_titles_fi", titles, "supporting_titles"),
                                           ("supporting_titles_sv", titles_sv,
                                            "supporting_titles_sv")):
            if self.has_column(row, field_name) and title_lines(getattr(role, attname)) != lines:
                setattr(role, attname, "\n".join(lines) or None)
        if role.pk is None or self._role_differs(role):
            self._save(role, {"name_fi": "role_name", "name_sv": "role_name_sv", "slug": "role",
                              "scope": "scope", "responsible_title_fi": "responsible_title",
                              "responsible_title_sv": "responsible_title_sv",
                              "supporting_titles_fi": "supporting_titles",
                              "supporting_titles_sv": "supporting_titles_sv", "level": "level",
                              **{attname: field_name
                                 for field_name, attname in GROUP_COLUMNS.items()}})
        if set(role.sectors.all()) != set(sectors):
            role.sectors.set(sectors)
            self.row_changed = True
        if self._links_differ(role, "supporting_roles", references, organisation):
            self.row_changed = True
        self.links.append((role, "supporting_roles", references, organisation))
        self.roles[organisation.pk, slug] = (role, described, line)
        self.role_sectors[role.pk] = sectors
        return role

    def _group_values(self, row, errors):
        """Return the group columns the sheet has, read from `row`, by field name.

        A bad cell is added to `errors`. Absent columns are left out, keeping what is stored.
        """
        values = {}
        for field_name in GROUP_COLUMNS:
            if not self.has_column(row, field_name):
                continue
            text = self.cell(row, field_name)
            if field_name == "is_group":
                try:
                    values[field_name] = bool(YesNoWidget().clean(text))
                except ValueError as error:
                    errors[self.column(field_name)] = str(error)
            elif field_name in ("min_holders", "max_holders"):
                if text and not text.isdigit():
                    errors[self.column(field_name)] = _("Enter a whole number.")
                else:
                    values[field_name] = int(text) if text else None
            else:
                values[field_name] = text
        return values

    def _same_role(self, organisation, slug, described):
        """Return the role already described above, or raise if this row describes it otherwise."""
        role, first, first_line = self.roles[organisation.pk, slug]
        differing = [self.column(field_name)
                     for field_name, this, that in zip(ROLE_COLUMNS, described, first, strict=True)
                     if this != that]
        if differing:
            message = _("Line %(line)s describes the same role otherwise.") % {"line": first_line}
            raise ValidationError(dict.fromkeys(differing, message))
        return role

    def _place_duty(self, duty, role):
        """Put `duty` after the duty placed before it in the file, and a new duty after the
        role's stored duties too, so that imported duties never interleave with those."""
        if role.pk not in self.duty_orders:
            highest = role.duties.aggregate(highest=Max("order"))["highest"] if role.pk else None
            self.duty_orders[role.pk] = (-1 if highest is None else highest, -1)
        stored_highest, previous = self.duty_orders[role.pk]
        if duty.pk is None:
            duty.order = max(stored_highest, previous) + 1
        elif duty.order <= previous:
            duty.order = previous + 1
        self.duty_orders[role.pk] = (max(stored_highest, duty.order), duty.order)

    def _place_role(self, role, level):
        """Put `role` in `level` after the role placed before it, keeping its order if it can."""
        previous = self.role_orders.get(level.pk, -1)
        if role.pk is None or role.level_id != level.pk or role.order <= previous:
            role.order = previous + 1
        role.level = level
        self.role_orders[level.pk] = role.order

    def _role_differs(self, role):
        """Return whether `role` differs from how it is stored."""
        stored = Role.objects.get(pk=role.pk)
        return any(getattr(role, name) != getattr(stored, name)
                   for name in ("level_id", "scope", "order", "is_group", "min_holders",
                                "max_holders")) or any(
            not same_text(getattr(role, name), getattr(stored, name))
            for name in ("name_fi", "name_sv", "responsible_title_fi", "responsible_title_sv",
                         "supporting_titles_fi", "supporting_titles_sv", "description_fi",
                         "description_sv", "joining_fi", "joining_sv"))

    def _save(self, obj, columns):
        """Validate and save a level or a role, naming any error by the column it comes from.

        The untranslated columns are left out: their checks would read the active language.
        """
        try:
            obj.full_clean(exclude=TRANSLATED[type(obj)])
        except ValidationError as error:
            raise ValidationError({
                self.column(columns[key]) if key in columns else key: messages
                for key, messages in error.message_dict.items()
            }) from None
        created = obj.pk is None
        obj.save()
        self.count(obj, created)
        self.row_changed = True

    def _links_differ(self, obj, relation, references, organisation):
        """Return whether the roles `references` name differ from those `obj` is linked to."""
        roles = [self._resolve(ref, organisation) for ref in references]
        if None in roles or obj.pk is None:
            return True
        return {role.pk for role in roles} != set(
            getattr(obj, relation).values_list("pk", flat=True))

    def _known(self, ref, organisation):
        """Return whether `ref` names a stored role or one the sheet describes."""
        if self._resolve(ref, organisation) is not None:
            return True
        qualifier, _slash, key = ref.rpartition("/")
        slugs = [qualifier] if qualifier else [org.slug for org in self.lineages[organisation.pk]]
        return any((slug, key) in self.declared or (slug, key.casefold()) in self.declared
                   for slug in slugs)

    def _resolve(self, ref, organisation):
        """Return the stored role `ref` names from a row of `organisation`, or None.

        A bare slug or name is looked for in the organisation first, then in its ancestors.
        """
        if (organisation.pk, ref) in self.found:
            return self.found[organisation.pk, ref]
        qualifier, _slash, key = ref.rpartition("/")
        places = ([Q(level__organisation__slug=qualifier)] if qualifier else
                  [Q(level__organisation=org) for org in self.lineages[organisation.pk]])
        for place in places:
            role = (Role.objects.filter(place, slug=key).first()
                    or Role.objects.filter(place, name_fi__iexact=key).first()
                    or Role.objects.filter(place, name_sv__iexact=key).first())
            if role is not None:
                self.found[organisation.pk, ref] = role
                return role
        return None


def matrix_rows(queryset=None):
    """Return the duties of `queryset` in matrix order, with everything the sheet shows prefetched.

    `queryset` holds duties, or roles: then every duty of those roles, and an unsaved empty duty
    for a role that has none, so that the role survives a round trip.
    """
    queryset = Duty.objects.all() if queryset is None else queryset
    if queryset.model is Role:
        roles = Role.objects.filter(pk__in=queryset.values("pk"))
        duties, keep_empty_roles = Duty.objects.all(), True
    else:
        roles = Role.objects.filter(pk__in=queryset.values("role"))
        duties, keep_empty_roles = Duty.objects.filter(pk__in=queryset.values("pk")), False
    with_organisation = Role.objects.select_related("level__organisation")
    duties = duties.order_by("order", "pk").prefetch_related(
        "sectors", Prefetch("collaborating_roles", queryset=with_organisation))
    roles = (
        roles.select_related("level__organisation")
        .prefetch_related("sectors", Prefetch("supporting_roles", queryset=with_organisation),
                          Prefetch("duties", queryset=duties))
        .order_by("level__organisation__name", "level__order", "level__pk", "order", "pk")
    )
    rows = []
    for role in roles:
        role_duties = list(role.duties.all())
        if not role_duties and keep_empty_roles:
            role_duties = [Duty(role=role)]
        rows.extend(role_duties)
    return rows
