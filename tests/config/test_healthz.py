"""/healthz: the database's health for monitoring and the proxy, open to all, never cached."""

from unittest import mock

from django.db import OperationalError


def test_the_health_check_answers_without_a_login(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-store" in response["Cache-Control"]


def test_the_health_check_answers_503_when_the_database_does_not(client, db):
    with mock.patch("config.health.connection") as connection:
        connection.cursor.side_effect = OperationalError("the server is gone")
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unavailable"}
    assert "gone" not in response.content.decode()  # the reason goes to the log only
    assert "no-store" in response["Cache-Control"]


def test_the_health_check_only_reads(client, db):
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


def test_monitoring_on_loopback_needs_no_https(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/login/").status_code == 301  # every page goes to HTTPS
    assert client.get("/healthz").status_code == 200
