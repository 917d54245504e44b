"""Asset labels: a QR code to each device's page, which devices, other units, flat queries."""

from unittest import mock

import pytest
import segno
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from guardian.shortcuts import assign_perm

from devices import services
from devices.models import Device
from devices.views import labels
from tests.factories import ChargingCartFactory, DeviceFactory, UserFactory

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def viewer_client(client, school):
    user = UserFactory(username="katselija")
    assign_perm("units.view_unit", user, school)
    client.force_login(user)
    return client


def labels_url(unit, query=""):
    return reverse("devices:labels", args=[unit.slug]) + (f"?{query}" if query else "")


def device_page(unit, tag):
    return "http://testserver" + reverse("devices:device", args=[unit.slug, tag])


def printed_tags(response):
    return [label["device"].asset_tag
            for sheet in response.context["sheets"] for label in sheet if label]


def test_each_label_has_a_qr_code_of_the_device_page(viewer_client, school):
    DeviceFactory(unit=school, asset_tag="KUO-00301", number="12")
    url = device_page(school, "KUO-00301")
    with mock.patch("devices.views.labels.segno.make", wraps=segno.make) as make:
        response = viewer_client.get(labels_url(school))
    assert response.status_code == 200
    make.assert_called_once_with(url, error="m", micro=False)
    content = response.content.decode()
    assert f'data-url="{url}"' in content
    assert '<svg viewBox="0 0' in content and 'class="qrline"' in content
    assert '<p class="label-tag">KUO-00301</p>' in content
    assert "No. 12" in content
    assert school.name in content


def test_all_active_devices_are_labelled_by_default(viewer_client, school):
    active = DeviceFactory(unit=school, asset_tag="KUO-00310")
    retired = DeviceFactory(unit=school, asset_tag="KUO-00311")
    services.device_retire(device=retired, by=None)
    assert printed_tags(viewer_client.get(labels_url(school))) == [active.asset_tag]


def test_labels_of_one_category(viewer_client, school):
    DeviceFactory(unit=school, asset_tag="KUO-00320", category=Device.Category.PROJECTOR)
    DeviceFactory(unit=school, asset_tag="KUO-00321")
    response = viewer_client.get(labels_url(school, "category=projector"))
    assert printed_tags(response) == ["KUO-00320"]


def test_labels_of_one_cart_in_slot_order(viewer_client, school, other_school):
    cart = ChargingCartFactory(unit=school)
    DeviceFactory(unit=school, asset_tag="KUO-00331", cart=cart, cart_slot=2)
    DeviceFactory(unit=school, asset_tag="KUO-00332", cart=cart, cart_slot=1)
    DeviceFactory(unit=school, asset_tag="KUO-00333")
    response = viewer_client.get(labels_url(school, f"cart={cart.pk}"))
    assert printed_tags(response) == ["KUO-00332", "KUO-00331"]
    # Another unit's cart is not one of the choices: every device is labelled.
    theirs = ChargingCartFactory(unit=other_school)
    response = viewer_client.get(labels_url(school, f"cart={theirs.pk}"))
    assert len(printed_tags(response)) == 3


def test_labels_of_the_tags_asked_for(viewer_client, school):
    for n in range(3):
        DeviceFactory(unit=school, asset_tag=f"KUO-0034{n}")
    response = viewer_client.get(labels_url(school, "tags=kuo-00342, KUO-00340"))
    assert printed_tags(response) == ["KUO-00340", "KUO-00342"]
    assert response.context["not_printed"] == []


def test_other_units_tags_are_not_printed_but_named_in_a_note(viewer_client, school,
                                                              other_school):
    DeviceFactory(unit=school, asset_tag="KUO-00350")
    DeviceFactory(unit=other_school, asset_tag="TOI-00351")
    response = viewer_client.get(labels_url(school, "tags=KUO-00350,TOI-00351,EI-OLE"))
    assert printed_tags(response) == ["KUO-00350"]
    assert response.context["not_printed"] == ["TOI-00351", "EI-OLE"]
    content = response.content.decode()
    assert "not active devices of this unit: TOI-00351, EI-OLE" in content
    assert device_page(other_school, "TOI-00351") not in content
    assert other_school.name not in content


