"""Import and export through the admin: all or nothing, bad rows listed, permission checked."""

import io

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from roles.models import Duty, Level, Role
from roles.resources import MatrixResource
from tests.factories import DutyFactory, OrganisationFactory, UnitFactory, UserFactory
from tests.resources.conftest import snapshot
from units.models import Unit
from units.resources import CSV

UNIT_HEADER = "slug,name,organisation,sectors\n"
CSV_FORMAT, XLSX_FORMAT = "0", "1"


def upload(client, model_path, content, name="sheet.csv", file_format=CSV_FORMAT):
    """Post `content` to the admin import page of `model_path` ("app/model") as a file."""
    return client.post(f"/admin/{model_path}/import/", {
        "resource": "0", "format": file_format,
        "import_file": SimpleUploadedFile(name, content),
    })


def confirm(client, model_path, response):
    """Confirm the import that `response` (the dry run's page) offers."""
    return client.post(f"/admin/{model_path}/process_import/",
                       response.context["confirm_form"].initial)


@pytest.fixture
def staff_client(client, db):
    """A logged-in staff user who may view and change units but not add them."""
    user = UserFactory(username="toimisto", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(
        content_type__app_label="units", codename__in=["view_unit", "change_unit"]))
    client.force_login(user)
    return client


def test_good_unit_file_imports_after_confirmation(admin_client, organisation):
    content = (UNIT_HEADER + "a,Aapelin koulu,kuopio,perusopetus\n").encode()

    preview = upload(admin_client, "units/unit", content)
    assert not Unit.objects.exists()  # the first step is a dry run
    response = confirm(admin_client, "units/unit", preview)

    assert response.status_code == 302
    assert Unit.objects.get().name == "Aapelin koulu"


def test_unit_file_with_one_bad_row_shows_its_line_and_saves_nothing(admin_client, organisation):
    UnitFactory(organisation=organisation, slug="a", name="Vanha nimi")
    content = (UNIT_HEADER + "a,Uusi nimi,kuopio,perusopetus\n"
               "b,Bertan koulu,kuopio,perusopetus\n"
               "c,Ceciliankoulu,kuopio,koulu\n").encode()

    response = upload(admin_client, "units/unit", content)

    assert response.status_code == 200
    assert "confirm_form" not in response.context
    [bad_row] = response.context["result"].invalid_rows
    assert bad_row.number == 4
    page = response.content.decode()
    assert "<td>4</td>" in page
    assert "Line 4, sectors: Unknown sector code: koulu." in page
    assert list(Unit.objects.values_list("slug", "name")) == [("a", "Vanha nimi")]


def test_matrix_sheet_with_one_bad_row_shows_its_line_and_saves_nothing(admin_client, region):
    OrganisationFactory(name="Kuopio", slug="kuopio", parent=region)
    # The seven columns of a group (group or network … holders at most) are left empty.
    good = ("kuopio,Yksikön taso,,2,Digitutor,,digitutor,unit,perusopetus,,,,,,,,,,,,,{duty},,,,,"
            "{months},,")
    content = "\n".join([
        ",".join(MatrixResource().get_export_headers()),
        good.format(duty="Tuemme opettajia.", months="10"),
        good.format(duty="Pidämme tutorvartteja.", months='"9, 13"'),
        good.format(duty="Kokoamme vinkkejä.", months="5"),
    ]).encode()
    levels = Level.objects.count()

    response = upload(admin_client, "roles/duty", content)

    assert [row.number for row in response.context["result"].invalid_rows] == [3]
    assert "Unknown month 13: months are numbers from 1 to 12." in response.content.decode()
    assert Level.objects.count() == levels and not Role.objects.filter(slug="digitutor")


def test_row_failing_at_save_is_listed_by_line_without_its_error_and_saves_nothing(
        admin_client, organisation, monkeypatch):
    save = Unit.save

    def failing_save(unit, *args, **kwargs):
        """Save a unit, except that unit b fails as a database would."""
        if unit.slug == "b":
            raise RuntimeError("the database went away")
        return save(unit, *args, **kwargs)

    monkeypatch.setattr(Unit, "save", failing_save)
    content = (UNIT_HEADER + "a,A,kuopio,perusopetus\nb,B,kuopio,perusopetus\n").encode()

    response = upload(admin_client, "units/unit", content)

    assert response.context["result"].row_errors()[0][0] == 3
    page = response.content.decode()
    assert ("Line 3: This row could not be imported because of an unexpected error. "
            "The administrators can find it in the server&#x27;s log.") in page
    # What went wrong is for the server's log: no exception text, no traceback, no paths.
    assert "the database went away" not in page
    assert "Traceback" not in page and ".py" not in page
    assert not Unit.objects.exists()


