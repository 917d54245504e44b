"""Logins on a shared school computer end when the browser closes and after an idle time."""

import datetime

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from tests.factories import UserFactory


@pytest.fixture
def teacher(db):
    return UserFactory(username="opettaja")


def the_session():
    """Return the one session in the database."""
    [session] = Session.objects.all()
    return session


def expires_in(session):
    """Return how long from now `session` lasts."""
    return session.expire_date - timezone.now()


def test_the_session_cookie_ends_when_the_browser_closes(client, teacher):
    response = client.post("/login/", {"username": "opettaja", "password": "salasana-123"})
    assert response.status_code == 302
    cookie = response.cookies["sessionid"]
    assert cookie.value and not cookie["expires"] and not cookie["max-age"]
    assert cookie["httponly"]


def test_a_login_lasts_the_idle_time(client, teacher, settings):
    client.force_login(teacher)
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    assert datetime.timedelta(hours=7, minutes=59) < expires_in(the_session())


def test_a_request_restarts_the_idle_time(client, teacher):
    client.force_login(teacher)
    Session.objects.update(expire_date=timezone.now() + datetime.timedelta(hours=1))
    assert client.get("/").status_code == 200
    assert datetime.timedelta(hours=7, minutes=59) < expires_in(the_session())


def test_requests_soon_after_each_other_write_the_session_once(client, teacher):
    client.force_login(teacher)
    saved = the_session().expire_date
    assert client.get("/").status_code == 200
    assert client.get("/me/").status_code == 200
    assert the_session().expire_date == saved  # not a database write on every page


def test_after_the_idle_time_the_login_has_ended(client, teacher):
    client.force_login(teacher)
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_short_idle_time_is_refreshed_sooner(client, teacher, settings):
    settings.SESSION_COOKIE_AGE = 600  # ten minutes: refreshed after one
    client.force_login(teacher)
    Session.objects.update(expire_date=timezone.now() + datetime.timedelta(seconds=530))
    client.get("/")
    assert expires_in(the_session()) > datetime.timedelta(seconds=590)
