"""The error pages in Finnish, Swedish and English, with the site's header and the way home.

The suite runs with DEBUG off, so Django answers with the project's 400, 403, 404 and 500
templates as in production. The 500 page is rendered without a request.
"""

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from tests.factories import UserFactory

LANGUAGES = ["fi", "sv", "en"]
pytestmark = pytest.mark.urls("tests.config.error_urls")


@pytest.fixture
def client_in(client, db):
    """Return a function that sets the client's language (as the footer's switch does)."""
    def speaking(language):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        return client
    return speaking


def in_language(language, *messages):
    """Return `messages` as they read in `language`."""
    with translation.override(language):
        return [translation.gettext(message) for message in messages]


def assert_error_page(response, language, status, *messages):
    """Fail unless `response` is the site's error page in `language` saying `messages`."""
    page = response.content.decode()
    assert response.status_code == status
    assert f'<html lang="{language}">' in page
    assert 'class="site-header"' in page and "css/vastuu.css" in page  # the site's look
    for text in in_language(language, "Go to the home page", "Privacy notice", *messages):
        assert text in page, text
    assert 'href="/"' in page  # the way home


@pytest.mark.parametrize("language", LANGUAGES)
def test_page_not_found(client_in, language):
    response = client_in(language).get("/no-such-page/")
    assert_error_page(response, language, 404, "Page not found")


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_access_says_whom_to_ask(client_in, language):
    response = client_in(language).get("/forbidden/")
    assert_error_page(response, language, 403, "No access", (
        "Access to units, organisations and the administration is given by your "
        "organisation's Vastuu administrator. Ask them, and tell them the address of this "
        "page."))


@pytest.mark.parametrize("language", LANGUAGES)
def test_server_error(client_in, language):
    client = client_in(language)
    client.raise_request_exception = False
    response = client.get("/broken/")
    assert_error_page(response, language, 500, "Something went wrong")
    assert "a bug" not in response.content.decode()


@pytest.mark.parametrize("language", LANGUAGES)
def test_bad_request(client_in, language):
    response = client_in(language).get("/suspicious/")
    assert_error_page(response, language, 400, "Bad request")
    assert "forged" not in response.content.decode()


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_refused_form_says_what_to_do(db, language):
    client = Client(enforce_csrf_checks=True)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.post("/login/", {"username": "x", "password": "y"})
    assert_error_page(response, language, 403, "The form could not be sent")


def test_the_admin_refuses_with_the_same_page(client, db):
    client.force_login(UserFactory(is_staff=True))
    response = client.get("/admin/auth/user/")
    assert_error_page(response, "fi", 403, "No access")
