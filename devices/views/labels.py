"""Printable sheets of asset labels: a QR code to the device's page, the tag, number and unit.

Anyone who may view the unit may print its labels. The devices are the unit's active ones, or
those of one category or cart, or the tags asked for; a tag that is not an active device of this
unit is left out and named in a note, the same whether it belongs to another unit or to none.

A page holds eight sheets at most, and more labels go on the pages after it, each printed in
turn: every QR code takes a few milliseconds to draw, so a unit's thousands of devices on one
page would keep any viewer waiting for many seconds.
"""

import segno
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from devices.models import Device
from units.access import unit_or_404

# A common A4 sheet: 3 columns × 8 rows of 70 × 37 mm labels (see labels.css).
PER_SHEET = 24
SHEETS_PER_PAGE = 8
PER_PAGE = PER_SHEET * SHEETS_PER_PAGE


@login_required
@require_GET
def labels(request, slug):
    """Show the chosen devices' labels laid out on A4 sheets, ready to print."""
    unit = unit_or_404(request.user, slug, "view")
    carts = list(unit.carts.all())
    choice = _choice(request.GET, carts)
    devices = Device.objects.in_unit(unit).active()
    if choice["category"]:
        devices = devices.filter(category=choice["category"])
    if choice["cart"]:
        devices = devices.filter(cart=choice["cart"]).order_by("cart_slot", "asset_tag")
    not_printed = []
    if choice["tags"]:
        devices = devices.filter(asset_tag__in=choice["tags"])
        found = set(devices.values_list("asset_tag", flat=True))
        not_printed = [tag for tag in choice["tags"] if tag not in found]
    count = devices.count()
    # The labels skipped at the start of the first sheet count as cells of the first page.
    page = Paginator(range(choice["skip"] + count), PER_PAGE).get_page(request.GET.get("page"))
    first, last = page.start_index() - 1, page.end_index()
    shown = devices[max(first - choice["skip"], 0):max(last - choice["skip"], 0)]
    cells = ([None] * max(choice["skip"] - first, 0)
             + [_label(request, unit, device) for device in shown])
    return render(request, "devices/labels.html", {
        "unit": unit,
        "carts": carts,
        "categories": Device.Category.choices,
        "choice": choice,
        "count": count,
        "page": page,
        "page_range": page.paginator.get_elided_page_range(page.number),
        "per_page": PER_PAGE,
        "sheets": [cells[start:start + PER_SHEET] for start in range(0, len(cells), PER_SHEET)],
        "not_printed": not_printed,
    })


def _choice(query, carts):
    """Return the devices asked for in `query`: category, cart, tags, and labels to skip."""
    category = query.get("category", "")
    cart_id = query.get("cart", "")
    tags = []
    for tag in query.get("tags", "").replace(";", ",").replace(" ", ",").split(","):
        tag = tag.strip().upper()
        if tag and tag not in tags:
            tags.append(tag)
    try:
        # Skipping the labels already peeled off a sheet used before.
        skip = min(max(int(query.get("skip", 0)), 0), PER_SHEET - 1)
    except ValueError:
        skip = 0
    return {
        "category": category if category in Device.Category.values else "",
        "cart": next((cart for cart in carts if str(cart.pk) == cart_id), None),
        "tags": tags,
        "tags_text": ", ".join(tags),
        "skip": skip,
    }


def _label(request, unit, device):
    """Return what one label shows: the device, its page's address and that address as a QR."""
    url = request.build_absolute_uri(reverse("devices:device", args=[unit.slug,
                                                                     device.asset_tag]))
    # Medium error correction survives a scuffed label; the SVG scales to the label's size.
    svg = segno.make(url, error="m", micro=False).svg_inline(omitsize=True, border=2,
                                                             title=device.asset_tag)
    return {"device": device, "url": url, "qr": mark_safe(svg)}  # noqa: S308 (segno's own SVG)
