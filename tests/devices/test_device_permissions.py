"""Who may see and change a unit's devices: the unit's grant decides, and a no is a 404."""

import pytest
from django.test import Client
from django.urls import reverse
from guardian.shortcuts import assign_perm

from devices.models import Device, DeviceEvent
from tests.factories import ChargingCartFactory, DeviceFactory, UserFactory

ACTIONS = ["check-out", "return", "move", "fault", "repaired", "retire", "hand-on", "lost"]


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def device(school):
    ChargingCartFactory(unit=school)
    return DeviceFactory(unit=school, asset_tag="KUO-1")


@pytest.fixture
def viewer_client(school):
    user = UserFactory(username="opettaja")
    assign_perm("units.view_unit", user, school)
    return client_for(user)


@pytest.fixture
def other_principal_client(other_school):
    user = UserFactory(username="toinen-rehtori")
    for codename in ("view_unit", "manage_assignments", "manage_devices"):
        assign_perm(f"units.{codename}", user, other_school)
    return client_for(user)


def read_urls(unit, tag):
    return [reverse("devices:device_list", args=[unit.slug]),
            reverse("devices:cart_list", args=[unit.slug]),
            reverse("devices:device", args=[unit.slug, tag])]


def change_urls(unit, tag):
    return [reverse("devices:device_add", args=[unit.slug]),
            reverse("devices:device_edit", args=[unit.slug, tag]),
            *(reverse("devices:device_action", args=[unit.slug, tag, action])
              for action in ACTIONS)]


def test_anonymous_is_sent_to_log_in_from_every_page(client, school, device):
    for url in read_urls(school, device.asset_tag) + change_urls(school, device.asset_tag):
        for response in (client.get(url), client.post(url)):
            assert response.status_code == 302, url
            assert response.url.startswith(reverse("login")), url


def test_another_units_principal_gets_404_everywhere(other_principal_client, school, device):
    for url in read_urls(school, device.asset_tag) + change_urls(school, device.asset_tag):
        assert other_principal_client.get(url).status_code == 404, url
        assert other_principal_client.post(url, {"note": "x"}).status_code == 404, url
    assert Device.objects.get(pk=device.pk).status == Device.Status.IN_STOCK


def test_a_viewer_reads_without_any_step_offered(viewer_client, school, device):
    for url in read_urls(school, device.asset_tag):
        assert viewer_client.get(url).status_code == 200, url
    response = viewer_client.get(reverse("devices:device", args=[school.slug, device.asset_tag]))
    assert response.context["can_manage"] is False
    assert response.context["steps"] == []
    page = response.content.decode()
    for url in change_urls(school, device.asset_tag):
        assert f'href="{url}"' not in page
    listing = viewer_client.get(reverse("devices:device_list", args=[school.slug]))
    assert reverse("devices:device_add", args=[school.slug]) not in listing.content.decode()


def test_a_viewer_gets_404_on_every_change_page(viewer_client, school, device):
    for url in change_urls(school, device.asset_tag):
        assert viewer_client.get(url).status_code == 404, url
        assert viewer_client.post(url, {"note": "x", "ticket": "HD-1"}).status_code == 404, url
    assert not DeviceEvent.objects.filter(device=device).exists()
    assert Device.objects.get(pk=device.pk).status == Device.Status.IN_STOCK


def test_a_manager_opens_every_page(principal_client, school, device):
    for url in read_urls(school, device.asset_tag) + [
            reverse("devices:device_add", args=[school.slug]),
            reverse("devices:device_edit", args=[school.slug, device.asset_tag])]:
        assert principal_client.get(url).status_code == 200, url
    response = principal_client.get(
        reverse("devices:device", args=[school.slug, device.asset_tag]))
    assert response.context["can_manage"] is True
    assert response.context["steps"]


def test_principal_gets_404_for_other_units_device(principal_client, school, other_school):
    theirs = DeviceFactory(unit=other_school, asset_tag="TOINEN-1")
    for url in [reverse("devices:device", args=[school.slug, theirs.asset_tag]),
                *change_urls(school, theirs.asset_tag)[1:]]:
        assert principal_client.get(url).status_code == 404, url
        assert principal_client.post(url, {"note": "x"}).status_code == 404, url
    assert not DeviceEvent.objects.filter(device=theirs).exists()


def test_an_unknown_step_is_404(principal_client, school, device):
    url = reverse("devices:device_action", args=[school.slug, device.asset_tag, "explode"])
    assert principal_client.get(url).status_code == 404
    assert principal_client.post(url).status_code == 404


def test_a_grant_on_the_organisation_reaches_the_units_devices(school, device):
    user = UserFactory(username="tvt-koordinaattori")
    assign_perm("units.view_organisation", user, school.organisation)
    assign_perm("units.manage_organisation_devices", user, school.organisation)
    client = client_for(user)
    assert client.get(reverse("devices:device", args=[school.slug, device.asset_tag])
                      ).status_code == 200
    url = reverse("devices:device_action", args=[school.slug, device.asset_tag, "fault"])
    response = client.post(url, {"ticket": "HD-7"})
    assert response.status_code == 302
    assert Device.objects.get(pk=device.pk).fault_ticket == "HD-7"


def test_manage_devices_does_not_come_from_manage_assignments(school, device):
    user = UserFactory(username="apulaisrehtori")
    assign_perm("units.view_unit", user, school)
    assign_perm("units.manage_assignments", user, school)
    client = client_for(user)
    assert client.get(reverse("devices:device_add", args=[school.slug])).status_code == 404
