#!/usr/bin/env python
"""Benchmarks of the service desk (``bench/run.py --only service``, part of
``make bench``; see bench/README.md, "Service desk"; issue 14, item 14).

    .venv/bin/python bench/service.py                 # builds the data file on first use
    .venv/bin/python bench/service.py --force         # rebuild it
    .venv/bin/python bench/service.py --runs 30 --inbound 2000

1. The queue view at 200,000 tickets with 1,000,000 messages on SQLite: the ticket list
   of one queue, still-to-do tickets sorted by SLA deadline (the queue tab's default),
   as an admin and as a support agent who is a member of the queue; and the agent's
   "My tickets" (``?assignee=me&status=active``). p50/p95 of the whole page, rendered
   in-process through Django's test client.
2. E-mail to ticket from a real IMAP server: Debian's Dovecot on loopback (the tests'
   ``run_dovecot``), ``--inbound`` messages appended over IMAP (two in three new
   tickets from known and unknown senders, one in three replies threaded by
   ``In-Reply-To`` into tickets of the data file), then taken in by ``mailbox_poll``
   (what the worker runs): fetched, parsed, matched, threaded, stored, acknowledged
   by e-mail to a real SMTP server on loopback (aiosmtpd, in a process of its own as a
   mail server is: ``bench/smtp_sink.py``). The figure is messages a second, on a copy
   of the data file so the file stays as built.

Targets (issue 14): queue view p95 < 100 ms; inbound ≥ 100 messages/s. The due-time
arithmetic has its own script (bench/sla.py, no database).

The data file var/bench/service-v<version>.sqlite3 is written by a fixture loader
(rows straight into the tables, no services, audit or search index: a million service
calls would take hours) and reused when present. Due times are relative to the moment
the file was built, so on reuse they are moved forward by the time since.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.generate import BENCH_DIR, ROOT, build_data_file, ready_data_file
from bench.run import RESULTS, timed_get

VERSION = 1
TICKETS = 200_000
MESSAGES = 1_000_000
PEOPLE = 50_000
AGENTS = 24
QUEUES = ("Support", "Complaints", "Billing", "Returns")
BATCH = 10_000
SEED = 14
HISTORY_DAYS = 3 * 365
ADMIN = "bench-service-admin"
AGENT = "bench-agent-00"
TARGETS = {"queue_p95_ms": 100.0, "inbound_per_second": 100.0}
#: Status -> share of the tickets; the ones still to do are the newest.
STATUSES = (
    ("closed", 0.80),
    ("solved", 0.12),
    ("open", 0.04),
    ("new", 0.02),
    ("pending", 0.015),
    ("on_hold", 0.005),
)
#: Business minutes to the first response and to the solution, per priority.
SLA = {"urgent": (60, 480), "high": (120, 960), "normal": (240, 1440), "low": (480, 2880)}
CUSTOMER_SAYS = "Hello, the parcel arrived with a broken corner."
AGENT_SAYS = "Sorry, a new one is on its way."
HOURS = [[[540, 840], [960, 1140]]] * 4 + [[[480, 900]], [], []]


def db_file() -> Path:
    return BENCH_DIR / f"service-v{VERSION}.sqlite3"


def meta_file() -> Path:
    return BENCH_DIR / f"service-v{VERSION}.json"


# --- data ------------------------------------------------------------------------------


def insert_rows(model: Any, rows: Iterable[dict[str, Any]]) -> int:
    """Rows (attribute name -> value) straight into ``model``'s table with executemany,
    each value prepared as Django would store it; columns left out take the field's
    default. Ten times faster than ``bulk_create`` at a million rows."""
    from django.db import connection
    from django.db.models import AutoField, BigAutoField

    fields = [f for f in model._meta.concrete_fields if not isinstance(f, AutoField | BigAutoField)]
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} "
        f"({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    defaults = {f.attname: f.get_db_prep_save(f.get_default(), connection) for f in fields}
    count, batch = 0, []
    with connection.cursor() as cursor:
        for row in rows:
            batch.append(
                tuple(
                    f.get_db_prep_save(row[f.attname], connection)
                    if f.attname in row
                    else defaults[f.attname]
                    for f in fields
                )
            )
            if len(batch) == BATCH:
                cursor.executemany(sql, batch)
                count, batch = count + len(batch), []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def _staff() -> tuple[Any, list[Any]]:
    from clientela.core.services import roles_ensure_defaults, user_create

    roles_ensure_defaults()
    password = "bench-password"  # noqa: S105 (never used: the harness force-logs in)
    admin = user_create(username=ADMIN, password=password, role_key="admin", team_name="North")
    agents = [
        user_create(
            username=f"bench-agent-{i:02d}",
            password=password,
            role_key="support",
            team_name="North" if i % 2 == 0 else "South",
        )
        for i in range(AGENTS)
    ]
    return admin, agents


def _queues(admin: Any, agents: list[Any]) -> list[Any]:
    from clientela.service.models import BusinessCalendar, Queue, QueueMember, SlaPolicy, SlaTarget

    calendar = BusinessCalendar.objects.create(
        name="Madrid office", time_zone="Europe/Madrid", hours=HOURS, country="ES"
    )
    policy = SlaPolicy.objects.create(name="Standard", calendar=calendar)
    for priority, (first, solve) in SLA.items():
        SlaTarget.objects.create(
            policy=policy, priority=priority, first_response_minutes=first, resolution_minutes=solve
        )
    queues = []
    for i, name in enumerate(QUEUES):
        queue = Queue.objects.create(
            name=name,
            email=f"{name.lower()}@bench.example",
            team=agents[i % 2].team,
            manager=admin,
            sla_policy=policy,
        )
        # Each agent works in two queues: six agents a queue.
        for agent in agents:
            if i in (agents.index(agent) % len(QUEUES), (agents.index(agent) + 1) % len(QUEUES)):
                QueueMember.objects.create(queue=queue, user=agent)
        queues.append(queue)
    return queues


def _status(rng: random.Random) -> str:
    roll, total = rng.random(), 0.0
    for status, share in STATUSES:
        total += share
        if roll < total:
            return status
    return "closed"


def _ticket_rows(
    rng: random.Random, now: datetime.datetime, queues: list[Any], admin: Any
) -> Iterator[dict[str, Any]]:
    """The tickets in the order they were opened over HISTORY_DAYS; those still to do
    are mostly recent, each with its clock's due times around now."""
    members = {q.pk: list(q.members.all()) for q in queues}
    for n in range(TICKETS):
        opened = now - datetime.timedelta(days=HISTORY_DAYS * (1 - n / TICKETS))
        status = _status(rng) if n < TICKETS - 20_000 else rng.choice(["open", "new", "pending"])
        if n < TICKETS - 20_000 and status not in ("closed", "solved"):
            status = "closed"  # old tickets are done
        queue = queues[rng.randrange(len(queues))]
        assignee = rng.choice(members[queue.pk]) if rng.random() < 0.9 else None
        priority = rng.choice(["low", "normal", "normal", "high", "urgent"])
        first, solve = SLA[priority]
        done = status in ("closed", "solved")
        running = status in ("new", "open")
        due = now + datetime.timedelta(minutes=rng.randrange(-600, 3 * first))
        row: dict[str, Any] = {
            "created_at": opened,
            "updated_at": opened,
            "number": n + 1,
            "subject": f"Order {n} arrived damaged",
            "description": "The parcel arrived with a broken corner.",
            "type": "problem",
            "priority": priority,
            "status": status,
            "channel": "email",
            "language": rng.choice(["en", "es"]),
            "person_id": 1 + rng.randrange(PEOPLE),
            "queue_id": queue.pk,
            "assignee_id": assignee.pk if assignee else None,
            "owner_id": (assignee or admin).pk,
            "team_id": queue.team_id,
            "sla_state": "none" if done else ("paused" if not running else "ok"),
            "first_responded_at": None if status == "new" else opened + datetime.timedelta(hours=2),
            "first_response_due_at": opened + datetime.timedelta(minutes=first),
            "resolution_due_at": due if running else opened + datetime.timedelta(minutes=solve),
            "next_due_at": due if running else None,
            "solved_at": opened + datetime.timedelta(days=1) if done else None,
            "closed_at": opened + datetime.timedelta(days=3) if status == "closed" else None,
            "last_message_at": opened + datetime.timedelta(hours=rng.randrange(1, 48)),
        }
        if running and due < now:
            row["sla_state"] = "breached"
        yield row


