"""Response headers that keep pages private and features off: Cache-Control and Permissions-Policy.

Both middlewares sit below WhiteNoise, so static files, which show nobody, keep their long cache
lifetimes and get neither header.
"""

from django.conf import settings
from django.utils.cache import patch_cache_control


class NoStoreMiddleware:
    """Mark every page and download as never to be stored by a browser or a proxy.

    Nearly every page and export shows people (names, roles, who holds which device), and a
    shared school computer must not show them from its cache to the next user. A view that
    wants to be cached says so with `Cache-Control: public`, and is left alone.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "public" not in response.get("Cache-Control", ""):
            patch_cache_control(response, no_store=True)
        return response


def permissions_policy(features):
    """Return the Permissions-Policy header value for `features` ({feature: [allowed origins]})."""
    return ", ".join(
        f"{feature}=({' '.join(origins)})" for feature, origins in sorted(features.items()))


class PermissionsPolicyMiddleware:
    """Send the Permissions-Policy of settings.PERMISSIONS_POLICY with every response."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = permissions_policy(settings.PERMISSIONS_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.setdefault("Permissions-Policy", self.header)
        return response
