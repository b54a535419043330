"""Handing the outbox's events to the subscribers (``register_subscriber``).

One pass (``dispatch_pending``) reads the events not yet dispatched, oldest first, and
hands them to each subscriber that wants their type, ``CHUNK`` events in one
transaction: takes the events' row locks, skips those the subscriber already has, runs
the handler of each in a savepoint of its own, and writes the marks
``EventDelivery.delivered_at``. The handlers' writes commit together with the marks,
so a worker killed at any point (``kill -9``) gives each subscriber each event exactly
once, for handlers whose effects are database writes; the unique
(event, subscriber) mark refuses a second delivery even from a racing worker.

Order per record: a subscriber never gets an event of a record before the earlier ones
of that record. An event it could not take (its handler failed and waits for the next
try, or another worker holds it) blocks the later events of the same record for that
subscriber only; other records and other subscribers go on.

A failing handler is logged and tried again after a wait that doubles from
``RETRY_FIRST`` up to ``RETRY_MAX``. Two workers never hand one event to one
subscriber at once: the row lock (``select_for_update(skip_locked)``) on PostgreSQL,
the database's single writer on SQLite (its transactions begin IMMEDIATE).
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from clientela.core.context import chain as acting_chain
from clientela.core.events import Subscriber, subscribers_for
from clientela.core.events.outbox import as_event
from clientela.core.events.records import fill_deferred
from clientela.core.models import EventDelivery, OutboxEvent

logger = logging.getLogger("clientela.events")

RETRY_FIRST = datetime.timedelta(seconds=30)
RETRY_MAX = datetime.timedelta(hours=1)
BATCH = 200
#: Events handed to one subscriber in one transaction (each in a savepoint).
CHUNK = 32


@dataclass
class Pass:
    """What one pass did."""

    delivered: int = 0
    failed: int = 0
    dispatched: int = 0
    blocked: set[tuple[str, str, int | None]] = field(default_factory=set)


def retry_after(attempts: int) -> datetime.timedelta:
    """The wait after the ``attempts``-th failure: 30 s, 1 min, 2 min … at most 1 h."""
    wait: datetime.timedelta = RETRY_FIRST * 2 ** max(0, min(attempts - 1, 20))
    return min(RETRY_MAX, wait)


def dispatch_pending(*, batch: int = BATCH) -> Pass:
    """One pass over every event waiting for dispatch, read ``batch`` at a time in
    id order (see the module); what blocks a record's events for a subscriber carries
    from batch to batch, and a blocked record never holds up the others."""
    done = Pass()
    after = 0
    while True:
        pending = OutboxEvent.objects.filter(dispatched_at__isnull=True, pk__gt=after)
        rows = list(pending.order_by("id")[:batch])
        if not rows:
            return done
        after = rows[-1].pk
        _dispatch_rows(rows, done)


def _dispatch_rows(rows: list[OutboxEvent], done: Pass) -> None:
    fill_deferred(rows)
    marks = _marks([r.pk for r in rows])
    todo: dict[str, tuple[Subscriber, list[tuple[OutboxEvent, EventDelivery | None]]]] = {}
    for row in rows:
        for subscriber in subscribers_for(row.type):
            state = marks.get((row.pk, subscriber.key))
            if state is None or state.delivered_at is None:
                todo.setdefault(subscriber.key, (subscriber, []))[1].append((row, state))
    unfinished: set[int] = set()
    for subscriber, waiting in todo.values():
        for start in range(0, len(waiting), CHUNK):
            unfinished |= _deliver(subscriber, waiting[start : start + CHUNK], done)
    finished = [r.pk for r in rows if r.pk not in unfinished]
    if finished:
        with transaction.atomic():  # IMMEDIATE on SQLite: waits for the write lock
            done.dispatched += OutboxEvent.objects.filter(pk__in=finished).update(
                dispatched_at=timezone.now()
            )


def _marks(ids: list[int]) -> dict[tuple[int, str], EventDelivery]:
    return {(m.event_id, m.subscriber): m for m in EventDelivery.objects.filter(event_id__in=ids)}


def _waits(state: EventDelivery | None, now: datetime.datetime) -> bool:
    return state is not None and state.next_attempt_at is not None and state.next_attempt_at > now


def _deliver(
    subscriber: Subscriber,
    waiting: list[tuple[OutboxEvent, EventDelivery | None]],
    done: Pass,
) -> set[int]:
    """Hand ``waiting`` (in order) to ``subscriber`` in one transaction, each handler in
    a savepoint of its own, the marks written with them; the ids of the events it
    does not have now."""
    now = timezone.now()
    missed: set[int] = set()
    rows = []
    for row, state in waiting:
        if (subscriber.key, row.resource, row.record_id) in done.blocked or _waits(state, now):
            done.blocked.add((subscriber.key, row.resource, row.record_id))
            missed.add(row.pk)
        else:
            rows.append(row)
    if not rows:
        return missed
    delivered = 0
    try:
        with transaction.atomic():
            locked = _lock([r.pk for r in rows])
            marks = {
                m.event_id: m
                for m in EventDelivery.objects.filter(
                    event_id__in=[r.pk for r in rows], subscriber=subscriber.key
                )
            }
            new, again = [], []
            for row in rows:
                key = (subscriber.key, row.resource, row.record_id)
                mark = marks.get(row.pk)
                if mark is not None and mark.delivered_at is not None:
                    continue  # another worker did meanwhile
                # held by another worker (PostgreSQL), or its wait began meanwhile
                if key in done.blocked or row.pk not in locked or _waits(mark, now):
                    done.blocked.add(key)
                    missed.add(row.pk)
                    continue
                if not _handle(row, subscriber, done):
                    done.blocked.add(key)
                    missed.add(row.pk)
                    continue
                delivered += 1
                if mark is None:
                    new.append(
                        EventDelivery(event=row, subscriber=subscriber.key, delivered_at=now)
                    )
                else:
                    again.append(mark.pk)
            EventDelivery.objects.bulk_create(new)
            if again:
                EventDelivery.objects.filter(pk__in=again).update(delivered_at=now, last_error="")
    except IntegrityError:
        # a racing worker wrote a mark first: all of this transaction was undone; the
        # next pass finds that worker's marks and hands out the rest
        for row in rows:
            done.blocked.add((subscriber.key, row.resource, row.record_id))
        return missed | {r.pk for r in rows}
    done.delivered += delivered
    return missed


def _handle(row: OutboxEvent, subscriber: Subscriber, done: Pass) -> bool:
    """Run the handler in a savepoint; a failure is undone, logged and given its wait."""
    try:
        with transaction.atomic(), acting_chain(tuple(row.chain or ())):
            subscriber.handle(as_event(row))
    except Exception as exc:
        logger.exception(
            "Event %s (%s) failed in subscriber %s", row.event_id, row.type, subscriber.key
        )
        _failed(row, subscriber, exc)
        done.failed += 1
        return False
    return True


def _lock(ids: list[int]) -> set[int]:
    """Take the events' row locks for this transaction; those another worker holds are
    left out (PostgreSQL). SQLite's immediate transactions already hold the one write
    lock."""
    if connection.vendor != "postgresql":
        return set(ids)
    locked = OutboxEvent.objects.select_for_update(skip_locked=True).filter(pk__in=ids)
    return set(locked.values_list("pk", flat=True))


def _failed(row: OutboxEvent, subscriber: Subscriber, exc: Exception) -> None:
    with transaction.atomic():
        mark, _created = EventDelivery.objects.select_for_update().get_or_create(
            event=row, subscriber=subscriber.key
        )
        mark.attempts += 1
        mark.next_attempt_at = timezone.now() + retry_after(mark.attempts)
        mark.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        mark.save(update_fields=["attempts", "next_attempt_at", "last_error"])


def prune(*, days: int | None = None) -> int:
    """Delete the events every subscriber had more than ``days`` ago
    (``CLIENTELA_EVENTS_KEEP_DAYS``) with their marks. Returns how many events."""
    keep = settings.CLIENTELA_EVENTS_KEEP_DAYS if days is None else days
    cutoff = timezone.now() - datetime.timedelta(days=keep)
    old = OutboxEvent.objects.filter(dispatched_at__lt=cutoff)
    EventDelivery.objects.filter(event__in=old).delete()
    count, _detail = old.delete()
    return int(count)
