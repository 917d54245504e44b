"""The annual clock: who may see it, what it shows where, and the wheel's geometry."""

import datetime
import math
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from guardian.shortcuts import assign_perm

from matrix.clock import clock_entries, months_with_duties, number, school_year, wheel
from roles.models import SCHOOL_YEAR_MONTHS
from tests.factories import (
    DutyFactory,
    LevelFactory,
    OrganisationFactory,
    RoleFactory,
    UnitFactory,
    UserFactory,
)
from units.models import Organisation

AUGUST_FIRST = [8, 9, 10, 11, 12, 1, 2, 3, 4, 5, 6, 7]


def clock_url(organisation, **query):
    url = reverse("matrix:clock", args=[organisation.slug])
    return f"{url}?{'&'.join(f'{key}={value}' for key, value in query.items())}" if query else url


def month_section(page, number):
    """Return the HTML of month `number`'s entry in the list."""
    match = re.search(rf'<li class="clock-month[^"]*" id="month-{number}".*?</li>\s*(?=<li class'
                      rf'="clock-month|</ol>)', page, re.S)
    assert match, f"no list entry for month {number}"
    return match.group(0)


def sector_counts(page):
    """Return {month: count badge} of the wheel's sectors (0 when a sector has no badge)."""
    counts = {}
    for month, body in re.findall(r'<a [^>]*data-month="(\d+)"[^>]*>(.*?)</a>', page, re.S):
        badge = re.search(r'class="clock-count"[^>]*>(\d+)</text>', body)
        counts[int(month)] = int(badge.group(1)) if badge else 0
    return counts


@pytest.fixture
def level(organisation):
    return LevelFactory(organisation=organisation, name="Yksikön taso")


@pytest.fixture
def tutor_role(level):
    return RoleFactory(level=level, name="Yksikön digitutor", slug="digitutor")


@pytest.fixture
def principal_role(level):
    return RoleFactory(level=level, name="Rehtori", slug="rehtori")


@pytest.fixture
def meeting(tutor_role):
    return DutyFactory(role=tutor_role, text="Osallistumme digitutorkokouksiin.",
                       recurrence="2 krt/lukuvuosi", months=[9, 2])


@pytest.fixture
def audit(principal_role):
    return DutyFactory(role=principal_role, text="Tarkastamme laiterekisterin.",
                       recurrence="1 krt/lukuvuosi", months=[5])


@pytest.fixture
def region(db):
    return OrganisationFactory(name="Seutu", slug="seutu", kind=Organisation.Kind.REGION)


# Who may see the clock


def test_anonymous_user_is_sent_to_login(client, organisation):
    response = client.get(clock_url(organisation))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_user_without_grant_on_the_organisation_or_its_units_gets_404(client, school, meeting):
    client.force_login(UserFactory())
    assert client.get(clock_url(school.organisation)).status_code == 404


def test_grant_on_another_organisations_unit_gives_404(client, school, other_school):
    user = UserFactory()
    assign_perm("units.view_unit", user, other_school)
    client.force_login(user)
    assert client.get(clock_url(school.organisation)).status_code == 404


def test_principal_with_a_grant_on_one_unit_sees_the_clock(principal_client, school, meeting):
    response = principal_client.get(clock_url(school.organisation))
    assert response.status_code == 200
    assert meeting.text in response.text


def test_unknown_organisation_is_404(principal_client):
    assert principal_client.get(reverse("matrix:clock", args=["ei-ole"])).status_code == 404


# What the clock shows


def test_duty_appears_in_its_months_in_the_list_and_the_wheel(principal_client, school, meeting):
    page = principal_client.get(clock_url(school.organisation)).text
    assert meeting.text in month_section(page, 9)
    assert meeting.text in month_section(page, 2)
    for month in set(AUGUST_FIRST) - {9, 2}:
        assert meeting.text not in month_section(page, month)
    counts = sector_counts(page)
    assert counts == {month: 1 if month in (9, 2) else 0 for month in AUGUST_FIRST}


def test_months_are_named_and_start_with_august(principal_client, school, meeting):
    response = principal_client.get(clock_url(school.organisation))
    assert [month.number for month in response.context["months"]] == AUGUST_FIRST
    page = response.text
    assert [int(month) for month in re.findall(r'data-month="(\d+)"', page)] == AUGUST_FIRST
    assert [int(month) for month in re.findall(r'id="month-(\d+)"', page)] == AUGUST_FIRST


def test_month_names_are_finnish(principal_client, school, meeting):
    page = principal_client.get(clock_url(school.organisation)).text
    assert ">Syyskuu" in month_section(page, 9)
    assert ">Helmikuu" in month_section(page, 2)
    assert ">elokuu</text>" in page


