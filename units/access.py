"""The lookup every unit page starts from, through the permission choke point."""

from django.shortcuts import get_object_or_404

from units.models import Unit


def unit_or_404(user, slug, action="view"):
    """Return the unit `slug` if `user` may do `action` on it; otherwise raise Http404.

    A unit the user may not see answers exactly as one that does not exist.
    """
    return get_object_or_404(Unit.objects.for_user(user, action).with_lineage(), slug=slug)
