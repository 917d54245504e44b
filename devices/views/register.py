"""A unit's device register: the list, a device with its history, its details, and each step.

Read pages start from `unit_or_404(…, "view")`, every change from `unit_or_404(…,
"manage_devices")`, so a unit the user may not see, or may not change, answers 404; a device
is looked up within that unit only, so another unit's tag under this unit's address is a 404
too. Views parse the form and call devices.services, which check the step and log it.
"""

import copy
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from devices import forms, services
from devices.access import device_or_404, may_manage
from devices.models import ChargingCart, Device
from units.access import unit_allows, unit_or_404
from units.history import recent_changes

MANAGE = "manage_devices"
PER_PAGE = 50


@login_required
def device_list(request, slug):
    """Show the unit's register: counts, filters and search, one page of devices."""
    unit = unit_or_404(request.user, slug)
    devices = Device.objects.in_unit(unit)
    form = forms.DeviceFilterForm(request.GET, unit=unit)
    shown = form.filter(devices).select_related("cart").with_loan().order_by("asset_tag")
    page = Paginator(shown, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "devices/device_list.html", {
        "unit": unit, "form": form, "page": page, "can_manage": may_manage(request.user, unit),
        "page_range": page.paginator.get_elided_page_range(page.number),
        **_counts(devices),
    })


def _counts(devices):
    """Return the register's counts by category (of active devices) and by status, in one query.

    Each entry is (value, label, count), in the order the choices are declared.
    """
    by_category, by_status = {}, {}
    for row in devices.order_by().values("category", "status").annotate(n=Count("pk")):
        by_status[row["status"]] = by_status.get(row["status"], 0) + row["n"]
        if row["status"] not in Device.GONE:
            by_category[row["category"]] = by_category.get(row["category"], 0) + row["n"]
    return {
        "by_category": [(value, label, by_category[value])
                        for value, label in Device.Category.choices if value in by_category],
        "by_status": [(value, label, by_status[value])
                      for value, label in Device.Status.choices if value in by_status],
        "total": sum(by_status.values()),
    }


@login_required
def cart_list(request, slug):
    """Show the unit's charging carts, each slot filled with its device or empty."""
    unit = unit_or_404(request.user, slug)
    carts = ChargingCart.objects.filter(unit=unit).prefetch_related(
        Prefetch("devices", queryset=Device.objects.only(
            "asset_tag", "status", "model", "cart_id", "cart_slot")))
    rows = []
    for cart in carts:
        in_slot = {device.cart_slot: device for device in cart.devices.all()}
        rows.append((cart, [(slot, in_slot.get(slot)) for slot in range(1, cart.slots + 1)],
                     len(in_slot)))
    return render(request, "devices/cart_list.html", {"unit": unit, "carts": rows})


@login_required
def device(request, slug, tag):
    """Show a device: its details, its history newest first, its loans, and the next steps."""
    unit = unit_or_404(request.user, slug)
    device = _device(unit, tag)
    can_manage = may_manage(request.user, unit)
    return render(request, "devices/device.html", {
        "unit": unit, "device": device, "can_manage": can_manage,
        "steps": [(name, step) for name, step in STEPS.items()
                  if can_manage and step.allowed(device)],
        "events": device.events.select_related("holder", "from_unit", "to_unit"),
        "loans": device.loans.select_related("holder"),
        "changes": recent_changes((Device.history.filter(id=device.pk),
                                   lambda record: record.asset_tag)),
    })


