"""Fixtures shared by the whole suite, named after the state they set up."""

import re
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connections, transaction
from django.test import override_settings
from django.utils import translation
from guardian.shortcuts import assign_perm

from tests.demo_snapshot import demo_loaded
from tests.factories import OrganisationFactory, UnitFactory, UserFactory


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """Test on SQLite in a file, as Vastuu runs on it, rather than in memory.

    An in-memory database shared between threads refuses a second writer at once, whatever
    the settings say; a file in write-ahead-log mode lets the concurrency tests see writers
    wait for each other as they do in production. Each parallel worker has a database of its
    own (pytest-django's suffix; on SQLite, the worker's own temporary folder).
    """
    settings_dict = connections["default"].settings_dict
    if settings_dict["ENGINE"] == "django.db.backends.sqlite3":
        test_name = tmp_path_factory.mktemp("database") / "test.sqlite3"
        settings_dict.setdefault("TEST", {})["NAME"] = str(test_name)


@pytest.fixture(autouse=True)
def default_language():
    """Run each test in the site's default language, whatever a request before it activated.

    A request leaves its language active in the thread, and the translated model fields then
    read and write that language's column: test data must not depend on the order of tests.
    """
    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture
def english(client):
    """Run in English, and `client` too, so that the words tests look for stay put as
    translations grow. Another client of the test asks with the language cookie itself."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def organisation(db):
    return OrganisationFactory(name="Kuopio", slug="kuopio")


@pytest.fixture
def school(organisation):
    return UnitFactory(organisation=organisation, name="Kalevalan koulu", slug="kalevalan-koulu",
                       sectors=["perusopetus"])


@pytest.fixture
def other_school(db):
    return UnitFactory(name="Toinen koulu", slug="toinen-koulu", sectors=["perusopetus"])


@pytest.fixture
def superuser(db):
    return UserFactory(username="admin", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def principal(school):
    user = UserFactory(username="rehtori")
    for codename in ("view_unit", "manage_assignments", "manage_devices"):
        assign_perm(f"units.{codename}", user, school)
    return user


@pytest.fixture
def principal_client(client, principal):
    client.force_login(principal)
    return client


def words(response):
    """Return the page's text without tags, in single spaces."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def run_load_demo(*args, debug=False):
    """Run load_demo (with DEBUG off unless `debug`) and return its output."""
    out = StringIO()
    with override_settings(DEBUG=debug):
        call_command("load_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def demo_for_module(django_db_setup, django_db_blocker):
    # Read-only modules share one demo, rolled back when the module is done.
    with django_db_blocker.unblock(), transaction.atomic():
        yield demo_loaded()
        transaction.set_rollback(True)
    ContentType.objects.clear_cache()


@pytest.fixture
def demo(demo_for_module, db):
    """The demo loaded without logins, shared by the module's tests: read it, don't change it."""
    return demo_for_module
