"""Admin for the device register.

Devices are registered and edited through devices.services, like everywhere else. A device's
unit, status, cart and fault change only through the register's steps, which log an event for
each: the admin sets them when a device is added but not after, and its holder comes from a
check-out, never from a field. The event log, loans and inventory rounds are read-only here:
they are records, not settings.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from devices import services, tasks
from devices.importing import SheetError, plan_import, read_sheet
from devices.models import ChargingCart, Device, DeviceEvent, InventoryRound, Loan
from devices.resources import DeviceResource, headers
from imports import jobs
from imports.confirming import ConfirmedUploadMixin
from imports.models import ImportJob
from imports.sheets import kind_of
from imports.tickets import TicketError
from imports.uploads import check_upload, read_upload
from units.admin import ScopedAdmin, ScopedSheetAdmin
from units.models import Unit


class ImportForm(forms.Form):
    """The device sheet to import, within the import limit."""

    import_file = forms.FileField(
        label=_("File"), help_text=_("A .csv or .xlsx file in the columns of the export."))

    def clean_import_file(self):
        """Return the uploaded file, refused if it is larger than the import limit."""
        return check_upload(self.cleaned_data["import_file"])


class DeviceImportMixin(ConfirmedUploadMixin):
    """The admin import of devices: every row checked by devices.importing, then all or nothing.

    The first step uploads the file and lists every bad row with its line and reason, or says
    what the import will do; a file of more rows than a request can bear is instead offered to
    the background worker (devices.tasks), which checks and saves it in one go while its page
    shows how far it is. Confirming takes the one-time token (imports.tickets), checks the file
    again and saves it. Rows of units the user may not manage the devices of are refused.
    """

    def import_action(self, request, **kwargs):
        """Upload a device sheet and show its problems or what importing it would do."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        context = {"form": form}
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["import_file"]
            try:
                data = read_upload(upload)
                lines, large = self.is_large(data, kind_of(upload.name))
                plan = None if large else plan_import(read_sheet(data, upload.name),
                                                      units=self._units(request))
            except SheetError as error:
                form.add_error("import_file", str(error))
            else:
                if large:
                    context["background"] = self.rows_in_words(lines)
                elif plan.is_valid:
                    context["plan"] = plan
                else:
                    return self._import_page(request, {**context, "plan": plan})
                context["token"] = self.keep_upload(request, data, upload.name, lines=lines,
                                                    background=large)
        return self._import_page(request, context)

    def process_import(self, request, **kwargs):
        """Import the checked file the posted token confirms, all or nothing."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        if request.method != "POST":
            return redirect("admin:devices_device_import")
        upload_url = reverse("admin:devices_device_import")
        try:
            job, data = self.take_upload(request)
        except TicketError as error:
            return self.refuse_confirmation(request, error, upload_url)
        if job.background:
            return self.run_in_background(request, job, data, tasks.import_devices)
        try:
            plan = services.devices_import(data=data, name=job.file_name,
                                           units=self._units(request), by=request.user)
        except SheetError as error:
            job.finish(ImportJob.Status.REFUSED, problems=[jobs.problem(None, "", error)])
            messages.error(request, str(error))
            return redirect(upload_url)
        except Exception:
            self.fail_in_request(request, job)
            return redirect(upload_url)
        outcome = tasks.outcome(job, plan)
        job.finish(outcome.status, summary=outcome.summary, problems=outcome.problems)
        if not plan.is_valid:
            # The register changed since the file was checked; show what is wrong now.
            return self._import_page(request, {"form": ImportForm(), "plan": plan})
        messages.success(request, _("Imported: %(summary)s") % {"summary": plan.summary()})
        return redirect("admin:devices_device_changelist")

    def _units(self, request):
        """Return the units whose devices the user may import."""
        return Unit.objects.for_user(request.user, "manage_devices")

    def _import_page(self, request, context):
        """Return the import page: the upload form and whatever the check found."""
        return TemplateResponse(request, "admin/devices/device/import.html", {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Import devices"),
            "columns": headers(),
            **context,
        })


@admin.register(Device)
class DeviceAdmin(DeviceImportMixin, ScopedSheetAdmin):
    """Devices: exported by asset tag, imported all or nothing, their logged fields fixed."""

    resource_classes = [DeviceResource]
    organisation_paths = ("unit__organisation",)
    list_display = ["asset_tag", "category", "model", "unit", "use", "status", "holder_label",
                    "billed_monthly", "last_seen"]
    list_filter = ["status", "category", "use", "billed_monthly", "ownership",
                   ("unit__organisation", admin.RelatedOnlyFieldListFilter),
                   ("unit", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["asset_tag", "serial_number", "number", "manufacturer", "model",
                     "unit__name", "unit__slug"]
    list_select_related = ["unit"]
    autocomplete_fields = ["unit", "cart"]
    fieldsets = [
        (None, {"fields": ["unit", "category", "asset_tag", "serial_number", "manufacturer",
                           "model", "number", "use", "location"]}),
        (_("Ownership and billing"), {"fields": ["ownership", "lease_ends_on",
                                                 "billed_monthly", "monthly_cost"]}),
        (_("Status and place"), {"fields": ["status", "holder_label", "cart", "cart_slot",
                                            "last_seen",
                                            "fault_reported_on", "fault_ticket"]}),
        (None, {"fields": ["notes", "created_at", "updated_at"]}),
    ]

    def get_queryset(self, request):
        """Return the devices with their open loans, for the holder column."""
        return super().get_queryset(request).with_loan()

    @admin.display(description=_("holder"))
    def holder_label(self, device):
        """Return the member of staff's name or the pupil's code the open loan names."""
        return device.holder_label

    def get_readonly_fields(self, request, obj=None):
        """Fix the logged fields once the device exists: the register's steps change them.

        A new device starts with no fault: reporting one is a step of its own.
        """
        if obj is None:
            return ["holder_label", "fault_reported_on", "fault_ticket", "created_at",
                    "updated_at"]
        return [*Device.LIFECYCLE_FIELDS, "holder_label", "created_at", "updated_at"]

    def has_delete_permission(self, request, obj=None):
        """Refuse: a device is retired or handed on, never deleted, so its log stays."""
        return False

    def save_model(self, request, obj, form, change):
        """Register or edit the device through devices.services, which log the event."""
        if change:
            # The form has refused a stale save already (units.admin.ScopedAdmin).
            changes = form.object_data(form.changed_data)
            if changes:
                services.device_update(device=obj, by=request.user, **changes)
            return
        saved = services.device_register(by=request.user, **form.object_data())
        # The admin goes on with its own instance (log entry, redirect): make it the saved one.
        obj.pk, obj._state = saved.pk, saved._state


@admin.register(ChargingCart)
class ChargingCartAdmin(ScopedAdmin):
    """Charging carts with their slots and how many devices they hold."""

    organisation_paths = ("unit__organisation",)

    list_display = ["name", "unit", "slots", "device_count", "location"]
    list_filter = [("unit__organisation", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "unit__name", "unit__slug"]
    list_select_related = ["unit"]
    autocomplete_fields = ["unit"]

    def get_queryset(self, request):
        """Return the carts with their units, counting their devices."""
        return super().get_queryset(request).select_related("unit").annotate(
            device_total=Count("devices"))

    @admin.display(description=_("devices"), ordering="device_total")
    def device_count(self, cart):
        """Return how many devices the cart holds."""
        return cart.device_total


class RecordAdmin(ScopedAdmin):
    """A record that the admin shows but cannot add, change or delete."""

    def has_add_permission(self, request, obj=None):
        """Refuse: records are written by the register's actions."""
        return False

    def has_change_permission(self, request, obj=None):
        """Refuse: a record stays as it was written."""
        return False

    def has_delete_permission(self, request, obj=None):
        """Refuse: a record is kept."""
        return False


