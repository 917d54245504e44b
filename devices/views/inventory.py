"""Inventory rounds: start one, scan the devices found, close it and read what was not found.

Reading needs "view" on the unit; starting, marking and closing need "manage_devices", and a
unit the user may not manage answers 404 to them. A round is looked up under its unit, so
another unit's round id is not found. Marking is POST/redirect/GET with a message, so a
keyboard-wedge scanner (type the tag, press Enter) can go on scan after scan.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from devices import reports, services
from devices.access import may_manage
from devices.models import Device, normalise_tag
from units.access import unit_allows, unit_or_404

MANAGE = "manage_devices"


class ScanForm(forms.Form):
    """The one input a scanner types into."""

    tag = forms.CharField(
        label=gettext_lazy("Asset tag"), max_length=200,
        help_text=gettext_lazy("Scan a device's label, or type its tag and press Enter. The "
                               "input is ready for the next scan."),
        widget=forms.TextInput(attrs={
            "autofocus": True, "autocomplete": "off", "autocapitalize": "characters",
            "spellcheck": "false", "enterkeyhint": "go",
        }),
    )

    def clean_tag(self):
        return normalise_tag(self.cleaned_data["tag"])


def _round_or_404(unit, pk):
    """Return the round `pk` of `unit` (already checked); another unit's round is not found."""
    return get_object_or_404(unit.inventory_rounds.select_related("started_by", "closed_by"),
                             pk=pk)


def _tally(inventory):
    """Return the round's found and missing devices, counts and percentage, for the page."""
    found = list(inventory.marks.select_related("device").order_by("-at", "-pk"))
    missing = list(reports.missing_devices(inventory))
    # Everything found is expected (an open round counts it in; closing fixes it), so the
    # expected number needs no query of its own.
    expected = len(found) + len(missing)
    return {
        "found": found,
        "missing": missing,
        "found_count": len(found),
        "expected_count": expected,
        "percent": reports.percentage(len(found), expected),
    }


@login_required
@require_http_methods(["GET", "POST"])
def inventory_list(request, slug):
    """List the unit's inventory rounds with their tallies; on POST, start a new round."""
    if request.method == "POST":
        unit = unit_or_404(request.user, slug, MANAGE)
        try:
            inventory = services.inventory_start(unit=unit, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("devices:inventory_list", unit.slug)
        messages.success(request, _("Started an inventory round. Scan or type the tag of each "
                                    "device you find."))
        return redirect("devices:inventory", unit.slug, inventory.pk)

    unit = unit_or_404(request.user, slug, "view")
    rounds = list(reports.with_tally(unit.inventory_rounds.select_related("started_by")))
    open_round = next((inventory for inventory in rounds if inventory.is_open), None)
    if open_round is not None:
        # Nothing is fixed while a round is open: count what it would expect now.
        open_round.expected_count = open_round.expected_devices().count()
    for inventory in rounds:
        inventory.percent = reports.percentage(inventory.found, inventory.expected_count)
    return render(request, "devices/inventory_list.html", {
        "unit": unit,
        "current": "inventory",
        "rounds": rounds,
        "open_round": open_round,
        "can_manage": may_manage(request.user, unit),
    })


@login_required
@require_http_methods(["GET", "POST"])
def inventory(request, slug, pk):
    """Show a round: while open, the scan input and the tally; once closed, its report.

    On POST, mark the scanned device found and come back here.
    """
    if request.method == "POST":
        unit = unit_or_404(request.user, slug, MANAGE)
        inventory = _round_or_404(unit, pk)
        _mark(request, unit, inventory)
        return redirect("devices:inventory", unit.slug, inventory.pk)

    unit = unit_or_404(request.user, slug, "view")
    inventory = _round_or_404(unit, pk)
    can_manage = may_manage(request.user, unit)
    return render(request, "devices/inventory.html", {
        "unit": unit,
        "current": "inventory",
        "inventory": inventory,
        "can_manage": can_manage,
        "form": ScanForm() if can_manage and inventory.is_open else None,
        **_tally(inventory),
    })


def _mark(request, unit, inventory):
    """Mark the device whose tag was scanned found in `inventory`, and say what happened."""
    form = ScanForm(request.POST)
    if not form.is_valid() or not form.cleaned_data["tag"]:
        messages.error(request, _("Scan or type the tag of a device."))
        return
    tag = form.cleaned_data["tag"]
    device = Device.objects.select_related("unit").filter(asset_tag=tag).first()
    if device is None:
        messages.error(request, _("No device is tagged %(tag)s. Check the tag and scan it again.")
                       % {"tag": tag})
        return
    try:
        _found, created = services.inventory_mark_found(inventory=inventory, device=device,
                                                        by=request.user)
    except ValidationError as error:
        message = " ".join(error.messages)
        if error.code == "other_unit" and unit_allows(request.user, device.unit_id):
            # Named to someone who may see the other unit anyway.
            message = _("%(tag)s belongs to %(unit)s, not to this unit.") % {
                "tag": device.asset_tag, "unit": device.unit}
        messages.error(request, message)
        return
    if not created:
        messages.info(request, _("%(tag)s was already marked found.") % {"tag": device.asset_tag})
    elif device.is_gone:
        messages.warning(request, _("%(tag)s found. It is recorded as %(status)s: update its "
                                    "status in the register.") % {
            "tag": device.asset_tag, "status": device.get_status_display().lower()})
    else:
        messages.success(request, _("%(tag)s found.") % {"tag": device.asset_tag})


@login_required
@require_http_methods(["GET", "POST"])
def inventory_close(request, slug, pk):
    """Ask to confirm closing the round; on POST, close it and show its report."""
    unit = unit_or_404(request.user, slug, MANAGE)
    inventory = _round_or_404(unit, pk)
    if not inventory.is_open:
        messages.info(request, _("This inventory round is already closed."))
        return redirect("devices:inventory", unit.slug, inventory.pk)
    if request.method == "POST":
        try:
            services.inventory_close(inventory=inventory, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Closed the inventory round of %(day)s.") % {
                "day": date_format(localtime(inventory.started_at), "SHORT_DATE_FORMAT")})
        return redirect("devices:inventory", unit.slug, inventory.pk)
    return render(request, "devices/inventory.html", {
        "unit": unit,
        "current": "inventory",
        "inventory": inventory,
        "can_manage": True,
        "confirming": True,
        **_tally(inventory),
    })
