"""Import and export of organisations, units and people, and the base every Vastuu resource uses.

Every import is all or nothing: one bad row rolls back every row, and the errors name each bad row
by the line a spreadsheet shows it on (the header is line 1). Exports neutralise formulas.
"""

import logging
from datetime import date, datetime

import tablib
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, Value, When
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from import_export import resources, widgets
from import_export.exceptions import FieldError
from import_export.fields import Field
from import_export.formats import base_formats
from import_export.resources import Diff
from import_export.results import Error, Result, RowResult

from imports.sheets import SheetError, read_rows
from units.access import organisation_allows, organisation_ids_of
from units.models import Organisation, Person, Sector, Unit, sees_everything
from units.services import find_person
from units.years import YearKind

logger = logging.getLogger(__name__)

# A text cell starting with one of these runs as a formula in a spreadsheet program (CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value):
    """Return `value` with an apostrophe in front if a spreadsheet would run it as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return f"'{value}"
    return value


def unescape_formula(value):
    """Return `value` without the apostrophe `escape_formula` put in front of it."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value


def folded(text):
    """Return `text` as a sheet's cell or header is compared: case-folded, spaces collapsed."""
    return " ".join(str(text).split()).casefold()


def choice_names(choices):
    """Return {code or label in any of the site's languages, folded: code} for `choices`.

    A sheet may say a choice by its code or by its label in any language, in any case and
    with any spacing; a code always wins.
    """
    names = {folded(code): code for code, _label in choices}
    for code, label in choices:
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                names.setdefault(folded(label), code)
                # "Unit: each unit has its own holder" may be written "unit".
                names.setdefault(folded(str(label).split(":")[0]), code)
    return names


def choice_code(choices, value, names=None):
    """Return the code of `choices` that `value` names by code or label ("" for an empty cell).

    Raise ValueError naming the value and listing the valid ones in the active language.
    """
    if value is None or str(value).strip() == "":
        return ""
    names = choice_names(choices) if names is None else names
    code = names.get(folded(value))
    if code is None:
        raise ValueError(_("Value '%(value)s' is not valid. Valid values: %(values)s.") % {
            "value": str(value).strip(),
            "values": ", ".join(str(label) for _code, label in choices)})
    return code


def choice_label(choices, code):
    """Return the label of `code` among `choices` in the active language (the code if unknown)."""
    for known, label in choices:
        if known == code:
            return str(label)
    return "" if code is None else code


def split_cell(value):
    """Return the items of a comma-separated cell; a number typed into a spreadsheet is one item."""
    if value is None:
        return []
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return [part.strip() for part in str(value).replace(";", ",").split(",") if part.strip()]


class FormulaSafeFormat:
    """Neutralise formulas in exported cells (IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT turns it on).

    import-export's own escape only drops a leading "=", which leaves "+", "-" and "@" formulas
    live in CSV. This prefixes an apostrophe instead, and the import takes it off again, so a
    re-imported export keeps its values.
    """

    def _escape_formulae(self, dataset):
        """Escape every text cell of `dataset` in place, keeping numbers and dates native."""
        for _row in range(len(dataset)):
            dataset.append([escape_formula(cell) for cell in dataset.lpop()])


def dataset_of(rows, fill=None):
    """Return a tablib Dataset of `rows` (the header first), every row as wide as the header.

    A short row is filled with `fill` and a long row's empty cells beyond the header are
    dropped; a long row with more values is refused by its line. Blank lines stay, so that the
    lines of the result are the file's.
    """
    if not rows:
        raise SheetError(_("The file is empty."))
    header, width = list(rows[0]), len(rows[0])
    body = []
    for line, row in enumerate(rows[1:], start=2):
        row = list(row)
        if len(row) > width:
            if any(cell not in (None, "") for cell in row[width:]):
                raise SheetError(_("Line %(line)d has more cells than the header row: give each "
                                   "column a header.") % {"line": line})
            row = row[:width]
        body.append(row + [fill] * (width - len(row)))
    return tablib.Dataset(*body, headers=header)


