"""What an admin that imports uploads shares: keep a checked upload for its one-time
confirmation, take it back when confirmed, and hand a large one to the background worker.

Mixed into a model admin with django-import-export's temporary storage (ImportMixin), which
keeps the file between the two steps; imports.tickets signs the confirmation.
"""

import logging

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from imports import jobs, tickets
from imports.models import ImportJob
from imports.sheets import estimate_lines

logger = logging.getLogger(__name__)


class ConfirmedUploadMixin:
    """Keep, confirm and run uploads; the admin's own views parse and show them."""

    def is_large(self, data, kind):
        """Return (lines, large): about how many lines `data` has, and whether the worker
        imports it rather than the request (more rows than VASTUU_IMPORT_BACKGROUND_ROWS)."""
        threshold = settings.VASTUU_IMPORT_BACKGROUND_ROWS
        lines = estimate_lines(data, kind, up_to=threshold + 1)
        return lines, lines - 1 > threshold

    def rows_in_words(self, lines):
        """Return about how many rows (below the header) `lines` lines are, as a number to read."""
        return number_format(max(lines - 1, 0), force_grouping=True)

    def keep_upload(self, request, data, name, *, lines, background, options=None):
        """Keep the checked upload for its confirmation; return the token the page carries."""
        tickets.forget_expired(lambda job: self.upload_storage(job.stored_as).remove())
        storage = self.upload_storage()
        storage.save(data)
        _job, token = tickets.issue(
            user=request.user, model=self.model, name=name, data=data, stored_as=storage.name,
            lines=lines, background=background, options=options,
            language=translation.get_language() or "")
        return token

    def take_upload(self, request):
        """Return (job, data) of the upload the posted token confirms, its file let go.

        Raise TicketError for a token that is forged, expired, someone else's or used, or whose
        file is gone.
        """
        stored = {}

        def read(job):
            """Return the bytes of the job's stored file, remembering its name to remove it."""
            stored["name"] = job.stored_as
            return self.upload_storage(job.stored_as).read() if job.stored_as else None

        job, data = tickets.redeem(request.POST.get("token", ""), user=request.user,
                                   model=self.model, read=read)
        try:
            self.upload_storage(stored["name"]).remove()
        except OSError:
            logger.warning("The upload of import job %s was gone already.", job.pk)
        return job, data

    def upload_storage(self, name=None):
        """Return the temporary storage of an upload, read as bytes (a new one without `name`)."""
        kwargs = {"read_mode": "rb", **self.get_tmp_storage_class_kwargs()}
        if name:
            kwargs["name"] = name
        return self.get_tmp_storage_class()(**kwargs)

    def run_in_background(self, request, job, data, task):
        """Hand the confirmed `job` to the worker's `task`; return the way to its page."""
        ImportJob.objects.filter(pk=job.pk).update(data=data)
        result = task.enqueue(job.pk)
        ImportJob.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])
        messages.info(request, _("The import runs in the background: this page shows how it "
                                 "goes, and its result when it is done."))
        return redirect("imports:job", job.pk)

    def refuse_confirmation(self, request, error, upload_url):
        """Say why the confirmation was refused; return the way to the job, if it was
        confirmed already, else back to `upload_url`."""
        messages.error(request, str(error))
        if error.job is not None:
            return redirect("imports:job", error.job.pk)
        return redirect(upload_url)

    def fail_in_request(self, request, job):
        """Record and say that an import run in the request failed unexpectedly."""
        logger.exception("Import job %s of %s failed.", job.pk, job.file_name)
        job.finish(ImportJob.Status.FAILED, summary=jobs.failure_message())
        messages.error(request, jobs.failure_message())
