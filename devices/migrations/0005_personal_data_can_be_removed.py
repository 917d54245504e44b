"""Personal data can be removed: a returned loan may lose its holder and pupil code, and on
PostgreSQL the event log's trigger allows an update that only blanks an event's personal part.

The trigger still refuses every delete and every other change. Its list of unchanging columns is
every column of the event except the personal ones: a column added later must be added here too.
"""

import devices.models
from django.db import migrations, models

ALLOW_ANONYMISING = """
CREATE OR REPLACE FUNCTION devices_event_log_is_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND (NEW.id, NEW.device_id, NEW.kind, NEW.at, NEW.from_unit_id, NEW.to_unit_id,
            NEW.location, NEW.ticket)
           IS NOT DISTINCT FROM (OLD.id, OLD.device_id, OLD.kind, OLD.at, OLD.from_unit_id,
                                 OLD.to_unit_id, OLD.location, OLD.ticket)
       AND (NEW.pupil_code = OLD.pupil_code OR NEW.pupil_code = '')
       AND (NEW.note = OLD.note OR NEW.note = '')
       AND (NEW.holder_id IS NOT DISTINCT FROM OLD.holder_id OR NEW.holder_id IS NULL)
       AND (NEW.by_id IS NOT DISTINCT FROM OLD.by_id OR NEW.by_id IS NULL)
       AND (NEW.by_name = OLD.by_name OR NEW.by_name = '')
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'The device event log cannot be changed or deleted, '
                    'only its personal part removed.';
END;
$$ LANGUAGE plpgsql;
"""

APPEND_ONLY = """
CREATE OR REPLACE FUNCTION devices_event_log_is_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'The device event log cannot be changed or deleted.';
END;
$$ LANGUAGE plpgsql;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ALLOW_ANONYMISING)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_ONLY)


class Migration(migrations.Migration):

    dependencies = [
        ('devices', '0004_history'),
        ('units', '0009_person_left_on'),
    ]

    operations = [
        migrations.RunPython(forward, backward),
        migrations.RemoveConstraint(
            model_name='loan',
            name='loan_staff_or_pupil',
        ),
        migrations.AlterField(
            model_name='loan',
            name='pupil_code',
            field=models.CharField(blank=True, help_text="A pseudonymous code from the school's own list, such as 7B-014: 3–20 letters, digits and dashes with at least one digit. Never a name, a personal identity code or an e-mail address.", max_length=20, validators=[devices.models.validate_pupil_code], verbose_name='pupil code'),
        ),
        migrations.AddConstraint(
            model_name='loan',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('holder__isnull', False), ('pupil_code', '')), models.Q(('holder__isnull', True), models.Q(('pupil_code', ''), _negated=True)), models.Q(('holder__isnull', True), ('pupil_code', ''), ('returned_at__isnull', False)), _connector='OR'), name='loan_staff_or_pupil'),
        ),
    ]