def test_list_shows_role_recurrence_and_text(principal_client, school, meeting):
    section = month_section(principal_client.get(clock_url(school.organisation)).text, 9)
    assert 'href="#role-digitutor">Yksikön digitutor</a>' in section
    assert "2 krt/lukuvuosi" in section
    assert meeting.text in section


def test_roles_are_listed_with_anchors(principal_client, school, meeting, audit):
    page = principal_client.get(clock_url(school.organisation)).text
    assert 'id="role-digitutor"' in page
    assert 'id="role-rehtori"' in page
    assert "/admin/" not in page


def test_staff_follow_roles_to_the_admin(admin_client, school, meeting):
    page = admin_client.get(clock_url(school.organisation)).text
    admin_url = reverse("admin:roles_role_change", args=[meeting.role.pk])
    assert f'href="{admin_url}">Yksikön digitutor</a>' in page


def test_duties_without_months_are_not_on_the_clock(principal_client, school, tutor_role, meeting):
    DutyFactory(role=tutor_role, text="Tuemme opettajia päivittäin.", months=[])
    response = principal_client.get(clock_url(school.organisation))
    assert "Tuemme opettajia päivittäin." not in response.text
    assert response.context["wheel"].total == 2


def test_roles_without_clock_duties_are_not_offered(principal_client, school, meeting,
                                                    principal_role):
    DutyFactory(role=principal_role, months=[])
    response = principal_client.get(clock_url(school.organisation))
    assert [role.key for role in response.context["roles"]] == ["digitutor"]


def test_other_organisations_duties_are_not_shown(principal_client, school, meeting):
    elsewhere = DutyFactory(role__level__organisation=OrganisationFactory(), months=[9])
    assert elsewhere.text not in principal_client.get(clock_url(school.organisation)).text


def test_regional_roles_reach_a_municipalitys_clock(client, region):
    municipality = OrganisationFactory(name="Lahti", slug="lahti", parent=region)
    unit = UnitFactory(organisation=municipality)
    regional = DutyFactory(role__level__organisation=region, role__name="Seudun TVT-ryhmä",
                           text="Päivitämme seudun TVT-vuosikellon.", months=[8])
    local = DutyFactory(role__level__organisation=municipality, text="Kunnan oma.", months=[8])
    user = UserFactory()
    assign_perm("units.view_unit", user, unit)
    client.force_login(user)
    section = month_section(client.get(clock_url(municipality)).text, 8)
    assert regional.text in section and local.text in section
    assert "(Seutu)" in section  # says whose role it is
    # Ancestors' roles come first, as on a unit's matrix.
    assert section.index(regional.text) < section.index(local.text)
    # Roles reach down, never up.
    client.force_login(UserFactory(is_superuser=True, username="root"))
    assert local.text not in client.get(clock_url(region)).text


def test_same_slug_in_region_and_municipality_gets_two_keys(client, region):
    municipality = OrganisationFactory(name="Lahti", slug="lahti", parent=region)
    DutyFactory(role__level__organisation=region, role__slug="rehtori", months=[8])
    DutyFactory(role__level__organisation=municipality, role__slug="rehtori", months=[9])
    client.force_login(UserFactory(is_superuser=True, username="root"))
    response = client.get(clock_url(municipality))
    assert sorted(role.key for role in response.context["roles"]) == ["rehtori", "seutu.rehtori"]
    assert response.text.count('id="role-rehtori"') == 1
    filtered = client.get(clock_url(municipality, role="seutu.rehtori"))
    assert sector_counts(filtered.text)[8] == 1 and sector_counts(filtered.text)[9] == 0


def test_empty_clock_says_so(principal_client, school):
    response = principal_client.get(clock_url(school.organisation))
    assert response.status_code == 200
    assert 'class="clock-layout is-empty"' in response.text
    assert 'id="month-8"' not in response.text
    assert set(sector_counts(response.text).values()) == {0}


# Filtering by role


def test_role_filter_shows_only_that_roles_duties(principal_client, school, meeting, audit):
    response = principal_client.get(clock_url(school.organisation, role="rehtori"))
    assert audit.text in response.text
    assert meeting.text not in response.text
    assert sector_counts(response.text) == {month: int(month == 5) for month in AUGUST_FIRST}
    assert '<label for="clock-role">' in response.text
    assert '<option value="rehtori" selected>' in response.text


def test_unfiltered_page_shows_every_role(principal_client, school, meeting, audit):
    response = principal_client.get(clock_url(school.organisation))
    assert audit.text in response.text and meeting.text in response.text
    assert " selected>" not in response.text.split('id="clock-role"')[1].split("</select>")[0]