class CSV(FormulaSafeFormat, base_formats.CSV):
    """CSV in UTF-8 or Windows-1252, separated by commas, or by the semicolons Excel writes in a
    Finnish locale, read within the import limits (imports.sheets)."""

    def create_dataset(self, in_stream, **kwargs):
        """Return the dataset in `in_stream` (bytes, or text already decoded)."""
        if isinstance(in_stream, str):
            in_stream = in_stream.encode("utf-8")
        return dataset_of(read_rows(in_stream, "csv"), fill="")


class XLSX(FormulaSafeFormat, base_formats.XLSX):
    """Excel workbooks (the active sheet), refused before parsing if they would unpack too far."""

    def create_dataset(self, in_stream, **kwargs):
        """Return the dataset of the workbook `in_stream` (bytes)."""
        return dataset_of(read_rows(in_stream, "xlsx", active_sheet=True))


FORMATS = [CSV, XLSX]


class PublicError(Error):
    """An error of an import as a user sees it: never a traceback, and the exception's own text
    only when it is one of Vastuu's messages (a ValueError or ValidationError a cell raised).

    Anything else (a database error, a bug) is told as an unexpected error of the row or of the
    file, and logged with its traceback for the administrators.
    """

    def __init__(self, error, row=None, number=None):
        """Keep `error` if its text is for users, else a message that says only what failed."""
        public = isinstance(error, ValueError | ValidationError | FieldError) and not isinstance(
            error, UnicodeError)
        if not public:
            logger.error("An import failed on an unexpected error.", exc_info=error)
            error = ValueError(
                _("This row could not be imported because of an unexpected error. The "
                  "administrators can find it in the server's log.") if row is not None
                else _("The file could not be imported because of an unexpected error. The "
                       "administrators can find it in the server's log."))
        super().__init__(error, row=row, number=number)

    @property
    def traceback(self):
        """Return nothing: a traceback is for the server's log, not for a page."""
        return ""


class SheetResult(Result):
    """An import result that numbers rows as a spreadsheet shows them: the header is line 1."""

    def append_invalid_row(self, number, row, validation_error):
        """Record a row that failed validation, under its spreadsheet line."""
        super().append_invalid_row(number + 1, row, validation_error)

    def append_error_row(self, number, row, errors):
        """Record a row that failed with an error, under its spreadsheet line."""
        super().append_error_row(number + 1, row, errors)

    def row_errors(self):
        """Return (line, errors) for every row that failed with an error other than validation."""
        return [(row.errors[0].number + 1, row.errors) for row in self.rows if row.errors]


class SheetDiff(Diff):
    """A preview of an imported row that shows computed columns the way the export writes them."""

    @classmethod
    def _read_field_values(cls, resource, instance):
        """Return the cells `resource` would export for `instance`."""
        if instance is None:
            return ["" for _field in resource.get_import_fields()]
        return [resource.export_field(field, instance) for field in resource.get_import_fields()]


class KeyWidget(widgets.ForeignKeyWidget):
    """Find a related object by a natural key (a slug, an email), naming any value not found."""

    def __init__(self, model, field, message, normalise=str):
        """Look `model` up by `field`; `message` names a missing value as %(value)s."""
        super().__init__(model, field)
        self.message = message
        self.normalise = normalise

    def clean(self, value, row=None, **kwargs):
        """Return the object whose key is `value`, or None for an empty cell."""
        if value in (None, ""):
            return None
        key = self.normalise(value)
        try:
            return self.get_queryset(key, row, **kwargs).get(**{self.field: key})
        except self.model.DoesNotExist:
            raise ValueError(self.message % {"value": value}) from None


