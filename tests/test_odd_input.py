"""Every URL pattern requested with odd input that is allowed: anything but a server error.

tests/test_bad_input.py refuses what no page should see; what passes must not break a page
either, on SQLite or PostgreSQL. Each route of tests/test_url_permissions.py is requested as a
superuser, who reaches the code that reads the input, with long path arguments and numbers too
big for any column in them; query values just under the limit made of a thousand words (a
search splits them into terms), numbers too big for any column, negative numbers, LIKE's
wildcards and bytes that are no UTF-8; and POSTs whose every field carries 100,000 characters,
a number too big for any column, or lines and tabs.
"""

from urllib.parse import quote

import pytest
from django.conf import settings

from tests import test_url_permissions as permissions
from tests.test_bad_input import KEYS, arguments, with_argument, with_query
from tests.test_url_permissions import ROUTES, address

world = permissions.world

# The fields the pages' and the admin's forms and actions read.
FIELDS = ["note", "name", "title", "text", "q", "scan", "action", "apply", "token", "post",
          "username", "password", "language", "next", "asset_tag", "serial_number", "holder",
          "pupil_code", "status", "unit", "role", "person", "organisation", "level",
          "_selected_action", "index", "select_across", "version"]
HUGE = 100_000
# LIKE's wildcards and its escape, letters beyond ASCII, and bytes that are no UTF-8.
ODD = quote("%_ä\\€", safe="") + "%FF%FE"


def words(length):
    """Return `length` characters of short words, which a search splits into many terms."""
    return ("ab " * length)[:length].strip()


@pytest.fixture
def superuser_client(world):
    """Return a client logged in as the superuser of the world."""
    return permissions.client_of(world, "superuser")


def assert_answered(response, request):
    """Assert that `response` is anything but a server error; `request` says what was asked."""
    assert response.status_code < 500, str(request)[:300]


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES)
def test_a_long_or_numeric_path_argument_is_no_server_error(superuser_client, world, route):
    for placeholder in arguments(route):
        for value in ("a" * 1000, "9" * 30, quote("ä €", safe="")):
            url = with_argument(route, world, placeholder, value)
            assert_answered(superuser_client.get(url), url)


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES)
def test_an_odd_but_allowed_query_string_is_no_server_error(superuser_client, world, route):
    url = address(route, world)
    limit = settings.VASTUU_MAX_QUERY_VALUE_LENGTH
    long_words, long_number = quote(words(limit)), "9" * limit
    others = [key for key in KEYS if key != "q"]
    for query in (f"q={long_words}", f"q={ODD}",
                  "&".join(f"{key}={long_number}" for key in others),
                  "&".join(f"{key}={long_words}" for key in others),
                  "&".join(f"{key}=-1" for key in others)):
        asked = with_query(url, query)
        assert_answered(superuser_client.get(asked), asked)


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES)
def test_an_odd_but_allowed_post_is_no_server_error(superuser_client, world, route):
    url = address(route, world)
    for value in ("a" * HUGE, "9" * 1000, "rivi\r\nrivi\ttab " + words(HUGE)):
        assert_answered(superuser_client.post(url, dict.fromkeys(FIELDS, value)), url)