def test_unknown_role_shows_everything_with_a_note(principal_client, school, meeting, audit):
    response = principal_client.get(clock_url(school.organisation, role="ei-ole"))
    assert response.status_code == 200
    assert response.context["selected"] is None
    assert audit.text in response.text and meeting.text in response.text
    assert re.search(r'<p class="error" role="status">[^<]*ei-ole', response.text)


# The current month


def test_current_month_is_marked(principal_client, school, meeting, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args: datetime.date(2027, 2, 10))
    response = principal_client.get(clock_url(school.organisation))
    page = response.text
    assert 'aria-current="date"' in month_section(page, 2)
    assert "clock-now-tag" in month_section(page, 2)
    assert page.count('aria-current="date"') == 2  # the list entry and the wheel's sector
    assert re.search(r'<a [^>]*data-month="2" aria-current="date"', page)
    assert response.context["school_year"] == "2026–2027"


def test_no_other_month_is_current(principal_client, school, meeting, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args: datetime.date(2026, 8, 1))
    page = principal_client.get(clock_url(school.organisation)).text
    assert 'aria-current="date"' in month_section(page, 8)
    for month in AUGUST_FIRST[1:]:
        assert 'aria-current' not in month_section(page, month)


# The SVG


def test_svg_is_an_image_with_a_name_that_scales(principal_client, school, meeting):
    page = principal_client.get(clock_url(school.organisation)).text
    svg = re.search(r"<svg [^>]*>", page).group(0)
    assert 'role="img"' in svg
    assert 'viewBox="0 0 400 400"' in svg
    assert 'aria-labelledby="clock-title clock-desc"' in svg
    assert '<title id="clock-title">' in page
    assert "width=" not in svg  # the CSS sizes it to its box


def test_svg_numbers_use_a_decimal_point_in_finnish(principal_client, school, meeting):
    page = principal_client.get(clock_url(school.organisation)).text
    for path in re.findall(r' d="([^"]*)"', page):
        assert "," not in path
    for value in re.findall(r' (?:x|y|cx|cy|r)="([^"]*)"', page):
        assert re.fullmatch(r"-?\d+(\.\d+)?", value), value


def test_sectors_link_to_the_months_in_the_list(principal_client, school, meeting):
    page = principal_client.get(clock_url(school.organisation)).text
    for month in AUGUST_FIRST:
        assert f'<a href="#month-{month}"' in page
        assert f'id="month-{month}"' in page


# Query count


def grow(organisation, roles, duties_per_role):
    """Add `roles` roles with `duties_per_role` duties each, with months and sectors."""
    level = LevelFactory(organisation=organisation)
    for _index in range(roles):
        role = RoleFactory(level=level)
        for index in range(duties_per_role):
            DutyFactory(role=role, months=[SCHOOL_YEAR_MONTHS[index % 12]],
                        recurrence="1 krt/lukuvuosi", sectors=["perusopetus"])


# Both: session and user (2), the organisation (1), the duties with their roles (1), the
# duties' sectors (1), the organisation's plans (1) and the groups' and plan's meetings (1). May
# the principal see it: global permissions (2), a grant on the
# organisation (1), on one of its units (1); a superuser may, with no query.
@pytest.mark.parametrize("client_fixture, queries", [("principal_client", 11),
                                                     ("admin_client", 7)])
def test_same_queries_for_a_ten_times_larger_clock(request, client_fixture, queries, school,
                                                   region, django_assert_num_queries):
    client = request.getfixturevalue(client_fixture)
    school.organisation.parent = region
    school.organisation.save()
    grow(region, 1, 1)
    grow(school.organisation, 1, 2)
    url = clock_url(school.organisation)
    client.get(url)  # warm the session and permission caches alike
    with django_assert_num_queries(queries):
        assert client.get(url).context["wheel"].total == 3
    grow(region, 9, 1)
    grow(school.organisation, 9, 2)
    with django_assert_num_queries(queries):
        assert client.get(url).context["wheel"].total == 30


# matrix/clock.py as pure functions


class Duty:
    """A stand-in with the one attribute the grouping reads."""

    def __init__(self, *months):
        self.months = list(months)


def test_months_with_duties_groups_in_school_year_order():
    first, second, none = Duty(9, 2), Duty(2), Duty()
    months = months_with_duties([first, second, none])
    assert [month.number for month in months] == AUGUST_FIRST
    by_number = {month.number: month.duties for month in months}
    assert by_number[9] == [first]
    assert by_number[2] == [first, second]
    assert sum(len(duties) for duties in by_number.values()) == 3
    with translation.override("fi"):
        assert str(months[0].name) == "elokuu"
    assert not any(month.is_current for month in months)