@login_required
@require_http_methods(["GET", "POST"])
def device_add(request, slug):
    """Show the form for a new device of the unit; on POST, register it."""
    unit = unit_or_404(request.user, slug, MANAGE)
    form = forms.DeviceForm(request.POST if request.method == "POST" else None, unit=unit)
    if form.is_bound and form.is_valid():
        try:
            device = services.device_register(by=request.user, unit=unit, **form.object_data())
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Registered %(tag)s.") % {"tag": device.asset_tag})
            return redirect("devices:device", unit.slug, device.asset_tag)
    return render(request, "devices/device_form.html", {"unit": unit, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def device_edit(request, slug, tag):
    """Show the form for a device's details; on POST, save what changed."""
    unit = unit_or_404(request.user, slug, MANAGE)
    device = _device(unit, tag)
    # The form writes into its instance as it validates; the page keeps showing the saved one.
    form = forms.DeviceForm(request.POST if request.method == "POST" else None,
                            instance=copy.copy(device), unit=unit)
    if form.is_bound and form.is_valid():
        changes = form.object_data(form.changed_data)
        if not changes:
            messages.info(request, _("Nothing changed."))
            return redirect("devices:device", unit.slug, device.asset_tag)
        try:
            services.device_update(device=device, by=request.user,
                                   version=form.posted_version(), **changes)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Saved the details of %(tag)s.")
                             % {"tag": device.asset_tag})
            return redirect("devices:device", unit.slug, device.asset_tag)
    return render(request, "devices/device_form.html", {
        "unit": unit, "form": form, "device": device,
    })


@dataclass(frozen=True)
class Step:
    """One step in a device's life, as the device page offers it and its page takes it.

    `rule` names the step in the model's rules: `Device.can_<rule>()` decides whether it can
    be taken, and `Device.why_not(rule)` says why not.
    """

    title: Promise
    form: type
    service: object
    rule: str
    done: Promise
    explanation: Promise = ""

    def allowed(self, device):
        """Return whether the step can be taken for `device` now."""
        return getattr(device, f"can_{self.rule}")()


STEPS = {
    "check-out": Step(gettext_lazy("Check out"), forms.CheckOutForm, services.device_check_out,
                      "check_out", gettext_lazy("Checked out %(tag)s to %(holder)s.")),
    "return": Step(gettext_lazy("Return"), forms.ReturnForm, services.device_return,
                   "return", gettext_lazy("Took %(tag)s back.")),
    "repaired": Step(
        gettext_lazy("Mark repaired"), forms.NoteForm, services.device_mark_repaired,
        "mark_repaired", gettext_lazy("%(tag)s is repaired."),
        gettext_lazy("The fault is closed: the device goes back in use if someone has it, "
                     "otherwise back in stock.")),
    "fault": Step(gettext_lazy("Report a fault"), forms.FaultForm, services.device_report_fault,
                  "report_fault", gettext_lazy("Reported a fault of %(tag)s."),
                  gettext_lazy("The device is in repair until the fault is marked repaired.")),
    "move": Step(gettext_lazy("Move"), forms.MoveForm, services.device_move, "move",
                 gettext_lazy("Moved %(tag)s.")),
    "retire": Step(gettext_lazy("Retire"), forms.NoteForm, services.device_retire, "leave",
                   gettext_lazy("Retired %(tag)s."),
                   gettext_lazy("A retired device stays in the register with its history, but "
                                "it can no longer be checked out, moved or repaired.")),
    "hand-on": Step(gettext_lazy("Hand on"), forms.HandOnForm, services.device_hand_on,
                    "leave", gettext_lazy("Handed on %(tag)s."),
                    gettext_lazy("The device leaves the unit for good: to recycling, a buyer or "
                                 "another organisation. It stays in the register with its "
                                 "history.")),
    "lost": Step(gettext_lazy("Mark lost"), forms.NoteForm, services.device_mark_lost,
                 "mark_lost", gettext_lazy("Marked %(tag)s lost."),
                 gettext_lazy("A lost device's loan ends and it leaves its cart slot. It stays "
                              "in the register with its history.")),
}


@login_required
@require_http_methods(["GET", "POST"])
def device_action(request, slug, tag, action):
    """Show the form of one step for a device; on POST, take the step through its service."""
    unit = unit_or_404(request.user, slug, MANAGE)
    step = STEPS.get(action)
    if step is None:
        raise Http404
    device = _device(unit, tag)
    if request.method == "GET" and not step.allowed(device):
        messages.warning(request, _("“%(step)s” is not possible now: %(reason)s") % {
            "step": step.title, "reason": device.why_not(step.rule)})
        return redirect("devices:device", unit.slug, device.asset_tag)
    form = step.form(request.POST if request.method == "POST" else None,
                     device=device, user=request.user)
    if form.is_bound and form.is_valid():
        try:
            changed = step.service(device=device, by=request.user, **form.service_arguments())
        except ValidationError as error:
            form.add_service_error(error)
        else:
            holder = changed.holder_label
            messages.success(request, step.done % {"tag": changed.asset_tag, "holder": holder})
            return _to_device(request, changed, unit)
    return render(request, "devices/device_action.html", {
        "unit": unit, "device": device, "form": form, "step": step, "action": action,
    })


def _device(unit, tag):
    """Return the device `tag` of `unit` (already checked), with the unit's lineage in place."""
    device = device_or_404(unit, tag)
    device.unit = unit
    return device


def _to_device(request, device, unit):
    """Redirect to the device's page, at its new unit if it moved there and the user sees it."""
    if device.unit_id != unit.pk:
        if unit_allows(request.user, device.unit_id):
            return redirect("devices:device", device.unit.slug, device.asset_tag)
        return redirect("devices:device_list", unit.slug)
    return redirect("devices:device", unit.slug, device.asset_tag)
