"""Import jobs: an uploaded sheet from its check to its result, in the request or the worker.

A job is made when a checked upload is offered for confirmation. It holds the one-time nonce
that the signed confirmation token names (imports.tickets), so that a token imports once. A
confirmed job runs at once or, when the file is large, in the background worker
(`manage.py db_worker`), which records the job's progress and its result here: what was saved,
or every bad line with nothing saved. Only the user who started a job sees it.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImportJobQuerySet(models.QuerySet):
    """Queries over import jobs."""

    def started_by(self, user):
        """Return the jobs `user` started."""
        return self.filter(user=user) if user.is_authenticated else self.none()

    def unconfirmed_and_expired(self):
        """Return the uploads whose time to be confirmed has run out."""
        cutoff = timezone.now() - timedelta(seconds=settings.VASTUU_IMPORT_CONFIRM_SECONDS)
        return self.filter(status=ImportJob.Status.AWAITING, created_at__lt=cutoff)


class ImportJob(models.Model):
    """One import of an uploaded sheet: its file, its state, its progress and its result."""

    class Status(models.TextChoices):
        """Where the job is, from its upload to its result."""

        AWAITING = "awaiting", _("Waiting for confirmation")
        QUEUED = "queued", _("Waiting for the background worker")
        RUNNING = "running", _("Running")
        DONE = "done", _("Imported")
        REFUSED = "refused", _("Refused: nothing was saved")
        FAILED = "failed", _("Failed: nothing was saved")

    class Phase(models.TextChoices):
        """What a running job is doing."""

        WAITING = "", _("Waiting")
        READING = "reading", _("Reading the file")
        CHECKING = "checking", _("Checking the rows")
        SAVING = "saving", _("Saving the rows")
        IMPORTING = "importing", _("Checking and saving the rows")

    FINISHED = (Status.DONE, Status.REFUSED, Status.FAILED)

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="import_jobs")
    # The model the sheet imports, by its label ("devices.device"), and how to read the file.
    target = models.CharField(max_length=100)
    options = models.JSONField(default=dict, blank=True)
    file_name = models.CharField(max_length=255)
    file_hash = models.CharField(max_length=64)
    # Where the upload waits for its confirmation (the admin's temporary storage).
    stored_as = models.CharField(max_length=255, blank=True)
    nonce = models.CharField(max_length=64, blank=True)
    # The user's language, for the messages the worker writes.
    language = models.CharField(max_length=10, blank=True)
    # About how many lines the file has (it may count a few too many), and whether it runs in
    # the background worker rather than in the request.
    lines = models.PositiveIntegerField(default=0)
    background = models.BooleanField(default=False)
    # The file itself while the worker has it; cleared when the job ends.
    data = models.BinaryField(null=True, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.AWAITING)
    phase = models.CharField(max_length=10, choices=Phase.choices, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    summary = models.TextField(blank=True)
    # Every bad line: {"line": 3, "column": "unit", "message": "Unknown unit: x."}.
    problems = models.JSONField(default=list, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self):
        """Return the name of the imported file."""
        return self.file_name

    @property
    def is_finished(self):
        """Return whether the job has its result."""
        return self.status in self.FINISHED

    @property
    def is_underway(self):
        """Return whether the job is confirmed and not finished: its page follows it."""
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def percent(self):
        """Return how far the current phase is, as a whole percentage (None when unknown)."""
        if not self.total:
            return None
        return min(100, self.done * 100 // self.total)

    def finish(self, status, *, summary="", problems=()):
        """Record the job's result and let go of its file."""
        self.status, self.summary, self.problems = status, str(summary), list(problems)
        self.finished_at = timezone.now()
        self.data, self.nonce = None, ""
        if status == self.Status.DONE:
            self.done = self.total
        self.save(update_fields=["status", "summary", "problems", "finished_at", "data",
                                 "nonce", "phase", "done", "total"])
