"""The person admin's access-request export and erasure, kept to the administrator's scope."""

import io

import openpyxl
import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from devices import services as device_services
from devices.models import DeviceEvent
from tests.factories import (
    DeviceFactory,
    OrganisationFactory,
    PersonFactory,
    UnitFactory,
    UserFactory,
)
from units.models import Organisation, Person
from units.services import organisation_administrator_appoint

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:units_person_changelist")


@pytest.fixture
def region(db):
    return OrganisationFactory(name="Seutu", slug="seutu", kind=Organisation.Kind.REGION)


@pytest.fixture
def kuopio(region):
    return OrganisationFactory(name="Kuopio", slug="kuopio", parent=region)


@pytest.fixture
def mine(kuopio, school):
    """A member of Kuopio's staff with a login, who lent a device out and got it back."""
    user = UserFactory(username="maija", first_name="Maija", last_name="Mallikas")
    person = PersonFactory(organisation=kuopio, name="Maija Mallikas", email="maija@kuopio.fi",
                           user=user)
    device = DeviceFactory(unit=school)
    device_services.device_check_out(device=device, by=user, holder=person)
    device_services.device_return(device=device, by=user)
    return person


@pytest.fixture
def school(kuopio):
    return UnitFactory(organisation=kuopio, name="Kuopion koulu", slug="kuopion-koulu")


@pytest.fixture
def theirs(db):
    return PersonFactory(organisation=OrganisationFactory(name="Joensuu", slug="joensuu"),
                         name="Joensuun rehtori")


@pytest.fixture
def above(region):
    return PersonFactory(organisation=region, name="Seudun koordinaattori")


@pytest.fixture
def kuopio_admin(client, kuopio):
    client.force_login(organisation_administrator_appoint(
        user=UserFactory(username="kuopio-admin"), organisation=kuopio))
    return client


def export_url(person):
    return reverse("admin:units_person_personal_data", args=[person.pk])


def test_the_administrator_downloads_everything_about_their_own_staff(kuopio_admin, mine):
    response = kuopio_admin.get(export_url(mine))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "attachment" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    cells = {cell.value for sheet in book for row in sheet.iter_rows() for cell in row}
    assert "Maija Mallikas" in cells and "maija" in cells
    page = kuopio_admin.get(reverse("admin:units_person_change", args=[mine.pk]))
    assert export_url(mine) in page.content.decode()


def test_the_export_as_json(kuopio_admin, mine):
    response = kuopio_admin.get(export_url(mine) + "?format=json")
    assert response["Content-Type"] == "application/json"
    assert "maija@kuopio.fi" in response.content.decode()


def test_the_export_action_takes_one_person(kuopio_admin, mine, kuopio):
    other = PersonFactory(organisation=kuopio)
    response = kuopio_admin.post(CHANGELIST, {"action": "export_personal_data",
                                              ACTION_CHECKBOX_NAME: [mine.pk]})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    response = kuopio_admin.post(CHANGELIST, {"action": "export_personal_data",
                                              ACTION_CHECKBOX_NAME: [mine.pk, other.pk]},
                                 follow=True)
    assert "Choose one person" in response.content.decode() or (
        "Valitse yksi henkilö" in response.content.decode())


def test_nobody_exports_or_erases_another_municipalitys_staff(kuopio_admin, theirs, above):
    response = kuopio_admin.get(export_url(theirs))
    assert response.status_code == 302 and response.url == reverse("admin:index")
    # The region's staff are the administrator's to read, not to export or erase.
    assert kuopio_admin.get(export_url(above)).status_code == 403
    for person in (theirs, above):
        kuopio_admin.post(CHANGELIST, {"action": "erase_people", "apply": "yes",
                                       ACTION_CHECKBOX_NAME: [person.pk]})
        person.refresh_from_db()
        assert not person.name.startswith(("Erased", "Poistettu"))


def test_deleting_a_person_is_erasing_them(kuopio_admin, mine):
    page = kuopio_admin.get(reverse("admin:units_person_delete", args=[mine.pk]))
    assert page.status_code == 200
    assert page.templates[0].name == "admin/units/person/erase.html"
    actions = kuopio_admin.get(CHANGELIST).context["action_form"].fields["action"].choices
    assert "delete_selected" not in dict(actions)
    response = kuopio_admin.post(CHANGELIST, {"action": "erase_people", "apply": "yes",
                                              ACTION_CHECKBOX_NAME: [mine.pk]})
    assert response.status_code == 302
    erased = Person.objects.get(pk=mine.pk)
    assert erased.email == "" and erased.user is None and "Maija" not in erased.name
    assert not DeviceEvent.objects.filter(by_name__contains="Maija").exists()


def test_erasing_someone_who_holds_a_device_says_so_and_keeps_them(kuopio_admin, mine, school):
    DeviceFactory(unit=school, asset_tag="KUO-77", holder=mine)
    page = kuopio_admin.post(CHANGELIST, {"action": "erase_people",
                                          ACTION_CHECKBOX_NAME: [mine.pk]})
    assert "KUO-77" in page.content.decode()
    assert not page.context["erasable"]
    kuopio_admin.post(CHANGELIST, {"action": "erase_people", "apply": "yes",
                                   ACTION_CHECKBOX_NAME: [mine.pk]})
    mine.refresh_from_db()
    assert mine.name == "Maija Mallikas"


def test_a_superuser_deletes_a_login_that_acted_on_devices(admin_client, mine):
    """On PostgreSQL the event log's trigger once refused this with a 500."""
    user = mine.user
    response = admin_client.post(reverse("admin:auth_user_delete", args=[user.pk]),
                                 {"post": "yes"})
    assert response.status_code == 302
    assert DeviceEvent.objects.filter(by__isnull=True, by_name="Maija Mallikas").count() == 2


def erase_page(client, people):
    return client.post(CHANGELIST, {"action": "erase_people",
                                    ACTION_CHECKBOX_NAME: [person.pk for person in people]})


def test_the_erase_page_counts_what_each_person_touches(kuopio_admin, mine, kuopio):
    other = PersonFactory(organisation=kuopio, name="Olli Muu")
    rows = {row["person"].pk: row for row in erase_page(kuopio_admin, [mine, other])
            .context["rows"]}
    # Maija lent a device to herself and took it back: one loan, its two events counted once.
    assert {key: rows[mine.pk][key] for key in ("assignments", "loans", "events")} == {
        "assignments": 0, "loans": 1, "events": 2}
    assert {key: rows[other.pk][key] for key in ("assignments", "loans", "events")} == {
        "assignments": 0, "loans": 0, "events": 0}


def test_the_erase_page_asks_as_many_queries_for_many_people_as_for_one(
        kuopio_admin, mine, kuopio, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        erase_page(kuopio_admin, [mine])
    many = [mine, *(PersonFactory(organisation=kuopio) for _ in range(5))]
    with django_assert_num_queries(len(one)):
        erase_page(kuopio_admin, many)