def test_months_with_duties_marks_the_month_of_the_date_given():
    months = months_with_duties([], today=datetime.date(2026, 12, 24))
    assert [month.number for month in months if month.is_current] == [12]


@pytest.mark.parametrize("day, year", [
    (datetime.date(2026, 7, 31), "2025–2026"),
    (datetime.date(2026, 8, 1), "2026–2027"),
    (datetime.date(2027, 1, 15), "2026–2027"),
])
def test_school_year_turns_on_the_first_of_august(day, year):
    assert school_year(day) == year


def test_wheel_has_twelve_sectors_from_the_top_clockwise():
    drawn = wheel(months_with_duties([]), size=400)
    assert len(drawn.sectors) == 12
    assert [sector.month.number for sector in drawn.sectors] == AUGUST_FIRST
    assert [sector.start_angle for sector in drawn.sectors] == [index * 30 for index in range(12)]
    first = drawn.sectors[0]
    centre, radius = float(drawn.centre), float(drawn.radius)
    # August starts straight up from the centre and ends to its right: clockwise.
    assert first.start_point == pytest.approx((centre, centre - radius))
    assert first.end_point[0] > centre and first.end_point[1] < centre
    # October ends at three o'clock, January at six.
    assert drawn.sectors[2].end_point == pytest.approx((centre + radius, centre))
    assert drawn.sectors[5].end_point == pytest.approx((centre, centre + radius))


def test_consecutive_sectors_share_edges():
    sectors = wheel(months_with_duties([])).sectors
    for sector, following in zip(sectors, sectors[1:] + sectors[:1], strict=True):
        assert sector.end_point == pytest.approx(following.start_point, abs=1e-9)
        assert sector.end_angle % 360 == following.start_angle


def test_sector_path_is_an_arc_from_the_centre():
    sector = wheel(months_with_duties([]), size=400).sectors[0]
    assert sector.path == "M 200 200 L 200 4 A 196 196 0 0 1 298 30.26 Z"
    pattern = (r"M (\S+) (\S+) L (\S+) (\S+) A (\S+) (\S+) 0 0 1 (\S+) (\S+) Z")
    for sector in wheel(months_with_duties([]), size=400).sectors:
        values = [float(value) for value in re.fullmatch(pattern, sector.path).groups()]
        assert values[:2] == [200, 200]
        assert math.dist(values[:2], values[2:4]) == pytest.approx(196, abs=0.01)
        assert math.dist(values[:2], values[6:8]) == pytest.approx(196, abs=0.01)


def test_labels_and_badges_sit_inside_their_sectors():
    drawn = wheel(months_with_duties([], today=datetime.date(2026, 11, 1)), size=400)
    for sector in drawn.sectors:
        for x, y in (sector.label, sector.badge, *([sector.now] if sector.now else [])):
            angle = math.degrees(math.atan2(float(x) - 200, 200 - float(y))) % 360
            assert sector.start_angle < angle < sector.end_angle
            assert math.dist((200, 200), (float(x), float(y))) < float(drawn.radius)


def test_only_the_current_sector_says_now():
    drawn = wheel(months_with_duties([], today=datetime.date(2026, 11, 1)))
    assert [sector.month.number for sector in drawn.sectors if sector.now] == [11]
    assert drawn.current.month.number == 11


def test_shades_grow_with_the_number_of_duties():
    duties = [Duty(8), Duty(8), Duty(8), Duty(9), Duty(8, 9, 10)]
    shades = {sector.month.number: sector.shade
              for sector in wheel(months_with_duties(duties)).sectors}
    assert shades[8] == 3 and shades[9] == 2 and shades[10] == 1 and shades[11] == 0
    assert wheel(months_with_duties(duties)).total == 7


def test_numbers_are_written_for_svg():
    assert number(12.5) == "12.5"
    assert number(200.0) == "200"
    assert number(-0.0001) == "0"
    assert number(30.2566) == "30.26"


def test_clock_entries_key_roles_nearest_first(region):
    municipality = OrganisationFactory(slug="lahti", parent=region)
    theirs = DutyFactory(role__level__organisation=region, role__slug="tutor", months=[8])
    ours = DutyFactory(role__level__organisation=municipality, role__slug="tutor", months=[9, 8])
    entries, roles = clock_entries([theirs, ours], lineage_ids=[municipality.pk, region.pk])
    assert [(role.key, role.href, role.is_inherited) for role in roles] == [
        ("seutu.tutor", "#role-seutu.tutor", True), ("tutor", "#role-tutor", False)]
    assert roles[1].months == [8, 9]
    assert [entry.role for entry in entries] == roles
