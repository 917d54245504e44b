"""The admin's sheet import and export: CSV and Excel, all rows or none, within the limits.

Uploading a sheet checks it. A file over a limit, or one that cannot be read, is refused in
words (imports.sheets). A small one is dry-run with its bad rows listed by line, and a good one
is offered for confirmation with a one-time token (imports.tickets). A file of more rows than a
request can bear (VASTUU_IMPORT_BACKGROUND_ROWS) is offered at once to the background worker,
which checks and imports it in one go (units.tasks) while its page shows how far it is. Either
way `SheetAdmin.import_sheet` imports, all rows or none, and no page shows a traceback.
"""

from types import SimpleNamespace

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, ngettext_lazy
from django.views.decorators.http import require_POST
from import_export.admin import ImportExportModelAdmin
from import_export.forms import ImportForm
from import_export.results import RowResult
from import_export.signals import post_import

from imports import jobs
from imports.confirming import ConfirmedUploadMixin
from imports.models import ImportJob
from imports.sheets import SheetError
from imports.tickets import TicketError
from imports.uploads import check_upload, read_upload
from units.admin_export import ExportForm
from units.history import log_import, recording
from units.resources import CSV, FORMATS, XLSX

# How many objects of a model an import saved, in words: ngettext keeps the grammar of each
# language ("1 tavoite", "3 tavoitetta"). A model missing here is counted by its verbose names.
COUNT_WORDS = {
    "units.organisation": ngettext_lazy("%(count)d organisation", "%(count)d organisations",
                                        "count"),
    "units.unit": ngettext_lazy("%(count)d unit", "%(count)d units", "count"),
    "units.person": ngettext_lazy("%(count)d person", "%(count)d people", "count"),
    "roles.level": ngettext_lazy("%(count)d level", "%(count)d levels", "count"),
    "roles.role": ngettext_lazy("%(count)d role", "%(count)d roles", "count"),
    "roles.duty": ngettext_lazy("%(count)d duty", "%(count)d duties", "count"),
    "matrix.assignment": ngettext_lazy("%(count)d assignment", "%(count)d assignments",
                                       "count"),
    "plans.actionplan": ngettext_lazy("%(count)d action plan", "%(count)d action plans",
                                      "count"),
    "plans.goal": ngettext_lazy("%(count)d goal", "%(count)d goals", "count"),
    "plans.action": ngettext_lazy("%(count)d action", "%(count)d actions", "count"),
    "devices.device": ngettext_lazy("%(count)d device", "%(count)d devices", "count"),
}
# The order in which the counts of an import are told: the containing models first.
COUNT_ORDER = list(COUNT_WORDS)
# The formats a sheet's template is offered in, by the name its address gives.
TEMPLATE_FORMATS = {"csv": CSV, "xlsx": XLSX}


def count_in_words(model, count):
    """Return "3 goals" for `count` objects of `model`, in the active language."""
    words = COUNT_WORDS.get(model._meta.label_lower)
    if words is not None:
        return words % {"count": count}
    name = model._meta.verbose_name if count == 1 else model._meta.verbose_name_plural
    return f"{count} {name}"


def tally_in_words(tally):
    """Return what an import saved, by model: "1 action plan, 3 goals, 5 actions" for each of
    new and changed, or "" if it saved nothing."""
    def place(model):
        label = model._meta.label_lower
        return COUNT_ORDER.index(label) if label in COUNT_ORDER else len(COUNT_ORDER)

    models = sorted(tally, key=place)
    parts = []
    for key, heading in (("new", _("New: %(counts)s.")), ("changed", _("Changed: %(counts)s."))):
        counts = [count_in_words(model, tally[model][key]) for model in models
                  if tally[model][key]]
        if counts:
            parts.append(heading % {"counts": ", ".join(counts)})
    return " ".join(parts)


class SheetImportForm(ImportForm):
    """import-export's upload form, refusing a file over the import limit by its size."""

    def clean_import_file(self):
        """Return the uploaded file, refused if it is larger than the import limit."""
        return check_upload(self.cleaned_data["import_file"])


class ConfirmForm(forms.Form):
    """The confirmation of a checked upload: its one-time token, and nothing a user could bend."""

    token = forms.CharField(widget=forms.HiddenInput())


