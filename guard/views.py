"""/.well-known/security.txt (RFC 9116): whom to tell of a vulnerability, and in which languages."""

import datetime

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

# Expires says when the file's readers should stop trusting it; the contact comes from the
# server's environment, which its maintainers keep current, so it always looks half a year on.
VALID_FOR = datetime.timedelta(days=180)


@require_safe
def security_txt(request):
    """Return security.txt: the contact (VASTUU_SECURITY_CONTACT, else the privacy notice)."""
    contact = settings.VASTUU_SECURITY_CONTACT or request.build_absolute_uri(
        reverse("privacy:notice"))
    expires = datetime.datetime.combine(timezone.now().date() + VALID_FOR, datetime.time(),
                                        tzinfo=datetime.UTC)
    lines = [
        f"Contact: {contact}",
        f"Expires: {expires:%Y-%m-%dT%H:%M:%SZ}",
        "Preferred-Languages: fi, sv, en",
        f"Canonical: {request.build_absolute_uri(reverse('guard:security_txt'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
