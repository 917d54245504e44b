"""Load the demo directory: units, the people holding roles in them, and their devices.

The format is described in demo.loader. Every organisation named here must come from a matrix file.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.utils import timezone

from devices import services as device_services
from devices.models import ChargingCart, Device
from matrix import services as matrix_services
from matrix.models import Assignment
from roles.models import Role
from units.models import Membership, Organisation, Person, Sector, Unit

from .common import boolean, call, choice, fields, items, pick, string, strings, upsert
from .matrices import roles_by_slug

DEVICE_KEYS = (
    "serial_number", "manufacturer", "model", "number", "use", "location", "ownership",
    "lease_ends_in_days", "billed_monthly", "monthly_cost", "status", "holder", "pupil_code",
    "cart", "slot", "last_seen_days_ago", "fault_ticket", "fault_days_ago", "notes",
)


def load_directory(data, where, report):
    """Create or update the units, people, assignments and devices `data` describes."""
    fields(data, where,
           optional=("organisations", "logins", "action_plans", "groups", "networks"))
    load_networks(items(data, "networks", where), where / "networks", report)
    organisations = data.get("organisations") or {}
    if not isinstance(organisations, dict):
        raise where.error("'organisations' should map organisation slugs to their units and people")
    for slug, org_data in organisations.items():
        org_where = where / f"organisation {slug!r}"
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            raise org_where.error("unknown organisation: a matrix file must define it")
        fields(org_data, org_where, optional=("units", "people"))
        DirectoryLoader(organisation, report).load(org_data, org_where)


def load_networks(data, where, report):
    """Make each network of `data` have the member organisations it names, beside the tree."""
    for index, network_data in enumerate(data):
        network_where = where / f"network {index + 1}"
        fields(network_data, network_where, required=("network", "members"))
        slugs = [string(network_data, "network", network_where),
                 *strings(network_data, "members", network_where)]
        known = Organisation.objects.in_bulk(slugs, field_name="slug")
        unknown = [slug for slug in slugs if slug not in known]
        if unknown:
            raise network_where.error(f"unknown organisation: {', '.join(unknown)}")
        network, *members = (known[slug] for slug in slugs)
        for member in members:
            upsert(Membership, network_where / f"member {member.slug!r}", report,
                   lookup={"network": network, "member": member},
                   values={"network": network, "member": member})


class DirectoryLoader:
    """Load one organisation's units, people and devices (people before the devices they hold)."""

    def __init__(self, organisation, report):
        self.organisation = organisation
        self.report = report
        self.sectors = {sector.code: sector for sector in Sector.objects.all()}
        # A municipality's own role shadows a region's role of the same slug.
        self.roles = roles_by_slug(organisation.lineage_ids())
        self.units = {}
        self.people = {}
        self.carts = {}

    def load(self, data, where):
        """Load the units, then the people and their roles, then the units' devices."""
        unit_entries = [(self.unit(unit_data, where, order), unit_data)
                        for order, unit_data in enumerate(items(data, "units", where))]
        for order, person_data in enumerate(items(data, "people", where)):
            self.person(person_data, where, order)
        for (unit, unit_where), unit_data in unit_entries:
            for order, device_data in enumerate(items(unit_data, "devices", unit_where)):
                self.device(device_data, unit, unit_where, order)

    def unit(self, data, org_where, order):
        """Create or update one unit with its sectors; return it and its place in the file."""
        where = org_where / f"unit {order + 1}"
        fields(data, where, required=("name", "slug", "sectors"), optional=("devices", "carts"))
        slug = string(data, "slug", where)
        where = org_where / f"unit {slug!r}"
        values = {"organisation": self.organisation, "slug": slug,
                  "name": string(data, "name", where)}
        unit = upsert(Unit, where, self.report, lookup={"slug": slug}, values=values)
        unit.sectors.set(pick(self.sectors, strings(data, "sectors", where), where, "sector"))
        self.units[slug] = unit
        for index, cart_data in enumerate(items(data, "carts", where)):
            self.cart(cart_data, unit, where / f"cart {index + 1}")
        return unit, where

    def cart(self, data, unit, where):
        """Create or update one charging cart of `unit`."""
        fields(data, where, required=("name", "slots"), optional=("location",))
        name = string(data, "name", where)
        values = {"unit": unit, "name": name, "slots": _whole(data, "slots", where),
                  "location": string(data, "location", where)}
        self.carts[(unit.pk, name)] = upsert(ChargingCart, where, self.report, values=values,
                                             lookup={"unit": unit, "name": name})

    def person(self, data, org_where, order):
        """Create or update one person and the roles they hold."""
        where = org_where / f"person {order + 1}"
        fields(data, where, required=("name", "email"), optional=("title", "holds"))
        email = string(data, "email", where).lower()
        where = org_where / f"person {email!r}"
        values = {"organisation": self.organisation, "email": email,
                  "name": string(data, "name", where), "title": string(data, "title", where)}
        person = upsert(Person, where, self.report, lookup={"email": email}, values=values)
        self.people[email] = person
        for index, hold in enumerate(items(data, "holds", where)):
            self.assignment(person, hold, where / f"holds {index + 1}")

    def assignment(self, person, data, where):
        """Let `person` hold a role: at a unit when one is named, else in an organisation.

        A role of this organisation or one above it is named by its slug; a role of any other
        organisation as "organisation-slug/role-slug". Without a unit, the role is held in this
        organisation, except a group's or another organisation's role: that one is held in the
        role's own organisation, so that members from many organisations make one group.
        """
        fields(data, where, required=("role",), optional=("unit", "lead", "chair"))
        reference = string(data, "role", where)
        role = self.role(reference, where)
        unit_slug = string(data, "unit", where)
        unit = pick(self.units, [unit_slug], where, "unit slug")[0] if unit_slug else None
        if unit:
            place = {"unit": unit, "organisation": None}
        elif role.is_group or "/" in reference:
            place = {"unit": None, "organisation": role.level.organisation}
        else:
            place = {"unit": None, "organisation": self.organisation}
        values = {"is_lead": boolean(data, "lead", where, True),
                  "is_chair": boolean(data, "chair", where, False)}
        # Through matrix.services, as every writer of assignments goes.
        found = Assignment.objects.filter(person=person, role=role, **place).first()
        if found is None:
            call(matrix_services.assignment_create, where, person=person, role=role, **place,
                 **values)
        elif any(getattr(found, name) != value for name, value in values.items()):
            call(matrix_services.assignment_update, where, assignment=found, **values)
        self.report.count(Assignment, created=found is None)

    def role(self, reference, where):
        """Return the role `reference` names: "slug" here or above, "organisation/slug" anywhere."""
        if "/" not in reference:
            return pick(self.roles, [reference], where, "role slug")[0]
        organisation_slug, _slash, slug = reference.partition("/")
        role = (Role.objects.filter(level__organisation__slug=organisation_slug, slug=slug)
                .select_related("level__organisation").first())
        if role is None:
            raise where.error(f"unknown role {reference!r}: expected 'organisation-slug/role-slug' "
                              "of a role a matrix file defines")
        return role

    def device(self, data, unit, unit_where, order):
        """Create or update one device of `unit`, then take the steps its state asks for.

        Through devices.services, as every writer goes: a new device is registered, a holder is
        a check-out, a fault is reported, a retired device is retired, each with its event. A
        device already loaded gets only the steps that differ, so a reload changes nothing.
        Dates are given relative to today ("last seen 45 days ago"), so the demo's reports
        stay meaningful whenever it is loaded.
        """
        where = unit_where / f"device {order + 1}"
        fields(data, where, required=("asset_tag", "category"), optional=DEVICE_KEYS)
        asset_tag = string(data, "asset_tag", where).upper()
        where = unit_where / f"device {asset_tag!r}"
        holder_email = string(data, "holder", where).lower()
        holder = pick(self.people, [holder_email], where, "holder")[0] if holder_email else None
        pupil_code = string(data, "pupil_code", where).upper()
        cart_name = string(data, "cart", where)
        cart = pick(self.carts, [(unit.pk, cart_name)], where, "cart")[0] if cart_name else None
        slot = _whole(data, "slot", where) if cart else None
        status = choice(data, "status", where, Device.Status, Device.Status.IN_STOCK)
        today = timezone.localdate()
        details = {
            "category": choice(data, "category", where, Device.Category),
            "serial_number": string(data, "serial_number", where),
            "manufacturer": string(data, "manufacturer", where),
            "model": string(data, "model", where),
            "number": string(data, "number", where),
            "use": choice(data, "use", where, Device.Use, Device.Use.STAFF),
            "location": string(data, "location", where),
            "ownership": choice(data, "ownership", where, Device.Ownership,
                                Device.Ownership.PURCHASED),
            "lease_ends_on": _days_from(today, data, "lease_ends_in_days", where),
            "billed_monthly": boolean(data, "billed_monthly", where, False),
            "monthly_cost": _money(data, "monthly_cost", where),
            "notes": string(data, "notes", where),
        }
        last_seen = _days_from(today, data, "last_seen_days_ago", where, sign=-1)
        fault_on = _days_from(today, data, "fault_days_ago", where, sign=-1)
        device = Device.objects.filter(asset_tag=asset_tag).with_loan().first()
        self.report.count(Device, created=device is None)
        if device is None:
            starting = status if status in (Device.Status.IN_STOCK, Device.Status.IN_USE) else (
                Device.Status.IN_STOCK)
            device = call(device_services.device_register, where, by=None, unit=unit,
                          asset_tag=asset_tag, status=starting, cart=cart, cart_slot=slot,
                          **details)
        if device.is_gone:
            return  # a reload does not bring back what has left the register
        if (device.unit_id, device.cart, device.cart_slot) != (unit.pk, cart, slot):
            device = call(device_services.device_move, where, device=device, by=None, unit=unit,
                          location=details["location"], cart=cart, cart_slot=slot)
        if (device.holder, device.pupil_code) != (holder, pupil_code):
            if device.is_out:
                device = call(device_services.device_return, where, device=device, by=None)
            if holder or pupil_code:
                device = call(device_services.device_check_out, where, device=device, by=None,
                              holder=holder, pupil_code=pupil_code)
        if status == Device.Status.IN_REPAIR and device.can_report_fault():
            device = call(device_services.device_report_fault, where, device=device, by=None,
                          ticket=string(data, "fault_ticket", where), on=fault_on)
        if status in Device.GONE:
            device = call(device_services.device_leave, where, device=device, by=None,
                          status=status)
        if last_seen is not None:
            details["last_seen"] = last_seen
        changes = {name: value for name, value in details.items()
                   if getattr(device, name) != value}
        if changes:
            call(device_services.device_update, where, device=device, by=None, **changes)


def _whole(data, key, where):
    """Return `data[key]` checked to be a whole number, or None when missing."""
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise where.error(f"{key!r} should be a whole number")
    return value


def _days_from(today, data, key, where, sign=1):
    """Return the date `data[key]` days after (sign -1: before) `today`, or None."""
    days = _whole(data, key, where)
    return None if days is None else today + datetime.timedelta(days=sign * days)


def _money(data, key, where):
    """Return `data[key]` as euros with cents, or None when missing."""
    value = data.get(key)
    if value is None:
        return None
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise where.error(f"{key!r} should be an amount of euros, e.g. 12.50") from None