class SheetAdmin(ConfirmedUploadMixin, ImportExportModelAdmin):
    """An admin with CSV and Excel import and export, all or nothing, formulas neutralised.

    The resources are told who imports, so that a row outside the user's organisations is
    refused on its line (units.resources.VastuuResource).
    """

    formats = FORMATS
    export_form_class = ExportForm
    # Excel reads a CSV file as UTF-8 only when it starts with a byte order mark.
    to_encoding = "utf-8-sig"
    # Show the offending cells with the message, so the bad row is easy to find in the sheet.
    import_error_display = ("message", "row")
    import_template_name = "admin/units/sheet_import.html"
    import_form_class = SheetImportForm

    def get_urls(self):
        """Add the address of the sheet's template to the admin's own."""
        from django.urls import path

        app_label, model_name = self.get_model_info()
        return [path("import-template/", self.admin_site.admin_view(self.import_template),
                     name=f"{app_label}_{model_name}_import_template"), *super().get_urls()]

    def import_template(self, request):
        """Download the sheet's template: headers in the user's language, two example rows.

        ?format=csv (the default) or xlsx; ?resource=n for another of the admin's sheets.
        """
        if not self.has_import_permission(request):
            raise PermissionDenied
        file_format = TEMPLATE_FORMATS.get(request.GET.get("format"), CSV)()
        resource_classes = self.get_import_resource_classes(request)
        index = request.GET.get("resource", "0")
        resource_class = resource_classes[int(index)] if index.isdigit() and int(
            index) < len(resource_classes) else resource_classes[0]
        resource = resource_class(**self.get_import_resource_kwargs(request))
        data = file_format.export_data(resource.template())
        if isinstance(data, str):
            data = data.encode(self.to_encoding)
        name = f"{slugify(self.model._meta.verbose_name_plural)}-{slugify(_('template'))}"
        response = HttpResponse(data, content_type=file_format.get_content_type())
        response["Content-Disposition"] = (
            f'attachment; filename="{name}.{file_format.get_extension()}"')
        return response

    def get_import_resource_kwargs(self, request, **kwargs):
        """Return the resource's arguments: the importing user, for the scope of the rows."""
        return {**super().get_import_resource_kwargs(request, **kwargs), "user": request.user}

    def import_action(self, request, **kwargs):
        """Upload a sheet: check a small one's rows, offer a large one to the worker.

        Nothing is saved here.
        """
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = self.create_import_form(request)
        context = {}
        if request.method == "POST" and form.is_valid():
            context = self._check(request, form)
        return self._import_page(request, form, context)

    @method_decorator(require_POST)
    def process_import(self, request, **kwargs):
        """Import the upload the posted token confirms: in the request, or in the worker."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        upload_url = self._url("import")
        try:
            job, data = self.take_upload(request)
        except TicketError as error:
            return self.refuse_confirmation(request, error, upload_url)
        if job.background:
            from units.tasks import import_sheet

            return self.run_in_background(request, job, data, import_sheet)
        try:
            result = self.import_sheet(data=data, options=job.options, file_name=job.file_name,
                                       user=request.user)
        except SheetError as error:
            job.finish(ImportJob.Status.REFUSED, problems=[jobs.problem(None, "", error)])
            messages.error(request, str(error))
            return redirect(upload_url)
        except Exception:
            self.fail_in_request(request, job)
            return redirect(upload_url)
        outcome = self.outcome(result)
        job.finish(outcome.status, summary=outcome.summary, problems=outcome.problems)
        if outcome.problems:
            # The data changed since the file was checked: show what is wrong now.
            return self._import_page(request, self._blank_form(request), {"result": result})
        self.add_success_message(result, request)
        post_import.send(sender=None, model=self.model)
        return redirect(self._url("changelist"))

    def import_sheet(self, *, data, options, file_name, user, progress=None):
        """Import the sheet in `data` as `options` say (its format and resource), by `user`.

        All rows or none are saved; return import-export's result. A good import is logged in
        the admin's log, each row and the whole file as one batch. The request runs it for a
        small file, the worker (units.tasks) for a large one, reporting to `progress`.
        """
        # The import needs only the user from a request, and the worker has none.
        request = SimpleNamespace(user=user)
        dataset = self._format(options).create_dataset(data)
        resource_class = self.get_import_resource_classes(request)[options.get("resource", 0)]
        resource = resource_class(**self.get_import_resource_kwargs(request))
        resource.progress = progress
        if progress is not None:
            progress.start(ImportJob.Phase.IMPORTING, len(dataset))
        with recording(f"import {file_name}".strip(), user):
            result = resource.import_data(dataset, dry_run=False, raise_errors=False,
                                          file_name=file_name, user=user,
                                          retain_instance_in_row_result=True)
        if not (result.has_errors() or result.has_validation_errors()):
            self.generate_log_entries(result, request)
            log_import(user, self.model, file_name, self.import_summary(result))
        return result

    def outcome(self, result):
        """Return what the import `result` did, as an import job keeps it."""
        problems = [jobs.problem(None, "", error.error) for error in result.base_errors]
        for line, errors in result.row_errors():
            problems += [jobs.problem(line, "", error.error) for error in errors]
        for row in result.invalid_rows:
            for column, messages_ in row.field_specific_errors.items():
                problems += [jobs.problem(row.number, column, text) for text in messages_]
            problems += [jobs.problem(row.number, "", text)
                         for text in row.non_field_specific_errors]
        if problems:
            return jobs.Outcome(problems=problems)
        return jobs.Outcome(summary=_("Import finished. %(summary)s") % {
            "summary": self.import_summary(result)})

    def problem_lines(self, result):
        """Return every problem of the import `result` as a sentence, file-wide ones first and
        then by line: "Line 6, organisation: Unknown organisation: x."."""
        problems = self.outcome(result).problems
        problems.sort(key=lambda problem: -1 if problem["line"] is None else problem["line"])
        lines = []
        for problem in problems:
            if problem["line"] is None:
                lines.append(problem["message"])
            elif problem["column"]:
                lines.append(_("Line %(line)s, %(column)s: %(message)s") % problem)
            else:
                lines.append(_("Line %(line)s: %(message)s") % problem)
        return lines

    def import_summary(self, result):
        """Return what an import did, in words and per model, in the active language:
        "New: 1 action plan, 3 goals, 5 actions. Changed: 1 role. 4 rows unchanged."

        A resource that does not count what it saves (units.resources.VastuuResource.count)
        is told by its rows.
        """
        totals = result.totals
        tally = getattr(result, "tally", None)
        if tally is None:
            tally = {self.model: {"new": totals[RowResult.IMPORT_TYPE_NEW],
                                  "changed": totals[RowResult.IMPORT_TYPE_UPDATE]}}
        words = [tally_in_words(tally)]
        if totals[RowResult.IMPORT_TYPE_DELETE]:
            words.append(ngettext("%(count)d row deleted.", "%(count)d rows deleted.",
                                  totals[RowResult.IMPORT_TYPE_DELETE]) % {
                "count": totals[RowResult.IMPORT_TYPE_DELETE]})
        same = totals[RowResult.IMPORT_TYPE_SKIP]
        if same:
            words.append(ngettext("%(count)d row unchanged.", "%(count)d rows unchanged.",
                                  same) % {"count": same})
        return " ".join(word for word in words if word) or str(_("Nothing changed."))

    def add_success_message(self, result, request):
        """Say what the import did, in the user's language."""
        messages.success(request, self.outcome(result).summary)

    def _check(self, request, form):
        """Check the uploaded sheet; return what the page shows of it."""
        upload = form.cleaned_data["import_file"]
        options = {"format": int(form.cleaned_data["format"]),
                   "resource": self.get_resource_index(form)}
        file_format = self._format(options)
        try:
            data = read_upload(upload)
            lines, large = self.is_large(data, file_format.get_extension())
            dataset = None if large else file_format.create_dataset(data)
        except SheetError as error:
            form.add_error("import_file", str(error))
            return {}
        if large:
            token = self.keep_upload(request, data, upload.name, lines=lines, background=True,
                                     options=options)
            return {"background": self.rows_in_words(lines),
                    "confirm_form": ConfirmForm(initial={"token": token})}
        resource = self.choose_import_resource_class(form, request)(
            **self.get_import_resource_kwargs(request, form=form))
        result = resource.import_data(dataset, dry_run=True, raise_errors=False,
                                      file_name=upload.name, user=request.user)
        context = {"result": result}
        if not (result.has_errors() or result.has_validation_errors()):
            token = self.keep_upload(request, data, upload.name, lines=lines, background=False,
                                     options=options)
            context["confirm_form"] = ConfirmForm(initial={"token": token})
        return context

    def _url(self, view):
        """Return the address of this admin's `view` ("import", "changelist")."""
        app_label, model_name = self.get_model_info()
        return reverse(f"admin:{app_label}_{model_name}_{view}", current_app=self.admin_site.name)

    def _format(self, options):
        """Return the import format `options` name."""
        return self.get_import_formats()[options.get("format", 0)]()

    def _blank_form(self, request):
        """Return an empty upload form."""
        return self.get_import_form_class(request)(
            self.get_import_formats(), self.get_import_resource_classes(request))

    def _import_page(self, request, form, context):
        """Return the import page: the upload form and whatever the check found."""
        resource_kwargs = self.get_import_resource_kwargs(request)
        resources = [resource_class(**resource_kwargs)
                     for resource_class in self.get_import_resource_classes(request)]
        request.current_app = self.admin_site.name
        return TemplateResponse(request, [self.import_template_name], {
            **self.get_import_context_data(),
            **self.admin_site.each_context(request),
            "title": _("Import"),
            "form": form,
            "opts": self.model._meta,
            "media": self.media + form.media,
            "fields_list": [(resource.get_display_name(),
                             [field.column_name for field in resource.get_user_visible_fields()])
                            for resource in resources],
            "import_error_display": self.import_error_display,
            "template_formats": list(TEMPLATE_FORMATS),
            "problems": self.problem_lines(context["result"]) if context.get("result") else [],
            **context,
        })
