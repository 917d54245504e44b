"""What every answer says about itself: a strict Content-Security-Policy, the features it turns
off, and that pages and downloads showing people are never stored, while static files are."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.test import RequestFactory

from config.headers import NoStoreMiddleware, permissions_policy
from tests.factories import UserFactory
from units.resources import UnitResource

# The pages of a logged-in principal and of the admin, and pages everyone reads.
PAGES = ["/", "/me/", "/units/kalevalan-koulu/", "/units/kalevalan-koulu/devices/",
         "/units/kalevalan-koulu/devices/handout/", "/units/kalevalan-koulu/devices/inventory/",
         "/tietosuojaseloste/", "/no-such-page/"]
DOWNLOADS = ["/units/kalevalan-koulu/export/csv/", "/units/kalevalan-koulu/export/xlsx/",
             "/units/kalevalan-koulu/devices/export/csv/"]
ADMIN_PAGES = ["/admin/", "/admin/units/unit/", "/admin/units/unit/export/",
               "/admin/devices/device/import/", "/admin/auth/user/add/"]


def policy(response):
    """Return the response's Content-Security-Policy as {directive: [sources]}."""
    directives = [part.split() for part in response["Content-Security-Policy"].split(";")]
    return {words[0]: words[1:] for words in directives if words}


def assert_strict(response):
    """Fail unless `response` allows scripts and styles from the site's own files only."""
    directives = policy(response)
    assert directives["script-src"] == ["'self'"], response["Content-Security-Policy"]
    assert directives["style-src"] == ["'self'"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]


@pytest.mark.parametrize("url", PAGES + DOWNLOADS)
def test_pages_send_a_strict_content_security_policy(principal_client, url):
    response = principal_client.get(url)
    assert response.status_code in (200, 404), url
    assert_strict(response)


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_admin_pages_send_a_strict_content_security_policy(admin_client, school, url):
    response = admin_client.get(url)
    assert response.status_code == 200, url
    assert_strict(response)


def test_the_login_page_sends_it_to_anyone(client, db):
    assert_strict(client.get("/login/"))


def templates():
    """Yield every template of the project (its own apps, not the installed packages)."""
    root = Path(settings.BASE_DIR)
    for path in sorted(root.glob("**/templates/**/*.html")):
        if not path.relative_to(root).parts[0].startswith((".", "staticfiles")):
            yield path


INLINE = {
    "inline script": re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "event handler attribute": re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),
    "style attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "style element": re.compile(r"<style\b", re.IGNORECASE),
    "javascript: address": re.compile(r"javascript:", re.IGNORECASE),
}


def test_no_template_has_code_or_styles_the_policy_would_block():
    found = [(str(path.relative_to(settings.BASE_DIR)), what)
             for path in templates() for what, pattern in INLINE.items()
             if pattern.search(path.read_text(encoding="utf-8"))]
    assert len(list(templates())) > 50  # the walk finds the templates
    assert found == []


def test_the_print_buttons_and_the_admin_export_use_static_scripts():
    for name in ("js/print.js", "js/export-select-all.js"):
        assert finders.find(name), name
    for template in ("devices/templates/devices/receipt.html",
                     "devices/templates/devices/inventory.html"):
        assert "js/print.js" in (settings.BASE_DIR / template).read_text(encoding="utf-8")


def test_the_admin_export_page_wires_its_select_all_box(admin_client, school):
    page = admin_client.get("/admin/units/unit/export/").content.decode()
    assert "js/export-select-all.js" in page and 'class="select-toggle"' in page


def test_permissions_policy_turns_off_what_no_page_uses(client, db):
    header = client.get("/login/")["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in header
    assert permissions_policy({"camera": [], "fullscreen": ["self"]}) == (
        "camera=(), fullscreen=(self)")


@pytest.mark.parametrize("url", PAGES + DOWNLOADS)
def test_pages_and_downloads_showing_people_are_never_stored(principal_client, url):
    assert "no-store" in principal_client.get(url)["Cache-Control"], url


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_admin_pages_and_exports_are_never_stored(admin_client, school, url):
    assert "no-store" in admin_client.get(url)["Cache-Control"], url


def test_an_admin_export_download_is_never_stored(admin_client, school):
    data = {"format": "0", "resource": "0"}
    data.update({f"unitresource_{name}": "on" for name in UnitResource().get_export_order()})
    response = admin_client.post("/admin/units/unit/export/", data)
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]


def test_the_login_page_is_never_stored_either(client, db):
    assert "no-store" in client.get("/login/")["Cache-Control"]


def test_static_files_stay_cacheable(client):
    response = client.get("/static/css/vastuu.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert "Content-Security-Policy" not in response


def test_a_view_that_says_it_is_public_keeps_its_cache_control():
    public = HttpResponse()
    public["Cache-Control"] = "public, max-age=60"
    middleware = NoStoreMiddleware(lambda request: public)
    assert middleware(RequestFactory().get("/"))["Cache-Control"] == "public, max-age=60"


def test_a_staff_user_who_may_see_nothing_still_gets_the_policy(client, db):
    client.force_login(UserFactory(is_staff=True))
    assert_strict(client.get("/admin/"))
