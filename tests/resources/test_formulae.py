"""Exports neutralise cells a spreadsheet would run as formulas, and imports restore them."""

import io

import openpyxl
import pytest

from roles.models import Duty
from roles.resources import MatrixResource
from tests.factories import DutyFactory
from tests.resources.conftest import through_file
from units.resources import CSV, XLSX

FORMULAS = ["=HYPERLINK(\"http://example.com\")", "+1+1", "-2+3", "@SUM(A1:A2)"]


@pytest.fixture
def formula_duties(db):
    """Return duties whose text and recurrence a spreadsheet would run as formulas."""
    return [DutyFactory(text=text, recurrence=text) for text in FORMULAS]


def test_csv_export_prefixes_formulas_with_an_apostrophe(formula_duties):
    dataset = MatrixResource().export(Duty.objects.all())

    text = CSV().export_data(dataset)

    for formula in FORMULAS:
        assert f"'{formula}" in text.replace('""', '"')
        assert f",{formula}" not in text and f'"{formula}' not in text


def test_xlsx_export_writes_formulas_as_text(formula_duties):
    dataset = MatrixResource().export(Duty.objects.all())

    sheet = openpyxl.load_workbook(io.BytesIO(XLSX().export_data(dataset))).active

    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    assert not [cell.value for cell in cells if cell.data_type == "f"]
    duties = {cell.value for cell in cells if isinstance(cell.value, str)}
    assert {f"'{formula}" for formula in FORMULAS} <= duties


@pytest.mark.parametrize("format_name", ["csv", "xlsx"])
def test_escaped_cells_import_as_they_were(formula_duties, format_name):
    dataset = through_file(MatrixResource().export(Duty.objects.all()), format_name)

    result = MatrixResource().import_data(dataset)

    assert result.totals["new"] == 0
    assert sorted(Duty.objects.values_list("text", flat=True)) == sorted(FORMULAS)