def _message_rows(rng: random.Random, now: datetime.datetime) -> Iterator[dict[str, Any]]:
    """MESSAGES messages spread over the tickets (one to nine each), the customer's
    first, then replies in turn, every one with its own Message-ID."""
    per_ticket = MESSAGES / TICKETS
    made = 0
    for n in range(TICKETS):
        left = MESSAGES - made
        spread = max(1, round(rng.uniform(1, 2 * per_ticket - 1)))
        count = left if n == TICKETS - 1 else min(left, spread)
        opened = now - datetime.timedelta(days=HISTORY_DAYS * (1 - n / TICKETS))
        for i in range(count):
            from_customer = i % 2 == 0
            yield {
                "created_at": opened + datetime.timedelta(hours=i),
                "updated_at": opened + datetime.timedelta(hours=i),
                "ticket_id": n + 1,
                "public": True,
                "person_id": None,
                "from_address": f"customer{n % PEOPLE}@bench.example" if from_customer else "",
                "body": CUSTOMER_SAYS if from_customer else AGENT_SAYS,
                "message_id": f"<t{n + 1}.m{i}@bench.example>",
            }
        made += count


def _continue_numbers() -> None:
    """New tickets are numbered after the loader's 1..TICKETS (idempotent)."""
    from clientela.sales.models import DocumentSequence

    DocumentSequence.objects.update_or_create(kind="ticket", year=0, defaults={"last": TICKETS})


