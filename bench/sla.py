#!/usr/bin/env python
"""Benchmark of the SLA due times (issue 14, item 14: "due-time computation ≥ 20,000
tickets/s").

    .venv/bin/python bench/sla.py                     # 200,000 tickets, seed 14
    .venv/bin/python bench/sla.py --tickets 50000 --seed 1

No database: ``clientela.service.sla`` is pure. A Spanish calendar in Europe/Madrid
(Monday to Thursday 9–14 and 16–19, Friday 8–15; the national and Madrid holidays of
2026–2028 from the ``holidays`` package), and tickets created at random minutes of
2026 (nights and weekends included, so many start out of hours) with a priority
drawn 10 % urgent, 25 % high, 50 % normal, 15 % low. Each ticket gets its two due
times, first response and resolution, from its priority's targets (1 hour to 5
business days). The figure is tickets a second on one core, for the first pass (the
calendar's chunks are worked out on the way) and a second one over the same tickets;
then the state of the same tickets' running clocks at one instant, as the worker's
sweep asks it.
"""

from __future__ import annotations

import argparse
import datetime
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TICKETS = 200_000
SEED = 14
TARGET_PER_SECOND = 20_000
HOUR = datetime.timedelta(hours=1)
#: Priority -> (share, first response, resolution); 5 business days are 39 hours here.
PRIORITIES = {
    "urgent": (0.10, 1 * HOUR, 8 * HOUR),
    "high": (0.25, 2 * HOUR, 16 * HOUR),
    "normal": (0.50, 4 * HOUR, 24 * HOUR),
    "low": (0.15, 8 * HOUR, 39 * HOUR),
}
SPANISH_HOURS = [[(540, 840), (960, 1140)]] * 4 + [[(480, 900)], [], []]


def generate(tickets: int, seed: int) -> list[tuple[datetime.datetime, str]]:
    """(created at, priority) of each ticket."""
    rng = random.Random(seed)
    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    names = list(PRIORITIES)
    weights = [share for share, _first, _resolution in PRIORITIES.values()]
    return [
        (start + datetime.timedelta(minutes=rng.randrange(365 * 24 * 60)), priority)
        for priority in rng.choices(names, weights, k=tickets)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=TICKETS)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()

    # Pure code: Django's settings are not needed (only an error's text would be).
    from clientela.service.sla.clock import Calendar, SlaClock, add_business_time, holiday_dates

    calendar = Calendar.of(
        "Europe/Madrid", SPANISH_HOURS, holiday_dates("ES", "MD", range(2026, 2029))
    )
    tickets = generate(args.tickets, args.seed)
    targets = {name: (first, resolution) for name, (_s, first, resolution) in PRIORITIES.items()}
    print(
        f"{len(tickets):,} tickets created in 2026, Spanish calendar (Madrid), "
        f"{len(calendar.holidays)} holidays in 2026–2028"
    )
    due: list[tuple[datetime.datetime, datetime.datetime]] = []
    for label in ("first pass", "second pass"):
        started = time.perf_counter()
        due = [
            (
                add_business_time(calendar, created, targets[priority][0]),
                add_business_time(calendar, created, targets[priority][1]),
            )
            for created, priority in tickets
        ]
        seconds = time.perf_counter() - started
        rate = len(tickets) / seconds
        verdict = "ok" if rate >= TARGET_PER_SECOND else "UNDER TARGET"
        print(
            f"{label:>12}: {seconds:6.2f} s, {rate:9,.0f} tickets/s (two due times each; "
            f"target ≥ {TARGET_PER_SECOND:,}: {verdict}), "
            f"{seconds / len(tickets) / 2 * 1e6:.1f} µs a due time"
        )
    now = datetime.datetime(2026, 7, 1, 12, 0, tzinfo=datetime.UTC)
    clocks = [
        SlaClock.start(targets[priority][1], created)
        for created, priority in tickets
        if created <= now
    ]
    started = time.perf_counter()
    states = [clock.state(calendar, now) for clock in clocks]
    seconds = time.perf_counter() - started
    counts = {state: states.count(state) for state in sorted(set(states))}
    print(
        f"{'states':>12}: {seconds:6.2f} s for {len(clocks):,} running clocks at "
        f"{now:%Y-%m-%d %H:%M} UTC ({len(clocks) / seconds:,.0f}/s): {counts}"
    )
    latest = max(resolution for _first, resolution in due)
    print(f"{'latest due':>12}: {latest:%Y-%m-%d %H:%M} UTC")


if __name__ == "__main__":
    main()
