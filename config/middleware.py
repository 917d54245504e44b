"""Project-wide middleware."""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

from units.history import recording


class FinnishFirstLocaleMiddleware(LocaleMiddleware):
    """Activate the language the user chose, else Finnish.

    The browser's Accept-Language is ignored on purpose: a municipality's shared or English-set
    computers would otherwise show staff an English page. Swedish and English are one click away
    in the footer, and the choice is remembered in the language cookie.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class HistoryHowMiddleware:
    """Record the changes a request makes as made in the admin or on a page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        how = "admin" if request.path.startswith("/admin/") else "page"
        with recording(how):
            return self.get_response(request)
