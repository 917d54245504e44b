"""The lookups every device page starts from (the unit itself: `units.access.unit_or_404`)."""

from django.shortcuts import get_object_or_404

from devices.models import Device, normalise_tag
from units.access import unit_allows


def device_or_404(unit, tag):
    """Return the device tagged `tag` of `unit` (a unit already checked); otherwise Http404.

    A tag of another unit's device answers 404 like one that does not exist.
    """
    return get_object_or_404(
        Device.objects.in_unit(unit).select_related("cart").with_loan(),
        asset_tag=normalise_tag(tag))


def may_manage(user, unit):
    """Return whether `user` may change the devices of `unit`."""
    return unit_allows(user, unit, "manage_devices")
