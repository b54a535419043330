#!/usr/bin/env python
"""Benchmark of domain events (``bench/run.py --only events``, part of ``make bench``;
bench/README.md, "Domain events"; issue 16 item 9).

    .venv/bin/python bench/events.py --updates 400

The cost of emitting events on a person update: ``person_update`` (the one-record
service, through the shell of ``core.services.records``) on a migrated SQLite file,
alternately with the events on and with ``core.events.records.record_updated``
replaced by a no-op, so both halves run in the same process, on the same data, under
the same load. The figure is (median with − median without) ÷ median without.
Target: ≤ 10 %.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TARGET = 0.10


def _setup(folder: Path) -> None:
    from clientela.core.testing.migrated import migrated_database

    url = f"sqlite:///{folder / 'events.sqlite3'}"
    env = {"DATABASE_URL": url, "CLIENTELA_DATA_DIR": str(folder)}
    migrated_database({**os.environ, **env})
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()


def measure(updates: int) -> dict[str, Any]:
    from django.db import transaction

    from clientela.contacts.models import Person
    from clientela.contacts.services import person_create, person_update
    from clientela.core.events import records
    from clientela.core.models import OutboxEvent, Team, User
    from clientela.core.services import roles_ensure_defaults

    roles_ensure_defaults()
    team = Team.objects.create(name="Bench")
    admin = User.objects.create(
        username="bench-events", is_superuser=True, is_staff=True, team=team
    )
    people = [
        person_create(actor=admin, data={"first_name": f"P{i}", "last_name": "Bench"})
        for i in range(50)
    ]
    emit = records.record_updated
    timings: dict[bool, list[float]] = {True: [], False: []}
    for i in range(updates):
        on = i % 2 == 0
        records.record_updated = emit if on else (lambda *a, **k: None)
        person = Person.objects.get(pk=people[i % len(people)].pk)
        started = time.perf_counter()
        with transaction.atomic():
            person_update(actor=admin, person=person, data={"first_name": f"N{i}"})
        timings[on].append(time.perf_counter() - started)
    records.record_updated = emit
    with_, without = statistics.median(timings[True]), statistics.median(timings[False])
    return {
        "updates": updates,
        "update_ms_with_events": round(with_ * 1000, 3),
        "update_ms_without_events": round(without * 1000, 3),
        "event_cost_share": round((with_ - without) / without, 4),
        "target_share": TARGET,
        "events_written": OutboxEvent.objects.filter(type="person.updated").count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--updates", type=int, default=400)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        _setup(Path(folder))
        result = measure(args.updates)
    print(json.dumps(result, indent=2))
    share = result["event_cost_share"]
    print(f"events cost {share:.1%} of a person update (target ≤ {TARGET:.0%})")


if __name__ == "__main__":
    main()
