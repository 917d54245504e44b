"""Record how far an import job has come, where its page can read it.

JobProgress is a progress-bar factory in the manner of tqdm, which the device import reports
to already ("Checking", "Saving": devices.importing); the sheet import advances it once a row.
It writes about once a second. Inside the import's transaction its writes go through a
connection of their own on PostgreSQL, so the page sees them as they come; SQLite has one
writer at a time and the import holds it, so there the page sees each phase begin and its
count when the transaction ends.
"""

import time

from django.db import DEFAULT_DB_ALIAS, connections, router
from django.utils.translation import gettext as _

from imports.models import ImportJob

FIELDS = ("phase", "done", "total")


class JobProgress:
    """The progress of one running job, written to its row at most about once a second."""

    INTERVAL = 1.0

    def __init__(self, job):
        """Report the progress of `job`."""
        self.job = job
        self._written_at = 0.0
        self._aside = None

    def __call__(self, iterable=None, total=None, desc=None, **kwargs):
        """Return a bar for one phase, named by `desc` as the device import names them."""
        phases = {_("Checking"): ImportJob.Phase.CHECKING, _("Saving"): ImportJob.Phase.SAVING}
        if total is None and iterable is not None:
            total = len(iterable)
        self.start(phases.get(str(desc), ImportJob.Phase.IMPORTING), total)
        return _Bar(self, iterable)

    def start(self, phase, total=0):
        """Begin `phase` of `total` rows (0: unknown)."""
        self.job.phase, self.job.total, self.job.done = phase, total or 0, 0
        self._write(force=True)

    def advance(self, count=1):
        """Count `count` more rows done."""
        self.job.done += count
        self._write()

    def close(self):
        """Write the last count, and close the connection of its own if one was opened."""
        self._write(force=True)
        if self._aside is not None:
            self._aside.close()
            self._aside = None

    def _write(self, force=False):
        """Write the job's phase and counts, unless that was done less than a second ago."""
        now = time.monotonic()
        if not force and now - self._written_at < self.INTERVAL:
            return
        self._written_at = now
        values = {name: getattr(self.job, name) for name in FIELDS}
        alias = router.db_for_write(ImportJob) or DEFAULT_DB_ALIAS
        connection = connections[alias]
        if connection.in_atomic_block and connection.vendor == "postgresql":
            self._write_aside(alias, values)
        else:
            ImportJob.objects.filter(pk=self.job.pk).update(**values)

    def _write_aside(self, alias, values):
        """Write `values` through a connection outside the import's transaction."""
        if self._aside is None:
            self._aside = connections.create_connection(alias)
        quote = self._aside.ops.quote_name
        # Names come from the model and are quoted; every value is a parameter.
        sql = "UPDATE {table} SET {columns} WHERE {pk} = %s".format(  # noqa: S608
            table=quote(ImportJob._meta.db_table), pk=quote(ImportJob._meta.pk.column),
            columns=", ".join(f"{quote(name)} = %s" for name in values))
        with self._aside.cursor() as cursor:
            cursor.execute(sql, [*values.values(), self.job.pk])


class _Bar:
    """One phase's bar: iterate over it, or update() it, as over a tqdm bar."""

    def __init__(self, progress, iterable):
        """Count the items of `iterable` (if any) into `progress`."""
        self.progress = progress
        self.iterable = iterable

    def __iter__(self):
        """Yield the items, counting each."""
        for item in self.iterable:
            yield item
            self.progress.advance()

    def update(self, count=1):
        """Count `count` more rows done."""
        self.progress.advance(count)

    def close(self):
        """End the phase: write its count."""
        self.progress._write(force=True)
