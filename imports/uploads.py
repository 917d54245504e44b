"""Uploaded files within the import limit, from the upload handler to the form.

Django stores an upload whole before any form sees it. LimitedUploadHandler, first of
FILE_UPLOAD_HANDLERS, stops passing a file on once it passes VASTUU_IMPORT_MAX_BYTES, so the
server keeps at most the limit in memory or on disk; the file then reaches the form as an empty
stand-in of its full size, and `check_upload` refuses it by that size, naming the limit.
"""

import io

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler

from imports.sheets import SheetError, check_size


class LimitedUploadHandler(FileUploadHandler):
    """Stop storing an uploaded file past the import limit, and go on counting its size."""

    def new_file(self, *args, **kwargs):
        """Start counting a new file."""
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        """Pass the chunk on to the next handlers while the file is within the limit."""
        self.received += len(raw_data)
        if self.received > settings.VASTUU_IMPORT_MAX_BYTES:
            return None
        return raw_data

    def file_complete(self, file_size):
        """Return an empty stand-in of the file's size if it passed the limit, else nothing."""
        if self.received <= settings.VASTUU_IMPORT_MAX_BYTES:
            return None
        return UploadedFile(file=io.BytesIO(), name=self.file_name,
                            content_type=self.content_type, size=self.received,
                            charset=self.charset, content_type_extra=self.content_type_extra)


def check_upload(upload):
    """Return `upload`, or raise ValidationError if it is larger than the import limit."""
    if upload is not None:
        try:
            check_size(upload.size)
        except SheetError as error:
            raise ValidationError(str(error), code="too_large") from None
    return upload


def read_upload(upload):
    """Return the bytes of `upload`, refusing (SheetError) one larger than the import limit."""
    check_size(upload.size)
    return b"".join(upload.chunks())
