"""Superusers see the login records in the admin and release a lock; nobody else sees them."""

import pytest
from django.conf import settings
from django.urls import reverse

from guard.models import FailedLogin, SuccessfulLogin
from tests.factories import UserFactory
from units.services import organisation_administrator_appoint

LIST = reverse("admin:guard_failedlogin_changelist")


pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def locked_teacher(client, db):
    """A teacher locked out after five wrong passwords from one address."""
    teacher = UserFactory(username="opettaja")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "opettaja", "password": "väärä"},
                    REMOTE_ADDR="192.0.2.10")
    return teacher


def log_in(client):
    return client.post(reverse("login"), {"username": "opettaja", "password": "salasana-123"},
                       REMOTE_ADDR="192.0.2.10")


def test_the_superuser_sees_the_lock(client, locked_teacher, superuser):
    client.force_login(superuser)
    response = client.get(LIST, {"locked": "yes"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [FailedLogin.objects.get()]
    assert "opettaja" in response.content.decode()
    assert "192.0.2.10" in response.content.decode()


def test_the_superuser_releases_the_lock_and_the_teacher_logs_in(client, locked_teacher,
                                                                 superuser):
    client.force_login(superuser)
    attempt = FailedLogin.objects.get()
    response = client.post(LIST, {"action": "release", "_selected_action": [attempt.pk]},
                           follow=True)
    assert "Deleted 1 failed login attempt" in response.content.decode()
    assert not FailedLogin.objects.exists()
    client.logout()
    assert log_in(client).status_code == 302


def test_deleting_the_attempt_releases_the_lock_too(client, locked_teacher, superuser):
    client.force_login(superuser)
    attempt = FailedLogin.objects.get()
    url = reverse("admin:guard_failedlogin_delete", args=[attempt.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    client.logout()
    assert log_in(client).status_code == 302


def test_the_records_are_read_only_even_for_the_superuser(client, locked_teacher, superuser):
    client.force_login(superuser)
    attempt = FailedLogin.objects.get()
    page = client.get(reverse("admin:guard_failedlogin_change", args=[attempt.pk]))
    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    assert client.get(reverse("admin:guard_failedlogin_add")).status_code == 403


def test_successful_logins_are_listed(client, locked_teacher, superuser):
    UserFactory(username="rehtori")
    client.post(reverse("login"), {"username": "rehtori", "password": "salasana-123"})
    client.force_login(superuser)
    response = client.get(reverse("admin:guard_successfullogin_changelist"))
    assert response.status_code == 200
    assert SuccessfulLogin.objects.filter(username="rehtori").exists()
    assert "rehtori" in response.content.decode()


def test_an_organisation_administrator_sees_no_login_records(client, locked_teacher, school):
    administrator = organisation_administrator_appoint(
        user=UserFactory(username="kuopio-admin"), organisation=school.organisation)
    client.force_login(administrator)
    assert client.get(LIST).status_code == 403
    assert client.get(reverse("admin:guard_successfullogin_changelist")).status_code == 403
    index = client.get(reverse("admin:index")).content.decode()
    assert "failedlogin" not in index and "Login security" not in index
