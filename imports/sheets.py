"""Read an uploaded sheet within the limits: its size, its rows and what an .xlsx unpacks to.

Every import reads its file here: the admin's sheets (units.resources' formats), the device
import (devices.importing) and so `manage.py import_devices`. A file over a limit is refused
with a SheetError that names the limit, before the expensive part: the size before the file is
read, the zip archive's declared sizes before openpyxl parses a byte of an .xlsx, the rows as
they are read. A file that is no sheet at all says so in words, never in an exception's.
"""

import codecs
import csv
import io
import re
import zipfile
from pathlib import PurePath

import openpyxl
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _

KINDS = {".csv": "csv", ".xlsx": "xlsx"}
# A workbook of more parts than this is no spreadsheet a person saved.
MAX_ZIP_MEMBERS = 1000
# Small parts (styles, settings) may pack tightly without harm; the ratio is checked above this.
RATIO_FLOOR = 1024 * 1024
# A row of a worksheet's XML, with or without a namespace prefix. Text cells escape "<", so
# a cell's content never looks like one.
ROW_TAG = re.compile(rb"<(?:\w+:)?row[\s>/]")
ROW_TAG_LENGTH = 32
# What zipfile raises for an archive it cannot open or unpack: damaged, encrypted, or packed
# in a way it does not know.
UNREADABLE = (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError,
              NotImplementedError)


class SheetError(ValueError):
    """A file that cannot be read as a sheet, or that breaks a limit: the message says which."""


def kind_of(name):
    """Return "csv" or "xlsx", as the extension of the file `name` says; refuse any other."""
    kind = KINDS.get(PurePath(name).suffix.lower())
    if kind is None:
        raise SheetError(_("Give a .csv or .xlsx file, not %(name)s.") % {"name": name})
    return kind


def check_size(size):
    """Refuse a file of `size` bytes when it is larger than VASTUU_IMPORT_MAX_BYTES."""
    limit = settings.VASTUU_IMPORT_MAX_BYTES
    if size > limit:
        raise SheetError(_("The file is %(size)s, more than the limit of %(limit)s: split it "
                           "into smaller files.") % {"size": filesizeformat(size),
                                                     "limit": filesizeformat(limit)})


def read_rows(data, kind, *, active_sheet=False):
    """Return the rows of the sheet in `data` (bytes) of `kind` ("csv" or "xlsx"), header first.

    CSV cells are text; XLSX cells keep their types. An .xlsx is read from its first sheet, or
    its active one. Blank lines stay in, so that row n is line n of the file.
    """
    check_size(len(data))
    if kind == "csv":
        return _csv_rows(data)
    return _xlsx_rows(data, active_sheet)


def estimate_lines(data, kind, up_to):
    """Return about how many lines (the header included) the sheet in `data` has, fast.

    It may count a few too many, never too few: each newline of a CSV file (a quoted cell may
    hold one), each row of every worksheet of an .xlsx. Counting stops past `up_to`. An .xlsx
    is checked against the zip limits first.
    """
    check_size(len(data))
    if kind == "csv":
        return data.count(b"\n") + (not data.endswith(b"\n"))
    archive = check_xlsx(data)
    count = 0
    for info in archive.infolist():
        if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
            continue
        try:
            count += _count_rows(archive, info, up_to - count)
        except UNREADABLE as error:
            raise _not_a_workbook() from error
        if count > up_to:
            break
    return count


def _count_rows(archive, info, up_to):
    """Return how many rows the worksheet `info` holds, stopping past `up_to`."""
    count, tail = 0, b""
    with archive.open(info) as stream:
        while chunk := stream.read(1 << 20):
            block = tail + chunk
            # A tag cut by the chunk's end is counted in the next block, which starts with the
            # last bytes of this one; one that begins there is left for it.
            end = max(len(block) - ROW_TAG_LENGTH, 0)
            count += sum(1 for match in ROW_TAG.finditer(block) if match.start() < end)
            tail = block[end:]
            if count > up_to:
                return count
    return count + len(ROW_TAG.findall(tail))


