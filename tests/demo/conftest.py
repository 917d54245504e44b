"""Fixtures for the demo loader tests: the demo loaded for one test alone."""

import pytest

from tests.conftest import run_load_demo


@pytest.fixture
def load(db):
    """Return a function that runs load_demo for this test alone, with DEBUG off."""
    return run_load_demo


@pytest.fixture
def demo_with_logins(load):
    """The demo loaded with its logins for this test alone; return the command's output."""
    return load("--with-logins")
