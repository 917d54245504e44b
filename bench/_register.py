"""What both device benchmarks share: a fresh SQLite database and a register to fill it with.

Not a test: the benchmarks print their figures, and speed targets live there, never in tests.
"""

import atexit
import os
import secrets
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

UNITS, PEOPLE_PER_UNIT, CARTS_PER_UNIT, SLOTS = 20, 10, 2, 30


def setup_django():
    """Start Django on a new SQLite database in a temporary folder and migrate it.

    The benchmark never touches the database DATABASE_URL may name: it always starts fresh.
    Return the temporary folder, removed when the benchmark ends.
    """
    temporary = tempfile.TemporaryDirectory(prefix="vastuu-bench-")
    atexit.register(temporary.cleanup)
    folder = temporary.name
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # The settings want a secret key outside DEBUG; a throw-away database needs no lasting one.
    os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
    # The benchmarks ask the pages over the test client's plain HTTP, not through a TLS proxy.
    os.environ.setdefault("DJANGO_HTTPS", "0")
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    return Path(folder)


def make_register():
    """Create an organisation with units, people and carts; return (units, people, carts)."""
    from devices.models import ChargingCart
    from units.models import Organisation, Person, Sector, Unit

    organisation = Organisation.objects.create(name="Penkkilä", slug="penkkila")
    basic = Sector.objects.get(code="perusopetus")
    units, people, carts = [], [], []
    for number in range(UNITS):
        unit = Unit.objects.create(organisation=organisation, name=f"Koulu {number}",
                                   slug=f"koulu-{number}")
        unit.sectors.add(basic)
        units.append(unit)
        people += [Person.objects.create(organisation=organisation, name=f"Opettaja {number}-{n}",
                                         email=f"opettaja-{number}-{n}@penkkila.fi")
                   for n in range(PEOPLE_PER_UNIT)]
        carts += [ChargingCart.objects.create(unit=unit, name=f"Vaunu {n + 1}", slots=SLOTS)
                  for n in range(CARTS_PER_UNIT)]
    return units, people, carts


def build_device(index, units, people, carts, **overrides):
    """Return the unsaved `index`th device, its holder's open loan (unsaved) as `open_loan`."""
    from devices.models import Device, Loan

    values = {**device_values(index, units, people, carts), **overrides}
    holder, pupil_code = values.pop("holder", None), values.pop("pupil_code", "")
    device = Device(**values)
    device.open_loan = (Loan(device=device, holder=holder, pupil_code=pupil_code)
                        if holder or pupil_code else None)
    return device


def device_values(index, units, people, carts):
    """Return the fields of the `index`th device: a mix of staff, pupil and cart laptops."""
    from datetime import date
    from decimal import Decimal

    unit = units[index % len(units)]
    values = {"unit": unit, "category": "pupil_laptop", "asset_tag": f"PEN-{index:06d}",
              "serial_number": f"SN{index:09d}", "manufacturer": "Lenovo", "model": "300e",
              "number": str(index), "location": f"Luokka {index % 40}",
              "ownership": "leased", "lease_ends_on": date(2028, 7, 31),
              "billed_monthly": True, "monthly_cost": Decimal("19.90"),
              "last_seen": date(2025, 5, 2), "notes": "=Laturi mukana" if index % 7 == 0 else ""}
    kind = index % 3
    if kind == 0:
        values.update(category="teacher_laptop", use="staff", status="in_use",
                      holder=people[index % len(people)])
    elif kind == 1:
        values.update(use="pupil", status="in_use", pupil_code=f"P{index:06d}")
    else:
        # Every 60th index is the same unit's next shared laptop (20 units, every third shared).
        place = index // (len(units) * 3)
        if place < CARTS_PER_UNIT * SLOTS:
            cart = carts[units.index(unit) * CARTS_PER_UNIT + place // SLOTS]
            values.update(use="shared", cart=cart, cart_slot=place % SLOTS + 1)
        else:
            values.update(use="shared", location="Varasto")
    return values
