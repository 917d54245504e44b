"""Run a confirmed import job and record its result, in the worker or in the request.

The work of a job is a function (job, data, progress) → Outcome, which each import gives: the
device import (devices.tasks) and the admin's sheets (units.tasks). What it raises never reaches
the user: a file that cannot be read (SheetError) refuses the job with its message, and any
other error fails it with a message that says only so, its traceback going to the server's log.
"""

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from imports.models import ImportJob
from imports.progress import JobProgress
from imports.sheets import SheetError

logger = logging.getLogger(__name__)


@dataclass
class Outcome:
    """What an import did: what it saved, or every problem (and then it saved nothing)."""

    summary: str = ""
    problems: list = field(default_factory=list)
    failed: bool = False  # on an unexpected error

    @property
    def status(self):
        """Return the job status this outcome gives."""
        if self.failed:
            return ImportJob.Status.FAILED
        return ImportJob.Status.REFUSED if self.problems else ImportJob.Status.DONE


def problem(line, column, message):
    """Return one problem as a job keeps it: its line (None for the whole file), column, why."""
    return {"line": line, "column": str(column or ""), "message": str(message)}


def run(job_id, work):
    """Run the queued job `job_id` with `work`, record its outcome and return its status.

    A job that is not queued (run already: a task run twice) is left alone, and None returned.
    """
    taken = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, started_at=timezone.now(),
        phase=ImportJob.Phase.READING)
    if not taken:
        logger.warning("Import job %s is not waiting to run; left alone.", job_id)
        return None
    job = ImportJob.objects.get(pk=job_id)
    progress = JobProgress(job)
    with translation.override(job.language or settings.LANGUAGE_CODE):
        outcome = _outcome(job, work, progress)
        progress.close()
        job.finish(outcome.status, summary=outcome.summary, problems=outcome.problems)
    return job.status


def _outcome(job, work, progress):
    """Return what `work` did with the job's file, or the outcome of what it raised."""
    try:
        return work(job, bytes(job.data or b""), progress)
    except SheetError as error:
        return Outcome(problems=[problem(None, "", error)])
    except Exception:
        logger.exception("Import job %s of %s failed.", job.pk, job.file_name)
        return Outcome(summary=failure_message(), failed=True)


def failure_message():
    """Return what a user is told of an import that failed on an unexpected error."""
    return _("The import failed on an unexpected error, and nothing was saved. The "
             "administrators can find the error in the server's log.")
