"""Benchmark the label page: one page of labels, next to drawing every label of a big unit.

Run from the project folder (it makes its own SQLite database in a temporary folder, migrates it
and leaves every other database alone):

    .venv/bin/python bench/labels.py [--devices 2000]

It registers `--devices` devices in one unit, then prints how long the label page takes (its
first page: at most eight sheets of 24 labels) and how long drawing all the unit's labels
takes, which the page did at once before it had pages. Target: the page under 3 s on a laptop,
whatever the number of devices.
"""

import argparse
import time

from _register import setup_django


def main():
    """Time the label page of one big unit, then drawing every one of its labels."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=2000)
    options = parser.parse_args()
    setup_django()

    from django.contrib.auth.models import User
    from django.test import Client
    from django.test.utils import setup_test_environment

    from devices.models import Device
    from devices.views import labels
    from units.models import Organisation, Sector, Unit

    organisation = Organisation.objects.create(name="Penkkilä", slug="penkkila")
    unit = Unit.objects.create(organisation=organisation, name="Penkkilän koulu",
                               slug="penkkilan-koulu")
    unit.sectors.add(Sector.objects.get(code="perusopetus"))
    Device.objects.bulk_create(Device(unit=unit, category="pupil_laptop",
                                      asset_tag=f"PEN-{n:06d}", number=str(n))
                               for n in range(options.devices))
    client = Client()
    client.force_login(User.objects.create_superuser("penkki", "penkki@example.fi", "x"))

    setup_test_environment()  # the test client's host, and the page's context to count
    start = time.perf_counter()
    response = client.get(f"/units/{unit.slug}/devices/labels/")
    page_seconds = time.perf_counter() - start
    assert response.status_code == 200, response.status_code
    shown = sum(1 for sheet in response.context["sheets"] for label in sheet if label)
    print(f"{options.devices:,} devices: the label page shows {shown} labels on "
          f"{response.context['page'].paginator.num_pages} pages; page 1 took "
          f"{page_seconds:.2f} s")

    request = response.wsgi_request
    start = time.perf_counter()
    for device in Device.objects.filter(unit=unit):
        labels._label(request, unit, device)
    every_seconds = time.perf_counter() - start
    print(f"Drawing all {options.devices:,} labels at once, as the page did before it had "
          f"pages: {every_seconds:.2f} s ({every_seconds / page_seconds:.1f} times page 1)")


if __name__ == "__main__":
    main()
