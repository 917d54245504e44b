"""The settings read from the environment: a required secret key, HTTPS by default, a clean check.

Each test reads config/settings.py afresh with an environment of its own, as a server started
with that environment would.
"""

import os
import runpy
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key

SETTINGS = settings.BASE_DIR / "config" / "settings.py"
# What a municipality sets in production (README, "Going live"); everything else is a default.
PRODUCTION = {"DJANGO_ALLOWED_HOSTS": "vastuu.example.fi",
              "VASTUU_SECURITY_CONTACT": "mailto:tietoturva@example.fi"}


def clean_environment(**env):
    """Return this process's environment without Vastuu's variables, with `env` added."""
    kept = {name: value for name, value in os.environ.items()
            if not name.startswith(("DJANGO_", "VASTUU_")) and name != "DATABASE_URL"}
    return {**kept, **env}


@pytest.fixture
def read_settings(monkeypatch):
    """Return a function that reads the settings with only the given variables set."""
    def read(**env):
        for name in list(os.environ):
            if name.startswith(("DJANGO_", "VASTUU_")) or name == "DATABASE_URL":
                monkeypatch.delenv(name)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(str(SETTINGS))
    return read


def test_settings_refuse_to_start_without_a_secret_key_outside_debug():
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=60, check=False,
        env=clean_environment(DJANGO_SETTINGS_MODULE="config.settings"))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr
    assert "get_random_secret_key()" in result.stderr  # the command that makes one


def test_the_secret_key_comes_from_the_environment_or_a_file(read_settings, tmp_path):
    assert read_settings(DJANGO_SECRET_KEY="k" * 50)["SECRET_KEY"] == "k" * 50
    path = tmp_path / "secret_key"
    path.write_text("from-the-file\n", encoding="utf-8")
    assert read_settings(DJANGO_SECRET_KEY_FILE=str(path))["SECRET_KEY"] == "from-the-file"
    with pytest.raises(ImproperlyConfigured, match="cannot be read"):
        read_settings(DJANGO_SECRET_KEY_FILE=str(tmp_path / "missing"))


def test_debug_alone_uses_the_development_key_over_plain_http(read_settings):
    values = read_settings(DJANGO_DEBUG="1")
    assert values["SECRET_KEY"].startswith("django-insecure-")
    assert not values["SECURE_SSL_REDIRECT"] and not values["SESSION_COOKIE_SECURE"]
    assert values["DATABASES"]["default"]["CONN_MAX_AGE"] == 0
    assert "whitenoise" not in values["STORAGES"]["staticfiles"]["BACKEND"]


def test_production_defaults_are_https_behind_a_tls_proxy(read_settings):
    values = read_settings(DJANGO_SECRET_KEY="k" * 50,
                           DJANGO_ALLOWED_HOSTS="vastuu.example.fi,.kunta.example.fi")
    assert values["DEBUG"] is False
    assert values["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] == 365 * 24 * 3600
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SESSION_COOKIE_SECURE"] is values["CSRF_COOKIE_SECURE"] is True
    assert values["CSRF_TRUSTED_ORIGINS"] == ["https://vastuu.example.fi",
                                              "https://*.kunta.example.fi"]
    database = values["DATABASES"]["default"]
    assert database["CONN_MAX_AGE"] == 600 and database["CONN_HEALTH_CHECKS"] is True
    assert values["STORAGES"]["staticfiles"]["BACKEND"] == (
        "whitenoise.storage.CompressedManifestStaticFilesStorage")


def test_the_plain_http_trial_turns_the_https_settings_off(read_settings):
    values = read_settings(DJANGO_SECRET_KEY="k" * 50, DJANGO_HTTPS="0")
    assert values["SECURE_PROXY_SSL_HEADER"] is None
    assert not values["SECURE_SSL_REDIRECT"] and values["SECURE_HSTS_SECONDS"] == 0
    assert not values["SESSION_COOKIE_SECURE"] and not values["CSRF_COOKIE_SECURE"]
    assert values["CSRF_TRUSTED_ORIGINS"] == []


def test_each_setting_can_also_be_set_on_its_own(read_settings):
    values = read_settings(
        DJANGO_SECRET_KEY="k" * 50, DJANGO_HSTS_SECONDS="3600", DJANGO_HSTS_PRELOAD="1",
        DJANGO_PROXY_SSL_HEADER="X-Forwarded-Scheme", DJANGO_SSL_REDIRECT="0",
        DJANGO_CSRF_TRUSTED_ORIGINS="https://a.example.fi, https://b.example.fi",
        DJANGO_SESSION_IDLE_HOURS="0.5", DJANGO_CONN_MAX_AGE="0")
    assert values["SECURE_HSTS_SECONDS"] == 3600 and values["SECURE_HSTS_PRELOAD"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_SCHEME", "https")
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["CSRF_TRUSTED_ORIGINS"] == ["https://a.example.fi", "https://b.example.fi"]
    assert values["SESSION_COOKIE_AGE"] == 1800
    assert values["DATABASES"]["default"]["CONN_MAX_AGE"] == 0
    assert read_settings(DJANGO_SECRET_KEY="k" * 50,
                         DJANGO_PROXY_SSL_HEADER="")["SECURE_PROXY_SSL_HEADER"] is None


def test_sessions_end_with_the_browser_and_after_eight_idle_hours(read_settings):
    values = read_settings(DJANGO_SECRET_KEY="k" * 50)
    assert values["SESSION_EXPIRE_AT_BROWSER_CLOSE"] is True
    assert values["SESSION_COOKIE_AGE"] == 8 * 3600


def test_check_deploy_is_clean_with_a_production_environment(tmp_path):
    env = clean_environment(DJANGO_SETTINGS_MODULE="config.settings",
                            DJANGO_SECRET_KEY=get_random_secret_key(),
                            DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", **PRODUCTION)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=120, check=False, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