class CodesWidget(widgets.ManyToManyWidget):
    """Read a comma-separated list of keys strictly: an unknown key is an error, not dropped."""

    def __init__(self, model, field, message, required=False):
        """Look `model` up by `field`; `message` names unknown keys as %(value)s."""
        super().__init__(model, separator=", ", field=field)
        self.message = message
        self.required = required

    def clean(self, value, row=None, **kwargs):
        """Return the objects named in `value`, in the order given."""
        keys = list(dict.fromkeys(key.lower() for key in split_cell(value)))
        if not keys:
            if self.required:
                raise ValueError(_("This field is required."))
            return []
        found = {getattr(obj, self.field): obj
                 for obj in self.model.objects.filter(**{f"{self.field}__in": keys})}
        unknown = [key for key in keys if key not in found]
        if unknown:
            raise ValueError(self.message % {"value": ", ".join(unknown)})
        return [found[key] for key in keys]


class ChoiceWidget(widgets.CharWidget):
    """Read a choice by its code or by its label in any of the site's languages.

    An unknown value is refused with the valid ones listed; an empty cell is an empty string.
    """

    def __init__(self, choices, **kwargs):
        """Read the codes and labels of `choices` ((code, label) pairs)."""
        super().__init__(**kwargs)
        self.choices = list(choices)
        self.names = choice_names(self.choices)

    def clean(self, value, row=None, **kwargs):
        """Return the code `value` names."""
        return choice_code(self.choices, unescape_formula(value), self.names)


class YesNoWidget(widgets.BooleanWidget):
    """Read yes/no in Finnish, Swedish or English, and refuse anything else."""

    YES = {"1", "true", "yes", "kyllä", "k", "ja", "x"}
    NO = {"0", "false", "no", "ei", "e", "nej"}

    def clean(self, value, row=None, **kwargs):
        """Return True, False or None (an empty cell)."""
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in self.YES:
            return True
        if text in self.NO:
            return False
        raise ValueError(_("Write yes or no, not %(value)s.") % {"value": value})

    def render(self, value, obj=None, **kwargs):
        """Return "yes" or "no" in the active language, or "" for no value."""
        if value is None:
            return ""
        return str(_("yes") if value else _("no"))


class DayWidget(widgets.DateWidget):
    """Read a date written as 2025-08-01 or 1.8.2025; write it as 2025-08-01."""

    def __init__(self):
        """Read ISO and Finnish dates, write ISO."""
        super().__init__(format="%Y-%m-%d")
        self.formats = ("%Y-%m-%d", "%d.%m.%Y")

    def clean(self, value, row=None, **kwargs):
        """Return the date in `value`, or None for an empty cell."""
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date) or not value:
            return value or None
        try:
            return super().clean(str(value).strip(), row, **kwargs)
        except ValueError:
            raise ValueError(
                _("Write the date as 2025-08-01 or 1.8.2025, not %(value)s.") % {"value": value}
            ) from None


def text_field(attribute, column_name):
    """Return a field for a text column: an empty cell is an empty string, never None."""
    return Field(attribute, column_name, widget=widgets.CharWidget())


def organisation_widget():
    """Return the widget that finds an organisation by its slug."""
    return KeyWidget(Organisation, "slug", _("Unknown organisation: %(value)s."))


def sector_widget(required=False):
    """Return the widget that reads sector codes such as "perusopetus, lukio"."""
    return CodesWidget(Sector, "code", _("Unknown sector code: %(value)s."), required=required)


