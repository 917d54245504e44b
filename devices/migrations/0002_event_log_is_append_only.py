"""On PostgreSQL, refuse in the database itself to change or delete a device event.

The model and its queryset already refuse; this guards against raw SQL and other programs.
TRUNCATE (used by test-database flushes) is not a row-level change and still works. SQLite gets
no trigger, because its flush deletes row by row.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION devices_event_log_is_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'The device event log cannot be changed or deleted.';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER devices_event_log_is_append_only
    BEFORE UPDATE OR DELETE ON devices_deviceevent
    FOR EACH ROW EXECUTE FUNCTION devices_event_log_is_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS devices_event_log_is_append_only ON devices_deviceevent;
DROP FUNCTION IF EXISTS devices_event_log_is_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("devices", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
