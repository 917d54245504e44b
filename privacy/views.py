"""The privacy notice's page, which anyone may read without logging in."""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from privacy.models import PrivacyNotice


@require_safe
def notice(request):
    """Show the privacy notice in the active language (Finnish where no Swedish text is given)."""
    current = PrivacyNotice.current()
    if current is None:
        raise Http404("No privacy notice")
    return render(request, "privacy/notice.html", {"notice": current})