def _load(rng: random.Random) -> None:
    from django.utils import timezone

    from clientela.contacts.models import Person
    from clientela.service.models import Ticket, TicketMessage

    started = time.monotonic()
    now = timezone.now()
    admin, agents = _staff()
    queues = _queues(admin, agents)
    insert_rows(
        Person,
        (
            {
                "created_at": now,
                "updated_at": now,
                "owner_id": admin.pk,
                "team_id": admin.team_id,
                "first_name": "Customer",
                "last_name": f"{i:05d}",
                "email": f"customer{i}@bench.example",
            }
            for i in range(PEOPLE)
        ),
    )
    print(f"  {PEOPLE:,} people ({time.monotonic() - started:.0f} s)", flush=True)
    insert_rows(Ticket, _ticket_rows(rng, now, queues, admin))
    _continue_numbers()
    print(f"  {TICKETS:,} tickets ({time.monotonic() - started:.0f} s)", flush=True)
    insert_rows(TicketMessage, _message_rows(rng, now))
    print(f"  {MESSAGES:,} messages ({time.monotonic() - started:.0f} s)", flush=True)
    assert Ticket.objects.count() == TICKETS
    assert TicketMessage.objects.count() == MESSAGES


def generate(*, force: bool = False) -> Path:
    return build_data_file(
        db_file(), lambda: _load(random.Random(SEED)), force=force, meta=meta_file()
    )


