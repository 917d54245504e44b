"""Benchmark the streamed device exports: time and peak memory for 10,000 devices, CSV and XLSX.

Run from the project folder (it makes its own SQLite database in a temporary folder, migrates it
and leaves every other database alone):

    .venv/bin/python bench/export_devices.py [--devices 10000]

For each format it downloads the register through the view's own response (the same code as
/units/<slug>/devices/export/<fmt>/, without the login) for half of the devices and for all
of them, and prints the time and the peak of Python's memory (tracemalloc): a streamed export's
peak should stay about the same however many devices there are. For contrast it prints the
peak of building the same CSV in memory with tablib, as the small page exports do. Targets for
10,000 devices on a laptop: CSV under 2 s, XLSX under 10 s, a peak under 10 MB that does not
grow with the number of devices.
"""

import argparse
import time
import tracemalloc

from _register import build_device, make_register, setup_django


def measure(function):
    """Return (bytes written, seconds, peak MB of Python memory) of running `function`.

    It runs twice: timed alone, then under tracemalloc, which slows it down several times.
    """
    start = time.perf_counter()
    size = function()
    seconds = time.perf_counter() - start
    tracemalloc.start()
    function()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return size, seconds, peak / 1e6


def download(devices, fmt):
    """Return a function that reads the whole export response of `devices` and counts bytes."""
    from devices.views.exports import export_response

    def read():
        response = export_response(devices, fmt=fmt, name="bench", title="Bench")
        size = sum(len(chunk) for chunk in response)
        response.close()
        return size

    return read


def in_memory(devices):
    """Return a function that builds the CSV in memory with tablib, as sheet_response does."""
    import tablib

    from devices.resources import csv_row, for_sheet, headers

    def build():
        dataset = tablib.Dataset(headers=headers())
        for device in for_sheet(devices):
            dataset.append(csv_row(device))
        return len(dataset.export("csv"))

    return build


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=10_000)
    options = parser.parse_args()
    setup_django()

    from devices.models import Device, Loan

    units, people, carts = make_register()
    built = [build_device(index, units, people, carts) for index in range(options.devices)]
    Device.objects.bulk_create(built, batch_size=500)
    Loan.objects.bulk_create([device.open_loan for device in built if device.open_loan],
                             batch_size=500)
    few = Device.objects.filter(pk__lte=options.devices // 2)
    every = Device.objects.all()
    print(f"{options.devices:,} devices in {len(units)} units")
    print(f"{'export':<24}{'devices':>8}{'size MB':>10}{'seconds':>9}{'peak MB':>9}")
    runs = [("CSV, streamed", fmt, devices) for fmt, devices in (("csv", few), ("csv", every))]
    runs += [("XLSX, write-only file", "xlsx", few), ("XLSX, write-only file", "xlsx", every)]
    for label, fmt, devices in runs:
        size, seconds, peak = measure(download(devices, fmt))
        print(f"{label:<24}{devices.count():>8,}{size / 1e6:>10.1f}{seconds:>9.2f}{peak:>9.1f}")
    size, seconds, peak = measure(in_memory(every))
    print(f"{'CSV in memory (tablib)':<24}{every.count():>8,}{size / 1e6:>10.1f}{seconds:>9.2f}"
          f"{peak:>9.1f}")


if __name__ == "__main__":
    main()