class VastuuResource(resources.ModelResource):
    """The base of every Vastuu resource: all-or-nothing imports, translated headers, checked cells.

    Column names are translatable. A resource fixes them in the language active when it is made,
    and an import accepts a file whose headers are in any of the site's languages.
    """

    class Meta:
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    # The lookups from the model to its organisation, as units.admin.ScopedAdmin has them: an
    # import by `user` refuses a row that would read or write another organisation's object.
    organisation_paths = ()
    # What counts the rows imported (imports.progress.JobProgress), in the background worker.
    progress = None
    # Whether an export writes a choice by its label in the active language (a sheet meant to be
    # read by people) rather than by its code. An import reads either way.
    labels_in_export = False
    # The choices of columns that no model field of their own describes: {field name: choices}.
    # A column whose model field has choices (or is a yes/no field) is found by itself.
    choice_columns = {}

    def __init__(self, user=None, **kwargs):
        """Fix the column names in the active language and learn them in every language.

        `user` imports (None: a command, which may write anywhere). A column of a model field
        with choices reads a code or a label (ChoiceWidget), a yes/no field yes or no in any
        language (YesNoWidget).
        """
        super().__init__(**kwargs)
        self.user = user
        self.organisations_by_slug = {}  # slug → Organisation, or the ValidationError to raise
        self.tally = {}  # model → {"new": n, "changed": n}, what the import saved
        self.header_aliases = {}
        self.choices_by_column = {}
        for name, field in self.fields.items():
            label = field.column_name
            field.column_name = str(label)
            self.header_aliases[folded(name)] = field.column_name
            for code, _name in settings.LANGUAGES:
                with translation.override(code):
                    self.header_aliases[folded(label)] = field.column_name
            choices = self.choice_columns.get(name) or self._model_choices(field)
            if choices:
                self.choices_by_column[field.column_name] = list(choices)

    def _model_choices(self, field):
        """Return the choices of the model field `field` sets, giving its column the widget
        that reads them; None if it has none."""
        model_field = self._model_field(field)
        if model_field is None:
            return None
        if type(field.widget) in (widgets.Widget, widgets.CharWidget, widgets.BooleanWidget):
            if model_field.choices:
                field.widget = ChoiceWidget(model_field.flatchoices)
            elif model_field.get_internal_type() == "BooleanField":
                field.widget = YesNoWidget()
        return model_field.flatchoices if model_field.choices else None

    def _model_field(self, field):
        """Return the model field the resource field `field` sets, or None."""
        if not field.attribute or "__" in field.attribute:
            return None
        try:
            return self._meta.model._meta.get_field(field.attribute)
        except Exception:  # noqa: BLE001 (an attribute that is not a field: a property)
            return None

    def choice(self, row, field_name):
        """Return the code that `row` gives in the choice column of `field_name` ("" if empty).

        Raise ValidationError naming the column and listing the valid values.
        """
        column = self.column(field_name)
        try:
            return choice_code(self.choices_by_column[column], self.cell(row, field_name))
        except ValueError as error:
            raise ValidationError({column: str(error)}) from None

    def export_field(self, field, instance, **kwargs):
        """Return the cell of `field` for `instance`; a choice as its label if the sheet says so."""
        value = super().export_field(field, instance, **kwargs)
        choices = self.choices_by_column.get(field.column_name)
        if choices and self.labels_in_export and value not in (None, ""):
            return choice_label(choices, value)
        return value

    def examples(self):
        """Return the two example rows of this sheet's template: {field name: cell}.

        They should import cleanly for the user the resource is made for; a resource fills in
        what it can from that user's own organisations.
        """
        return []

    def template(self):
        """Return the template of this sheet: its headers in the active language and examples."""
        fields = self.get_import_fields()
        names = [self.get_field_name(field) for field in fields]
        dataset = tablib.Dataset(headers=[field.column_name for field in fields])
        for example in self.examples():
            dataset.append([example.get(name, "") for name in names])
        return dataset

    def example_organisation(self):
        """Return an organisation the user may change, for the examples (None if none)."""
        organisations = Organisation.objects.all()
        if self.user is not None:
            organisations = Organisation.objects.for_user(self.user, "change")
        return organisations.order_by("name").first()

    def count(self, obj, created):
        """Count `obj` as saved by this import: created, or changed."""
        counts = self.tally.setdefault(type(obj), {"new": 0, "changed": 0})
        counts["new" if created else "changed"] += 1

    def save_instance(self, instance, is_create, row, **kwargs):
        """Save the row's object and count it."""
        super().save_instance(instance, is_create, row, **kwargs)
        self.count(instance, is_create)

    @classmethod
    def get_result_class(cls):
        """Return the result class, which numbers rows by spreadsheet line."""
        return SheetResult

    @classmethod
    def get_diff_class(cls):
        """Return the diff class, which previews computed columns as exported."""
        return SheetDiff

    @classmethod
    def get_error_result_class(cls):
        """Return the error class, which shows users a message and never a traceback."""
        return PublicError

    def column(self, field_name):
        """Return the column name of the field `field_name` in this resource's language."""
        return self.fields[field_name].column_name

    def cell(self, row, field_name):
        """Return the text of `row` in the column of `field_name`, trimmed ("" when empty)."""
        value = row.get(self.column(field_name))
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return unescape_formula(str(value).strip())

    def import_data(self, dataset, **kwargs):
        """Import `dataset` all or nothing: a row that fails validation rolls back every row."""
        kwargs["rollback_on_validation_errors"] = True
        self.tally = {}
        result = super().import_data(dataset, **kwargs)
        result.tally = self.tally
        return result

    def before_import(self, dataset, **kwargs):
        """Rename the headers of `dataset` to this resource's column names, in any language,
        and refuse a file without the columns that recognise a row again."""
        super().before_import(dataset, **kwargs)
        if dataset.headers:
            dataset.headers = [
                self.header_aliases.get(folded(header), header)
                if header is not None else header
                for header in dataset.headers
            ]
        keys = self.get_import_id_fields()
        missing = [self.fields[name].column_name for name in keys
                   if keys != ["id"] and name in self.fields
                   and self.fields[name].column_name not in (dataset.headers or [])]
        if missing:
            raise ValueError(_("The file lacks the columns that recognise a row again: "
                               "%(columns)s.") % {"columns": ", ".join(missing)})

    def import_row(self, row, instance_loader, **kwargs):
        """Import one row: skip a blank line, trim cells and undo the formula escape of exports."""
        if self.progress is not None:
            self.progress.advance()
        if all(value is None or str(value).strip() == "" for value in row.values()):
            row_result = self.get_row_result_class()()
            row_result.import_type = RowResult.IMPORT_TYPE_SKIP
            return row_result
        for key, value in row.items():
            row[key] = unescape_formula(value.strip() if isinstance(value, str) else value)
        row_result = super().import_row(row, instance_loader, **kwargs)
        if row_result.validation_error is not None:
            row_result.validation_error = self.with_cell_errors(row_result.validation_error, row)
        return row_result

    def with_cell_errors(self, error, row):
        """Return `error` with the errors of the row's other cells added, each by its column.

        A row refused early (its organisation unknown, say) would otherwise tell one mistake an
        upload; every cell that cannot be read is told at once.
        """
        if not hasattr(error, "error_dict"):
            return error
        errors = dict(error.error_dict)
        columns = {field.attribute: field.column_name
                   for field in self.fields.values() if field.attribute}
        told = {columns.get(key, key) for key in errors}
        for field in self.get_import_fields():
            column = field.column_name
            if (column in told or column not in row
                    or self.cell(row, self.get_field_name(field)) == ""):
                continue
            try:
                if column in self.choices_by_column:
                    choice_code(self.choices_by_column[column], row[column])
                else:
                    field.clean(row)
            except ValueError as cell_error:
                errors[column] = [str(cell_error)]
            except Exception:  # noqa: BLE001, S112 (a cell that needs the rest of the row)
                continue
        return ValidationError(errors)

    def get_instance(self, instance_loader, row):
        """Return the stored object the row's key names; a key cell that does not parse is new."""
        try:
            return super().get_instance(instance_loader, row)
        except ValueError:
            return None  # import_instance() reports the cell on its column

    def import_instance(self, instance, row, **kwargs):
        """Set `instance` from `row`, checking the many-to-many cells before anything is saved.

        The object must belong to the importing user's organisations, as stored and as the
        row leaves it.
        """
        errors = {}
        stored = organisation_ids_of(instance, self.organisation_paths) if instance.pk else set()
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        outside = self.outside_scope(
            stored | organisation_ids_of(instance, self.organisation_paths))
        if outside:
            errors[self.organisation_paths[0].split("__")[0] or "slug"] = [outside]
        for field in self.get_import_fields():
            if (isinstance(field.widget, widgets.ManyToManyWidget) and field.attribute
                    and field.column_name in row):
                try:
                    field.clean(row)
                except ValueError as error:
                    errors[field.attribute] = [str(error)]
        if errors:
            raise ValidationError(errors)

    def outside_scope(self, organisation_ids):
        """Return why the importing user may not write to `organisation_ids`, or ""."""
        if self.user is None or sees_everything(self.user, "change"):
            return ""
        refused = [pk for pk in organisation_ids
                   if not organisation_allows(self.user, pk, "change")]
        if not refused:
            return ""
        names = ", ".join(Organisation.objects.filter(pk__in=refused).values_list(
            "name", flat=True))
        return _("You may import only the data of your own organisations, not of %(names)s.") % {
            "names": names}

    def organisation_named(self, row, column="organisation"):
        """Return the organisation the row names by slug (with its parents), or raise
        ValidationError; each slug is looked up once an import.

        One the importing user may not change is refused like an unknown one, with its reason.
        """
        slug = self.cell(row, column)
        if slug not in self.organisations_by_slug:
            self.organisations_by_slug[slug] = self._organisation_or_error(slug, column)
        found = self.organisations_by_slug[slug]
        if isinstance(found, ValidationError):
            raise found
        return found

    def _organisation_or_error(self, slug, column):
        organisation = (Organisation.objects.select_related("parent__parent")
                        .filter(slug=slug).first() if slug else None)
        if organisation is None:
            return ValidationError({self.column(column): (
                _("Unknown organisation: %(value)s.") % {"value": slug} if slug
                else _("This field is required."))})
        outside = self.outside_scope({organisation.pk})
        if outside:
            return ValidationError({self.column(column): outside})
        return organisation

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """Validate `instance` as the model does, naming each error by its column."""
        try:
            super().validate_instance(instance, import_validation_errors, validate_unique)
        except ValidationError as error:
            raise self.by_column(error) from None

    def by_column(self, error):
        """Return the ValidationError `error` with each field's errors under its column name."""
        if not hasattr(error, "error_dict"):
            return error
        columns = {field.attribute: field.column_name
                   for field in self.fields.values() if field.attribute}
        return ValidationError(
            {columns.get(key, key): value for key, value in error.error_dict.items()})


