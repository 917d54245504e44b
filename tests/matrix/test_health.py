"""The health check: every kind of finding on crafted data, and none on a clean organisation."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm

from matrix.health import KINDS, findings, group_findings
from roles.models import Duty, Role
from tests.factories import (
    AssignmentFactory,
    DutyFactory,
    LevelFactory,
    OrganisationFactory,
    PersonFactory,
    RoleFactory,
    UnitFactory,
    UserFactory,
)
from units.models import Unit

pytestmark = pytest.mark.usefixtures("english")


def days(count):
    """Return the date `count` days from today (negative: ago)."""
    return timezone.localdate() + datetime.timedelta(days=count)


@pytest.fixture
def clean(organisation, school):
    """A matrix with nothing wrong: roles with duties and holders, partners in every sector."""
    level = LevelFactory(organisation=organisation, name="Taso")
    principal = RoleFactory(level=level, name="Rehtori", slug="rehtori",
                            sectors=["perusopetus", "lukio"])
    tutor = RoleFactory(level=level, name="Digitutor", slug="digitutor", sectors=["perusopetus"])
    coordinator = RoleFactory(level=level, name="TVT-koordinaattori", slug="tvt",
                              scope=Role.Scope.ORGANISATION)
    guardians = RoleFactory(level=level, name="Huoltajat", slug="huoltajat",
                            scope=Role.Scope.ORGANISATION, named_holders=False)
    pupils = RoleFactory(level=level, name="Oppilaat", slug="oppilaat", named_holders=False)
    for role in (principal, tutor, coordinator, guardians, pupils):
        DutyFactory(role=role, text=f"{role.name} hoitaa tehtävänsä.")
    # Done together in basic education only, where the tutor exists.
    DutyFactory(role=principal, text="Suunnittelemme tutortunnit.",
                sectors=["perusopetus"]).collaborating_roles.set([tutor])
    DutyFactory(role=tutor, text="Kerromme rehtorille.").collaborating_roles.set([principal])
    people = {name: PersonFactory(organisation=organisation, name=name)
              for name in ("Sanna Tervo", "Olli Kettunen", "Päivi Lappalainen")}
    AssignmentFactory(role=principal, unit=school, person=people["Sanna Tervo"],
                      end_date=days(31))
    AssignmentFactory(role=tutor, unit=school, person=people["Olli Kettunen"])
    AssignmentFactory(role=coordinator, unit=None, organisation=organisation,
                      person=people["Päivi Lappalainen"])
    return {"principal": principal, "tutor": tutor, "coordinator": coordinator,
            "level": level, "people": people}


def check(organisation):
    return findings(organisation, Unit.objects.in_organisation(organisation))


def kinds(found):
    return [finding.kind for finding in found]


def test_a_clean_organisation_has_no_findings(organisation, clean):
    assert check(organisation) == []


def test_clean_page_says_so(admin_client, organisation, clean):
    response = admin_client.get(reverse("matrix:health", args=["kuopio"]))
    assert response.status_code == 200
    assert "No findings" in response.text


def test_duty_without_text(organisation, clean):
    duty = Duty.objects.create(role=clean["tutor"], text="  ")
    [finding] = check(organisation)
    assert finding.kind == "empty_duty"
    assert finding.severity == "error"
    assert "Digitutor" in finding.message
    assert finding.url == reverse("admin:roles_duty_change", args=[duty.pk])


def test_role_whose_duties_all_lie_outside_its_sectors(organisation, clean):
    lonely = RoleFactory(level=clean["level"], name="Lukiotuki", sectors=["lukio"])
    DutyFactory(role=lonely, sectors=["varhaiskasvatus"])
    DutyFactory(role=lonely, sectors=["perusopetus", "esiopetus"])
    found = [finding for finding in check(organisation) if finding.kind != "unit_gap"]
    assert kinds(found) == ["duties_nowhere"]
    assert "Lukiotuki" in found[0].message
    assert found[0].url == reverse("admin:roles_role_change", args=[lonely.pk])
    # One duty that applies in the role's sector is enough.
    DutyFactory(role=lonely, sectors=["lukio", "perusopetus"])
    assert [f for f in check(organisation) if f.kind == "duties_nowhere"] == []


def test_role_without_duties(organisation, clean):
    idle = RoleFactory(level=clean["level"], name="Tyhjä rooli",
                       scope=Role.Scope.ORGANISATION, named_holders=False)
    [finding] = check(organisation)
    assert (finding.kind, finding.url) == (
        "role_without_duties", reverse("admin:roles_role_change", args=[idle.pk]))
    assert "Tyhjä rooli" in finding.message


def test_unit_role_nobody_holds_is_one_finding_per_unit_and_role(organisation, clean, school):
    UnitFactory(organisation=organisation, name="Lyseo", slug="lyseo", sectors=["lukio"])
    other = UnitFactory(organisation=organisation, name="Ylämäki", slug="ylamaki",
                        sectors=["perusopetus"])
    found = check(organisation)
    assert [(f.kind, f.message) for f in found] == [
        ("unit_gap", "Nobody holds the role “Rehtori” at Lyseo."),
        ("unit_gap", "Nobody holds the role “Rehtori” at Ylämäki."),
        ("unit_gap", "Nobody holds the role “Digitutor” at Ylämäki."),
    ]
    assert found[1].url == reverse("matrix:unit", args=[other.slug])


def test_ended_assignment_leaves_a_unit_gap(organisation, clean, school):
    clean["tutor"].assignments.update(start_date=days(-100), end_date=days(-1))
    assert kinds(check(organisation)) == ["unit_gap"]


def test_organisation_role_nobody_holds(organisation, clean):
    clean["coordinator"].assignments.all().delete()
    [finding] = check(organisation)
    assert finding.kind == "organisation_gap"
    assert finding.message == (
        "Nobody holds the organisation-wide role “TVT-koordinaattori” in Kuopio.")
    assert finding.url.startswith(reverse("admin:matrix_assignment_add") + "?")
    assert f"role={clean['coordinator'].pk}" in finding.url


def test_person_leading_more_roles_than_the_limit(organisation, clean, school):
    organisation.max_lead_roles = 2
    organisation.save()
    busy = clean["people"]["Päivi Lappalainen"]
    AssignmentFactory(role=clean["principal"], person=busy, is_lead=False,
                      unit=UnitFactory(organisation=organisation, sectors=["lukio"]))
    assert check(organisation) == []  # one lead role and one supporting: within the limit
    for sectors in (["perusopetus"], ["lukio"]):
        AssignmentFactory(role=clean["principal"], person=busy,
                          unit=UnitFactory(organisation=organisation, sectors=sectors))
    found = [finding for finding in check(organisation) if finding.kind != "unit_gap"]
    assert kinds(found) == ["too_many_lead_roles"]
    assert found[0].message == ("Päivi Lappalainen is the lead holder of 3 roles; "
                                "Kuopio allows 2.")
    assert f"person__id__exact={busy.pk}" in found[0].url


def test_assignments_ending_within_thirty_days(organisation, clean, school):
    clean["tutor"].assignments.update(end_date=days(30))
    clean["coordinator"].assignments.update(end_date=days(0))
    found = check(organisation)
    assert kinds(found) == ["ending_soon", "ending_soon"]
    assert found[0].severity == "info"
    assert "Päivi Lappalainen" in found[0].message and "Digitutor" in found[1].message
    assert days(30).strftime("%-d.%-m.%Y") in found[1].message
    assignment = clean["tutor"].assignments.get()
    assert found[1].url == reverse("admin:matrix_assignment_change", args=[assignment.pk])


def test_partner_missing_from_a_sector_the_duty_applies_in(organisation, clean, school):
    duty = DutyFactory(role=clean["principal"], text="Laadimme digisuunnitelman.")
    duty.collaborating_roles.set([clean["tutor"], clean["coordinator"]])
    # More units in the same sectors change nothing: the check is per sector, not per unit.
    AssignmentFactory(role=clean["principal"],
                      unit=UnitFactory(organisation=organisation, sectors=["perusopetus"]))
    found = [finding for finding in check(organisation) if finding.kind != "unit_gap"]
    assert [(f.kind, f.url) for f in found] == [
        ("partner_missing", reverse("admin:roles_duty_change", args=[duty.pk]))]
    assert found[0].message == (
        "The duty “Laadimme digisuunnitelman.” of “Rehtori” is done together with "
        "“Digitutor”, which does not exist in: Lukiokoulutus.")


def test_region_roles_are_checked_on_the_region_not_on_its_municipalities(organisation, clean):
    region = OrganisationFactory(name="Seutu", slug="seutu")
    organisation.parent = region
    organisation.save()
    RoleFactory(level=LevelFactory(organisation=region), name="Seudun rooli",
                scope=Role.Scope.ORGANISATION, named_holders=False)
    assert check(organisation) == []
    assert kinds(check(region)) == ["role_without_duties"]


def test_findings_are_grouped_in_a_fixed_order(organisation, clean):
    clean["coordinator"].assignments.all().delete()
    RoleFactory(level=clean["level"], scope=Role.Scope.ORGANISATION, named_holders=False)
    Duty.objects.create(role=clean["tutor"], text="")
    groups = group_findings(check(organisation))
    assert [group.kind for group in groups] == ["empty_duty", "role_without_duties",
                                                "organisation_gap"]
    assert list(KINDS)[:3] == ["empty_duty", "duties_nowhere", "role_without_duties"]


def test_page_groups_findings_with_counts_and_links(admin_client, organisation, clean, school):
    UnitFactory(organisation=organisation, name="Ylämäki", slug="ylamaki",
                sectors=["perusopetus"])
    clean["coordinator"].assignments.all().delete()
    page = admin_client.get(reverse("matrix:health", args=["kuopio"])).text
    words = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert "3 findings" in words
    assert "Roles nobody holds at a unit (2)" in words
    assert "Organisation roles nobody holds (1)" in words
    assert "Nobody holds the role “Digitutor” at Ylämäki." in words
    assert reverse("matrix:unit", args=["ylamaki"]) in page
    assert reverse("admin:matrix_assignment_add") in page
    assert "Warning:" in page


def test_admin_links_are_shown_to_staff_only(client, organisation, clean):
    clean["coordinator"].assignments.all().delete()
    viewer = UserFactory()
    assign_perm("units.view_organisation", viewer, organisation)
    client.force_login(viewer)
    page = client.get(reverse("matrix:health", args=["kuopio"])).text
    assert "Nobody holds the organisation-wide role" in page
    assert reverse("admin:matrix_assignment_add") not in page


def test_every_fixing_link_opens(admin_client, organisation, clean, school):
    organisation.max_lead_roles = 0
    organisation.save()
    clean["tutor"].assignments.update(end_date=days(3))
    RoleFactory(level=clean["level"], scope=Role.Scope.ORGANISATION)
    Duty.objects.create(role=clean["tutor"], text="")
    UnitFactory(organisation=organisation, slug="ylamaki", sectors=["perusopetus"])
    DutyFactory(role=clean["principal"]).collaborating_roles.set([clean["tutor"]])
    Role.objects.filter(pk=clean["coordinator"].pk).update(min_holders=2, max_holders=3)
    Role.objects.filter(pk=clean["tutor"].pk).update(max_holders=0)
    found = check(organisation)
    assert set(kinds(found)) == set(KINDS) - {"duties_nowhere"}
    for finding in found:
        if finding.in_admin:
            response = admin_client.get(finding.url)
            assert response.status_code == 200, finding
            assert "?e=1" not in response.get("Location", "")
