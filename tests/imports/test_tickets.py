"""The one-time confirmation of an upload: not forged, not another's, not replayed, not stale."""

import time
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from devices.models import Device, DeviceEvent
from imports.models import ImportJob
from tests.factories import UserFactory
from tests.imports.conftest import csv_file
from units.models import Unit

DEVICE_IMPORT = reverse("admin:devices_device_import")
DEVICE_CONFIRM = reverse("admin:devices_device_process_import")
GOOD = csv_file(["unit", "category", "asset tag"], ["kalevalan-koulu", "tablet", "KUO-1"])


def checked(client):
    """Upload the good device sheet; return the confirmation token its page carries."""
    response = client.post(DEVICE_IMPORT, {"import_file": SimpleUploadedFile("l.csv", GOOD)})
    assert response.status_code == 200 and response.context["plan"].is_valid
    return response.context["token"]


def confirm(client, token):
    """Confirm `token`; return the response and the messages it left."""
    response = client.post(DEVICE_CONFIRM, {"token": token})
    return response, [str(message) for message in get_messages(response.wsgi_request)]


def stored_file(token):
    """Return the path of the temporary file the upload of `token` waits in."""
    return Path(ImportJob.objects.get(status=ImportJob.Status.AWAITING).stored_as)


def test_a_confirmed_upload_imports_once_and_a_replay_is_refused(admin_client, school):
    token = checked(admin_client)
    response, _said = confirm(admin_client, token)
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert (job.status, job.summary, job.nonce) == ("done", "1 new, 0 changed, 0 unchanged.", "")

    again, said = confirm(admin_client, token)
    assert said[-1] == "This upload has been confirmed already."
    assert again["Location"] == reverse("imports:job", args=[job.pk])
    assert Device.objects.count() == 1 and DeviceEvent.objects.count() == 1


@pytest.mark.parametrize("spoil", [lambda token: token + "x", lambda token: token[::-1],
                                   lambda token: "", lambda token: "a:b:c"])
def test_a_forged_token_is_refused_in_words(admin_client, school, spoil):
    token = checked(admin_client)
    response, said = confirm(admin_client, spoil(token))
    assert response.status_code == 302 and response["Location"] == DEVICE_IMPORT
    assert said == ["The confirmation is not valid: upload the file again."]
    assert not Device.objects.exists()


def test_another_users_token_is_refused_and_stays_good_for_its_owner(admin_client, school):
    token = checked(admin_client)
    other = Client()
    other.force_login(UserFactory(username="toinen", is_staff=True, is_superuser=True))
    other.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    _response, said = confirm(other, token)
    assert said == ["The confirmation is not valid: upload the file again."]
    assert not Device.objects.exists()
    confirm(admin_client, token)
    assert Device.objects.count() == 1


def test_a_token_for_another_admins_import_is_refused(admin_client, school):
    token = checked(admin_client)
    response = admin_client.post(reverse("admin:units_unit_process_import"), {"token": token})
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "The confirmation is not valid: upload the file again."]
    assert not Unit.objects.exclude(pk=school.pk).exists() and not Device.objects.exists()


def test_an_expired_token_is_refused_in_words(admin_client, school):
    token = checked(admin_client)
    later = time.time() + 2 * 60 * 60
    with mock.patch("django.core.signing.time") as clock:
        clock.time.return_value = later
        _response, said = confirm(admin_client, token)
    assert said == ["The upload has expired: upload the file again."]
    assert not Device.objects.exists()


def test_a_missing_temporary_file_is_named_and_nothing_is_saved(admin_client, school):
    token = checked(admin_client)
    stored_file(token).unlink()
    response, said = confirm(admin_client, token)
    assert response.status_code == 302 and response["Location"] == DEVICE_IMPORT
    assert said == ["The uploaded file is no longer on the server (it is kept for a while "
                    "only): upload it again."]
    assert ImportJob.objects.get().status == "failed"
    assert not Device.objects.exists()


def test_a_temporary_file_changed_since_the_check_is_refused(admin_client, school):
    token = checked(admin_client)
    stored_file(token).write_bytes(GOOD.replace(b"KUO-1", b"KUO-9"))
    _response, said = confirm(admin_client, token)
    assert said == ["The uploaded file has changed on the server since it was checked: upload "
                    "it again."]
    assert not Device.objects.exists()


def test_the_temporary_file_is_removed_once_confirmed(admin_client, school):
    token = checked(admin_client)
    path = stored_file(token)
    confirm(admin_client, token)
    assert not path.exists()


def test_a_sheet_confirmation_names_no_file_a_user_could_change(admin_client, organisation,
                                                               tmp_path):
    victim = tmp_path / "elsewhere.csv"
    victim.write_bytes(b"slug,name,organisation,sectors\nx,X,kuopio,perusopetus\n")
    preview = admin_client.post("/admin/units/unit/import/", {
        "resource": "0", "format": "0", "import_file": SimpleUploadedFile(
            "u.csv", b"slug,name,organisation,sectors\na,A,kuopio,perusopetus\n")})
    assert list(preview.context["confirm_form"].initial) == ["token"]
    # The fields import-export's own confirmation trusted are ignored.
    response = admin_client.post("/admin/units/unit/process_import/", {
        "import_file_name": str(victim), "original_file_name": "u.csv", "format": "0"})
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "The confirmation is not valid: upload the file again."]
    assert victim.exists() and not Unit.objects.exists()


def test_expired_uploads_are_forgotten_with_their_files(admin_client, school, settings):
    checked(admin_client)
    old = ImportJob.objects.get()
    path = Path(old.stored_as)
    settings.VASTUU_IMPORT_CONFIRM_SECONDS = -1
    checked(admin_client)
    assert not ImportJob.objects.filter(pk=old.pk).exists() and not path.exists()
