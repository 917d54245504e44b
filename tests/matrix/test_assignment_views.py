"""Adding, changing and ending a unit's assignments from the unit's pages."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm

from matrix import services
from matrix.models import Assignment
from roles.models import Role
from tests.factories import (
    AssignmentFactory,
    OrganisationFactory,
    PersonFactory,
    UnitFactory,
    UserFactory,
    sector,
)
from tests.matrix.grants import fresh, granting_role, person_with_login

D = datetime.date
TODAY = timezone.localdate()


@pytest.fixture
def principal_role(organisation):
    return granting_role(organisation, "view_unit", "manage_assignments", "manage_devices",
                         name="Rehtori", slug="rehtori", sectors=["perusopetus", "lukio"])


@pytest.fixture
def tutor_role(organisation):
    return granting_role(organisation, "view_unit", name="Digitutor", slug="digitutor")


@pytest.fixture
def teacher(organisation):
    return PersonFactory(organisation=organisation, name="Olli Opettaja")


@pytest.fixture
def lead_principal(school, principal_role):
    return AssignmentFactory(role=principal_role, unit=school, start_date=D(2025, 8, 1))


def add_url(unit):
    return reverse("matrix:assignment_add", args=[unit.slug])


def edit_url(assignment):
    return reverse("matrix:assignment_edit", args=[assignment.unit.slug, assignment.pk])


def end_url(assignment):
    return reverse("matrix:assignment_end", args=[assignment.unit.slug, assignment.pk])


def unit_url(unit):
    return reverse("matrix:unit", args=[unit.slug])


def texts(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


# Who may come in


def test_anonymous_is_sent_to_log_in(client, school):
    response = client.get(add_url(school))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_viewer_who_may_not_manage_gets_404(school, lead_principal):
    viewer = UserFactory(username="katsoja")
    assign_perm("units.view_unit", viewer, school)
    client = client_for(viewer)
    assert client.get(add_url(school)).status_code == 404
    assert client.get(edit_url(lead_principal)).status_code == 404
    assert client.post(end_url(lead_principal), {"end_date": "2026-01-01"}).status_code == 404
    assert Assignment.objects.get().end_date is None


def test_another_units_principal_gets_404(school, other_school, lead_principal):
    elsewhere = UserFactory(username="toinen-rehtori")
    assign_perm("units.manage_assignments", elsewhere, other_school)
    client = client_for(elsewhere)
    assert client.get(add_url(school)).status_code == 404
    assert client.get(edit_url(lead_principal)).status_code == 404


def test_another_units_assignment_is_not_found_under_mine(principal_client, school,
                                                          other_school):
    theirs = AssignmentFactory(unit=other_school, role__level__organisation=other_school
                               .organisation)
    for name in ("matrix:assignment_edit", "matrix:assignment_end"):
        url = reverse(name, args=[school.slug, theirs.pk])
        assert principal_client.get(url).status_code == 404
        assert principal_client.post(url, {"end_date": "2020-01-01"}).status_code == 404
    assert Assignment.objects.get().end_date is None


def test_csrf_is_enforced(principal, school, principal_role, teacher):
    client = Client(enforce_csrf_checks=True)
    client.force_login(principal)
    response = client.post(add_url(school), {"person": teacher.pk, "role": principal_role.pk,
                                             "is_lead": "on"})
    assert response.status_code == 403
    assert not Assignment.objects.exists()


# Adding


def test_the_form_offers_the_people_and_roles_of_the_unit(principal_client, school, organisation,
                                                          principal_role, tutor_role, teacher):
    stranger = PersonFactory(name="Vieras Henkilö")
    daycare_role = granting_role(organisation, name="Päiväkodin johtaja",
                                 sectors=["varhaiskasvatus"])
    coordinator = granting_role(organisation, name="ICT-koordinaattori",
                                scope=Role.Scope.ORGANISATION)
    everyone = granting_role(organisation, name="Opetushenkilöstö", named_holders=False)
    response = principal_client.get(add_url(school))
    assert response.status_code == 200
    form = response.context["form"]
    assert teacher in form.fields["person"].queryset
    assert stranger not in form.fields["person"].queryset
    roles = set(form.fields["role"].queryset)
    assert {principal_role, tutor_role} <= roles
    assert not roles & {daycare_role, coordinator, everyone}
    html = response.content.decode()
    assert 'type="date"' in html
    assert f'href="{unit_url(school)}"' in html  # cancel


def test_people_of_the_region_above_are_offered_with_their_organisation(
        principal_client, school, organisation):
    region = OrganisationFactory(name="Pohjois-Savo")
    organisation.parent = region
    organisation.save()
    regional = PersonFactory(organisation=region, name="Alueen Tutor")
    response = principal_client.get(add_url(school))
    assert regional in response.context["form"].fields["person"].queryset
    assert "Alueen Tutor (opettaja) · Pohjois-Savo" in response.content.decode()


def test_a_valid_post_adds_the_assignment_and_returns_to_the_unit(
        principal_client, school, principal_role, teacher):
    response = principal_client.post(add_url(school), {
        "person": teacher.pk, "role": principal_role.pk, "is_lead": "on",
        "start_date": "2026-08-01", "end_date": "",
    })
    assert response.status_code == 302
    assert response.url == unit_url(school)
    assignment = Assignment.objects.get()
    assert (assignment.person, assignment.role, assignment.unit) == (teacher, principal_role,
                                                                     school)
    assert assignment.start_date == D(2026, 8, 1) and assignment.is_lead
    assert texts(response) == ["Olli Opettaja lisättiin rooliin Rehtori."]


def test_adding_grants_the_roles_permissions(principal_client, school, principal_role,
                                             organisation):
    sanna = person_with_login(organisation, "sanna")
    principal_client.post(add_url(school), {"person": sanna.pk, "role": principal_role.pk,
                                            "is_lead": "on"})
    assert fresh(sanna.user).has_perm("units.manage_assignments", school)


def test_an_overlapping_lead_is_refused_with_the_input_kept(principal_client, school,
                                                            principal_role, lead_principal,
                                                            teacher):
    response = principal_client.post(add_url(school), {
        "person": teacher.pk, "role": principal_role.pk, "is_lead": "on",
        "start_date": "2026-01-15",
    })
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["is_lead"]
    assert lead_principal.person.name in form.errors["is_lead"][0]
    html = response.content.decode()
    assert 'value="2026-01-15"' in html
    assert f'<option value="{teacher.pk}" selected>' in html
    assert 'aria-describedby="id_is_lead_helptext id_is_lead_error"' in html
    assert 'id="id_is_lead_error"' in html
    assert Assignment.objects.count() == 1


def test_a_supporting_holder_may_overlap_the_lead(principal_client, school, principal_role,
                                                  lead_principal, teacher):
    response = principal_client.post(add_url(school), {
        "person": teacher.pk, "role": principal_role.pk, "start_date": "2026-01-15"})
    assert response.status_code == 302
    assert Assignment.objects.filter(is_lead=False).count() == 1


def test_a_role_outside_the_units_sectors_is_refused(principal_client, school, organisation,
                                                     teacher):
    daycare_role = granting_role(organisation, sectors=["varhaiskasvatus"])
    response = principal_client.post(add_url(school), {"person": teacher.pk,
                                                       "role": daycare_role.pk})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["role"]
    assert not Assignment.objects.exists()


def test_a_person_of_another_organisation_is_refused(principal_client, school, principal_role):
    stranger = PersonFactory()
    response = principal_client.post(add_url(school), {"person": stranger.pk,
                                                       "role": principal_role.pk})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["person"]
    assert not Assignment.objects.exists()


def test_an_end_before_the_start_is_refused(principal_client, school, principal_role, teacher):
    response = principal_client.post(add_url(school), {
        "person": teacher.pk, "role": principal_role.pk, "is_lead": "on",
        "start_date": "2026-08-01", "end_date": "2026-07-31",
    })
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["end_date"]
    html = response.content.decode()
    assert 'value="2026-08-01"' in html and 'value="2026-07-31"' in html
    assert not Assignment.objects.exists()


def test_dates_in_the_finnish_format_are_read_too(principal_client, school, principal_role,
                                                  teacher):
    response = principal_client.post(add_url(school), {
        "person": teacher.pk, "role": principal_role.pk, "start_date": "1.8.2026"})
    assert response.status_code == 302
    assert Assignment.objects.get().start_date == D(2026, 8, 1)


# Changing


def test_the_edit_form_shows_the_assignment(principal_client, lead_principal):
    response = principal_client.get(edit_url(lead_principal))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="2025-08-01"' in html
    assert f'<option value="{lead_principal.person.pk}" selected>' in html
    assert end_url(lead_principal) in html


def test_a_valid_edit_saves_and_returns_to_the_unit(principal_client, school, lead_principal,
                                                    principal_role, teacher):
    response = principal_client.post(edit_url(lead_principal), {
        "person": teacher.pk, "role": principal_role.pk, "is_lead": "on",
        "start_date": "2025-08-01", "end_date": "2027-07-31",
    })
    assert response.status_code == 302
    assert response.url == unit_url(school)
    lead_principal.refresh_from_db()
    assert (lead_principal.person, lead_principal.end_date) == (teacher, D(2027, 7, 31))
    assert texts(response) == ["Henkilön Olli Opettaja roolitus (Rehtori) tallennettiin."]


def test_an_invalid_edit_saves_nothing(principal_client, school, lead_principal, principal_role):
    response = principal_client.post(edit_url(lead_principal), {
        "person": lead_principal.person.pk, "role": principal_role.pk, "is_lead": "on",
        "start_date": "2025-08-01", "end_date": "2025-07-01",
    })
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["end_date"]
    lead_principal.refresh_from_db()
    assert lead_principal.end_date is None


def test_an_edit_explains_a_role_that_no_longer_fits_the_unit(principal_client, school,
                                                              lead_principal, principal_role):
    school.sectors.set([sector("varhaiskasvatus")])  # the school became a daycare
    response = principal_client.post(edit_url(lead_principal), {
        "person": lead_principal.person.pk, "role": principal_role.pk, "is_lead": "on",
        "start_date": "2025-08-01",
    })
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["role"]
    assert school.name in errors["role"][0]


# Ending


def test_ending_asks_for_confirmation_with_today_as_the_last_day(principal_client,
                                                                 lead_principal):
    response = principal_client.get(end_url(lead_principal))
    assert response.status_code == 200
    assert f'value="{TODAY.isoformat()}"' in response.content.decode()
    assert Assignment.objects.get().end_date is None


def test_ending_sets_the_last_day_and_returns_to_the_unit(principal_client, school,
                                                          lead_principal):
    response = principal_client.post(end_url(lead_principal), {"end_date": "2026-07-31"})
    assert response.status_code == 302
    assert response.url == unit_url(school)
    assert Assignment.objects.get().end_date == D(2026, 7, 31)
    assert len(texts(response)) == 1


def test_ending_before_the_start_is_refused(principal_client, lead_principal):
    response = principal_client.post(end_url(lead_principal), {"end_date": "2025-07-31"})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["end_date"]
    assert 'value="2025-07-31"' in response.content.decode()
    assert Assignment.objects.get().end_date is None


def test_ending_in_the_past_takes_the_grants_back(principal_client, school, principal_role,
                                                  organisation):
    sanna = person_with_login(organisation, "sanna")
    principal_client.post(add_url(school), {"person": sanna.pk, "role": principal_role.pk})
    assignment = Assignment.objects.get()
    principal_client.post(end_url(assignment), {"end_date": "2020-01-01"})
    assert not fresh(sanna.user).has_perm("units.view_unit", school)


def test_ending_takes_only_get_and_post(principal_client, lead_principal):
    assert principal_client.put(end_url(lead_principal)).status_code == 405


def test_a_principal_who_ends_their_own_role_goes_home(school, principal_role, organisation):
    sanna = person_with_login(organisation, "sanna")
    own = services.assignment_create(person=sanna, role=principal_role, unit=school)
    response = client_for(sanna.user).post(end_url(own), {"end_date": "2020-01-01"})
    assert response.status_code == 302
    assert response.url == reverse("matrix:home")


def test_the_form_page_takes_a_fixed_number_of_queries(principal_client, school, organisation,
                                                       principal_role,
                                                       django_assert_max_num_queries):
    for _index in range(5):
        PersonFactory(organisation=organisation)
        granting_role(organisation, "view_unit")
    # Session, user, its global permissions (2), the unit, its sectors, whether a group is
    # among the roles (for the chair box), people, roles.
    with django_assert_max_num_queries(9):
        assert principal_client.get(add_url(school)).status_code == 200


def test_another_organisations_unit_is_not_offered_either(principal_client):
    elsewhere = UnitFactory()
    assert principal_client.get(add_url(elsewhere)).status_code == 404
