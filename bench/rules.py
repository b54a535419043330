#!/usr/bin/env python
"""Benchmark of event dispatch to workflow rules and to a webhook receiver
(``bench/run.py --only rules``, part of ``make bench``; bench/README.md, "Issue 16
item 9"). Target: ≥ 500 events/s end to end.

    .venv/bin/python bench/rules.py --events 10000
    .venv/bin/python bench/rules.py --events 2000 --profile var/bench/rules.prof

1. A scratch SQLite database, migrated (as ``bench/events.py``); an admin; three
   enabled rules: "VIP follow-up" (person.created, tags contain VIP → add_tag
   Follow-up), "VIP seen" (person.updated, tags contain VIP → add_tag Seen) and
   "Nobody" (person.updated, a condition no one meets → add_tag Never); a webhook
   subscription to person.created and person.updated of a receiver on loopback
   (``--sink``: this script in a process of its own, a minimal HTTP/1.1 server on
   asyncio with keep-alive that answers ``200 {}`` and writes down each request's time
   and ``webhook-id``).
2. The events, not timed: ``--people`` people made by ``person_create`` (their
   person.created events; 10 % tagged VIP), the rest person.updated events of those
   people written in bulk by ``core.events.records.emit_records`` (the importer's
   path, rendered at once), so ``--events`` in all. The rules' own changes add
   events (a VIP's first Follow-up and Seen tags), which are dispatched and delivered
   too.
3. Timed: the worker's two jobs, each in its own thread as two workers would run them
   (``core.events.dispatch.dispatch_pending`` again and again until the outbox is
   empty, ``automation.tasks.send_due`` until no delivery is pending), from the first
   dispatch to the last request the receiver got. Also the CPU time of this process
   (both threads) per event, which does not depend on what else the machine runs.
4. Checked after: every event has exactly one mark of the "rules" subscriber and one of
   "webhooks", one delivery each, succeeded, and the receiver got each ``webhook-id``
   exactly once; the rules ran on every VIP.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TARGET = 500.0
ROOT = Path(__file__).resolve().parent.parent


# --- the receiver (its own process) --------------------------------------------------


def _sink(port: int, out: Path) -> None:
    """Answer every POST with ``200 {}`` over kept-alive connections; one line per
    request in ``out``: time, webhook-id."""
    lines = out.open("a", buffering=1)

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length, webhook_id = 0, "-"
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    name = name.strip().lower()
                    if name == b"content-length":
                        length = int(value)
                    elif name == b"webhook-id":
                        webhook_id = value.strip().decode()
                if length:
                    await reader.readexactly(length)
                lines.write(f"{time.time():.6f} {webhook_id}\n")
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b"Content-Length: 2\r\n\r\n{}"
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, asyncio.CancelledError, ConnectionError):
            pass
        finally:
            writer.close()

    async def serve() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=256)
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        async with server:
            await stop.wait()

    asyncio.run(serve())


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start_sink(folder: Path) -> tuple[subprocess.Popen[bytes], int, Path]:
    import socket

    port, out = _free_port(), folder / "received.txt"
    out.touch()
    sink = subprocess.Popen([sys.executable, __file__, "--sink", str(port), str(out)])
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.05)
    return sink, port, out


# --- set-up ------------------------------------------------------------------------------


def _setup(folder: Path) -> None:
    from clientela.core.testing.migrated import migrated_database

    url = f"sqlite:///{folder / 'rules.sqlite3'}"
    env = {
        "DATABASE_URL": url,
        "CLIENTELA_DATA_DIR": str(folder),
        "CLIENTELA_WEBHOOKS_ALLOW_PRIVATE": "true",
        "CLIENTELA_WEBHOOKS_ALLOW_HTTP": "true",
    }
    migrated_database({**os.environ, **env})
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()
    from django.conf import settings

    settings.CLIENTELA_WEBHOOKS_ALLOW_PRIVATE = True
    settings.CLIENTELA_WEBHOOKS_ALLOW_HTTP = True


def _rules_and_webhook(url: str) -> Any:
    from clientela.automation.services.rules import rule_create
    from clientela.automation.services.subscriptions import webhook_create
    from clientela.core.models import Team, User
    from clientela.core.services import roles_ensure_defaults

    roles_ensure_defaults()
    team = Team.objects.create(name="Bench")
    admin = User.objects.create(
        username="bench-rules", is_superuser=True, is_staff=True, team=team, email="a@x.test"
    )
    vip = {"all": [{"field": "tags", "op": "contains", "value": "VIP"}]}
    nobody = {"all": [{"field": "tags", "op": "contains", "value": "Nobody"}]}
    for name, event, conditions, tag in (
        ("VIP follow-up", "person.created", vip, "Follow-up"),
        ("VIP seen", "person.updated", vip, "Seen"),
        ("Nobody", "person.updated", nobody, "Never"),
    ):
        rule_create(
            actor=admin,
            data={
                "name": name,
                "enabled": True,
                "trigger": {"event": event},
                "conditions": conditions,
                "actions": [{"type": "add_tag", "tag": tag}],
            },  # type: ignore[typeddict-item]
        )
    webhook_create(
        actor=admin,
        data={"url": url, "events": ["person.created", "person.updated"], "description": "bench"},
    )
    return admin


def _emit(admin: Any, events: int, people: int) -> dict[str, Any]:
    """``people`` person_create calls, then person.updated events of them in bulk up
    to ``events`` in all (not timed)."""
    from clientela.contacts.services import person_create
    from clientela.core.events.records import emit_records

    started = time.perf_counter()
    ids = [
        person_create(
            actor=admin,
            data={
                "first_name": f"P{i}",
                "last_name": "Bench",
                "tags": ["VIP"] if i % 10 == 0 else [],
            },  # type: ignore[typeddict-item]
        ).pk
        for i in range(people)
    ]
    rest = events - people
    updated = [ids[i % len(ids)] for i in range(rest)]
    for start in range(0, rest, 1000):
        emit_records(
            actor=admin,
            resource="contacts.person",
            action="updated",
            ids=updated[start : start + 1000],
        )
    return {
        "created_by_person_create": people,
        "updated_by_emit_records": rest,
        "emission_s": round(time.perf_counter() - started, 1),
    }


# --- the timed part ----------------------------------------------------------------------


def _worker() -> None:
    """What a worker does with its two jobs, one after the other: a dispatch run
    (every waiting event to every subscriber), then a sending run (every due
    delivery), again while either finds work."""
    from clientela.automation.tasks import send_due
    from clientela.core.events.dispatch import dispatch_pending

    while dispatch_pending().delivered + send_due():
        pass


def _run_workers(profile: str | None) -> dict[str, Any]:
    """The worker's jobs until every event is out; wall time and CPU time."""
    cpu, started, wall = time.process_time(), time.time(), time.perf_counter()
    if profile:
        import cProfile

        cProfile.runctx("_worker()", globals(), {}, profile)
    else:
        _worker()
    return {
        "started": started,
        "workers_s": time.perf_counter() - wall,
        "cpu_s": time.process_time() - cpu,
    }