def check_xlsx(data):
    """Return the zip archive of the .xlsx `data`, refusing one that would unpack too far.

    The sizes are those the archive declares. Python's zipfile never unpacks a part beyond its
    declared size (it stops there, and the checksum then fails), so an archive that lies about
    them gains nothing, and openpyxl reads through zipfile.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except UNREADABLE as error:
        raise _not_a_workbook() from error
    if len(members) > MAX_ZIP_MEMBERS:
        raise SheetError(_("The workbook has %(count)s parts, more than a spreadsheet has: it "
                           "is refused.") % {"count": number_format(len(members),
                                                                   force_grouping=True)})
    unpacked = sum(info.file_size for info in members)
    limit = settings.VASTUU_IMPORT_MAX_UNZIPPED_BYTES
    if unpacked > limit:
        raise SheetError(_("The workbook would unpack to %(size)s, more than the limit of "
                           "%(limit)s: split it into smaller files, or save it as CSV.") % {
            "size": filesizeformat(unpacked), "limit": filesizeformat(limit)})
    ratio = settings.VASTUU_IMPORT_MAX_ZIP_RATIO
    for info in members:
        if info.file_size > RATIO_FLOOR and info.file_size > ratio * max(info.compress_size, 1):
            raise SheetError(_(
                "Part of the workbook unpacks to %(ratio)s times its packed size, more than "
                "the limit of %(limit)s: it is refused as a possible zip bomb. Save it again "
                "from the spreadsheet program, or as CSV.") % {
                "ratio": number_format(info.file_size // max(info.compress_size, 1),
                                       force_grouping=True),
                "limit": ratio})
    return archive


def _xlsx_rows(data, active_sheet):
    """Return the rows of the .xlsx `data`, refused before parsing if it would unpack too far."""
    check_xlsx(data)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is no workbook
        raise _not_a_workbook() from error
    try:
        sheet = workbook.active if active_sheet else workbook.worksheets[0]
        return _limited(list(row) for row in sheet.iter_rows(values_only=True))
    except SheetError:
        raise
    except Exception as error:  # a damaged part, found only when it is read
        raise _not_a_workbook() from error
    finally:
        workbook.close()


def _not_a_workbook():
    """Return the error that refuses a file openpyxl cannot read."""
    return SheetError(_("The file is not an Excel workbook (.xlsx)."))


def decode_csv(data):
    """Return the text of CSV `data`: UTF-8 (with a byte order mark or not), UTF-16 with one,
    or else Windows-1252, which older Finnish Excel set-ups write."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "cp1252")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    raise SheetError(_("The file is not text in UTF-8 or Windows-1252: save it from the "
                       "spreadsheet program as CSV UTF-8."))


def csv_delimiter(text):
    """Return the delimiter of the CSV `text`: the commonest of , ; and tab in its first line.

    Excel in a Finnish locale writes semicolons; other programs commas or tabs.
    """
    first = text.split("\n", 1)[0]
    return max((",", ";", "\t"), key=first.count)


def _csv_rows(data):
    """Return the rows of the CSV `data`, naming the line the csv module cannot read."""
    text = decode_csv(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=csv_delimiter(text))
    try:
        return _limited(reader)
    except csv.Error as error:
        raise SheetError(_("Line %(line)d cannot be read as CSV: save the file from the "
                           "spreadsheet program as CSV UTF-8.") % {"line": reader.line_num}
                         ) from error


def _limited(rows):
    """Return the list of `rows`, refusing more than VASTUU_IMPORT_MAX_ROWS below the header."""
    limit = settings.VASTUU_IMPORT_MAX_ROWS
    table = []
    for row in rows:
        table.append(row)
        if len(table) > limit + 1:
            raise SheetError(too_many_rows())
    return table


def too_many_rows():
    """Return the message that refuses a file of more rows than VASTUU_IMPORT_MAX_ROWS."""
    limit = number_format(settings.VASTUU_IMPORT_MAX_ROWS, force_grouping=True)
    return _("The file has more than %(limit)s rows, the limit: split it into files of at "
             "most %(limit)s rows.") % {"limit": limit}