def _shift_times() -> None:
    """Move the due times forward by the time since the file was built, so the share
    of breached tickets stays as built."""
    from django.db import connection, transaction
    from django.utils import timezone

    meta = json.loads(meta_file().read_text()) if meta_file().exists() else {}
    now = timezone.now()
    built = datetime.datetime.fromisoformat(meta.get("built_at", now.isoformat()))
    seconds = int((now - built).total_seconds())
    if seconds < 3600:
        return
    columns = ("next_due_at", "resolution_due_at", "first_response_due_at")
    with transaction.atomic(), connection.cursor() as cursor:
        sets = ", ".join(f"{c} = datetime({c}, '+{seconds} seconds')" for c in columns)
        cursor.execute(f"UPDATE service_ticket SET {sets} WHERE status IN ('new', 'open')")
    meta_file().write_text(json.dumps({"built_at": now.isoformat()}))
    print(f"moved due times forward by {seconds // 3600} hours", flush=True)


# --- measurements ----------------------------------------------------------------------


def measure_queue(runs: int) -> dict[str, Any]:
    from django.test import Client
    from django.urls import reverse

    from clientela.core.models import User
    from clientela.service.models import Queue
    from clientela.wsgi import settle_heap

    queue = Queue.objects.get(name="Support")
    tickets = reverse("service:ticket-list")
    settle_heap()  # as the server does once it has loaded (clientela/wsgi.py)
    results = {}
    for who, username, query in (
        ("admin, queue", ADMIN, f"?queue_id={queue.pk}&status=active"),
        ("agent, queue", AGENT, f"?queue_id={queue.pk}&status=active"),
        ("agent, my tickets", AGENT, "?assignee=me&status=active"),
    ):
        client = Client()
        client.force_login(User.objects.get(username=username))
        result = timed_get(client, tickets + query, runs)
        if result["status_code"] != 200:
            raise SystemExit(f"{result['url']} answered {result['status_code']}")
        results[who] = result
    return results


