"""The demo, loaded once per test process and written back as rows wherever a test needs it.

load_demo goes through the services, validation and history, as a municipality's data would:
seconds a load. The tests that read the demo need its rows, not the loader's work (the loader's
own tests run it for real), so the first load of each kind keeps every table's rows, and every
later one replaces the tables' rows with them inside the test's transaction: the same database,
ids included, in a fraction of a second, on SQLite and PostgreSQL alike.
"""

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connection

_loaded = {}


def _models():
    """Return the model of each table of the project, keyed by the table's name."""
    models = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.managed and not model._meta.proxy:
            models.setdefault(model._meta.db_table, model)
    return models


def _rows(cursor, table):
    """Return the columns of `table` and all its rows."""
    cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
    return [column[0] for column in cursor.description], cursor.fetchall()


def _write_back(tables):
    """Replace every table's rows with those of `tables` (tables absent there end empty)."""
    models = _models()
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in models:
            cursor.execute(f"SELECT 1 FROM {quote(table)} LIMIT 1")  # noqa: S608
            if cursor.fetchone():
                cursor.execute(f"DELETE FROM {quote(table)}")  # noqa: S608
        for table, (columns, rows) in tables.items():
            if rows:
                names = ", ".join(quote(column) for column in columns)
                marks = ", ".join(["%s"] * len(columns))
                insert = f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})"  # noqa: S608
                cursor.executemany(insert, rows)
        for statement in connection.ops.sequence_reset_sql(no_style(), list(models.values())):
            cursor.execute(statement)
    ContentType.objects.clear_cache()


def demo_loaded(*args):
    """Put the demo that `load_demo *args` makes into the database; return the command's output.

    Call it inside a transaction the test rolls back (the `db` fixture's, or an atomic block).
    """
    from tests.conftest import run_load_demo

    if args in _loaded:
        output, tables = _loaded[args]
        _write_back(tables)
        return output
    output = run_load_demo(*args)
    with connection.cursor() as cursor:
        _loaded[args] = output, {table: _rows(cursor, table) for table in _models()}
    return output
