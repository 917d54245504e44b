"""Handing out and collecting devices at term start and end, and the handover receipts.

Both pages need the right to manage the unit's devices: a unit the user may only view answers 404
like one that does not exist. The scanning itself is in devices.handout; the views parse the
request, call it and redirect, so a reload never scans twice.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_GET, require_http_methods

from devices import handout as scanning
from units.access import unit_or_404

MANAGE = "manage_devices"
RECEIPT_LANGUAGES = ("fi", "sv")


@login_required
@require_http_methods(["GET", "POST"])
def handout(request, slug):
    """Show the scanning page in its mode; on POST, act on a scan, a cancel or a reset."""
    unit = unit_or_404(request.user, slug, MANAGE)
    mode = request.GET.get("mode")
    mode = mode if mode in scanning.MODES else scanning.HAND_OUT
    tally = scanning.Tally(request.session, unit)
    if request.method == "POST":
        action = request.POST.get("action", "scan")
        if action == "reset":
            tally.reset()
        elif action == "cancel":
            tally.release()
        else:
            scanning.scan(tally, unit=unit, by=request.user, mode=mode,
                          value=request.POST.get("scan", ""))
        return redirect(f"{reverse('devices:handout', args=[unit.slug])}?mode={mode}")
    return render(request, "devices/handout.html", {
        "unit": unit,
        "mode": mode,
        "holder": tally.holder if mode == scanning.HAND_OUT else None,
        "last": tally.pop_last(),
        "tally": tally.summary(),
        "today": timezone.localdate().isoformat(),
    })


@login_required
@require_GET
def receipt(request, slug):
    """Show the printable handover receipts of a day: one holder's, or everyone's.

    The receipts are in the language asked for (Finnish or Swedish), the page around them in the
    user's own.
    """
    unit = unit_or_404(request.user, slug, MANAGE)
    day = _day(request.GET.get("date"))
    lang = request.GET.get("lang")
    lang = lang if lang in RECEIPT_LANGUAGES else RECEIPT_LANGUAGES[0]
    holder_key = scanning.clean_scan(request.GET.get("holder", ""))
    found = scanning.receipts(unit, day, holder_key)
    with translation.override(lang):
        rendered = [render_to_string("devices/_receipt.html", {
            "unit": unit, "day": day, "receipt": receipt, "lang": lang}) for receipt in found]
    return render(request, "devices/receipt.html", {
        "unit": unit, "day": day, "lang": lang, "holder_key": holder_key,
        "receipts": rendered, "languages": RECEIPT_LANGUAGES,
    })


def _day(value):
    """Return the date `value` (YYYY-MM-DD) names, today when it is missing."""
    if not value:
        return timezone.localdate()
    try:
        day = parse_date(value)
    except ValueError:
        day = None
    if day is None:
        raise Http404("Not a date.")
    return day