def test_labels_fill_sheets_of_24_after_the_labels_skipped(viewer_client, school):
    for n in range(30):
        DeviceFactory(unit=school, asset_tag=f"KUO-004{n:02d}")
    sheets = viewer_client.get(labels_url(school, "skip=3")).context["sheets"]
    assert [len(sheet) for sheet in sheets] == [24, 9]
    assert sheets[0][:3] == [None, None, None]
    assert sheets[0][3]["device"].asset_tag == "KUO-00400"


def test_a_bad_skip_or_category_is_ignored(viewer_client, school):
    DeviceFactory(unit=school)
    response = viewer_client.get(labels_url(school, "skip=lots&category=toaster"))
    assert response.status_code == 200
    assert len(printed_tags(response)) == 1


def test_the_print_layout_is_3_by_8_labels_of_70_by_37_mm():
    css = (settings.BASE_DIR / "static" / "css" / "labels.css").read_text()
    assert "grid-template-columns: repeat(3, 70mm); grid-template-rows: repeat(8, 37mm)" in css
    assert "@page { size: A4 portrait; margin: 0; }" in css


def test_labels_take_the_same_queries_for_2_or_40_devices(viewer_client, school,
                                                             django_assert_num_queries):
    cart = ChargingCartFactory(unit=school)
    for n in range(2):
        DeviceFactory(unit=school, cart=cart, cart_slot=n + 1)
    with CaptureQueriesContext(connection) as few:
        viewer_client.get(labels_url(school))
    for n in range(38):
        DeviceFactory(unit=school, number=str(n))
    # Session, user, the user's global permissions (2), unit, its sectors, carts, the count of
    # devices and the page of them.
    with django_assert_num_queries(len(few.captured_queries)):
        response = viewer_client.get(labels_url(school))
    assert len(printed_tags(response)) == 40
    assert len(few.captured_queries) == 9


def test_anonymous_user_is_sent_to_login(client, school):
    response = client.get(labels_url(school))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_other_units_labels_are_not_found(viewer_client, other_school):
    assert viewer_client.get(labels_url(other_school)).status_code == 404


def test_a_page_holds_eight_sheets_and_the_rest_follow_on_later_pages(viewer_client, school):
    Device.objects.bulk_create(Device(unit=school, category="tablet", asset_tag=f"KUO-{n:04d}")
                               for n in range(200))
    first = viewer_client.get(labels_url(school))
    assert len(printed_tags(first)) == labels.PER_PAGE == 192
    assert len(first.context["sheets"]) == 8
    assert first.context["count"] == 200
    content = first.content.decode()
    assert "Page 1 of 2, at most 192 labels a page: print each page in turn." in content
    assert 'href="?page=2"' in content
    second = viewer_client.get(labels_url(school, "page=2"))
    assert printed_tags(second) == [f"KUO-{n:04d}" for n in range(192, 200)]


def test_the_labels_skipped_take_cells_of_the_first_page_only(viewer_client, school,
                                                              monkeypatch):
    monkeypatch.setattr(labels, "PER_PAGE", labels.PER_SHEET)
    for n in range(30):
        DeviceFactory(unit=school, asset_tag=f"KUO-005{n:02d}")
    first = viewer_client.get(labels_url(school, "skip=5"))
    [sheet] = first.context["sheets"]
    assert sheet[:5] == [None] * 5 and len(printed_tags(first)) == 19
    second = viewer_client.get(labels_url(school, "skip=5&page=2"))
    assert printed_tags(second) == [f"KUO-005{n:02d}" for n in range(19, 30)]
    assert 'href="?skip=5&amp;page=1"' in second.content.decode()


def test_a_page_past_the_end_shows_the_last_and_a_bad_one_the_first(viewer_client, school):
    DeviceFactory(unit=school, asset_tag="KUO-00601")
    for page in ("99", "x", "-1"):
        response = viewer_client.get(labels_url(school, f"page={page}"))
        assert printed_tags(response) == ["KUO-00601"]
        assert "Page 1 of" not in response.content.decode()


def test_tags_not_printed_are_named_whatever_page_is_shown(viewer_client, school, monkeypatch):
    monkeypatch.setattr(labels, "PER_PAGE", labels.PER_SHEET)
    tags = [f"KUO-007{n:02d}" for n in range(30)]
    for tag in tags:
        DeviceFactory(unit=school, asset_tag=tag)
    response = viewer_client.get(labels_url(school, "page=2&tags=" + ",".join([*tags, "EI-OLE"])))
    assert printed_tags(response) == tags[24:]
    assert response.context["not_printed"] == ["EI-OLE"]
