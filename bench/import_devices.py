"""Benchmark the device import: 10,000 rows checked, refused for one bad row, then imported.

Run from the project folder (it makes its own SQLite database in a temporary folder, migrates it
and leaves every other database alone):

    .venv/bin/python bench/import_devices.py [--rows 10000] [--bad-line 5001]

It prints how long checking a file with one bad row takes, that nothing was saved and which line
was named; then how long the good file's import takes (rows a second), and a re-import of the
same file (every row unchanged) and of a file that changes every row. Targets for 10,000 rows
on a laptop: checking under 3 s, importing (new or changed) under 10 s.
"""

import argparse
import csv
import io
import time

from _register import build_device, make_register, setup_django


def sheet(rows, units, people, carts, bad_line=None, model="300e"):
    """Return the CSV bytes of `rows` devices as the export writes them; spoil `bad_line`."""
    from devices.resources import csv_row, headers

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers())
    for index in range(rows):
        device = build_device(index, units, people, carts, model=model)
        cells = csv_row(device)
        if index + 2 == bad_line:
            cells[3] = "SN000000000"  # the first row's serial number
        writer.writerow(cells)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def timed(function, *args, **kwargs):
    """Return (what `function` returned, seconds it took)."""
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--bad-line", type=int, default=5001,
                        help="the line (the header is line 1) given a duplicate serial number")
    options = parser.parse_args()
    setup_django()

    from devices.services import devices_import

    def import_sheet(data, name):
        return devices_import(data=data, name=name)
    from devices.models import Device, DeviceEvent

    units, people, carts = make_register()
    bad = sheet(options.rows, units, people, carts, bad_line=options.bad_line)
    good = sheet(options.rows, units, people, carts)
    changed = sheet(options.rows, units, people, carts, model="300e Gen 2")
    print(f"{options.rows:,} rows, {len(good) / 1e6:.1f} MB of CSV")

    plan, seconds = timed(import_sheet, bad, "bad.csv")
    print(f"\nFile with a bad row: checked in {seconds:.2f} s "
          f"({options.rows / seconds:,.0f} rows/s)")
    print(f"  saved: {Device.objects.count()} devices, {DeviceEvent.objects.count()} events")
    for problem in plan.problems:
        print(f"  {problem}")

    for label, data in (("Good file, all new", good), ("Same file again, unchanged", good),
                        ("Every row changed", changed)):
        plan, seconds = timed(import_sheet, data, "good.csv")
        assert plan.is_valid, plan.problems[:5]
        print(f"\n{label}: imported in {seconds:.2f} s ({options.rows / seconds:,.0f} rows/s)")
        print(f"  {plan.summary()} Now {Device.objects.count():,} devices, "
              f"{DeviceEvent.objects.count():,} events.")


if __name__ == "__main__":
    main()