def test_matrix_import_from_xlsx_through_the_admin(admin_client, matrix):
    Duty.objects.filter(text="Laadimme TVT-suunnitelman.").delete()
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(MatrixResource().get_export_headers()))
    sheet.append(["kuopio", "Hallinto ja tukipalvelut", "", 1, "TVT-koordinaattori", "",
                  "tvt-koordinaattori", "organisation", "perusopetus, lukio", "TVT-koordinaattori",
                  "", "rehtori, digitutor", "IT-palvelut\nOpetuspalvelut", "",
                  "", "", "", "", "", "", "",  # not a group
                  "Laadimme suunnitelman.", "", "lukio", "1 krt/lukuvuosi", "", 9, "rehtori",
                  "services"])
    content = io.BytesIO()
    workbook.save(content)

    preview = upload(admin_client, "roles/duty", content.getvalue(), "matrix.xlsx", XLSX_FORMAT)
    confirm(admin_client, "roles/duty", preview)

    duty = Duty.objects.get(text="Laadimme suunnitelman.")
    assert duty.months == [9]
    assert [role.slug for role in duty.collaborating_roles.all()] == ["rehtori"]


def test_import_needs_add_permission(staff_client):
    assert staff_client.get("/admin/units/unit/").status_code == 200
    assert staff_client.get("/admin/units/unit/import/").status_code == 403
    assert upload(staff_client, "units/unit", UNIT_HEADER.encode()).status_code == 403


def test_matrix_import_needs_add_permission_on_levels_roles_and_duties(client, db):
    user = UserFactory(username="toimisto", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(
        content_type__app_label="roles", codename__in=["view_duty", "add_duty"]))
    client.force_login(user)
    assert client.get("/admin/roles/duty/import/").status_code == 403

    user.user_permissions.add(*Permission.objects.filter(codename__in=["add_level", "add_role"]))
    assert client.get("/admin/roles/duty/import/").status_code == 200


def test_admin_export_of_duties_neutralises_formulas(admin_client):
    DutyFactory(text="=1+1", recurrence="@SUM(A1)")
    data = {"format": CSV_FORMAT, "resource": "0"}
    data.update({f"matrixresource_{name}": "on" for name in MatrixResource().get_export_order()})

    response = admin_client.post(reverse("admin:roles_duty_export"), data)

    text = response.content.decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    assert "'=1+1" in text and "'@SUM(A1)" in text


def test_role_admin_exports_the_matrix_of_the_listed_roles(admin_client, matrix):
    data = {"format": CSV_FORMAT, "resource": "0"}
    data.update({f"matrixresource_{name}": "on" for name in MatrixResource().get_export_order()})

    response = admin_client.post(
        reverse("admin:roles_role_export") + f"?level__organisation__id__exact={matrix.pk}", data)

    dataset = CSV(encoding="utf-8-sig").create_dataset(response.content)
    assert [row["role slug"] for row in dataset.dict] == [
        "tvt-koordinaattori", "tvt-koordinaattori", "rehtori", "digitutor"]


@pytest.mark.parametrize("file_format", [CSV_FORMAT, XLSX_FORMAT])
def test_matrix_exported_from_the_admin_reimports_unchanged(admin_client, matrix, file_format):
    before = snapshot()
    data = {"format": file_format, "resource": "0"}
    data.update({f"matrixresource_{name}": "on" for name in MatrixResource().get_export_order()})
    exported = admin_client.post(reverse("admin:roles_role_export"), data).content

    preview = upload(admin_client, "roles/role", exported, "matrix", file_format)
    response = confirm(admin_client, "roles/role", preview)

    assert response.status_code == 302
    assert preview.context["result"].totals["new"] == 0
    assert snapshot() == before
