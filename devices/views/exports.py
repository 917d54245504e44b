"""Download a unit's or an organisation's device register as CSV or Excel, streamed.

A register can hold tens of thousands of devices, so nothing is built in memory: CSV is written
as the rows come from the database, and Excel through openpyxl's write-only workbook into a
temporary file. The columns are the import's (devices.resources.COLUMNS), so a downloaded file
re-imports unchanged, and cells a spreadsheet would run as formulas get an apostrophe in front.
"""

import csv
import tempfile

import openpyxl
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.utils import timezone
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from devices.models import Device
from devices.resources import csv_row, device_cells, for_sheet, headers
from units.access import organisation_or_404, unit_or_404
from units.export import CONTENT_TYPES
from units.models import Unit
from units.resources import escape_formula

CHUNK = 2000
# Rows written to the CSV stream at a time: fewer, larger chunks for the server to send.
ROWS_PER_CHUNK = 200


@login_required
def unit_export(request, slug, fmt):
    """Download the devices of the unit `slug` as `fmt` (csv or xlsx)."""
    unit = unit_or_404(request.user, slug)
    return export_response(Device.objects.in_unit(unit), fmt=fmt, name=unit.slug,
                           title=unit.name)


@login_required
def organisation_export(request, slug, fmt):
    """Download the devices of the organisation's units that the user may view."""
    organisation = organisation_or_404(request.user, slug)
    units = Unit.objects.for_user(request.user).in_organisation(organisation)
    return export_response(Device.objects.filter(unit__in=units), fmt=fmt,
                           name=organisation.slug, title=organisation.name)


def export_response(devices, *, fmt, name, title):
    """Return the streamed download of `devices`; an unknown `fmt` is a 404."""
    if fmt not in CONTENT_TYPES:
        raise Http404("Unknown export format.")
    devices = for_sheet(devices).order_by("unit__slug", "asset_tag")
    filename = f"laiterekisteri-{name}-{timezone.localdate():%Y-%m-%d}.{fmt}"
    if fmt == "csv":
        response = StreamingHttpResponse(csv_stream(devices), content_type=CONTENT_TYPES["csv"])
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    return FileResponse(xlsx_file(devices, title=title), as_attachment=True, filename=filename,
                        content_type=CONTENT_TYPES["xlsx"])


class _Line:
    """A file-like that hands back what csv.writer writes to it."""

    def write(self, text):
        return text


def csv_stream(devices):
    """Yield the CSV text of `devices` in chunks: a byte order mark and the header first.

    Excel reads a CSV file as UTF-8 only when it starts with a byte order mark.
    """
    writer = csv.writer(_Line())
    yield "\ufeff" + writer.writerow(headers())
    lines = []
    for device in devices.iterator(chunk_size=CHUNK):
        lines.append(writer.writerow(csv_row(device)))
        if len(lines) == ROWS_PER_CHUNK:
            yield "".join(lines)
            lines = []
    if lines:
        yield "".join(lines)


def xlsx_file(devices, *, title=""):
    """Return a temporary file holding the Excel workbook of `devices`, read from the start.

    The write-only workbook keeps rows on disk as they are appended; the file goes away when
    the response closes it.
    """
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(title))
    sheet.append(headers())
    for device in devices.iterator(chunk_size=CHUNK):
        sheet.append([_xlsx_cell(cell) for cell in device_cells(device)])
    file = tempfile.TemporaryFile()
    workbook.save(file)
    file.seek(0)
    return file


def _xlsx_cell(value):
    """Return `value` as Excel should store it: numbers and dates as they are, text defused."""
    if isinstance(value, str):
        # Control characters are not allowed in a workbook; they cannot be typed anyway.
        return escape_formula(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


def _sheet_title(title):
    # Excel limits sheet titles to 31 characters without []:*?/\
    cleaned = "".join(" " if char in "[]:*?/\\" else char for char in title).strip()
    return cleaned[:31] or "Sheet"
