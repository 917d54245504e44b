"""The demo's region and networks: Päijät-Häme's shared roles and the libraries' digitutor group."""

from matrix.compose import unit_matrix
from matrix.models import Assignment
from roles.models import Duty, Role
from units.models import Organisation, Unit


def members(organisation_slug, role_slug):
    """Return the assignments of a group role held in its own organisation, chair first."""
    return list(Assignment.objects.current()
                .filter(role__level__organisation__slug=organisation_slug, role__slug=role_slug,
                        organisation__slug=organisation_slug)
                .select_related("person__organisation").order_by("-is_chair", "person__name"))


def test_region_has_three_municipalities_each_with_a_matrix_of_its_own(demo):
    region = Organisation.objects.get(slug="paijat-hame")
    assert region.kind == Organisation.Kind.REGION
    assert region.name == "Päijät-Hämeen seutu"
    municipalities = region.children.filter(kind=Organisation.Kind.MUNICIPALITY)
    assert {org.slug for org in municipalities} >= {"lahti", "heinola", "hollola"}
    for municipality in municipalities:
        assert Role.objects.of_organisation(municipality).filter(is_group=True).exists()
        assert municipality.units.filter(sectors__code="kirjasto").exists()
        assert municipality.units.filter(sectors__code="perusopetus").exists()


def test_regional_roles_are_groups_with_meetings_in_the_annual_clock(demo):
    region_roles = Role.objects.filter(level__organisation__slug="paijat-hame")
    roles = {role.slug: role for role in region_roles}
    assert {"ohjausryhma", "seudullinen-tvt-kehittamisryhma", "tutoropettajaverkosto"} <= set(roles)
    assert roles["seudullinen-tvt-kehittamisryhma"].is_group
    assert roles["tutoropettajaverkosto"].is_group
    for slug in ("ohjausryhma", "seudullinen-tvt-kehittamisryhma", "tutoropettajaverkosto"):
        assert Duty.objects.filter(role=roles[slug]).exclude(months=[]).exists(), slug


def test_every_municipality_school_sees_the_regional_group_with_its_members(demo):
    for slug in ("lahti", "heinola", "hollola"):
        school = (Unit.objects.with_lineage()
                  .filter(organisation__slug=slug, sectors__code="perusopetus").first())
        entries = {entry.role.slug: entry for level in unit_matrix(school)
                   for entry in level.roles}
        group = entries["seudullinen-tvt-kehittamisryhma"]
        assert group.role.level.organisation.slug == "paijat-hame"
        assert {holder.person.organisation.slug for holder in group.holders} \
            >= {"lahti", "heinola", "hollola"}


def test_regional_ict_group_has_one_member_per_municipality_and_one_chair(demo):
    group = members("paijat-hame", "seudullinen-tvt-kehittamisryhma")
    homes = [assignment.person.organisation.slug for assignment in group]
    assert sorted(homes) == ["heinola", "hollola", "lahti"]
    assert [assignment.is_chair for assignment in group] == [True, False, False]


def test_each_regional_member_chairs_their_own_municipalitys_digi_group(demo):
    for assignment in members("paijat-hame", "seudullinen-tvt-kehittamisryhma"):
        home = assignment.person.organisation
        assert Assignment.objects.get(person=assignment.person, role__slug="digiryhma",
                                      organisation=home).is_chair


def test_library_network_has_members_from_several_towns_and_a_chair(demo):
    network = Organisation.objects.get(slug="kirjastot")
    assert network.parent is None
    group = members("kirjastot", "digitutorverkosto")
    homes = {assignment.person.organisation.slug for assignment in group}
    assert homes >= {"lahti", "heinola", "hollola", "kuopio"}
    assert sum(assignment.is_chair for assignment in group) == 1
    assert group[0].is_chair
    months = [duty.months for duty in Duty.objects.filter(role__level__organisation=network)]
    assert [3, 9] in months  # the network counts in calendar years and [11] in months
    # Its member towns are its members beside the tree, each of two regions.
    members_of = Organisation.objects.filter(network_links__network=network)
    assert set(members_of.values_list("slug", flat=True)) == {"kuopio", "lahti", "heinola",
                                                              "hollola"}
    assert members_of.values("parent").distinct().count() == 2


def test_only_group_roles_have_chairs_and_no_group_has_two(demo):
    chairs = Assignment.objects.filter(is_chair=True)
    assert chairs.exists()
    assert not chairs.filter(role__is_group=False).exists()
    places = [(chair.role_id, chair.unit_id, chair.organisation_id) for chair in chairs]
    assert len(places) == len(set(places))


def test_the_region_has_an_action_plan_with_goals_actions_and_responsible_roles(demo):
    from plans.models import Action, ActionPlan

    plan = ActionPlan.objects.get(organisation__slug="paijat-hame", year=2026)
    assert plan.goals.count() == 3
    actions = Action.objects.filter(goal__plan=plan)
    assert actions.count() == 4
    assert set(actions.values_list("status", flat=True)) == {"planned", "in_progress", "done"}
    assert not actions.filter(responsible_role__isnull=True).exists()
    assert set(actions.values_list("responsible_role__level__organisation__slug", flat=True)) \
        == {"paijat-hame"}


def test_a_plan_with_an_unknown_role_stops_the_load_with_its_place(tmp_path, db):
    import shutil

    import pytest
    from django.conf import settings
    from django.core.management import CommandError

    from tests.conftest import run_load_demo

    folder = tmp_path / "fixtures"
    shutil.copytree(settings.BASE_DIR / "fixtures", folder)
    demo_file = folder / "demo.yaml"
    demo_file.write_text(demo_file.read_text(encoding="utf-8").replace(
        "role: ohjausryhma\n            target", "role: ei-ole\n            target"),
        encoding="utf-8")
    with pytest.raises(CommandError, match="ei-ole"):
        run_load_demo("--fixtures", str(folder))
