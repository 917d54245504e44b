"""The privacy notice: public in Finnish and Swedish, linked from every page, escaped, and
edited in the admin by superusers alone, with its history kept."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.urls import reverse

from privacy.models import PrivacyNotice, body_blocks
from tests.factories import UserFactory

NOTICE_URL = "/tietosuojaseloste/"


@pytest.fixture
def notice(db):
    """The notice the data migration created."""
    current = PrivacyNotice.current()
    assert current is not None
    return current


@pytest.fixture
def swedish(client):
    """A client that has chosen Swedish in the footer."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sv"
    return client


@pytest.fixture
def staff_with_every_permission(db):
    """A staff user, not a superuser, who holds every model permission there is."""
    user = UserFactory(username="kaikki-oikeudet", is_staff=True)
    user.user_permissions.set(Permission.objects.all())
    return user


def admin_url(view, *args):
    return reverse(f"admin:privacy_privacynotice_{view}", args=args)


def footer_of(response):
    """Return the HTML of the page's footer."""
    html = response.content.decode()
    return html[html.index('<footer class="site-footer">'):html.index("</footer>")]


def test_the_address_is_the_finnish_word():
    assert reverse("privacy:notice") == NOTICE_URL


def test_the_notice_opens_without_logging_in_in_finnish(client, notice):
    response = client.get(NOTICE_URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 id="notice-heading">Tietosuojaseloste</h1>' in html
    assert "<h2>Käsittelyn tarkoitus</h2>" in html
    assert "[Organisaation nimi ja yhteystiedot]" in html
    assert "Dataskyddsbeskrivning" not in html


def test_the_notice_opens_without_logging_in_in_swedish(swedish, notice):
    response = swedish.get(NOTICE_URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="sv">' in html
    assert '<h1 id="notice-heading">Dataskyddsbeskrivning</h1>' in html
    assert "<h2>Ändamålet med behandlingen</h2>" in html
    assert "[Organisationens namn och kontaktuppgifter]" in html
    assert "Käsittelyn tarkoitus" not in html


def test_a_swedish_page_shows_the_finnish_text_where_no_swedish_one_is_given(swedish, notice):
    notice.body_sv = None
    notice.save()

    assert "<h2>Käsittelyn tarkoitus</h2>" in swedish.get(NOTICE_URL).content.decode()


def test_the_default_text_names_the_rights_and_the_ombudsman(client, notice):
    html = client.get(NOTICE_URL).content.decode()

    assert "tietosuojavaltuutetun" in html
    assert '<a href="https://tietosuoja.fi"' in html
    assert "12 kuukauden" in html
    assert "henkilötunnusta ei tallenneta" in html


def test_the_page_shows_when_the_notice_was_updated(client, notice):
    html = client.get(NOTICE_URL).content.decode()

    assert f"{notice.updated_on.day}.{notice.updated_on.month}.{notice.updated_on.year}" in html


def test_the_footer_of_an_ordinary_page_links_the_notice(client, superuser):
    client.force_login(superuser)
    response = client.get(reverse("matrix:home"))

    assert response.status_code == 200
    assert f'href="{NOTICE_URL}"' in footer_of(response)


def test_the_footer_of_the_login_page_links_the_notice(client, notice):
    response = client.get(reverse("login"))

    assert f'href="{NOTICE_URL}"' in footer_of(response)


def test_the_footer_keeps_the_language_switch(client, notice):
    footer = footer_of(client.get(NOTICE_URL))

    assert 'name="language"' in footer


def test_html_in_the_body_is_shown_as_text(client, notice):
    notice.body_fi = '## <b>Otsikko</b>\n\n<script>alert("x")</script>\n\n- <img src=x>'
    notice.controller_fi = "<i>Kunta</i>"
    notice.save()

    html = client.get(NOTICE_URL).content.decode()

    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "<h2>&lt;b&gt;Otsikko&lt;/b&gt;</h2>" in html
    assert "<li>&lt;img src=x&gt;</li>" in html
    assert "&lt;i&gt;Kunta&lt;/i&gt;" in html


def test_the_body_is_read_as_paragraphs_subheadings_and_lists():
    blocks = body_blocks("Alku\njatkuu\n\n## Otsikko\nKappale\n\nLista:\n- yksi\n- kaksi\n\n\n")

    assert [(block.kind, block.lines) for block in blocks] == [
        ("paragraph", ["Alku", "jatkuu"]),
        ("heading", ["Otsikko"]),
        ("paragraph", ["Kappale"]),
        ("paragraph", ["Lista:"]),
        ("list", ["yksi", "kaksi"]),
    ]


def test_a_paragraph_keeps_its_line_breaks_and_links_its_addresses(client, notice):
    notice.body_fi = "Ensimmäinen rivi\nToinen https://example.fi/ohje"
    notice.save()

    html = client.get(NOTICE_URL).content.decode()

    assert "<p>Ensimmäinen rivi<br>Toinen <a href=\"https://example.fi/ohje\"" in html


def test_the_migration_recorded_the_notices_first_version(notice):
    first = notice.history.earliest()

    assert first.history_type == "+"
    assert first.title_fi == "Tietosuojaseloste"
    assert first.title_sv == "Dataskyddsbeskrivning"


def test_a_superuser_edits_the_notice_in_the_admin(admin_client, notice):
    versions = notice.history.count()
    assert admin_client.get(admin_url("change", notice.pk)).status_code == 200

    response = admin_client.post(admin_url("change", notice.pk), {
        "title_fi": "Tietosuojaseloste", "title_sv": "Dataskyddsbeskrivning",
        "controller_fi": "Kuopion kaupunki\nkirjaamo@kuopio.fi",
        "controller_sv": "Kuopio stad\nkirjaamo@kuopio.fi",
        "body_fi": "## Uusi otsikko\n\nUusi teksti.", "body_sv": "## Ny rubrik\n\nNy text.",
    })

    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.body_fi == "## Uusi otsikko\n\nUusi teksti."
    html = admin_client.get(NOTICE_URL).content.decode()
    assert "<h2>Uusi otsikko</h2>" in html
    assert "Kuopion kaupunki" in html
    latest = notice.history.latest()
    assert notice.history.count() == versions + 1
    assert (latest.history_type, latest.body_sv, latest.controller_fi) == (
        "~", "## Ny rubrik\n\nNy text.", "Kuopion kaupunki\nkirjaamo@kuopio.fi")
    assert latest.history_change_reason == "admin"
    assert latest.history_user.username == "admin"
    assert admin_client.get(admin_url("history", notice.pk)).status_code == 200


def test_nobody_adds_or_deletes_a_notice(admin_client, notice):
    assert admin_client.get(admin_url("add")).status_code == 403
    assert admin_client.post(admin_url("delete", notice.pk), {"post": "yes"}).status_code == 403
    assert PrivacyNotice.objects.count() == 1


def test_staff_who_is_not_a_superuser_cannot_see_or_change_the_notice(
        client, staff_with_every_permission, notice):
    client.force_login(staff_with_every_permission)

    for url in (admin_url("changelist"), admin_url("change", notice.pk),
                admin_url("history", notice.pk)):
        assert client.get(url).status_code == 403, url
    response = client.post(admin_url("change", notice.pk), {
        "title_fi": "Muutettu", "controller_fi": "x", "body_fi": "x"})
    assert response.status_code == 403
    notice.refresh_from_db()
    assert notice.title_fi == "Tietosuojaseloste"
    index = client.get(reverse("admin:index")).content.decode()
    assert admin_url("changelist") not in index


def test_the_page_only_reads(client, notice):
    assert client.post(NOTICE_URL).status_code == 405


def test_the_footer_marks_the_link_of_the_page_one_is_on(client, notice):
    assert 'aria-current="page"' in footer_of(client.get(NOTICE_URL))
    assert 'aria-current="page"' not in footer_of(client.get(reverse("login")))
