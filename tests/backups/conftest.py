"""Fixtures for the backup tests: a second, empty database to restore into."""

import pytest
from django.db import connection, connections
from django.db.utils import load_backend

RESTORED = "restored"


@pytest.fixture(scope="module", autouse=True)
def migrated_data_put_back(django_db_setup, django_db_blocker):
    """After the module's last flush, restore the migrated data for whatever runs next."""
    yield
    with django_db_blocker.unblock():
        connection.creation.deserialize_db_from_string(connection._test_serialized_contents)




@pytest.fixture
def restored(transactional_db, tmp_path):
    """A new, empty database beside the test database, as the connection alias "restored".

    On PostgreSQL it is a database of its own on the same server; on SQLite a new file. The
    connection is made here and handed to Django's registry by hand, without a settings entry,
    so the suite never sets the database up as a test database of its own.
    """
    source = connections["default"]
    settings_dict = {**source.settings_dict}
    if source.vendor == "postgresql":
        settings_dict["NAME"] = f"{source.settings_dict['NAME']}_restored"
        _drop_database(source, settings_dict["NAME"])
        with source.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {source.ops.quote_name(settings_dict['NAME'])}")
    else:
        settings_dict["NAME"] = str(tmp_path / "restored.sqlite3")
    restored = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, RESTORED)
    connections[RESTORED] = restored
    try:
        yield restored
    finally:
        restored.close()
        del connections[RESTORED]
        if source.vendor == "postgresql":
            _drop_database(source, settings_dict["NAME"])


def _drop_database(connection, name):
    """Drop the PostgreSQL database `name` if it is there, whoever is still connected to it."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(name)} WITH (FORCE)")
