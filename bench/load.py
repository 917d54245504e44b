"""Benchmark Vastuu under load: gunicorn on PostgreSQL, several users reading and writing at once.

Run from the project folder with DATABASE_URL naming a PostgreSQL server on this machine:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/vastuu .venv/bin/python bench/load.py
        [--clients 10] [--workers N] [--seconds 30] [--smoke]

It makes a database of its own on that server (`vastuu_load`; the one DATABASE_URL names is left
alone), migrates it, loads the demo with its logins and gives each writing client three devices
and an assignment of its own at Kivikallion koulu. Then it starts gunicorn on a free loopback
port with DEBUG off, logs the clients in as the demo's users (principal, organisation
administrator, administrator, tutor: several clients per user, each its own session) and lets
them all work at once: first a short anchor phase in which every client asks for the login page
as a visitor (the cheapest page there is), then the mix: the unit's matrix, its register, "my
duties", a device's page, hand-out scans (a pupil's code, the device, then collecting it) and
assignment edits (the edit form, read like a browser with its CSRF token and version, and saved).

It prints requests per second, the median and 95th percentile of each kind of request, and each
kind's median as a multiple of the anchor's measured in the same run (the ratios travel between
machines better than the times do); then the errors, and the writes the clients saw succeed
checked against the database: every loan, event, return, holder and start date must be there.
It exits with status 1 on any error or lost write. gunicorn is stopped and the database dropped
at the end, also when the run fails or is interrupted. `--smoke` is a few seconds for CI.
"""

import argparse
import io
import math
import os
import signal
import sys
import tempfile
import threading
import time

from _loadclient import Client
from _server import (
    ROOT,
    gunicorn,
    refuse_unless_loopback_postgresql,
    scratch_database,
    server_environment,
    server_version,
)

# Who the clients are, in turn: (the demo login, the unit it works at, whether it writes).
USERS = [("rehtori", "kivikallion-koulu", True), ("kuopio-admin", "kivikallion-koulu", True),
         ("tutor", "salmelan-kirkonkylan-koulu", False), ("admin", "kivikallion-koulu", True)]
DEVICES_PER_WRITER = 3
BARRIER_SECONDS = 120  # the longest a client waits for the others between phases


def main():
    """Run the benchmark; return the exit status."""
    options = arguments()
    url = os.environ.get("DATABASE_URL", "")
    refusal = refuse_unless_loopback_postgresql(url)
    if refusal:
        print(refusal, file=sys.stderr)
        return 2
    # A stop from outside (Ctrl+C, a CI timeout) still stops gunicorn and drops the database.
    signal.signal(signal.SIGTERM, lambda *_args: sys.exit(143))
    version = server_version(url)
    with tempfile.TemporaryFile("w+") as log, \
            scratch_database(url, options.database_name) as load_url:
        environment = server_environment(load_url)
        os.environ.update(environment)
        status = 1
        try:
            plans, seconds = prepare(options)
            print(f"Vastuu under load on PostgreSQL {version}, on loopback: "
                  f"{options.clients} clients, gunicorn workers: {options.workers}")
            print(f"Dataset: the demo with its logins, {sum(plan.writes for plan in plans)} "
                  f"writing clients with {DEVICES_PER_WRITER} devices and an assignment each "
                  f"(ready in {seconds:.1f} s)")
            with gunicorn(environment, workers=options.workers, log=log) as port:
                clients, mix_seconds = run(plans, port, options)
            status = report(clients, options, mix_seconds)
        finally:
            if status:
                print_tail(log)
            close_django()
    return status


def print_tail(log):
    """Print the end of what gunicorn wrote, if anything, to help find out what went wrong."""
    log.seek(0)
    said = log.read()[-3000:]
    if said:
        print(f"gunicorn said:\n{said}", file=sys.stderr)


def close_django():
    """Close the benchmark's own database connections, if it got as far as starting Django."""
    from django.apps import apps

    if apps.ready:
        from django.db import connections

        connections.close_all()


