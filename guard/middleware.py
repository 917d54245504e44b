"""Refuse bad input at the door: control characters and overlong values answer 400.

A NUL byte that reaches a query makes PostgreSQL refuse it (the page would answer 500), and a
search of 100,000 characters is more than SQLite's LIKE takes. No view should have to think of
either, so the request is refused before any view reads it, with a short page in the user's
language (plain text for a client that does not ask for HTML):

- the path, a query-string key or a cookie with a control character (U+0000–U+001F), a header
  or a query-string value with one other than tab, line feed and carriage return;
- a path longer than VASTUU_MAX_PATH_LENGTH, a query-string key or value longer than
  VASTUU_MAX_QUERY_VALUE_LENGTH;
- a POSTed form (urlencoded or multipart) whose field names or values carry a control
  character as above. Uploaded files are not looked at (Django drops what is not printable from
  their names), nor are bodies of other kinds (JSON), and a form has no length limit here beyond
  Django's DATA_UPLOAD_MAX_MEMORY_SIZE: a text may be long.

A POST is read where CsrfViewMiddleware reads it anyway, just before the view; a view exempt
from CSRF may need to set its own upload handlers first, so its POST is left to it.
"""

import re

from django.conf import settings
from django.http import HttpResponseBadRequest, UnreadablePostError
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

# Every C0 control character: never in a path, a name or a cookie.
CONTROL = re.compile(r"[\x00-\x1f]")
# In a value, tab, line feed and carriage return are text (a textarea sends them).
CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def control_message():
    """Return why a request with a control character is refused."""
    return _("The address or the form contains a control character (such as a NUL byte), "
             "which Vastuu does not accept.")


def length_message(limit):
    """Return why a request with a value longer than `limit` characters is refused."""
    return _("A value in the address is too long: at most %(limit)s characters are "
             "accepted.") % {"limit": limit}


class BadInputMiddleware:
    """Answer 400 for control characters in a request and for overlong values in its address."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        """Refuse a request whose address, cookies or headers are bad; else answer it."""
        reason = self.address_fault(request) or self.header_fault(request)
        if reason:
            return refusal(request, reason)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        """Refuse a POSTed form with a control character, unless the view reads its own POST."""
        if request.method != "POST" or getattr(view_func, "csrf_exempt", False):
            return None
        try:
            form, files = request.POST, request.FILES
        except UnreadablePostError:
            return None  # the client went away; the view finds out
        values = (value for _name, values in form.lists() for value in values)
        if (any(CONTROL.search(name) for name in [*form, *files])
                or any(CONTROL_IN_TEXT.search(value) for value in values)):
            return refusal(request, control_message())
        return None

    @staticmethod
    def address_fault(request):
        """Return why the path or the query string is refused, or None."""
        if CONTROL.search(request.path):
            return control_message()
        if len(request.path) > settings.VASTUU_MAX_PATH_LENGTH:
            return length_message(settings.VASTUU_MAX_PATH_LENGTH)
        limit = settings.VASTUU_MAX_QUERY_VALUE_LENGTH
        for key, values in request.GET.lists():
            if CONTROL.search(key) or any(CONTROL_IN_TEXT.search(value) for value in values):
                return control_message()
            if len(key) > limit or any(len(value) > limit for value in values):
                return length_message(limit)
        return None

    @staticmethod
    def header_fault(request):
        """Return why the cookies or headers are refused (a control character), or None.

        Browsers and servers never send these; the session cookie reaches a query, and the
        login's browser name is stored.
        """
        if any(CONTROL.search(value) for value in request.COOKIES.values()):
            return control_message()
        headers = (value for key, value in request.META.items()
                   if key.startswith("HTTP_") and isinstance(value, str))
        if any(CONTROL_IN_TEXT.search(value) for value in headers):
            return control_message()
        return None


def wants_html(request):
    """Return whether the client names HTML among what it accepts, as browsers do."""
    return any(media.main_type == "text" and media.sub_type == "html"
               or media.main_type == "application" and media.sub_type == "xhtml+xml"
               for media in request.accepted_types)


def refusal(request, reason):
    """Return the 400 answer giving `reason`: the site's page, or one line of plain text."""
    if wants_html(request):
        return HttpResponseBadRequest(render_to_string("400.html", {"reason": reason}, request))
    return HttpResponseBadRequest(f"{_('Bad request')}: {reason}\n",
                                  content_type="text/plain; charset=utf-8")
