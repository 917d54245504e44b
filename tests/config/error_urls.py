"""The site's URLs, with views that fail, for the error page tests."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import path

from config.urls import urlpatterns as site


def forbidden(request):
    """Refuse, as a view does when the user may not do something."""
    raise PermissionDenied


def broken(request):
    """Fail, as a view with a bug does."""
    raise RuntimeError("a bug")


def suspicious(request):
    """Fail on a request that cannot be right."""
    raise SuspiciousOperation("a forged request")


urlpatterns = [
    path("forbidden/", forbidden),
    path("broken/", broken),
    path("suspicious/", suspicious),
    *site,
]
