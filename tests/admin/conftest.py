"""The admin in English, so tests stay put as translations grow."""

import pytest

from tests.resources.conftest import matrix, region  # noqa: F401 (shared fixtures)


@pytest.fixture(autouse=True)
def in_english(english):
    """Run every test of this folder in English (tests/conftest.py)."""
