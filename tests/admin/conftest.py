"""The admin in English with cheap password hashing, so tests stay put and fast."""

import pytest
from django.conf import settings
from django.utils import translation

from tests.resources.conftest import matrix, region  # noqa: F401 (shared fixtures)


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Hash the factory users' passwords cheaply: the slow default hasher dominates these tests."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def english(client, fast_passwords):
    """Run in English, so that the messages the tests look for stay put as translations grow."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield
