"""Backing up and restoring the database: a restored copy holds exactly what the original did.

These run on SQLite and, in CI, on PostgreSQL, where the event log's trigger must come back with
the data and still refuse to change an event.
"""

import hashlib
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from backups import dumps
from backups.dumps import BackupError
from devices import services as device_services
from devices.models import Device, DeviceEvent
from tests.conftest import run_load_demo
from tests.factories import DeviceFactory, OrganisationFactory
from units.models import Organisation

# The flush after each test takes what the migrations made (sectors): see conftest.py.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql",
                                   reason="the trigger is PostgreSQL's")


def table_digests(database):
    """Return {table: (row count, checksum of its rows)} of every table of `database`.

    The rows are compared as the driver reads them, in an order of their own, so the checksum
    does not depend on the order the database returns them in.
    """
    digests = {}
    with database.cursor() as cursor:
        tables = database.introspection.table_names(cursor)
        if database.vendor == "sqlite":
            tables.append("sqlite_sequence")  # the next ids, as PostgreSQL's sequences
        for table in tables:
            cursor.execute(f"SELECT * FROM {database.ops.quote_name(table)}")  # noqa: S608
            rows = sorted(repr(row) for row in cursor.fetchall())
            digests[table] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return digests


def sequences(database):
    """Return the last value of every sequence of the PostgreSQL `database`."""
    with database.cursor() as cursor:
        cursor.execute("SELECT sequencename, last_value FROM pg_sequences ORDER BY sequencename")
        return cursor.fetchall()


def back_up(tmp_path):
    """Back up the test database with the command; return the file."""
    path = tmp_path / "vastuu.backup"
    call_command("backup_database", str(path), stdout=io.StringIO())
    return path


def restore(path, *args):
    """Restore the file `path` into the "restored" database with the command."""
    call_command("restore_database", str(path), *args, database="restored",
                 stdout=io.StringIO())


@pytest.fixture
def demo_in_use(transactional_db):
    """The demo with its logins, a device lent to a pupil and back, and an event anonymised."""
    with transaction.atomic():  # one commit, not one a row: many times faster
        run_load_demo("--with-logins")
    device = Device.objects.filter(asset_tag="KUO-00006").get()
    device_services.device_check_out(device=device, by=None, pupil_code="7B-014")
    device_services.device_return(device=device, by=None)
    DeviceEvent.objects.filter(device=device, kind=DeviceEvent.Kind.CHECKED_OUT).anonymise()


def test_a_restored_backup_has_every_table_with_the_same_rows(demo_in_use, restored, tmp_path):
    path = back_up(tmp_path)
    restore(path)

    original, copy = table_digests(connection), table_digests(restored)
    assert copy == original
    assert original["devices_deviceevent"][0] > 0
    assert original["auth_user"][0] == 4
    assert original["units_historicalunit"][0] > 0
    if connection.vendor == "postgresql":
        assert sequences(restored) == sequences(connection)


@pytest.fixture
def lent_and_returned(transactional_db):
    """A device lent to a pupil and taken back: two events with the pupil's code."""
    device = DeviceFactory(asset_tag="KUO-1", status=Device.Status.IN_STOCK)
    device_services.device_check_out(device=device, by=None, pupil_code="7B-014")
    device_services.device_return(device=device, by=None)


@on_postgresql
def test_the_restored_event_log_still_refuses_changes(lent_and_returned, restored, tmp_path):
    restore(back_up(tmp_path))
    event = DeviceEvent.objects.using("restored").filter(
        kind=DeviceEvent.Kind.CHECKED_OUT, pupil_code="7B-014").get()
    with restored.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal "
                       "AND tgname = 'devices_event_log_is_append_only' "
                       "AND tgrelid = 'devices_deviceevent'::regclass")
        assert cursor.fetchone() == (1,)
    for statement in ("UPDATE devices_deviceevent SET kind = 'lost' WHERE id = %s",
                      "DELETE FROM devices_deviceevent WHERE id = %s"):
        with pytest.raises(DatabaseError, match="cannot be changed or deleted"), \
                transaction.atomic(using="restored"), restored.cursor() as cursor:
            cursor.execute(statement, [event.pk])
    # Removing an event's personal part is allowed there as it was here.
    assert DeviceEvent.objects.using("restored").filter(pk=event.pk).anonymise() == 1


def test_a_backup_holds_only_what_was_committed_when_it_began(restored, tmp_path):
    OrganisationFactory(name="Valmis", slug="valmis")
    with transaction.atomic():
        OrganisationFactory(name="Kesken", slug="kesken")
        path = back_up(tmp_path)
    restore(path)
    slugs = set(Organisation.objects.using("restored").values_list("slug", flat=True))
    assert "valmis" in slugs
    assert "kesken" not in slugs


def test_restore_refuses_a_database_that_is_not_empty(transactional_db, english, tmp_path):
    DeviceFactory(asset_tag="KUO-1")
    path = back_up(tmp_path)
    with pytest.raises(CommandError, match="is not empty"):
        call_command("restore_database", str(path))
    assert Device.objects.filter(asset_tag="KUO-1").exists()


def test_force_replaces_what_the_database_holds(restored, tmp_path):
    DeviceFactory(asset_tag="KUO-1")
    path = back_up(tmp_path)
    restore(path)
    # Changed there after the backup (with SQL: the history of an ORM write goes to "default").
    with restored.cursor() as cursor:
        cursor.execute("UPDATE devices_device SET model = 'Vaihdettu'")
        cursor.execute("DELETE FROM units_historicalorganisation")

    restore(path, "--force")

    assert table_digests(restored) == table_digests(connection)


def test_restore_refuses_a_file_that_is_not_a_backup(restored, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("Ei varmuuskopio.\n")
    with pytest.raises(CommandError):
        restore(path)
    assert not restored.introspection.table_names()


def test_a_failed_backup_leaves_the_previous_one_as_it_was(transactional_db, tmp_path,
                                                           monkeypatch):
    path = tmp_path / "vastuu.backup"
    path.write_bytes(b"yesterday")

    def fail(*args, **kwargs):
        raise BackupError("the disk is full")

    monkeypatch.setattr(dumps, "_run", fail)
    monkeypatch.setattr(dumps, "_sqlite_backup", fail)
    with pytest.raises(CommandError, match="the disk is full"):
        call_command("backup_database", str(path))
    assert [found.name for found in tmp_path.iterdir()] == ["vastuu.backup"]
    assert path.read_bytes() == b"yesterday"


def test_a_backup_needs_its_folder(transactional_db, english, tmp_path):
    with pytest.raises(CommandError, match="There is no folder"):
        call_command("backup_database", str(tmp_path / "missing" / "vastuu.backup"))
