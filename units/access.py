"""The lookups every page starts from: a unit or an organisation, through the choke point."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from units.models import Organisation, Unit


def unit_or_404(user, slug, action="view"):
    """Return the unit `slug` if `user` may do `action` on it; otherwise raise Http404.

    A unit the user may not see answers exactly as one that does not exist.
    """
    return get_object_or_404(Unit.objects.for_user(user, action).with_lineage(), slug=slug)


def unit_allows(user, unit, action):
    """Return whether `user` may do `action` on `unit` (for showing or hiding a page's controls)."""
    return Unit.objects.for_user(user, action).filter(pk=unit.pk).exists()


def organisation_or_404(user, slug, *, unit_viewers=False):
    """Return the organisation `slug` if `user` may view it; otherwise raise Http404.

    With `unit_viewers`, a user who may view any unit of the organisation (or of one below it)
    may see it too: for pages that show roles and duties but nobody's name.
    """
    organisation = get_object_or_404(
        Organisation.objects.select_related("parent__parent", "template"), slug=slug)
    if Organisation.objects.for_user(user, "view").filter(pk=organisation.pk).exists():
        return organisation
    if unit_viewers and (Unit.objects.for_user(user, "view")
                         .in_organisation(organisation).exists()):
        return organisation
    raise Http404("No organisation matches the given query.")
