"""/.well-known/security.txt says whom to tell of a vulnerability (RFC 9116)."""

import datetime

import pytest
from django.core.checks import run_checks
from django.urls import reverse
from django.utils import timezone

URL = "/.well-known/security.txt"


def fields(response):
    """Return the fields of a security.txt answer as a dict."""
    lines = response.content.decode().splitlines()
    return dict(line.split(": ", 1) for line in lines if line and not line.startswith("#"))


@pytest.mark.django_db
def test_anyone_reads_it_as_plain_text(client):
    response = client.get(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert reverse("guard:security_txt") == URL


@pytest.mark.django_db
def test_it_names_the_contact_languages_expiry_and_its_own_address(client, settings):
    settings.VASTUU_SECURITY_CONTACT = "mailto:tietoturva@kuopio.fi"
    found = fields(client.get(URL))
    assert found["Contact"] == "mailto:tietoturva@kuopio.fi"
    assert found["Preferred-Languages"] == "fi, sv, en"
    assert found["Canonical"] == "http://testserver/.well-known/security.txt"
    expires = datetime.datetime.fromisoformat(found["Expires"])
    assert found["Expires"].endswith("Z")
    assert timezone.now() < expires < timezone.now() + datetime.timedelta(days=365)


@pytest.mark.django_db
def test_without_a_contact_it_names_the_privacy_notice(client, settings):
    settings.VASTUU_SECURITY_CONTACT = ""
    assert fields(client.get(URL))["Contact"] == "http://testserver/tietosuojaseloste/"


@pytest.mark.django_db
def test_only_get_and_head_are_answered(client):
    assert client.head(URL).status_code == 200
    assert client.post(URL).status_code == 405


def test_the_deployment_check_asks_for_a_contact(settings):
    settings.VASTUU_SECURITY_CONTACT = ""
    assert "guard.W001" in {message.id for message in run_checks(include_deployment_checks=True)}
    settings.VASTUU_SECURITY_CONTACT = "mailto:tietoturva@kuopio.fi"
    assert "guard.W001" not in {
        message.id for message in run_checks(include_deployment_checks=True)}
