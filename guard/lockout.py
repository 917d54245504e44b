"""How django-axes counts a login attempt (its username and address) and answers a lock-out.

config/settings.py names these functions (AXES_USERNAME_CALLABLE, AXES_CLIENT_IP_CALLABLE,
AXES_LOCKOUT_CALLABLE); axes calls them on the login page and the admin's login alike.
"""

import ipaddress
import math

from axes.helpers import get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.shortcuts import render
from django.utils import timezone

# The longest username axes records.
USERNAME_LENGTH = AccessAttempt._meta.get_field("username").max_length


def username(request, credentials=None):
    """Return the username an attempt counts under: as given, cut to what axes can record."""
    given = credentials if credentials else getattr(request, "POST", {})
    name = given.get(settings.AXES_USERNAME_FORM_FIELD)
    return name[:USERNAME_LENGTH] if isinstance(name, str) else name


def client_address(request):
    """Return the address a login comes from.

    Behind VASTUU_PROXY_COUNT reverse proxies, each of which appends the address it saw to
    X-Forwarded-For, that is the one the outermost proxy appended; what comes before it the
    client may have made up. Anything that is not an IP address counts as no address.
    """
    address = request.META.get("REMOTE_ADDR", "")
    count = settings.VASTUU_PROXY_COUNT
    if count:
        forwarded = [part.strip()
                     for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if len(forwarded) >= count:
            address = forwarded[-count]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def locked_out(request, original_response=None, credentials=None):
    """Answer a locked-out login with a page that says when to try again and whom to ask."""
    cool_off = get_cool_off(request)
    attempted = getattr(request, "axes_attempt_time", None) or timezone.now()
    return render(request, "guard/locked_out.html", {
        "limit": get_failure_limit(request, credentials),
        "minutes": math.ceil(cool_off.total_seconds() / 60),
        "until": attempted + cool_off,
    }, status=settings.AXES_HTTP_RESPONSE_CODE)
