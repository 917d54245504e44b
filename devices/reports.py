"""The device reports: what a principal or support should look at, and an inventory's tally.

Each report takes a Device queryset (one unit's, or every visible unit's of an organisation)
and its parameters, and runs one query whatever the number of devices. Rows are the devices
themselves, with what makes each a finding set as attributes, so a template needs no lookups.
"""

import calendar
import datetime
from collections import Counter

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from devices.models import InventoryMark, InventoryRound, open_loans


def _rows(devices):
    """Return `devices` with what a report table shows: the unit (for links) and holder."""
    return devices.select_related("unit").with_loan()

# The through table of InventoryRound.expected: one row per device a closed round expected.
Expected = InventoryRound.expected.through


def add_months(day, months):
    """Return `day` moved `months` calendar months on, on the month's last day if it is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month,
                       day=min(day.day, calendar.monthrange(year, month)[1]))


def unseen_billed(devices, *, days, today=None):
    """Return the billed devices in the unit's hands not seen in use for more than `days` days.

    A device never seen counts: billing for it is the first thing to question. Each device gets
    `days_unseen` (None when never seen); the longest unseen come first.
    """
    today = today or timezone.localdate()
    rows = list(_rows(devices.active().billed()
                      .not_seen_since(today - datetime.timedelta(days=days)))
                .order_by(F("last_seen").asc(nulls_first=True), "unit__name", "asset_tag"))
    for device in rows:
        device.days_unseen = (today - device.last_seen).days if device.last_seen else None
    return rows


def old_faults(devices, *, days, today=None):
    """Return the devices whose fault has been open for more than `days` days, oldest first.

    Each device gets `days_open`.
    """
    today = today or timezone.localdate()
    rows = list(_rows(devices.active()
                      .with_fault_open_since(today - datetime.timedelta(days=days)))
                .order_by("fault_reported_on", "unit__name", "asset_tag"))
    for device in rows:
        device.days_open = (today - device.fault_reported_on).days
    return rows


def ending_leases(devices, *, months, today=None):
    """Return the leased devices whose lease ends within `months` months (or has ended).

    A lease already ended on a device still in use is the most urgent, so it comes first. Each
    device gets `days_left` (negative once the lease has ended).
    """
    today = today or timezone.localdate()
    rows = list(_rows(devices.active().lease_ending_by(add_months(today, months)))
                .order_by("lease_ends_on", "unit__name", "asset_tag"))
    for device in rows:
        device.days_left = (device.lease_ends_on - today).days
    return rows


def not_found_in_last_round(devices):
    """Return the devices the last closed round of their unit expected and did not find.

    Only each unit's last closed round counts: a device missed once and found in a later round
    is no longer a finding. Each device gets `inventory_round`; its current status and last
    seen tell whether it has turned up since.
    """
    last_round = (InventoryRound.objects.closed().filter(unit=OuterRef("inventoryround__unit"))
                  .order_by("-closed_at", "-pk").values("pk")[:1])
    found = InventoryMark.objects.filter(round=OuterRef("inventoryround"),
                                         device=OuterRef("device"))
    # A device moved to another unit since was seen by whoever moved it: no longer missing here.
    rows = (Expected.objects.filter(device__in=devices, inventoryround=Subquery(last_round),
                                    device__unit=F("inventoryround__unit"))
            .exclude(Exists(found))
            .select_related("inventoryround", "device__unit")
            .prefetch_related(open_loans("device__loans"))
            .order_by("device__unit__name", "device__asset_tag"))
    result = []
    for row in rows:
        row.device.inventory_round = row.inventoryround
        result.append(row.device)
    return result


def count_by_unit(rows):
    """Return how many of `rows` (devices) each unit has, by unit id."""
    return Counter(device.unit_id for device in rows)


def with_tally(rounds):
    """Return `rounds` with `found` and `expected_count` (of a closed round) counted in SQL.

    Subqueries rather than two joins: joining marks and expected devices together would
    multiply the rows by each other.
    """
    found = (InventoryMark.objects.filter(round=OuterRef("pk")).order_by()
             .values("round").annotate(n=Count("pk")).values("n"))
    expected = (Expected.objects.filter(inventoryround=OuterRef("pk")).order_by()
                .values("inventoryround").annotate(n=Count("pk")).values("n"))
    zero = Value(0, output_field=IntegerField())
    return rounds.annotate(found=Coalesce(Subquery(found), zero),
                           expected_count=Coalesce(Subquery(expected), zero))


def missing_devices(inventory):
    """Return the devices `inventory` expects and has not found (yet), by tag."""
    return (inventory.expected_devices().exclude(pk__in=inventory.marks.values("device"))
            .with_loan().order_by("asset_tag"))


def percentage(found, expected):
    """Return the whole percent of `expected` found, rounded down (100 only when all are)."""
    if not expected:
        return None
    return found * 100 // expected


def monthly_cost(devices):
    """Return what `devices` are billed for each month together (no cost counts as nothing)."""
    return sum(device.monthly_cost or 0 for device in devices)
