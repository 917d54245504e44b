"""Fixtures for the demo loader tests: the demo loaded per module or per test, hashing kept fast."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

# The loader hashes three passwords per run; the default hasher is slow on purpose.
FAST_HASHING = {"PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"]}


def run_load_demo(*args, debug=False):
    """Run load_demo (with DEBUG off unless `debug`) and return its output."""
    out = StringIO()
    with override_settings(DEBUG=debug, **FAST_HASHING):
        call_command("load_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def demo_for_module(django_db_setup, django_db_blocker):
    # Read-only modules share one load, rolled back when the module is done.
    with django_db_blocker.unblock(), transaction.atomic():
        yield run_load_demo()
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_for_module, db):
    """The demo loaded without logins, shared by the module's tests: read it, don't change it."""
    return demo_for_module


@pytest.fixture
def load(db):
    """Return a function that runs load_demo for this test alone, with DEBUG off."""
    with override_settings(**FAST_HASHING):
        yield run_load_demo


@pytest.fixture
def demo_with_logins(load):
    """The demo loaded with its logins for this test alone; return the command's output."""
    return load("--with-logins")
