"""Project-wide middleware."""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


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
