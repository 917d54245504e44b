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
    assert Assignment.objects.count() == 58
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
    assert Person.objects.count() == 43
    assert not Person.objects.exclude(email__endswith="@example.fi").exists()


def test_devices_have_asset_tags_and_pupil_devices_have_no_holder(demo):
    assert Device.objects.filter(unit__organisation__slug="kuopio").count() == 22
    assert Device.objects.get(asset_tag="KUO-00004").holder.email == "sanna.tervo@example.fi"
    assert not Device.objects.filter(category=Device.Category.PUPIL_LAPTOP,
                                     loans__returned_at__isnull=True,
                                     loans__holder__isnull=False).exists()
    # Kuopio and Salmela show the device register; Päijät-Häme's towns show the region's groups.
    for unit in Unit.objects.filter(organisation__slug__in=["kuopio", "salmela"]).exclude(
            sectors__code="varhaiskasvatus"):
        assert unit.devices.count() >= 3


def test_demo_school_has_a_cart_loans_and_something_for_every_report(demo):
    import datetime

    from django.utils import timezone

    from devices.models import ChargingCart, DeviceEvent, Loan

    today, day = timezone.localdate(), datetime.timedelta(days=1)
    school = Unit.objects.get(slug="kivikallion-koulu")
    cart = ChargingCart.objects.get(unit=school, name="Vaunu 1")
    assert sorted(cart.devices.values_list("cart_slot", flat=True)) == [1, 2, 3, 4, 6]
    # Pupils appear only as pseudonymous codes, and whoever has a device has an open loan.
    assert Loan.objects.open().get(device__asset_tag="KUO-00005").pupil_code == "7A-014"
    assert Loan.objects.open().filter(device__unit=school).count() == 2
    devices = Device.objects.in_unit(school)
    assert devices.billed().not_seen_since(today - 30 * day).count() == 3
    assert devices.with_fault_open_since(today - 14 * day).count() == 1
    assert devices.lease_ending_by(today + 90 * day).count() == 1
    assert DeviceEvent.objects.filter(device__unit=school, kind="registered").count() == 13

