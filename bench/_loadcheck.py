"""After the load: is every write the clients saw succeed in the database, and nothing more?

Each writing client hands out only its own devices and edits only its own assignment, so what
it saw is exactly what the database must hold for them: one loan and one "checked out" event per
hand-out, a return and a "returned" event per collection, the device lent to the pupil it was
last handed to, and the assignment with the start date of the last accepted edit and one
history record per edit. A write seen but missing is lost; one there but never seen (a request
that failed on the client's side after the server saved) is counted too: both fail the run.
"""

import math


def percentile(ordered, share):
    """Return the `share`th percentile of the sorted list `ordered` (nearest rank); 0 if empty."""
    if not ordered:
        return 0.0
    return ordered[max(0, math.ceil(share / 100 * len(ordered)) - 1)]


def check_writes(clients):
    """Compare the writers' records with the database.

    Return (writes lost, writes stored that no client saw succeed, lines to print).
    """
    from devices.models import DeviceEvent, Loan
    from matrix.models import Assignment

    checks = []  # (what, seen, in the database)
    for client in clients:
        plan, seen = client.plan, client.seen
        for tag in plan.devices:
            loans = Loan.objects.filter(device__asset_tag=tag)
            events = DeviceEvent.objects.filter(device__asset_tag=tag)
            checks += [
                ("hand-outs (loans)", seen.checkouts[tag], loans.count()),
                ("hand-outs (events)", seen.checkouts[tag],
                 events.filter(kind=DeviceEvent.Kind.CHECKED_OUT).count()),
                ("collections (loans)", seen.returns[tag],
                 loans.filter(returned_at__isnull=False).count()),
                ("collections (events)", seen.returns[tag],
                 events.filter(kind=DeviceEvent.Kind.RETURNED).count()),
            ]
            lent_to = list(loans.filter(returned_at__isnull=True)
                           .values_list("pupil_code", flat=True))
            expected = [seen.holders[tag]] if tag in seen.holders else []
            checks.append(("devices lent to the right pupil", 1, int(lent_to == expected)))
        if plan.assignment is not None:
            assignment = Assignment.objects.get(pk=plan.assignment)
            checks.append(("assignment edits (history)", seen.edits,
                           assignment.history.filter(history_type="~").count()))
            if seen.edits:
                checks.append(("assignments with the last start date", 1,
                               int(assignment.start_date == seen.start_date)))
    totals = {}
    for what, seen_count, stored in checks:
        total = totals.setdefault(what, [0, 0])
        total[0] += seen_count
        total[1] += stored
    lost = sum(max(0, seen_count - stored) for _what, seen_count, stored in checks)
    unseen = sum(max(0, stored - seen_count) for _what, seen_count, stored in checks)
    lines = ["\nWrites the clients saw succeed, and what the database holds:"]
    lines += [f"  {what:<38}{seen_count:>7,} seen{stored:>7,} stored"
              for what, (seen_count, stored) in totals.items()]
    return lost, unseen, lines