def arguments():
    """Return the command-line options; --smoke makes every size small."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--workers", type=int, default=min(2 * (os.cpu_count() or 1) + 1, 9),
                        help="gunicorn workers (default: twice the cores and one)")
    parser.add_argument("--seconds", type=float, default=30, help="length of the mix")
    parser.add_argument("--anchor-seconds", type=float, default=5)
    parser.add_argument("--max-requests", type=int, default=5000,
                        help="the most requests one client sends in a phase")
    parser.add_argument("--database-name", default="vastuu_load")
    parser.add_argument("--smoke", action="store_true",
                        help="a few seconds with a few clients, to show it works (CI)")
    options = parser.parse_args()
    if options.smoke:
        options.clients, options.workers = min(options.clients, 4), min(options.workers, 2)
        options.seconds, options.anchor_seconds = min(options.seconds, 8), 1
        options.max_requests = min(options.max_requests, 300)
    if options.clients < 1 or options.workers < 1 or options.seconds <= 0:
        parser.error("--clients, --workers and --seconds must be positive")
    return options


def prepare(options):
    """Start Django on the benchmark's database, fill it; return (the clients' plans, seconds)."""
    start = time.perf_counter()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    import yaml
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    # Outside DEBUG the pages name the hashed static files that collectstatic writes.
    call_command("collectstatic", "--no-input", verbosity=0)
    migrated = time.perf_counter()
    call_command("load_demo", "--with-logins", stdout=io.StringIO())
    print(f"Migrated and collected the static files in {migrated - start:.1f} s, loaded the "
          f"demo in {time.perf_counter() - migrated:.1f} s")
    with open(ROOT / "fixtures" / "demo.yaml", encoding="utf-8") as demo:
        passwords = {login["username"]: login["password"]
                     for login in yaml.safe_load(demo)["logins"]}
    plans = [plan_client(index, *USERS[index % len(USERS)], passwords)
             for index in range(options.clients)]
    return plans, time.perf_counter() - start


def plan_client(index, username, unit_slug, writes, passwords):
    """Return the Plan of client `index`; a writer gets devices and an assignment of its own."""
    from _loadclient import FIRST_START, Plan

    from devices import services as device_services
    from devices.models import Device
    from matrix import services as matrix_services
    from matrix.compose import sector_ids
    from roles.models import Role
    from units.history import recording
    from units.models import Person, Unit

    unit = Unit.objects.select_related("organisation").get(slug=unit_slug)
    shown = Device.objects.filter(unit=unit).order_by("asset_tag").first()
    plan = Plan(index=index, username=username, password=passwords[username], unit=unit_slug,
                device=shown.asset_tag)
    if not writes:
        return plan
    with recording("command bench/load.py"):
        plan.devices = [device_services.device_register(
            by=None, unit=unit, category=Device.Category.PUPIL_LAPTOP, use=Device.Use.PUPIL,
            asset_tag=f"LOAD-{index:03d}-{number}", serial_number=f"LOAD{index:03d}{number}",
            model="Kuormitustesti").asset_tag for number in range(DEVICES_PER_WRITER)]
        # The roles the unit's assignment form offers; a supporting holder of one of them.
        role = (Role.objects.reaching(unit.organisation).for_sectors(sector_ids(unit))
                .filter(scope=Role.Scope.UNIT, named_holders=True).order_by("pk").first())
        person = Person.objects.create(organisation=unit.organisation,
                                       name=f"Kuormitus {index}",
                                       email=f"kuormitus-{index}@example.fi")
        plan.assignment = matrix_services.assignment_create(
            person=person, role=role, unit=unit, is_lead=False, start_date=FIRST_START).pk
    return plan


def run(plans, port, options):
    """Run every client in a thread of its own through the phases.

    Return the clients and how long the mix took.
    """
    from django.db import connections

    connections.close_all()  # the benchmark's own connection stays out of the server's way
    clients = [Client(plan, port) for plan in plans]
    deadlines = {}

    def anchor_begins():
        deadlines["anchor"] = time.monotonic() + options.anchor_seconds

    def mix_begins():
        deadlines["mix start"] = time.monotonic()
        deadlines["mix"] = deadlines["mix start"] + options.seconds

    logged_in = threading.Barrier(len(clients), action=anchor_begins)
    anchored = threading.Barrier(len(clients), action=mix_begins)

    def work(client):
        try:
            client.log_in()
            logged_in.wait(timeout=BARRIER_SECONDS)
            client.anchor(deadlines["anchor"], options.max_requests)
            anchored.wait(timeout=BARRIER_SECONDS)
            client.mix(deadlines["mix"], options.max_requests)
        except Exception as error:  # noqa: BLE001 - reported as the client's error
            client.fail(error)
            logged_in.abort()
            anchored.abort()

    threads = [threading.Thread(target=work, args=(client,), daemon=True) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=2 * BARRIER_SECONDS + options.anchor_seconds + options.seconds)
    if any(thread.is_alive() for thread in threads):
        raise RuntimeError("a client did not finish in time")
    return clients, time.monotonic() - deadlines.get("mix start", time.monotonic())


def report(clients, options, mix_seconds):
    """Print the figures and the database check; return the exit status."""
    from _loadcheck import check_writes, percentile

    samples = [sample for client in clients for sample in client.samples]
    anchor = sorted(seconds for phase, _kind, seconds in samples if phase == "anchor")
    anchor_p50 = percentile(anchor, 50)
    anchor_rps = len(anchor) / options.anchor_seconds
    anchor_p50 = anchor_p50 or math.inf  # no anchor at all: the ratios show 0
    print(f"\nAnchor, the login page for a visitor: {len(anchor):,} requests, "
          f"{anchor_rps:,.1f} per second, p50 {anchor_p50 * 1000:.0f} ms")
    mix = [(kind, seconds) for phase, kind, seconds in samples if phase == "mix"]
    mix_seconds = max(mix_seconds, 1e-9)
    kinds = sorted({kind for kind, _seconds in mix}, key=[kind for kind, _s in mix].index)
    print(f"\nThe mix, {mix_seconds:.1f} s:")
    print(f"{'request':<16}{'count':>8}{'per s':>8}{'p50 ms':>9}{'p95 ms':>9}"
          f"{'p50 × anchor':>14}{'errors':>8}")
    errors = {kind: sum(client.errors[kind] for client in clients)
              for kind in {kind for client in clients for kind in client.errors}}
    for kind in [*kinds, "all"]:
        times = sorted(seconds for name, seconds in mix if kind in (name, "all"))
        p50, p95 = percentile(times, 50), percentile(times, 95)
        failed = sum(errors.values()) if kind == "all" else errors.get(kind, 0)
        print(f"{kind:<16}{len(times):>8,}{len(times) / mix_seconds:>8.1f}"
              f"{p50 * 1000:>9.0f}{p95 * 1000:>9.0f}{p50 / anchor_p50:>14.1f}{failed:>8}")
    logins = [seconds for _phase, kind, seconds in samples if kind == "login"]
    print(f"\nLogins: {sum(client.logged_in for client in clients)} of {len(clients)} clients, p50 "
          f"{percentile(sorted(logins), 50) * 1000:.0f} ms (the password hash is slow on "
          f"purpose)")
    total_errors = sum(errors.values())
    print(f"Errors: {total_errors}" + "".join(
        f"\n  {detail}" for client in clients for detail in client.error_details))
    lost, unseen, lines = check_writes(clients)
    for line in lines:
        print(line)
    print(f"Lost writes: {lost}")
    if unseen:
        print(f"Writes stored that no client saw succeed: {unseen}")
    return 1 if total_errors or lost or unseen else 0


if __name__ == "__main__":
    sys.exit(main())