class OrganisationResource(VastuuResource):
    """Organisations by slug; a parent must come before its children (the export orders them so)."""

    slug = text_field("slug", _("slug"))
    name = text_field("name", _("name"))
    kind = text_field("kind", _("kind"))
    parent = Field("parent", _("parent organisation"), widget=organisation_widget())
    max_lead_roles = Field("max_lead_roles", _("lead roles per person"),
                           widget=widgets.IntegerWidget())
    language = text_field("language", _("language"))

    organisation_paths = ("",)

    class Meta(VastuuResource.Meta):
        model = Organisation
        fields = ("slug", "name", "kind", "parent", "max_lead_roles", "language",
                  "year_kind")
        import_id_fields = ("slug",)

    def examples(self):
        """Return a municipality and a joint authority under one of the user's organisations."""
        parent = self.example_organisation()
        rows = []
        for name, kind in ((_("Example municipality"), Organisation.Kind.MUNICIPALITY),
                           (_("Example joint authority"), Organisation.Kind.JOINT_AUTHORITY)):
            rows.append({"slug": slugify(str(name)), "name": str(name),
                         "kind": choice_label(Organisation.Kind.choices, kind),
                         "parent": parent.slug if parent else "", "max_lead_roles": 1,
                         "language": choice_label(Organisation.Language.choices,
                                                  Organisation.Language.FINNISH),
                         "year_kind": choice_label(YearKind.choices, YearKind.SCHOOL)})
        return rows

    def filter_export(self, queryset, **kwargs):
        """Order organisations so that every parent comes before its children."""
        depth = Case(
            When(parent__isnull=True, then=Value(0)),
            When(parent__parent__isnull=True, then=Value(1)),
            default=Value(2), output_field=IntegerField(),
        )
        return queryset.select_related("parent").annotate(depth=depth).order_by("depth", "name")


