"""Loading again updates in place: the same rows, the same passwords, no duplicates."""

import shutil
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth import authenticate
from django.test import RequestFactory

from roles.models import Duty
from tests.demo_snapshot import demo_loaded


def row_counts():
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def test_loading_twice_changes_no_counts_and_keeps_the_passwords(demo_with_logins, load):
    first = row_counts()
    duty_ids = set(Duty.objects.values_list("pk", flat=True))
    output = load("--with-logins")
    assert row_counts() == first
    assert set(Duty.objects.values_list("pk", flat=True)) == duty_ids
    assert "(0 new)" in output
    for username in ("admin", "rehtori", "tutor", "kuopio-admin"):
        # django-axes counts each attempt by the request it came with.
        assert authenticate(RequestFactory().post("/login/"), username=username,
                            password=f"vastuu-{username}") is not None


def test_loading_with_logins_after_without_adds_only_the_logins(db, load):
    demo_loaded()
    before = row_counts()
    load("--with-logins")
    after = row_counts()
    changed = {label for label in after if after[label] != before[label]}
    # What roles grant is computed, not stored; the Kuopio administrator is granted Kuopio; the
    # people get their logins. The grants and the people keep the history of it.
    assert changed == {"auth.User", "units.OrganisationUserObjectPermission",
                       "units.HistoricalOrganisationUserObjectPermission",
                       "units.HistoricalPerson"}


def test_an_edited_duty_text_replaces_the_old_one(load, tmp_path):
    folder = tmp_path / "fixtures"
    shutil.copytree(Path(settings.BASE_DIR) / "fixtures", folder)
    load("--fixtures", str(folder))
    count = Duty.objects.count()
    path = folder / "salmela.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "Digitutor-tuntien pitäminen", "Digitutor-tuntien suunnittelu ja pitäminen"),
        encoding="utf-8")
    output = load("--fixtures", str(folder))
    assert Duty.objects.count() == count
    assert Duty.objects.filter(text="Digitutor-tuntien suunnittelu ja pitäminen").exists()
    assert not Duty.objects.filter(text="Digitutor-tuntien pitäminen").exists()
    assert "1 removed" in output
