"""Uploads over the limits, and unreadable ones, are refused in words on every import page."""

from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.urls import reverse

from devices.models import Device
from imports.uploads import LimitedUploadHandler
from tests.imports.conftest import csv_file, xlsx_file, zip_bomb
from units.models import Person, Unit

DEVICE_IMPORT = reverse("admin:devices_device_import")
PERSON_IMPORT = reverse("admin:units_person_import")
CSV_FORMAT, XLSX_FORMAT = "0", "1"


def upload_devices(client, content, name="laitteet.csv"):
    """Post `content` to the device import page."""
    return client.post(DEVICE_IMPORT, {"import_file": SimpleUploadedFile(name, content)})


def upload_people(client, content, name="henkilot.csv", file_format=CSV_FORMAT):
    """Post `content` to the person admin's sheet import page."""
    return client.post(PERSON_IMPORT, {"resource": "0", "format": file_format,
                                       "import_file": SimpleUploadedFile(name, content)})


def file_errors(response):
    """Return the errors of the upload form's file field."""
    return response.context["form"].errors.get("import_file", [])


def test_the_upload_handler_stops_storing_a_file_past_the_limit(settings):
    settings.VASTUU_IMPORT_MAX_BYTES = 100
    handler = LimitedUploadHandler()
    handler.new_file("import_file", "iso.csv", "text/csv", None)
    assert handler.receive_data_chunk(b"x" * 60, 0) == b"x" * 60
    assert handler.receive_data_chunk(b"x" * 60, 60) is None  # no longer passed on
    assert handler.receive_data_chunk(b"x" * 60, 120) is None
    stand_in = handler.file_complete(180)
    assert (stand_in.name, stand_in.size, stand_in.read()) == ("iso.csv", 180, b"")


def test_a_file_over_the_limit_is_refused_on_the_device_import(admin_client, settings, school):
    settings.VASTUU_IMPORT_MAX_BYTES = 1000
    response = upload_devices(admin_client, b"asset tag\n" + b"KUO-1\n" * 500)
    assert file_errors(response) == [
        f"The file is {filesizeformat(3010)}, more than the limit of {filesizeformat(1000)}: "
        "split it into smaller files."]
    assert "token" not in response.context


def test_a_file_over_the_limit_is_refused_on_every_sheet_import(admin_client, settings):
    settings.VASTUU_IMPORT_MAX_BYTES = 1000
    for model in ("units/person", "units/unit", "roles/duty", "matrix/assignment",
                  "plans/action"):
        response = admin_client.post(f"/admin/{model}/import/", {
            "resource": "0", "format": CSV_FORMAT,
            "import_file": SimpleUploadedFile("iso.csv", b"x" * 2000)})
        assert f"more than the limit of {filesizeformat(1000)}" in file_errors(response)[0], model
        assert "confirm_form" not in response.context


def test_a_sheet_of_too_many_rows_is_refused_on_both_kinds_of_import(admin_client, settings,
                                                                     school):
    settings.VASTUU_IMPORT_MAX_ROWS = 2
    rows = [[f"opettaja{n}@kuopio.fi", "Opettaja", "", "kuopio"] for n in range(3)]
    response = upload_people(admin_client, csv_file(["email", "name", "title", "organisation"],
                                                    *rows))
    limit = "The file has more than 2 rows, the limit: split it into files of at most 2 rows."
    assert file_errors(response) == [limit]
    response = upload_devices(admin_client, csv_file(["unit", "asset tag"],
                                                     *[["kalevalan-koulu", "K-1"]] * 3))
    assert file_errors(response) == [limit]
    assert not Person.objects.exists() and not Device.objects.exists()


def test_a_zip_bomb_is_refused_on_both_kinds_of_import_without_openpyxl(admin_client, school):
    bomb = zip_bomb(megabytes=20)
    with mock.patch("imports.sheets.openpyxl.load_workbook") as load:
        devices = upload_devices(admin_client, bomb, name="laitteet.xlsx")
        people = upload_people(admin_client, bomb, name="henkilot.xlsx", file_format=XLSX_FORMAT)
    load.assert_not_called()
    for response in (devices, people):
        assert "refused as a possible zip bomb" in file_errors(response)[0]


def test_a_windows_1252_csv_imports_with_its_letters(admin_client, organisation):
    content = ("slug;name;organisation;sectors\n"
               "aanekoski;Äänekosken yläaste;kuopio;perusopetus\n").encode("cp1252")
    preview = admin_client.post("/admin/units/unit/import/", {
        "resource": "0", "format": CSV_FORMAT,
        "import_file": SimpleUploadedFile("yksikot.csv", content)})
    admin_client.post("/admin/units/unit/process_import/", preview.context["confirm_form"].initial)
    assert Unit.objects.get(slug="aanekoski").name == "Äänekosken yläaste"


def test_a_file_that_is_no_csv_says_so_without_the_exceptions_name(admin_client):
    response = upload_people(admin_client, bytes(range(256)) * 8)
    assert file_errors(response) == ["The file is not text in UTF-8 or Windows-1252: save it "
                                     "from the spreadsheet program as CSV UTF-8."]
    page = response.content.decode()
    assert "UnicodeDecodeError" not in page and "encountered" not in page


def test_a_workbook_chosen_as_csv_or_the_other_way_round_says_so(admin_client):
    workbook = xlsx_file(["email"], ["a@kuopio.fi"])
    assert file_errors(upload_people(admin_client, b"email\na@kuopio.fi\n", name="h.xlsx",
                                     file_format=XLSX_FORMAT)) == [
        "The file is not an Excel workbook (.xlsx)."]
    assert "save it from the spreadsheet program" in file_errors(
        upload_people(admin_client, workbook))[0]


def test_a_sheet_without_its_key_column_says_which_in_words(admin_client):
    response = upload_people(admin_client, b"email,title\nmaija@kuopio.fi,rehtori\n")
    page = response.content.decode()
    assert ("The file lacks the columns that recognise a row again: name, organisation."
            in page)
    assert "import_id_fields" not in page and "Traceback" not in page


def test_a_row_longer_than_the_header_is_named(admin_client):
    response = upload_people(admin_client, b"email,name\na@kuopio.fi,Maija,extra\n")
    assert file_errors(response) == [
        "Line 2 has more cells than the header row: give each column a header."]


@pytest.mark.parametrize("name", ["laitteet.xls", "laitteet"])
def test_the_device_import_refuses_other_kinds_of_file(admin_client, name):
    assert file_errors(upload_devices(admin_client, b"x", name=name)) == [
        f"Give a .csv or .xlsx file, not {name}."]
