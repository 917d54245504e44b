"""Too many wrong passwords lock a username out from one address, on both login pages."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import F
from django.test import RequestFactory
from django.urls import reverse
from django.utils import formats, timezone

from guard.lockout import client_address, username
from tests.factories import UserFactory

LOGIN, ADMIN_LOGIN = reverse("login"), reverse("admin:login")
PASSWORD = "salasana-123"  # the factories' password


@pytest.fixture
def teacher(db):
    return UserFactory(username="opettaja")


def log_in(client, password, name="opettaja", page=LOGIN, address="192.0.2.10"):
    """Return the answer to one login with `password`, from `address`."""
    return client.post(page, {"username": name, "password": password}, REMOTE_ADDR=address)


def fail(client, times, **kwargs):
    """Log in with a wrong password `times` times; return the last answer."""
    for _attempt in range(times):
        response = log_in(client, "väärä", **kwargs)
    return response


def is_logged_in(client):
    return "_auth_user_id" in client.session


def test_a_wrong_password_shows_the_form_again_until_the_limit(client, teacher):
    response = fail(client, settings.AXES_FAILURE_LIMIT - 1)
    assert response.status_code == 200
    assert response.context["form"].errors


def test_the_fifth_wrong_password_locks_and_the_right_one_then_does_not_log_in(client, teacher):
    assert settings.AXES_FAILURE_LIMIT == 5
    assert fail(client, 5).status_code == 429
    response = log_in(client, PASSWORD)
    assert response.status_code == 429
    assert not is_logged_in(client)


def test_fifty_wrong_passwords_and_then_the_right_one_do_not_log_in(client, teacher):
    fail(client, 50)
    assert log_in(client, PASSWORD).status_code == 429
    assert not is_logged_in(client)


def test_the_admin_login_is_locked_too(client, teacher):
    teacher.is_staff = True
    teacher.save()
    assert fail(client, 5, page=ADMIN_LOGIN).status_code == 429
    assert log_in(client, PASSWORD, page=ADMIN_LOGIN).status_code == 429
    assert not is_logged_in(client)


def test_the_lock_page_says_in_finnish_when_to_try_again_and_whom_to_ask(client, teacher):
    response = fail(client, 5)
    assert response["Content-Language"] == "fi"
    assert '<html lang="fi">' in response.content.decode()
    until = timezone.localtime(AccessAttempt.objects.get().attempt_time
                               + settings.AXES_COOLOFF_TIME)
    page = response.content.decode()
    assert formats.time_format(until, "TIME_FORMAT") in page  # e.g. 14.35
    assert response.context["minutes"] == 15
    # The English text until the Finnish one is in the catalogue.
    assert "administrator" in page or "pääkäyttäjä" in page
    assert f'href="{LOGIN}"' in page


def test_the_lock_page_speaks_the_language_chosen(client, teacher):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sv"
    response = fail(client, 5)
    assert response.status_code == 429
    assert response["Content-Language"] == "sv"


def test_the_lock_is_for_one_username_from_one_address(client, teacher):
    UserFactory(username="rehtori")
    fail(client, 5)
    # The same school's other staff, behind the same address, log in as usual…
    assert log_in(client, PASSWORD, name="rehtori").status_code == 302
    client.logout()
    # …and the locked user logs in from elsewhere: nobody can lock them out of their school.
    assert log_in(client, PASSWORD, address="198.51.100.7").status_code == 302


def test_the_lock_ends_after_the_cool_off(client, teacher):
    fail(client, 5)
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - datetime.timedelta(1))
    assert log_in(client, PASSWORD).status_code == 302


def test_the_right_password_starts_the_count_again(client, teacher):
    fail(client, 4)
    assert log_in(client, PASSWORD).status_code == 302
    client.logout()
    assert fail(client, 4).status_code == 200


def test_the_limit_comes_from_the_settings(client, teacher, settings):
    settings.AXES_FAILURE_LIMIT = 2
    assert fail(client, 2).status_code == 429


def test_an_overlong_username_is_counted_cut_not_a_server_error(client, teacher):
    response = fail(client, 1, name="x" * 1000)
    assert response.status_code == 200
    assert AccessAttempt.objects.get().username == "x" * 255


def test_the_username_of_an_attempt_comes_from_its_credentials_or_its_form():
    request = RequestFactory().post(LOGIN, {"username": "lomake"})
    assert username(request, {"username": "y" * 300}) == "y" * 255
    assert username(request) == "lomake"


def test_the_address_is_the_clients_or_behind_proxies_the_one_they_saw(settings):
    factory = RequestFactory()
    forwarded = factory.get("/", REMOTE_ADDR="10.0.0.1",
                            HTTP_X_FORWARDED_FOR="203.0.113.9, 192.0.2.44")
    assert client_address(forwarded) == "10.0.0.1"
    settings.VASTUU_PROXY_COUNT = 1
    assert client_address(forwarded) == "192.0.2.44"
    settings.VASTUU_PROXY_COUNT = 2
    assert client_address(forwarded) == "203.0.113.9"
    settings.VASTUU_PROXY_COUNT = 3  # fewer addresses than proxies: the proxy's own
    assert client_address(forwarded) == "10.0.0.1"
    settings.VASTUU_PROXY_COUNT = 1
    assert client_address(factory.get("/", HTTP_X_FORWARDED_FOR="keksitty")) is None


def test_an_attempt_while_locked_starts_the_wait_again(client, teacher):
    fail(client, 5)
    earlier = F("attempt_time") - datetime.timedelta(minutes=10)
    AccessAttempt.objects.update(attempt_time=earlier)
    assert log_in(client, PASSWORD).status_code == 429
    # Twenty minutes after the fifth failure, but ten after the last attempt: still locked.
    AccessAttempt.objects.update(attempt_time=earlier)
    assert log_in(client, PASSWORD).status_code == 429
