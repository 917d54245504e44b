"""The one-time confirmation of a checked upload: a signed token and a nonce kept server-side.

Checking an upload keeps its file in the admin's temporary storage and makes an ImportJob
waiting for confirmation, with a random nonce. The page carries a token signed with the site's
key (django.core.signing) that names the job, the user, the file's SHA-256 and the nonce, and
lasts VASTUU_IMPORT_CONFIRM_SECONDS. Confirming checks all of them, reads the file again and
takes the nonce in one UPDATE: a token cannot be forged, used by someone else, used for another
file or used twice, and a file gone from the storage is named as such.
"""

import hashlib
import secrets
from pathlib import PurePath

from django.conf import settings
from django.core import signing
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from imports.models import ImportJob

SALT = "imports.tickets"


class TicketError(Exception):
    """Why a confirmation is refused, in words for the user; `job` if it was confirmed already."""

    def __init__(self, message, job=None):
        """Refuse with `message`; `job` is the one the token named, when the user may see it."""
        super().__init__(message)
        self.job = job


def file_hash(data):
    """Return the SHA-256 of `data`, in hexadecimal."""
    return hashlib.sha256(data).hexdigest()


def issue(*, user, model, name, data, stored_as, lines, background, options=None,
          language=""):
    """Make the job that waits for the confirmation of an upload; return (job, token).

    `stored_as` is the name of the file in the temporary storage, `lines` about how many lines
    it has, `background` whether the confirmed import runs in the worker.
    """
    job = ImportJob.objects.create(
        user=user, target=model._meta.label_lower, file_name=PurePath(name).name[:255],
        file_hash=file_hash(data), stored_as=stored_as, nonce=secrets.token_urlsafe(32),
        lines=lines, background=background, options=options or {}, language=language)
    token = signing.dumps({"job": job.pk, "user": user.pk, "hash": job.file_hash,
                           "nonce": job.nonce}, salt=SALT)
    return job, token


def redeem(token, *, user, model, read):
    """Return (job, data) for a good confirmation `token`, the job taken for running.

    `read(job)` returns the stored file's bytes, or raises OSError (or returns None) when it is
    gone. Raise TicketError, saying why, for a token that is forged, expired, someone else's,
    for another model, used already, or whose file is gone or changed.
    """
    try:
        payload = signing.loads(token, salt=SALT,
                                max_age=settings.VASTUU_IMPORT_CONFIRM_SECONDS)
    except signing.SignatureExpired:
        raise TicketError(_("The upload has expired: upload the file again.")) from None
    except signing.BadSignature:
        raise TicketError(_("The confirmation is not valid: upload the file again.")) from None
    invalid = TicketError(_("The confirmation is not valid: upload the file again."))
    if not isinstance(payload, dict) or payload.get("user") != user.pk:
        raise invalid
    job = ImportJob.objects.started_by(user).filter(
        pk=payload.get("job"), target=model._meta.label_lower).first()
    if job is None or not constant_time_compare(job.file_hash, str(payload.get("hash"))):
        raise invalid
    if job.status != ImportJob.Status.AWAITING:
        raise TicketError(_("This upload has been confirmed already."), job=job)
    if not constant_time_compare(job.nonce, str(payload.get("nonce"))):
        raise invalid
    try:
        data = read(job)
    except OSError:
        data = None
    if data is None:
        job.finish(ImportJob.Status.FAILED, summary=_("The uploaded file was no longer on "
                                                      "the server."))
        raise TicketError(_("The uploaded file is no longer on the server (it is kept for a "
                            "while only): upload it again."))
    if not constant_time_compare(file_hash(data), job.file_hash):
        job.finish(ImportJob.Status.FAILED, summary=_("The uploaded file had changed on the "
                                                      "server."))
        raise TicketError(_("The uploaded file has changed on the server since it was "
                            "checked: upload it again."))
    taken = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.AWAITING,
                                     nonce=job.nonce).update(
        status=ImportJob.Status.QUEUED, nonce="", stored_as="")
    if not taken:  # another request took it a moment ago: a double click, or a replay
        raise TicketError(_("This upload has been confirmed already."), job=job)
    job.refresh_from_db()
    return job, data


def forget_expired(remove):
    """Delete the uploads whose time to be confirmed ran out, `remove(job)` their files."""
    for job in ImportJob.objects.unconfirmed_and_expired()[:100]:
        try:
            remove(job)
        except OSError:
            pass  # gone already
        job.delete()