class UnitResource(VastuuResource):
    """Units by slug, with their organisation's slug and their sector codes."""

    slug = text_field("slug", _("slug"))
    name = text_field("name", _("name"))
    organisation = Field("organisation", _("organisation"), widget=organisation_widget())
    sectors = Field("sectors", _("sectors"), widget=sector_widget(required=True))

    organisation_paths = ("organisation",)

    class Meta(VastuuResource.Meta):
        model = Unit
        fields = ("slug", "name", "organisation", "sectors")
        import_id_fields = ("slug",)

    def examples(self):
        """Return two units of one of the user's organisations, each in a sector."""
        organisation = self.example_organisation()
        sectors = list(Sector.objects.order_by("pk").values_list("code", flat=True)[:2])
        return [{"slug": slugify(str(name)), "name": str(name),
                 "organisation": organisation.slug if organisation else "", "sectors": sector}
                for name, sector in zip((_("Example school"), _("Example daycare")),
                                        sectors or ["", ""], strict=False)]

    def filter_export(self, queryset, **kwargs):
        """Return the units with what the sheet shows fetched in bulk."""
        return queryset.select_related("organisation").prefetch_related("sectors")


class PersonResource(VastuuResource):
    """People with their organisation's slug; an e-mail address is optional.

    A row means the person with its e-mail, or, without one, the person of its name in its
    organisation (units.services.find_person); anyone else is added. Logins are linked in the
    admin.
    """

    email = text_field("email", _("email"))
    name = text_field("name", _("name"))
    title = text_field("title", _("title"))
    organisation = Field("organisation", _("organisation"), widget=organisation_widget())

    organisation_paths = ("organisation",)

    class Meta(VastuuResource.Meta):
        model = Person
        fields = ("email", "name", "title", "organisation")
        import_id_fields = ("name", "organisation")

    def before_import_row(self, row, **kwargs):
        """Compare the e-mail in lower case, as Person.clean() stores it."""
        if self.column("email") in row:
            row[self.column("email")] = str(row.get(self.column("email")) or "").strip().lower()

    def get_instance(self, instance_loader, row):
        """Return the person the row means: by e-mail, else by name in its organisation."""
        self.lookup_error = None
        organisation = Organisation.objects.filter(slug=self.cell(row, "organisation")).first()
        try:
            return find_person(name=self.cell(row, "name"), organisation=organisation,
                               email=self.cell(row, "email"))
        except ValidationError as error:
            self.lookup_error = error
            return None

    def import_instance(self, instance, row, **kwargs):
        """Set the person from `row`, refusing a name that fits several people."""
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if getattr(self, "lookup_error", None) is not None:
            errors["name"] = self.lookup_error.messages
        if errors:
            raise ValidationError(errors)

    def examples(self):
        """Return two people of one of the user's organisations."""
        organisation = self.example_organisation()
        return [{"email": email, "name": name, "title": str(title),
                 "organisation": organisation.slug if organisation else ""}
                for email, name, title in (
                    ("maija.meikalainen@example.fi", "Maija Meikäläinen", _("teacher")),
                    ("matti.virtanen@example.fi", "Matti Virtanen", _("principal")))]

    def filter_export(self, queryset, **kwargs):
        """Return the people with their organisations."""
        return queryset.select_related("organisation")