class _Sink:
    """The mail server's count of the acknowledgements it was given."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @property
    def received(self) -> int:
        return len(self.path.read_text().splitlines()) if self.path.exists() else 0


@contextmanager
def _smtp() -> Iterator[_Sink]:
    """A real SMTP server on loopback in a process of its own (``bench/smtp_sink.py``),
    with Django's SMTP backend pointed at it."""
    from django.conf import settings

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    with tempfile.TemporaryDirectory() as tmp:
        sink = _Sink(Path(tmp) / "received")
        server = subprocess.Popen(
            [
                sys.executable,
                str(Path(__file__).with_name("smtp_sink.py")),
                str(port),
                str(sink.path),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert server.stdout is not None
            if server.stdout.readline().strip() != "ready":
                raise SystemExit("the SMTP sink did not start")
            settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
            settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
            settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
            settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
            yield sink
        finally:
            server.terminate()
            server.wait(timeout=30)


def _mail(rng: random.Random, i: int) -> bytes:
    """Two in three new tickets (half from customers of the file, half from new
    senders), one in three replies to a ticket's message."""
    queue = QUEUES[i % len(QUEUES)].lower()
    if i % 3 == 2:
        ticket = 1 + rng.randrange(TICKETS)
        sender = f"customer{(ticket - 1) % PEOPLE}@bench.example"
        subject = "Re: Order arrived damaged"
        thread = f"In-Reply-To: <t{ticket}.m0@bench.example>\r\n"
    else:
        known = rng.random() < 0.5
        sender = f"customer{rng.randrange(PEOPLE)}@bench.example"
        if not known:
            sender = f"new{i}@elsewhere.example"
        subject, thread = f"Question about order {i}", ""
    return (
        f"From: Customer {i} <{sender}>\r\nTo: {queue}@bench.example\r\n"
        f"Subject: {subject}\r\nMessage-ID: <in{i}.{rng.random()}@mail.example>\r\n{thread}"
        "Date: Mon, 07 Dec 2026 09:00:00 +0100\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "Hola, el paquete llegó con una esquina rota. ¿Me pueden enviar otro?\r\n\r\n"
        "> On Monday you wrote:\r\n> Sorry, a new one is on its way.\r\n"
    ).encode()


def measure_inbound(count: int) -> dict[str, Any]:
    from clientela.core.inbound.polling import mailbox_poll
    from clientela.core.inbound.services import mailbox_create
    from clientela.core.models import User
    from clientela.core.testing.dovecot import run_dovecot
    from clientela.service.models import Ticket, TicketMessage

    admin = User.objects.get(username=ADMIN)
    rng = random.Random(SEED)
    tickets, messages = Ticket.objects.count(), TicketMessage.objects.count()
    with run_dovecot() as dovecot, _smtp() as sink:
        appended = time.perf_counter()
        dovecot.append(*(_mail(rng, i) for i in range(count)))
        append_s = time.perf_counter() - appended
        mailbox = mailbox_create(actor=admin, data=dovecot.mailbox_data())
        started, cpu = time.perf_counter(), time.process_time()
        result = mailbox_poll(mailbox_id=mailbox.pk)
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu
        acknowledged = sink.received
    if result.error or result.stored != count:
        raise SystemExit(f"inbound: stored {result.stored} of {count}: {result.error}")
    return {
        "messages": count,
        "seconds": round(seconds, 2),
        "per_second": round(count / seconds, 1),
        # The worker's own CPU time (not Dovecot's or the mail server's): what a busy
        # machine does not inflate.
        "cpu_ms_per_message": round(1000 * cpu / count, 2),
        "append_seconds": round(append_s, 2),
        "new_tickets": Ticket.objects.count() - tickets,
        "new_messages": TicketMessage.objects.count() - messages,
        "acknowledgements": acknowledged,
    }


def report(results: dict[str, Any]) -> str:
    def verdict(ok: bool) -> str:
        return "met" if ok else "**missed**"

    lines = ["| measurement | result | target | |", "|---|---|---|---|"]
    for who, r in results["queue"].items():
        lines.append(
            f"| queue view, {who} (`{r['url']}`, {r['queries']} queries) p50 / p95 "
            f"| {r['p50_ms']} / {r['p95_ms']} ms | p95 < 100 ms "
            f"| {verdict(r['p95_ms'] < TARGETS['queue_p95_ms'])} |"
        )
    i = results.get("inbound")
    if i:
        met = verdict(i["per_second"] >= TARGETS["inbound_per_second"])
        lines.append(
            f"| e-mail to ticket from Dovecot ({i['messages']:,} messages: {i['new_tickets']:,} "
            f"new tickets, {i['acknowledgements']:,} acknowledgements) | {i['per_second']} msg/s "
            f"({i['seconds']} s; worker CPU {i['cpu_ms_per_message']} ms a message) "
            f"| ≥ 100 msg/s | {met} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description="Run Clientela's service desk benchmarks.")
    parser.add_argument("--force", action="store_true", help="rebuild the data file")
    parser.add_argument("--runs", type=int, default=30, help="timed requests per page")
    parser.add_argument("--inbound", type=int, default=2000, help="messages (0: skip)")
    parser.add_argument("--generate-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    path = db_file()
    migrated = ready_data_file(
        __file__,
        path,
        lambda: generate(force=args.force),
        force=args.force,
        generate_only=args.generate_only,
    )
    if migrated is None:
        return
    copy = path.with_suffix(".inbound.sqlite3")

    from django.db import connection

    results: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "tickets": TICKETS,
        "messages": MESSAGES,
        "load_average_at_start": os.getloadavg(),
        "migrations_applied_first": migrated,
    }
    _shift_times()
    _continue_numbers()
    results["queue"] = measure_queue(args.runs)
    if args.inbound:
        with connection.cursor() as cursor:  # the copy must hold what the WAL holds
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.close()
        for stale in (copy, Path(f"{copy}-wal"), Path(f"{copy}-shm")):
            stale.unlink(missing_ok=True)
        shutil.copyfile(path, copy)
        connection.settings_dict["NAME"] = str(copy)
        try:
            results["inbound"] = measure_inbound(args.inbound)
        finally:
            connection.close()
            copy.unlink(missing_ok=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"service-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(results, indent=2, default=str))
    print(report(results))
    print(f"\nwritten to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
