"""The real task backend: a large import waits in the database until `db_worker` runs it.

Its tests commit, as the web server and the worker do, so they run in transactions of their own
and in a file of their own: pytest-django runs such tests after the others, and they leave the
database empty.
"""

from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from devices.models import Device
from imports.models import ImportJob
from imports.progress import JobProgress
from tests.factories import UserFactory
from tests.imports.conftest import csv_file
from units.models import Organisation, Sector, Unit

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

DEVICE_IMPORT = reverse("admin:devices_device_import")
DEVICE_CONFIRM = reverse("admin:devices_device_process_import")


def test_the_database_worker_runs_a_queued_import(client, settings):
    settings.VASTUU_IMPORT_BACKGROUND_ROWS = 2
    organisation = Organisation.objects.create(name="Kuopio", slug="kuopio")
    unit = Unit.objects.create(organisation=organisation, name="Kalevalan koulu",
                               slug="kalevalan-koulu")
    unit.sectors.add(Sector.objects.get(code="perusopetus"))
    client.force_login(UserFactory(username="admin", is_staff=True, is_superuser=True))
    content = csv_file(["unit", "category", "asset tag"],
                       *[["kalevalan-koulu", "tablet", f"K-{n}"] for n in range(3)])
    offer = client.post(DEVICE_IMPORT, {"import_file": SimpleUploadedFile("l.csv", content)})
    response = client.post(DEVICE_CONFIRM, {"token": offer.context["token"]})
    job = ImportJob.objects.get()
    page = client.get(response["Location"])
    assert "Waiting for the background worker" in page.content.decode()
    assert job.status == "queued" and not Device.objects.exists()

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    job.refresh_from_db()
    assert (job.status, job.summary, job.done, job.total) == (
        "done", "3 new, 0 changed, 0 unchanged.", 3, 3)
    assert Device.objects.count() == 3
    # A task run again (a worker restarted) does not import twice.
    from devices.tasks import import_devices

    assert import_devices.call(job.pk) is None and Device.objects.count() == 3


def test_on_postgresql_the_saving_count_is_written_beside_the_imports_transaction(
        client, settings):
    """Inside the import's transaction the count goes through a connection of its own."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time: the import holds it while it saves")
    settings.VASTUU_IMPORT_BACKGROUND_ROWS = 2
    organisation = Organisation.objects.create(name="Kuopio", slug="kuopio")
    unit = Unit.objects.create(organisation=organisation, name="Kalevalan koulu",
                               slug="kalevalan-koulu")
    unit.sectors.add(Sector.objects.get(code="perusopetus"))
    client.force_login(UserFactory(username="admin", is_staff=True, is_superuser=True))
    content = csv_file(["unit", "category", "asset tag"],
                       *[["kalevalan-koulu", "tablet", f"K-{n}"] for n in range(3)])
    offer = client.post(DEVICE_IMPORT, {"import_file": SimpleUploadedFile("l.csv", content)})
    client.post(DEVICE_CONFIRM, {"token": offer.context["token"]})
    seen = []
    write_aside = JobProgress._write_aside

    def record(progress, alias, values):
        write_aside(progress, alias, values)
        # Committed at once: even the import's own transaction (read committed) reads it now.
        seen.append(tuple(ImportJob.objects.using(alias).values_list("phase", "done").get()))

    with mock.patch.object(JobProgress, "_write_aside", record):
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    assert ("saving", 3) in seen
    assert ImportJob.objects.get().status == "done"
