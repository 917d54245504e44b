"""The invented units, people and devices: valid assignments, a visible gap, no pupils by name."""

from devices.models import Device
from matrix.models import Assignment
from roles.models import Role
from units.models import Person, Unit


def unit_sectors(slug):
    return {sector.code for sector in Unit.objects.get(slug=slug).sectors.all()}


def test_each_municipality_gets_a_daycare_and_schools(demo):
    assert unit_sectors("paivakoti-mustikkamaki") == {"varhaiskasvatus", "esiopetus"}
    assert unit_sectors("kivikallion-koulu") == {"perusopetus"}
    assert unit_sectors("jarvitorin-lukio") == {"lukio"}
    assert unit_sectors("harjurinteen-koulu-ja-lukio") == {"perusopetus", "lukio"}
    assert Unit.objects.filter(organisation__slug="salmela").count() == 3


def test_assignments_hold_unit_roles_at_units_and_organisation_roles_in_the_organisation(demo):
    assert Assignment.objects.count() == 24
    assert not Assignment.objects.filter(role__scope=Role.Scope.UNIT, unit=None).exists()
    assert not Assignment.objects.filter(role__scope=Role.Scope.ORGANISATION,
                                         organisation=None).exists()
    principal = Assignment.objects.get(role__slug="koulun-johto", unit__slug="kivikallion-koulu",
                                       is_lead=True)
    assert principal.person.email == "sanna.tervo@example.fi"


def test_some_named_unit_role_is_left_empty_so_the_demo_shows_a_gap(demo):
    gaps = []
    for unit in Unit.objects.prefetch_related("sectors"):
        codes = [sector.code for sector in unit.sectors.all()]
        needed = (Role.objects.reaching(unit.organisation)
                  .filter(scope=Role.Scope.UNIT, named_holders=True, sectors__code__in=codes)
                  .distinct())
        held = Assignment.objects.filter(unit=unit).values("role")
        gaps += [(unit.slug, role.slug) for role in needed.exclude(pk__in=held)]
    assert ("jarvitorin-lukio", "tekninen-tuki") in gaps
    assert ("salmenrannan-koulu-ja-lukio", "yksikon-digitutor") in gaps


def test_people_are_invented_staff_with_example_addresses(demo):
    assert Person.objects.count() == 23
    assert not Person.objects.exclude(email__endswith="@example.fi").exists()


def test_devices_have_asset_tags_and_pupil_devices_have_no_holder(demo):
    assert Device.objects.filter(unit__organisation__slug="kuopio").count() == 15
    assert Device.objects.get(asset_tag="KUO-00004").holder.email == "sanna.tervo@example.fi"
    assert not Device.objects.filter(category=Device.Category.PUPIL_LAPTOP,
                                     holder__isnull=False).exists()
    for unit in Unit.objects.exclude(sectors__code="varhaiskasvatus"):
        assert unit.devices.count() >= 3
