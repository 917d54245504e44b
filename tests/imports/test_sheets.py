"""Reading uploaded sheets within the limits: size, rows, what an .xlsx unpacks to, encodings."""

import codecs
import io
import zipfile
from unittest import mock

import pytest
from django.template.defaultfilters import filesizeformat

from imports.sheets import SheetError, check_size, estimate_lines, read_rows
from tests.imports.conftest import csv_file, xlsx_file, zip_bomb


def refused(data, kind):
    """Return the message that refuses reading `data` as `kind`."""
    with pytest.raises(SheetError) as error:
        read_rows(data, kind)
    return str(error.value)


def test_a_file_over_the_size_limit_is_refused_naming_the_limit(settings):
    settings.VASTUU_IMPORT_MAX_BYTES = 1000
    check_size(1000)
    with pytest.raises(SheetError) as error:
        check_size(1001)
    assert str(error.value) == (f"The file is {filesizeformat(1001)}, more than the limit of "
                                f"{filesizeformat(1000)}: split it into smaller files.")
    assert "more than the limit" in refused(b"x" * 1001, "csv")


@pytest.mark.parametrize("make, kind", [(csv_file, "csv"), (xlsx_file, "xlsx")])
def test_a_file_of_more_rows_than_the_limit_is_refused_naming_the_limit(settings, make, kind):
    settings.VASTUU_IMPORT_MAX_ROWS = 3
    rows = [[f"KUO-{n}"] for n in range(4)]
    assert len(read_rows(make(["asset tag"], *rows[:3]), kind)) == 4
    assert refused(make(["asset tag"], *rows), kind) == (
        "The file has more than 3 rows, the limit: split it into files of at most 3 rows.")


def test_a_zip_bomb_is_refused_before_openpyxl_reads_it():
    bomb = zip_bomb(megabytes=20)
    assert len(bomb) < 200_000
    with mock.patch("imports.sheets.openpyxl.load_workbook") as load:
        message = refused(bomb, "xlsx")
        with pytest.raises(SheetError):
            estimate_lines(bomb, "xlsx", up_to=10)
    load.assert_not_called()
    assert message.startswith("Part of the workbook unpacks to ")
    assert "more than the limit of 100: it is refused as a possible zip bomb" in message


def test_a_workbook_that_would_unpack_past_the_limit_is_refused(settings):
    settings.VASTUU_IMPORT_MAX_UNZIPPED_BYTES = 10_000
    workbook = xlsx_file(["asset tag"], ["KUO-1"])
    with mock.patch("imports.sheets.openpyxl.load_workbook") as load:
        message = refused(workbook, "xlsx")
    load.assert_not_called()
    assert message.startswith("The workbook would unpack to ")
    assert f"more than the limit of {filesizeformat(10_000)}" in message


def test_a_workbook_of_thousands_of_parts_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for number in range(1001):
            archive.writestr(f"xl/part{number}.xml", b"<x/>")
    assert "has 1,001 parts, more than a spreadsheet has" in refused(out.getvalue(), "xlsx")


def test_an_ordinary_workbook_passes_the_zip_check():
    rows = [[f"KUO-{n}", "tablet", f"SN{n:06d}", "Lenovo 300e"] for n in range(3000)]
    workbook = xlsx_file(["asset tag", "category", "serial number", "model"], *rows)
    assert len(read_rows(workbook, "xlsx")) == 3001


@pytest.mark.parametrize("data", [b"not a zip", b"PK\x03\x04broken"])
def test_a_file_that_is_no_workbook_says_so(data):
    assert refused(data, "xlsx") == "The file is not an Excel workbook (.xlsx)."


def test_csv_in_windows_1252_or_utf_16_is_read_with_its_letters():
    text = "unit;name\nkoulu;Äänekosken yläaste\n"
    expected = [["unit", "name"], ["koulu", "Äänekosken yläaste"]]
    assert read_rows(text.encode("cp1252"), "csv") == expected
    assert read_rows(codecs.BOM_UTF16_LE + text.encode("utf-16-le"), "csv") == expected
    assert read_rows(text.encode("utf-8-sig"), "csv") == expected


@pytest.mark.parametrize("data", [bytes(range(256)) * 4, b"unit,name\nkoulu,\x00\x00\n"])
def test_a_binary_file_as_csv_is_refused_in_words(data):
    assert refused(data, "csv") == ("The file is not text in UTF-8 or Windows-1252: save it "
                                    "from the spreadsheet program as CSV UTF-8.")


def test_a_csv_line_the_csv_module_cannot_read_is_named(settings):
    data = b'unit,notes\nkoulu,"' + b"x" * 200_000 + b'"\n'
    assert refused(data, "csv") == ("Line 2 cannot be read as CSV: save the file from the "
                                    "spreadsheet program as CSV UTF-8.")


def test_blank_lines_stay_so_that_rows_are_lines():
    assert read_rows(b"a\n\nb\n", "csv") == [["a"], [], ["b"]]


@pytest.mark.parametrize("make, kind", [(csv_file, "csv"), (xlsx_file, "xlsx")])
def test_lines_are_estimated_never_too_few_and_counting_stops_early(make, kind):
    data = make(["asset tag"], *[[f"KUO-{n}"] for n in range(50)])
    assert 51 <= estimate_lines(data, kind, up_to=1000) <= 52
    assert 11 <= estimate_lines(data, kind, up_to=10) <= 52
