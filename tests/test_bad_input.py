"""Every URL pattern requested with bad input answers 400 with a clear message, never 500.

The routes and the addresses they are requested at come from tests/test_url_permissions.py (its
walk of the URL resolver and its table of example arguments), so a page added tomorrow is
requested here too. Each one is requested as a superuser, who passes every access check, with
a NUL byte, another control character or 100,000 characters in an argument of its path, in a
query-string key or value, or in a POSTed field's name or value (multipart, with a file or
without, and urlencoded). All answer 400 (guard.middleware.BadInputMiddleware), on SQLite and
PostgreSQL.
tests/test_odd_input.py requests the same routes with odd input that is allowed.
"""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests import test_url_permissions as permissions
from tests.test_url_permissions import ROUTES, address

# Municipality A with its objects and users, as the permission tests build it (one per module).
world = permissions.world

# The keys of the query strings the pages and the admin read (views, filter forms, the admin's
# search, ordering, filters, popups and autocompletes).
KEYS = ["q", "page", "year", "role", "organisation", "format", "mode", "date", "lang",
        "holder", "tags", "skip", "sort", "sector", "days", "fault_days", "lease_months",
        "status", "category", "use", "cart", "next", "o", "e", "p", "all", "_popup",
        "_to_field", "_changelist_filters", "app_label", "model_name", "field_name", "term"]
NUL, CONTROL, HUGE = "a%00b", "a%01b", 100_000
MARKER = "MARKED-ARGUMENT"


def arguments(route):
    """Return the placeholders of `route` (such as `<slug:slug>`), in order."""
    return re.findall(r"<[^>]+>", route)


def with_argument(route, world, placeholder, value):
    """Return the address of `route` with `placeholder` filled with `value` (already quoted)."""
    return address(route.replace(placeholder, MARKER, 1), world).replace(MARKER, value)


def with_query(url, query):
    """Return `url` with `query` added to its query string."""
    return f"{url}{'&' if '?' in url else '?'}{query}"


@pytest.fixture
def superuser_client(world):
    """Return a client logged in as the superuser of the world."""
    return permissions.client_of(world, "superuser")


def assert_refused(response, request):
    """Assert that `response` is the bad-input answer, and `request` says what was asked."""
    assert response.status_code == 400, str(request)[:300]


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES)
def test_a_bad_path_argument_answers_400(superuser_client, world, route):
    for placeholder in arguments(route):
        for value in (NUL, CONTROL, "a" * HUGE):
            url = with_argument(route, world, placeholder, value)
            assert_refused(superuser_client.get(url), url)
        url = with_argument(route, world, placeholder, NUL)
        assert_refused(superuser_client.post(url, {"note": "x"}), url)


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES)
def test_a_bad_query_string_answers_400(superuser_client, world, route):
    url = address(route, world)
    # Every key the pages read, the last one bad: each key and value is looked at.
    every_key = "&".join(f"{key}=1" for key in KEYS) + f"&{KEYS[-1]}={NUL}"
    for query in (f"q={NUL}", f"q={CONTROL}", f"{NUL}=1", f"q={'a' * HUGE}",
                  f"{'k' * HUGE}=1", every_key):
        asked = with_query(url, query)
        assert_refused(superuser_client.get(asked), asked)
    asked = with_query(url, f"q={NUL}")
    assert_refused(superuser_client.post(asked, {"note": "x"}), asked)


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES)
def test_a_post_with_a_control_character_answers_400(superuser_client, world, route):
    url = address(route, world)
    upload = SimpleUploadedFile("laitteet.csv", b"tag\n")
    for form in ({"note": "a\x00b"}, {"name": "x", "q": "a\x01b"}, {"a\x00b": "x"},
                 {"note": "a\x00b", "file": upload}):
        assert_refused(superuser_client.post(url, form), (url, form))
    urlencoded = superuser_client.post(url, "note=a%00b",
                                       content_type="application/x-www-form-urlencoded")
    assert_refused(urlencoded, url)