def _check(received: Path, started: float) -> dict[str, Any]:
    from clientela.automation.models import RuleRun, WebhookDelivery
    from clientela.contacts.models import Person
    from clientela.core.models import EventDelivery, OutboxEvent

    events = OutboxEvent.objects.count()
    marks = Counter(
        EventDelivery.objects.filter(delivered_at__isnull=False).values_list(
            "subscriber", flat=True
        )
    )
    per_event = Counter(
        EventDelivery.objects.filter(subscriber__in=("rules", "webhooks")).values_list(
            "event_id", "subscriber"
        )
    )
    lines = [line.split() for line in received.read_text().splitlines() if line.strip()]
    ids = Counter(webhook_id for _at, webhook_id in lines)
    last = max((float(at) for at, _id in lines), default=started)
    deliveries = Counter(WebhookDelivery.objects.values_list("status", flat=True))
    vips = Person.objects.filter(tags__name="VIP")
    checks = {
        "events": events,
        "undispatched": OutboxEvent.objects.filter(dispatched_at__isnull=True).count(),
        "marks_rules": marks["rules"],
        "marks_webhooks": marks["webhooks"],
        "marks_more_than_once": sum(1 for n in per_event.values() if n > 1),
        "deliveries": dict(deliveries),
        "requests_received": len(lines),
        "webhook_ids_received": len(ids),
        "webhook_ids_twice": sum(1 for n in ids.values() if n > 1),
        "rule_runs": RuleRun.objects.count(),
        "vips": vips.count(),
        "vips_followed_up": vips.filter(pk__in=Person.objects.filter(tags__name="Follow-up"))
        .distinct()
        .count(),
        "last_received": last,
    }
    checks["exactly_once"] = (
        checks["undispatched"] == 0
        and events == marks["rules"] == marks["webhooks"] == len(lines) == len(ids)
        and checks["marks_more_than_once"] == 0
        and deliveries.get("succeeded") == events
        and checks["vips"] == checks["vips_followed_up"]
    )
    return checks


def measure(events: int, people: int, folder: Path, profile: str | None) -> dict[str, Any]:
    sink, port, received = _start_sink(folder)
    try:
        admin = _rules_and_webhook(f"http://127.0.0.1:{port}/hooks")
        emitted = _emit(admin, events, people)
        load = os.getloadavg()
        timed = _run_workers(profile)
        time.sleep(0.2)  # the receiver writes its last lines
        checks = _check(received, timed["started"])
    finally:
        sink.terminate()
        sink.wait()
    total = checks["events"]
    seconds = checks.pop("last_received") - timed["started"]
    return {
        "events_emitted": events,
        **emitted,
        "events_dispatched": total,
        "end_to_end_s": round(seconds, 2),
        "events_per_s": round(total / seconds, 1),
        "workers_s": round(timed["workers_s"], 2),
        "cpu_ms_per_event": round(timed["cpu_s"] * 1000 / total, 3),
        "load_average_before": [round(x, 2) for x in load],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "target_events_per_s": TARGET,
        **checks,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--people", type=int, default=1_000)
    parser.add_argument("--profile", help="write a cProfile of the timed part here")
    parser.add_argument("--sink", nargs=2, metavar=("PORT", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.sink:
        _sink(int(args.sink[0]), Path(args.sink[1]))
        return
    with tempfile.TemporaryDirectory() as folder:
        _setup(Path(folder))
        result = measure(args.events, min(args.people, args.events), Path(folder), args.profile)
    print(json.dumps(result, indent=2))
    rate = result["events_per_s"]
    print(
        f"{result['events_dispatched']:,} events to rules and webhooks: {rate:,.0f} events/s "
        f"end to end (target ≥ {TARGET:.0f}), {result['cpu_ms_per_event']} ms CPU an event, "
        f"each exactly once: {'yes' if result['exactly_once'] else 'NO'}"
    )
    if not result["exactly_once"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
