"""Back up the whole database to one file and restore it: pg_dump and pg_restore on PostgreSQL,
SQLite's online backup API on SQLite.

Both copies are consistent while the server runs: pg_dump reads one snapshot of the database,
and SQLite's backup API copies the pages of one read transaction while writers go on beside it
(write-ahead logging). A backup is written to a temporary file beside its target, readable by its
owner only, and renamed into place when it is whole: a failed backup never leaves a file that
looks like one.

The credentials reach pg_dump and pg_restore through the environment (PGPASSWORD and the other
PG… variables), never on their command line, where any user of the machine could read them.
"""

import os
import shutil
import sqlite3
import subprocess
import tempfile
from contextlib import closing, contextmanager
from pathlib import Path

from django.utils.translation import gettext as _

# The libpq settings a DATABASE_URL may carry in OPTIONS (dj-database-url puts ?sslmode=… there).
LIBPQ_OPTIONS = {
    "sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT", "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY", "passfile": "PGPASSFILE", "service": "PGSERVICE",
    "connect_timeout": "PGCONNECT_TIMEOUT",
}


class BackupError(Exception):
    """A backup or restore that could not be done, with a message for the person running it."""


def backup(connection, path, *, bin_dir=None):
    """Write a consistent copy of the database of `connection` to the file `path`.

    `bin_dir` is the folder of pg_dump when it is not the one on PATH. Return the file's size.
    """
    path = Path(path)
    if not path.parent.is_dir():
        raise BackupError(_("There is no folder %(folder)s for the backup.")
                          % {"folder": path.parent})
    vendor = _vendor(connection)
    with _partial(path) as partial:
        if vendor == "postgresql":
            _run([_program("pg_dump", bin_dir), "--format=custom", "--no-password",
                  f"--file={partial}"], pg_environment(connection.settings_dict))
        else:
            _sqlite_backup(_sqlite_file(connection.settings_dict), partial)
    return path.stat().st_size


def restore(connection, path, *, force=False, bin_dir=None):
    """Restore the backup file `path` into the database of `connection`.

    A database that has tables already is refused unless `force`: then what the backup holds
    replaces it. On PostgreSQL the restore is one transaction: it is whole or nothing.
    """
    path = Path(path)
    if not path.is_file():
        raise BackupError(_("There is no backup file %(file)s.") % {"file": path})
    vendor = _vendor(connection)
    if vendor == "postgresql":
        pg_restore = _program("pg_restore", bin_dir)
        environment = pg_environment(connection.settings_dict)
        # Reading the archive's table of contents first refuses a file that is not a backup
        # before anything in the database is touched.
        _run([pg_restore, "--list", str(path)], environment)
    else:
        _check_sqlite_backup(path)
    if not force and not is_empty(connection):
        raise BackupError(_("The database %(database)s is not empty: restore into a new, empty "
                            "database, or give --force to replace what it holds.")
                          % {"database": connection.settings_dict["NAME"]})
    # The restore writes from another connection; this one must not hold anything open.
    connection.close()
    if vendor == "postgresql":
        clean = ["--clean", "--if-exists"] if force else []
        _run([pg_restore, "--no-password", "--no-owner", "--no-privileges", "--exit-on-error",
              "--single-transaction", *clean, f"--dbname={connection.settings_dict['NAME']}",
              str(path)], environment)
        # pg_restore brings no planner statistics; without them the first queries are slow.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:
        _sqlite_restore(path, _sqlite_file(connection.settings_dict))


def is_empty(connection):
    """Return whether the database of `connection` has no tables at all."""
    with connection.cursor() as cursor:
        return not connection.introspection.table_names(cursor)


def pg_environment(settings_dict):
    """Return the environment that points pg_dump and pg_restore at the database of
    `settings_dict`: the server's own PG… variables, then what the settings say."""
    environment = dict(os.environ)
    for key, variable in (("NAME", "PGDATABASE"), ("USER", "PGUSER"),
                          ("PASSWORD", "PGPASSWORD"), ("HOST", "PGHOST"), ("PORT", "PGPORT")):
        if settings_dict.get(key):
            environment[variable] = str(settings_dict[key])
    for option, variable in LIBPQ_OPTIONS.items():
        value = (settings_dict.get("OPTIONS") or {}).get(option)
        if value:
            environment[variable] = str(value)
    return environment


def _vendor(connection):
    if connection.vendor not in ("postgresql", "sqlite"):
        raise BackupError(_("Backups are made of PostgreSQL and SQLite databases only."))
    return connection.vendor


def _program(name, bin_dir):
    """Return the path of the PostgreSQL program `name`, in `bin_dir` or on PATH."""
    found = shutil.which(name, path=str(bin_dir) if bin_dir else None)
    if found is None:
        raise BackupError(_("%(program)s was not found: install PostgreSQL's client programs "
                            "or name their folder with --bin-dir.") % {"program": name})
    return found


def _run(arguments, environment):
    """Run a PostgreSQL program; raise BackupError with what it said if it fails."""
    done = subprocess.run(arguments, env=environment, capture_output=True, text=True,  # noqa: S603
                          check=False)
    if done.returncode != 0:
        said = done.stderr.strip() or done.stdout.strip()
        raise BackupError(_("%(program)s failed: %(error)s") % {
            "program": Path(arguments[0]).name, "error": said})


@contextmanager
def _partial(path):
    """Yield a new temporary file beside `path`; move it to `path` if the block succeeds."""
    handle, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                       suffix=".partial")
    os.close(handle)
    try:
        yield Path(partial)
        os.replace(partial, path)
    finally:
        Path(partial).unlink(missing_ok=True)


def _sqlite_file(settings_dict):
    """Return the file of the SQLite database of `settings_dict`; refuse one in memory."""
    name = str(settings_dict.get("NAME") or "")
    if not name or name == ":memory:" or "mode=memory" in name:
        raise BackupError(_("An SQLite database in memory has no file to back up or restore."))
    return Path(name)


def _sqlite_backup(name, target):
    """Copy the SQLite database `name` into the file `target` as one self-contained file."""
    if not name.is_file():
        raise BackupError(_("There is no database file %(file)s.") % {"file": name})
    with closing(sqlite3.connect(name, timeout=20)) as source, \
            closing(sqlite3.connect(target)) as copy:
        # One step copies every page within one read transaction: a consistent snapshot.
        source.backup(copy)
        # The copy stands alone, without a write-ahead log beside it.
        copy.execute("PRAGMA journal_mode=DELETE")


def _check_sqlite_backup(path):
    """Refuse `path` unless it is a sound SQLite database with Django's tables."""
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as copy:
            sound = copy.execute("PRAGMA quick_check").fetchone()[0] == "ok"
            django = copy.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' "
                                  "AND name = 'django_migrations'").fetchone()
    except sqlite3.DatabaseError:
        sound = django = False
    if not (sound and django):
        raise BackupError(_("%(file)s is not a backup of a Vastuu database.") % {"file": path})


def _sqlite_restore(path, name):
    """Replace the SQLite database `name` with the copy in the backup file `path`."""
    with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as copy, \
            closing(sqlite3.connect(name, timeout=20)) as target:
        copy.backup(target)
        target.execute("PRAGMA journal_mode=WAL")
