"""Fixtures of the import tests: sheets built in the test, tasks run at once, English pages."""

import csv
import io
import zipfile

import openpyxl
import pytest

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def in_english(english):
    """Run every test of this folder in English (tests/conftest.py)."""


@pytest.fixture
def immediate_tasks(settings):
    """Run background tasks at once, in the request that enqueues them."""
    settings.TASKS = IMMEDIATE


@pytest.fixture
def background_above_two_rows(settings, immediate_tasks):
    """Send every file of more than two rows to the background worker (run at once)."""
    settings.VASTUU_IMPORT_BACKGROUND_ROWS = 2


def csv_file(header, *rows):
    """Return the bytes of a CSV file of `rows` under `header`."""
    out = io.StringIO()
    csv.writer(out).writerows([header, *rows])
    return out.getvalue().encode("utf-8")


def xlsx_file(header, *rows):
    """Return the bytes of a workbook whose first sheet holds `rows` under `header`."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for cells in (header, *rows):
        sheet.append(list(cells))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def zip_bomb(megabytes=20):
    """Return a small .xlsx whose sheet unpacks to `megabytes` MB of the same cell, over and over.

    It is a real workbook: its other parts are openpyxl's own, so that only the packing gives
    it away.
    """
    source = zipfile.ZipFile(io.BytesIO(xlsx_file(["asset tag"], ["KUO-1"])))
    cell = b'<row r="2"><c r="A2" t="inlineStr"><is><t>KUO-1</t></is></c></row>'
    body = cell * (megabytes * 1024 * 1024 // len(cell))
    sheet = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             b"<sheetData>" + body + b"</sheetData></worksheet>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
        for info in source.infolist():
            data = sheet if info.filename == "xl/worksheets/sheet1.xml" else source.read(info)
            bomb.writestr(info.filename, data)
    return out.getvalue()