@admin.register(DeviceEvent)
class DeviceEventAdmin(RecordAdmin):
    """The event log: read-only, so that no one can rewrite a device's history."""

    organisation_paths = ("device__unit__organisation",)

    list_display = ["at", "device", "kind", "by_name", "holder", "pupil_code", "ticket"]
    list_filter = ["kind", ("device__unit", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["device__asset_tag", "by_name", "pupil_code", "ticket", "note"]
    list_select_related = ["device", "holder"]
    date_hierarchy = "at"


@admin.register(Loan)
class LoanAdmin(RecordAdmin):
    """Loans of devices to staff and pupils, as the register's check-outs and returns wrote them."""

    organisation_paths = ("device__unit__organisation",)

    list_display = ["device", "holder_label", "checked_out_at", "returned_at"]
    list_filter = [("device__unit", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["device__asset_tag", "holder__name", "pupil_code"]
    list_select_related = ["device", "holder"]
    date_hierarchy = "checked_out_at"

    @admin.display(description=_("holder"))
    def holder_label(self, loan):
        """Return the person's name or the pupil's code."""
        return loan.holder_label


@admin.register(InventoryRound)
class InventoryRoundAdmin(RecordAdmin):
    """Inventory rounds, as the register's inventory pages started and closed them."""

    organisation_paths = ("unit__organisation",)

    list_display = ["unit", "started_at", "started_by", "closed_at", "closed_by", "found"]
    list_filter = [("unit__organisation", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["unit__name", "unit__slug"]
    list_select_related = ["unit", "started_by", "closed_by"]

    def get_queryset(self, request):
        """Return the rounds counting the devices found."""
        return super().get_queryset(request).annotate(found_total=Count("marks"))

    @admin.display(description=_("devices found"), ordering="found_total")
    def found(self, inventory):
        """Return how many devices the round found."""
        return inventory.found_total
