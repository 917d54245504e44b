"""Fixtures for the demo loader tests: the demo loaded for one test alone."""

import pytest

from tests.conftest import run_load_demo
from tests.demo_snapshot import demo_loaded


@pytest.fixture
def load(db):
    """Return a function that runs load_demo for this test alone, with DEBUG off."""
    return run_load_demo


@pytest.fixture
def demo_with_logins(db):
    """The demo with its logins, for this test alone; return the command's output."""
    return demo_loaded("--with-logins")
