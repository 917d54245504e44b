"""Large imports run in the background worker: progress on their page, then all rows or none."""

from unittest import mock

from django.contrib.admin.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from devices import importing, services
from devices.models import Device, DeviceEvent
from imports.models import ImportJob
from imports.progress import JobProgress
from tests.factories import UserFactory
from tests.imports.conftest import csv_file
from units.models import Person

DEVICE_IMPORT = reverse("admin:devices_device_import")
DEVICE_CONFIRM = reverse("admin:devices_device_process_import")
DEVICE_HEADER = ["unit", "category", "asset tag"]
PERSON_HEADER = ["email", "name", "title", "organisation"]


def devices_sheet(*tags):
    """Return a device sheet of tablets of kalevalan-koulu with `tags`."""
    return csv_file(DEVICE_HEADER, *[["kalevalan-koulu", "tablet", tag] for tag in tags])


def offer(client, content, name="laitteet.csv"):
    """Upload `content` to the device import; return the page offering it to the worker."""
    response = client.post(DEVICE_IMPORT, {"import_file": SimpleUploadedFile(name, content)})
    assert response.status_code == 200
    return response


def run_in_background(client, content, name="laitteet.csv"):
    """Upload and confirm `content` as a background device import; return the job's page."""
    token = offer(client, content, name).context["token"]
    response = client.post(DEVICE_CONFIRM, {"token": token})
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("imports:job", args=[job.pk])
    return client.get(response["Location"])


def test_a_large_device_sheet_is_offered_to_the_worker_unchecked(admin_client, school,
                                                                 background_above_two_rows):
    with mock.patch.object(importing, "plan_import", wraps=importing.plan_import) as plan:
        response = offer(admin_client, devices_sheet("K-1", "K-2", "K-3"))
    plan.assert_not_called()
    page = response.content.decode()
    assert "The file has about 3 rows, more than are imported while the page waits." in page
    assert 'value="Import in the background"' in page
    assert ImportJob.objects.get().background
    assert not Device.objects.exists()


def test_a_confirmed_large_device_sheet_is_imported_by_the_worker(admin_client, superuser,
                                                                  school,
                                                                  background_above_two_rows):
    page = run_in_background(admin_client, devices_sheet("K-1", "K-2", "K-3"))
    job = ImportJob.objects.get()
    assert (job.status, job.summary, job.data, job.done, job.total) == (
        "done", "3 new, 0 changed, 0 unchanged.", None, 3, 3)
    assert job.task_id
    content = page.content.decode()
    assert "All rows were imported: 3 new, 0 changed, 0 unchanged." in content
    assert "import-progress.js" not in content  # nothing left to follow
    assert set(Device.objects.values_list("asset_tag", flat=True)) == {"K-1", "K-2", "K-3"}
    assert {event.by for event in DeviceEvent.objects.all()} == {superuser}
    assert LogEntry.objects.get(object_id__isnull=True).object_repr == "laitteet.csv"


def test_a_large_sheet_with_bad_lines_saves_nothing_and_names_every_one(
        admin_client, school, background_above_two_rows):
    page = run_in_background(admin_client, csv_file(
        DEVICE_HEADER, ["kalevalan-koulu", "tablet", "K-1"], ["atlantis", "tablet", "K-2"],
        ["kalevalan-koulu", "toaster", "K-3"], ["kalevalan-koulu", "tablet", "K-4"]))
    job = ImportJob.objects.get()
    assert job.status == "refused"
    assert [(problem["line"], problem["column"]) for problem in job.problems] == [
        (3, "unit"), (4, "category")]
    content = page.content.decode()
    assert "The file has 2 problems. Nothing was saved" in content
    assert "<td>3</td><td>unit</td><td>Unknown unit: atlantis.</td>" in content
    assert not Device.objects.exists()


def test_the_worker_reports_each_phase_of_a_device_import(admin_client, school,
                                                          background_above_two_rows):
    seen = []
    write = JobProgress._write

    def record(progress, force=False):
        seen.append((progress.job.phase, progress.job.done, progress.job.total))
        return write(progress, force=True)

    with mock.patch.object(JobProgress, "_write", record):
        run_in_background(admin_client, devices_sheet("K-1", "K-2", "K-3"))
    assert ("checking", 0, 3) in seen and ("checking", 3, 3) in seen
    assert ("saving", 0, 3) in seen and ("saving", 3, 3) in seen
    assert seen.index(("checking", 3, 3)) < seen.index(("saving", 0, 3))


