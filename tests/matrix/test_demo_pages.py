"""The pages on the demo data: Kuopio's sector-marked duties and the demo tutor's duties."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from units.models import Person, Unit

BASIC_ONLY = "Edistämme digitaalisten oppimateriaalien käyttöä silloin kun se on pedagogisesti " \
    "perusteltua."
UPPER_ONLY = "Turvaamme riittävät resurssit ylioppilastutkinnon toteuttamiseksi."
SCHOOL_ROLE = "Koulun johto"


def page(client, slug):
    return client.get(reverse("matrix:unit", args=[slug]))


@pytest.fixture
def admin_user_client(client, demo):
    client.force_login(get_user_model().objects.create(username="tarkastaja",
                                                       is_superuser=True))
    return client


def duties_on(response):
    return {duty.text for level in response.context["levels"] for entry in level.roles
            for duty in entry.duties}


def test_upper_secondary_school_shows_lukio_duties_not_basic_ones(admin_user_client):
    duties = duties_on(page(admin_user_client, "jarvitorin-lukio"))
    assert UPPER_ONLY in duties
    assert BASIC_ONLY not in duties


def test_basic_school_shows_basic_duties_not_lukio_ones(admin_user_client):
    duties = duties_on(page(admin_user_client, "kivikallion-koulu"))
    assert BASIC_ONLY in duties
    assert UPPER_ONLY not in duties


def test_combined_school_shows_both(admin_user_client):
    duties = duties_on(page(admin_user_client, "harjurinteen-koulu-ja-lukio"))
    assert {BASIC_ONLY, UPPER_ONLY} <= duties


def test_daycare_shows_no_school_roles_or_upper_secondary_duties(admin_user_client):
    response = page(admin_user_client, "paivakoti-mustikkamaki")
    roles = {entry.role.name for level in response.context["levels"] for entry in level.roles}
    assert "Varhaiskasvatuksen johto" in roles
    assert SCHOOL_ROLE not in roles
    assert UPPER_ONLY not in duties_on(response)


def test_every_kuopio_unit_sees_the_administration_roles(admin_user_client):
    for unit in Unit.objects.filter(organisation__slug="kuopio"):
        roles = {entry.role.name for level in page(admin_user_client, unit.slug).context["levels"]
                 for entry in level.roles}
        assert "Istekki" in roles, unit


def test_demo_tutor_sees_own_duties_with_months(client, demo):
    tutor = Person.objects.get(assignments__role__slug="yksikon-digitutor",
                               assignments__unit__slug="salmelan-kirkonkylan-koulu")
    user = get_user_model().objects.create(username="tutor-testi")
    tutor.user = user
    tutor.save()
    client.force_login(user)
    response = client.get(reverse("matrix:my_duties"))
    assert response.status_code == 200
    [place] = response.context["places"]
    texts = {duty.text for duty in place.duties}
    # A basic school: the perusopetus column of the seed, not the varhaiskasvatus one.
    assert any("digitutorkokouksiin" in text for text in texts)
    assert not any("Arjen digituki ja -apu omassa toimintayksikössä" == text for text in texts)
    assert "lokakuu" in response.text  # a yearly development day has its month
