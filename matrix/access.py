"""The lookups every matrix page starts from, all through the permission choke point."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from units.models import Organisation, Unit


def organisation_or_404(user, slug, *, unit_viewers=False):
    """Return the organisation `slug` if `user` may view it; otherwise raise Http404.

    With `unit_viewers`, a user who may view any unit of the organisation (or of one below it)
    may see it too: for pages that show roles and duties but nobody's name.
    """
    organisation = get_object_or_404(Organisation.objects.select_related("parent__parent"),
                                     slug=slug)
    if Organisation.objects.for_user(user, "view").filter(pk=organisation.pk).exists():
        return organisation
    if unit_viewers and (Unit.objects.for_user(user, "view")
                         .in_organisation(organisation).exists()):
        return organisation
    raise Http404("No organisation matches the given query.")
