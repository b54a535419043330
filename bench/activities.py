#!/usr/bin/env python
"""Benchmarks of the activities app (``bench/run.py --only activities``, part of
``make bench``; see bench/README.md, "Activities").

    .venv/bin/python bench/activities.py              # builds the data file on first use
    .venv/bin/python bench/activities.py --force      # rebuild it
    .venv/bin/python bench/activities.py --runs 20 --reminders 1000

1. The timeline panel fragment (``GET /timeline/person/<pk>/``, htmx) of a person with
   5,000 entries (interactions, tasks and appointments): first page, p50/p95.
2. "My day" (``GET /my-day/``) of a sales rep owning 50,000 people and 200,000 tasks.
3. Reminder delivery throughput: ``deliver_reminders_now`` (what the worker's
   ``deliver_due_reminders`` task runs) with 2,000 due reminders by e-mail, sent to a
   real SMTP server on loopback (aiosmtpd on 127.0.0.1, a free port); the figure is
   e-mails received per second.

Pages are measured in-process through Django's test client, as ``bench/run.py`` does.
The data lives in its own file, var/bench/activities-<version>.sqlite3, reused when
present. It is written by a fixture loader (``bulk_create`` straight into the tables,
no services, no audit entries, no search index), because 250,000 service calls would
take most of an hour. Dates are relative to the day the file was built; on reuse they
are moved forward by the days since (see ``_shift_dates``) so "today" and "overdue"
keep their shares.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import socket
import sys
import time
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.generate import BENCH_DIR, ROOT, build_data_file, ready_data_file
from bench.run import RESULTS, summary

#: Bump when the data shape changes, so an old file is not reused.
VERSION = 1
PEOPLE = 50_000
TASKS = 200_000
TIMELINE_ENTRIES = 5_000
BATCH = 5_000
SEED = 11
USERNAME = "bench-activities-rep"
TARGETS = {"timeline_p95_ms": 150.0, "my_day_p95_ms": 150.0, "reminders_per_s": 200.0}

FIRSTS = ("Ana", "Luis", "Marta", "John", "Emma", "Pedro", "Lucía", "Hugo", "Sara", "Omar")
LASTS = ("García", "Smith", "López", "Müller", "Rossi", "Dubois", "Silva", "Kowalski", "Kim")


def db_file() -> Path:
    return BENCH_DIR / f"activities-v{VERSION}.sqlite3"


def meta_file() -> Path:
    return BENCH_DIR / f"activities-v{VERSION}.json"


# --- data ------------------------------------------------------------------------------


def _load_people(rng: random.Random, own: dict[str, Any]) -> list[int]:
    """The people, ~90% with a birthday spread evenly over the year; their ids."""
    from clientela.contacts.models import Person

    people = []
    for i in range(PEOPLE):
        birthday = (
            datetime.date(1950, 1, 1) + datetime.timedelta(days=rng.randrange(20_000))
            if rng.random() < 0.9
            else None
        )
        people.append(
            Person(
                **own,
                first_name=rng.choice(FIRSTS),
                last_name=f"{rng.choice(LASTS)} {i}",
                birthday=birthday,
            )
        )
    Person.objects.bulk_create(people, batch_size=BATCH)
    return list(Person.objects.order_by("id").values_list("id", flat=True))


def _load(rng: random.Random) -> None:
    """The fixture loader (bulk_create into the tables; see the module docstring)."""
    from django.utils import timezone

    from clientela.activities.choices import InteractionChannel, Priority, TaskStatus
    from clientela.activities.models import Appointment, Interaction, Task
    from clientela.core.services import roles_ensure_defaults, user_create

    roles_ensure_defaults()
    user = user_create(
        username=USERNAME,
        password="bench-password",  # noqa: S106 (never used: the harness force-logs in)
        role_key="sales",
        team_name="North",
        email="rep@bench.example",
    )
    own = {"owner_id": user.pk, "team_id": user.team_id}
    now = timezone.now()

    def stamp(days_back: int) -> datetime.datetime:
        return now - datetime.timedelta(minutes=rng.randrange(days_back * 24 * 60))

    started = time.monotonic()
    person_ids = _load_people(rng, own)
    print(f"  {len(person_ids):,} people ({time.monotonic() - started:.0f} s)", flush=True)

    # Tasks: half done, the open ones ~0.5% due today, ~3% overdue, ~5% undated, the
    # rest due over the next year.
    task_links: list[Any] = []
    for start in range(0, TASKS, BATCH * 4):
        tasks = []
        for _i in range(start, min(start + BATCH * 4, TASKS)):
            roll = rng.random()
            status, completed, due = TaskStatus.OPEN, None, None
            if roll < 0.5:
                status, completed = TaskStatus.DONE, stamp(700)
                due = completed + datetime.timedelta(hours=rng.randrange(-48, 48))
            elif roll < 0.5025:
                due = now.replace(hour=rng.randrange(24), minute=0, second=0, microsecond=0)
            elif roll < 0.5175:
                due = stamp(400)
            elif roll < 0.9750:
                due = now + datetime.timedelta(days=1 + rng.randrange(365))
            tasks.append(
                Task(
                    **own,
                    title=f"Follow up {rng.randrange(10**6)}",
                    due_at=due,
                    status=status,
                    completed_at=completed,
                    priority=rng.choice(Priority.values),
                    assignee_id=user.pk,
                )
            )
        Task.objects.bulk_create(tasks, batch_size=BATCH)
        task_links.extend(
            Task.people.through(task_id=t.pk, person_id=rng.choice(person_ids)) for t in tasks
        )
    Task.people.through.objects.bulk_create(task_links, batch_size=BATCH)
    print(f"  {TASKS:,} tasks ({time.monotonic() - started:.0f} s)", flush=True)

    # The timeline person: 5,000 entries over three years, 60% interactions, 25% tasks,
    # 15% appointments (a few of them today, which "My day" also shows).
    busy = person_ids[0]
    channels = InteractionChannel.values
    interactions, tasks, appointments = [], [], []
    for _i in range(TIMELINE_ENTRIES):
        roll = rng.random()
        when = stamp(3 * 365)
        if roll < 0.6:
            interactions.append(
                Interaction(
                    **own,
                    channel=rng.choice(channels),
                    occurred_at=when,
                    subject=f"Talked about order {rng.randrange(10**5)}",
                    body="Asked for a quote; sent the price list.",
                    is_private=rng.random() < 0.05,
                )
            )
        elif roll < 0.85:
            tasks.append(
                Task(
                    **own,
                    title=f"Call back {rng.randrange(10**5)}",
                    due_at=when,
                    status=TaskStatus.DONE,
                    completed_at=when,
                    assignee_id=user.pk,
                )
            )
        else:
            start_at = (
                now.replace(minute=0, second=0, microsecond=0) if rng.random() < 0.01 else when
            )
            appointments.append(
                Appointment(
                    **own,
                    title=f"Visit {rng.randrange(10**5)}",
                    start_at=start_at,
                    end_at=start_at + datetime.timedelta(hours=1),
                    location="Office",
                )
            )
    Interaction.objects.bulk_create(interactions, batch_size=BATCH)
    Task.objects.bulk_create(tasks, batch_size=BATCH)
    Appointment.objects.bulk_create(appointments, batch_size=BATCH)
    Interaction.people.through.objects.bulk_create(
        [Interaction.people.through(interaction_id=x.pk, person_id=busy) for x in interactions],
        batch_size=BATCH,
    )
    Task.people.through.objects.bulk_create(
        [Task.people.through(task_id=x.pk, person_id=busy) for x in tasks], batch_size=BATCH
    )
    Appointment.people.through.objects.bulk_create(
        [Appointment.people.through(appointment_id=x.pk, person_id=busy) for x in appointments],
        batch_size=BATCH,
    )
    print(f"  timeline entries ({time.monotonic() - started:.0f} s)", flush=True)


def generate(*, force: bool = False) -> Path:
    return build_data_file(
        db_file(), lambda: _load(random.Random(SEED)), force=force, meta=meta_file()
    )


def _shift_dates() -> None:
    """Move every activity date forward by the days since the file was built, so a file
    built last week still has tasks due today (SQLite's datetime() keeps Django's
    format)."""
    from django.db import connection, transaction
    from django.utils import timezone

    meta = json.loads(meta_file().read_text()) if meta_file().exists() else {}
    today = timezone.now().date()
    built = datetime.date.fromisoformat(meta.get("built_on", today.isoformat()))
    days = (today - built).days
    if days <= 0:
        return
    columns = {
        "activities_task": ("due_at", "completed_at"),
        "activities_interaction": ("occurred_at",),
        "activities_appointment": ("start_at", "end_at"),
    }
    with transaction.atomic(), connection.cursor() as cursor:
        for table, names in columns.items():
            sets = ", ".join(f"{c} = datetime({c}, '+{days} days')" for c in names)
            cursor.execute(f"UPDATE {table} SET {sets}")
    meta_file().write_text(json.dumps({"built_on": today.isoformat()}))
    print(f"moved activity dates forward by {days} days", flush=True)


# --- measurements ----------------------------------------------------------------------


def _timed(client: Any, url: str, runs: int, **headers: Any) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _warm in range(3):
        response = client.get(url, **headers)
    samples = []
    for _run in range(runs):
        started = time.perf_counter()
        response = client.get(url, **headers)
        samples.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url, **headers)
    return {
        "url": url,
        "status_code": response.status_code,
        "bytes": len(response.content),
        "queries": len(ctx.captured_queries),
        "_body": response.content.decode(),
        **summary(samples),
    }


def measure_pages(client: Any, runs: int) -> dict[str, Any]:
    from django.urls import reverse

    from clientela.contacts.models import Person

    busy = Person.objects.order_by("id").values_list("id", flat=True).first()
    timeline_url = reverse("activities:timeline-entries", args=["person", busy])
    timeline = _timed(client, timeline_url, runs, HTTP_HX_REQUEST="true")
    timeline["entries_shown"] = timeline.pop("_body").count('class="timeline-entry')
    # For reference: the person page, which renders the same first page as its panel.
    person_page = _timed(client, reverse("contacts:person-detail", args=[busy]), runs)
    person_page.pop("_body")
    my_day = _timed(client, reverse("activities:my-day"), runs)
    my_day.pop("_body")
    return {"timeline": timeline, "person_page": person_page, "my_day": my_day}


class _Counter:
    """aiosmtpd handler that only counts the messages it accepts."""

    def __init__(self) -> None:
        self.received = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received += 1
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def measure_reminders(user: Any, count: int) -> dict[str, Any]:
    from django.test import override_settings
    from django.utils import timezone

    from clientela.activities.choices import TaskStatus
    from clientela.activities.models import Notification, Reminder, Task
    from clientela.activities.reminders import deliver_reminders_now

    now = timezone.now()
    task_ids = list(
        Task.objects.filter(assignee=user, status=TaskStatus.OPEN, due_at__gt=now)
        .order_by("id")
        .values_list("id", flat=True)[:count]
    )
    # Leftovers of an interrupted run would be delivered too and blur the count.
    Reminder.objects.filter(user=user).delete()
    Reminder.objects.bulk_create(
        [
            Reminder(
                task_id=task_id,
                user=user,
                minutes_before=15,
                remind_at=now - datetime.timedelta(seconds=1 + i % 600),
                by_email=True,
            )
            for i, task_id in enumerate(task_ids)
        ],
        batch_size=BATCH,
    )
    handler = _Counter()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=port,
            EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
            EMAIL_USE_TLS=False,
            EMAIL_USE_SSL=False,
            EMAIL_TIMEOUT=10,
        ):
            started = time.perf_counter()
            delivered = deliver_reminders_now()
            elapsed = time.perf_counter() - started
    finally:
        controller.stop()
        # Leave the file as it was, so the next run measures the same thing.
        Notification.objects.filter(reminder__user=user).delete()
        Reminder.objects.filter(user=user).delete()
    return {
        "reminders": len(task_ids),
        "claimed": delivered,
        "emails_received": handler.received,
        "seconds": round(elapsed, 3),
        "emails_per_s": round(handler.received / elapsed, 1) if elapsed else 0.0,
        "smtp": f"aiosmtpd on 127.0.0.1:{port}",
    }


def report(results: dict[str, Any]) -> str:
    def verdict(ok: bool) -> str:
        return "ok" if ok else "MISSED"

    t, d, r = results["timeline"], results["my_day"], results["reminders"]
    pp = results["person_page"]
    lines = [
        f"Activities ({results['people']:,} people, {results['tasks']:,} tasks; {results['user']})",
        "| measurement | value | target | |",
        "| --- | --- | --- | --- |",
        f"| timeline fragment, {TIMELINE_ENTRIES:,} entries, first page p50 / p95 "
        f"(`{t['url']}`, {t['entries_shown']} entries shown, {t['queries']} queries) "
        f"| {t['p50_ms']} / {t['p95_ms']} ms "
        f"| p95 < 150 ms | {verdict(t['p95_ms'] < TARGETS['timeline_p95_ms'])} |",
        f"| person page with that timeline panel p50 / p95 (`{pp['url']}`, "
        f"{pp['queries']} queries) | {pp['p50_ms']} / {pp['p95_ms']} ms | | |",
        f"| my day p50 / p95 ({d['queries']} queries) | {d['p50_ms']} / {d['p95_ms']} ms "
        f"| p95 < 150 ms | {verdict(d['p95_ms'] < TARGETS['my_day_p95_ms'])} |",
        f"| reminder e-mails ({r['emails_received']:,} received of {r['reminders']:,}) "
        f"| {r['emails_per_s']:,} /s | ≥ 200 /s "
        f"| {verdict(r['emails_per_s'] >= TARGETS['reminders_per_s'])} |",
    ]
    codes = {page["url"]: page["status_code"] for page in (t, pp, d)}
    if set(codes.values()) != {200}:
        lines.append(f"WARNING: status codes {codes}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description="Run Clientela's activities benchmarks.")
    parser.add_argument("--runs", type=int, default=40, help="timed requests per page")
    parser.add_argument("--reminders", type=int, default=2000, help="due reminders to deliver")
    parser.add_argument("--force", action="store_true", help="rebuild the data file")
    parser.add_argument("--generate-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    migrated = ready_data_file(
        __file__,
        db_file(),
        lambda: generate(force=args.force),
        force=args.force,
        generate_only=args.generate_only,
    )
    if migrated is None:
        return
    from django.test import Client

    from clientela.activities.models import Task
    from clientela.contacts.models import Person
    from clientela.core.models import User

    _shift_dates()
    user = User.objects.get(username=USERNAME)
    client = Client()
    client.force_login(user)
    results: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "people": Person.objects.count(),
        "tasks": Task.objects.count(),
        "user": f"{USERNAME} (sales rep, owns everything)",
        "load_average_at_start": os.getloadavg(),
        "migrations_applied_first": migrated,
    }
    results.update(measure_pages(client, args.runs))
    results["reminders"] = measure_reminders(user, args.reminders)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"activities-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str))
    print(report(results))
    print(f"\nJSON: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