def test_an_unexpected_error_fails_the_job_without_showing_it(admin_client, school,
                                                               background_above_two_rows,
                                                               caplog):
    def broken(**kwargs):
        raise OSError("/srv/vastuu/secret/path is gone")

    with mock.patch.object(services, "devices_import", broken):
        page = run_in_background(admin_client, devices_sheet("K-1", "K-2", "K-3"))
    job = ImportJob.objects.get()
    assert job.status == "failed"
    content = page.content.decode()
    assert "The import failed on an unexpected error, and nothing was saved." in content
    assert "/srv/vastuu" not in content and "Traceback" not in content
    assert "/srv/vastuu/secret/path is gone" in caplog.text  # for the administrators


def test_a_job_page_is_only_for_the_user_who_started_it(admin_client, school,
                                                        background_above_two_rows):
    run_in_background(admin_client, devices_sheet("K-1", "K-2", "K-3"))
    job = ImportJob.objects.get()
    urls = [reverse("imports:job", args=[job.pk]), reverse("imports:job_status", args=[job.pk])]
    other = Client()
    other.force_login(UserFactory(username="toinen", is_staff=True, is_superuser=True))
    assert [other.get(url).status_code for url in urls] == [404, 404]
    anonymous = Client()
    assert [anonymous.get(url).status_code for url in urls] == [302, 302]
    assert [admin_client.get(url).status_code for url in urls] == [200, 200]


def test_the_status_says_how_far_a_running_job_is(admin_client, superuser):
    job = ImportJob.objects.create(user=superuser, target="devices.device", file_name="l.csv",
                                   status="running", phase="checking", done=1200, total=5000)
    status = admin_client.get(reverse("imports:job_status", args=[job.pk])).json()
    assert status == {"status": "running", "status_label": "Running",
                      "phase_label": "Checking the rows", "done": 1200, "total": 5000,
                      "count": "1,200 of 5,000 rows", "finished": False}
    page = admin_client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert '<progress id="job-progress" max="5000" value="1200"></progress>' in page
    assert "/static/js/import-progress.js" in page and 'data-follow="true"' in page
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in page
    assert "<script>" not in page and "onclick" not in page


def test_a_large_person_sheet_is_imported_by_the_worker(admin_client, superuser, organisation,
                                                        background_above_two_rows):
    rows = [[f"opettaja{n}@kuopio.fi", f"Opettaja {n}", "", "kuopio"] for n in range(3)]
    preview = admin_client.post("/admin/units/person/import/", {
        "resource": "0", "format": "0",
        "import_file": SimpleUploadedFile("henkilot.csv", csv_file(PERSON_HEADER, *rows))})
    assert "result" not in preview.context  # no dry run in the request
    assert "The file has about 3 rows" in preview.content.decode()
    response = admin_client.post("/admin/units/person/process_import/",
                                 preview.context["confirm_form"].initial)
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("imports:job", args=[job.pk])
    assert (job.status, job.summary) == ("done", "Import finished. New: 3 people.")
    assert Person.objects.count() == 3
    record = Person.history.first()
    assert (record.history_user, record.history_change_reason) == (superuser,
                                                                    "import henkilot.csv")
    assert LogEntry.objects.get(object_id__isnull=True).object_repr == "henkilot.csv"


def test_a_large_person_sheet_with_a_bad_line_saves_none(admin_client, organisation,
                                                         background_above_two_rows):
    rows = [["a@kuopio.fi", "A", "", "kuopio"], ["b@kuopio.fi", "B", "", "atlantis"],
            ["c@kuopio.fi", "C", "", "kuopio"]]
    preview = admin_client.post("/admin/units/person/import/", {
        "resource": "0", "format": "0",
        "import_file": SimpleUploadedFile("henkilot.csv", csv_file(PERSON_HEADER, *rows))})
    admin_client.post("/admin/units/person/process_import/",
                      preview.context["confirm_form"].initial)
    job = ImportJob.objects.get()
    assert job.status == "refused"
    assert job.problems == [{"line": 3, "column": "organisation",
                             "message": "Unknown organisation: atlantis."}]
    assert not Person.objects.exists()


def test_a_job_waiting_for_its_confirmation_is_not_followed(admin_client, superuser):
    job = ImportJob.objects.create(user=superuser, target="devices.device", file_name="l.csv")
    page = admin_client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert "The file waits for its confirmation on the import page." in page
    assert 'data-follow="false"' in page and "import-progress.js" not in page
