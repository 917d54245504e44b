"""Bad input answers 400 with a clear message before any view reads it; good input passes.

tests/test_bad_input.py walks every URL with bad input; these pin the rule itself: what is
refused, what passes (tabs and lines in a text, uploaded files, JSON), and how the refusal reads.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from guard.middleware import BadInputMiddleware

HOME, LOGIN = reverse("matrix:home"), reverse("login")


@pytest.mark.parametrize("address", [
    "/?q=a%00b", "/?q=a%1Fb", "/?a%00b=1", "/?a%09b=1", "/units/a%00b/", "/units/a%0Ab/",
    "/?page=1&q=" + "a" * 2001, "/?" + "k" * 2001 + "=1", "/units/" + "a" * 2001 + "/",
])
def test_a_control_character_or_an_overlong_value_in_the_address_answers_400(
        principal_client, address):
    assert principal_client.get(address).status_code == 400


@pytest.mark.parametrize("address", ["/?q=a%09b", "/?q=rivi%0D%0Arivi", "/?q=" + "a" * 2000,
                                     "/?q=%FF%FE", "/?q=%25_"])
def test_tabs_lines_long_values_and_odd_bytes_in_a_query_value_pass(principal_client, address):
    assert principal_client.get(address).status_code == 200


def test_a_browser_gets_a_page_in_its_language_with_a_way_home(principal_client):
    response = principal_client.get("/?q=a%00b", HTTP_ACCEPT="text/html,*/*;q=0.8")
    assert response.status_code == 400
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response["Content-Language"] == "fi"
    page = response.content.decode()
    assert "NUL" in page
    assert f'href="{HOME}"' in page


def test_another_client_gets_one_line_of_plain_text(client, db):
    response = client.get("/?q=" + "a" * 5000, HTTP_ACCEPT="*/*")
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "2000" in response.content.decode()
    assert response.content.decode().count("\n") == 1


def test_djangos_own_bad_requests_get_the_same_page(client, db):
    response = client.get(HOME, HTTP_HOST="not-allowed.example")
    assert response.status_code == 400
    assert f'href="{HOME}"' in response.content.decode()


@pytest.mark.parametrize("form", [
    {"username": "a\x00b", "password": "x"}, {"username": "x", "password": "a\x07b"},
    {"username": "x", "password": "x", "a\x00b": "1"}, {"username": "x", "password": "x",
                                                       "a\tb": "1"},
])
def test_a_control_character_in_a_posted_form_answers_400(client, db, form):
    assert client.post(LOGIN, form).status_code == 400
    urlencoded = "&".join(f"{key}={value}" for key, value in form.items())
    assert client.post(LOGIN, urlencoded.replace("\x00", "%00"),
                       content_type="application/x-www-form-urlencoded").status_code == 400


def test_tabs_and_lines_in_a_posted_text_pass(client, db):
    response = client.post(LOGIN, {"username": "rivi\r\nrivi\tsarake", "password": "x"})
    assert response.status_code == 200  # the login form says the password was wrong


def test_the_contents_of_an_uploaded_file_are_not_looked_at(client, db):
    upload = SimpleUploadedFile("laitteet.xlsx", b"PK\x03\x04\x00\x00\x01\x1f")
    response = client.post(LOGIN, {"username": "x", "password": "x", "file": upload})
    assert response.status_code == 200


def test_a_json_body_is_not_looked_at(client, db):
    response = client.post(LOGIN, '{"q": "a\\u0000b"}', content_type="application/json")
    assert response.status_code == 200


def test_a_view_exempt_from_csrf_reads_its_own_post():
    """Such a view may set its own upload handlers, which must come before reading the POST."""
    middleware = BadInputMiddleware(lambda request: HttpResponse())
    request = RequestFactory().post("/", {"note": "a\x00b"})
    view = csrf_exempt(lambda request: HttpResponse())
    assert middleware.process_view(request, view, (), {}) is None
    assert not hasattr(request, "_post")
    assert middleware.process_view(request, lambda request: None, (), {}).status_code == 400


def test_a_control_character_in_a_cookie_or_a_header_answers_400(client, db):
    client.cookies["sessionid"] = "a\x00b"
    assert client.get(LOGIN).status_code == 400
    del client.cookies["sessionid"]
    assert client.get(LOGIN, HTTP_USER_AGENT="Selain\x00").status_code == 400
    assert client.get(LOGIN, HTTP_USER_AGENT="Selain\t1.0").status_code == 200


def test_the_limits_come_from_the_settings(principal_client, settings):
    settings.VASTUU_MAX_QUERY_VALUE_LENGTH = 10
    settings.VASTUU_MAX_PATH_LENGTH = 20
    assert principal_client.get("/?q=" + "a" * 11).status_code == 400
    assert principal_client.get("/?q=" + "a" * 10).status_code == 200
    assert principal_client.get("/units/" + "a" * 14 + "/").status_code == 400


def test_the_unit_search_reads_at_most_a_hundred_characters(principal_client, school):
    response = principal_client.get(HOME, {"q": "Kalevalan koulu" + "x" * 200})
    assert response.context["query"] == ("Kalevalan koulu" + "x" * 200)[:100]
    assert 'maxlength="100"' in response.content.decode()
