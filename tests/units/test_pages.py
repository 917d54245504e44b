"""Login, logout and the home page."""

from django.urls import reverse


def test_login_page_renders_in_finnish(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert '<html lang="fi">' in response.text
    assert "Kirjaudu sisään" in response.text


def test_anonymous_user_is_sent_to_login(client, db):
    response = client.get(reverse("matrix:home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_login_with_good_credentials_lands_on_home(client, principal):
    response = client.post(reverse("login"), {"username": "rehtori", "password": "salasana-123"})
    assert response.status_code == 302
    assert response.url == reverse("matrix:home")


def test_login_with_bad_password_says_so_and_keeps_username(client, principal):
    response = client.post(reverse("login"), {"username": "rehtori", "password": "väärä"})
    assert response.status_code == 200
    assert 'role="alert"' in response.text
    assert 'value="rehtori"' in response.text


def test_logout_needs_post_and_ends_the_session(principal_client):
    assert principal_client.get(reverse("logout")).status_code == 405
    response = principal_client.post(reverse("logout"))
    assert response.status_code == 302
    assert principal_client.get(reverse("matrix:home")).status_code == 302


def test_home_lists_only_the_users_units(principal_client, school, other_school):
    response = principal_client.get(reverse("matrix:home"))
    assert response.status_code == 200
    assert school.name in response.text
    assert other_school.name not in response.text


def test_finnish_is_shown_whatever_the_browser_asks(client, db):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="fi">' in response.text


def test_the_chosen_language_is_remembered(client, db):
    client.post(reverse("set_language"), {"language": "sv", "next": "/login/"})
    response = client.get(reverse("login"))
    assert '<html lang="sv">' in response.text


def test_the_interface_speaks_swedish_and_english_when_chosen(client, principal):
    client.force_login(principal)
    client.cookies["django_language"] = "sv"
    page = client.get(reverse("matrix:home")).text
    assert "Mina uppgifter" in page and "Logga ut" in page
    client.cookies["django_language"] = "en"
    page = client.get(reverse("matrix:home")).text
    assert "My duties" in page and "Log out" in page
    client.cookies["django_language"] = "fi"
    assert "Omat tehtävät" in client.get(reverse("matrix:home")).text
