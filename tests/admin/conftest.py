"""The admin in English, so tests stay put as translations grow."""

import pytest
from django.conf import settings
from django.utils import translation

from tests.resources.conftest import matrix, region  # noqa: F401 (shared fixtures)


@pytest.fixture(autouse=True)
def english(client):
    """Run in English, so that the messages the tests look for stay put as translations grow."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield
