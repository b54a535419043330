"""Handing the outbox's events to the subscribers (``register_subscriber``).

One pass (``dispatch_pending``) reads the events not yet dispatched, oldest first, and
for each event and each subscriber that wants its type, in one transaction: takes the
event's row lock, skips it if the subscriber already has it, runs the handler, and
writes the mark ``EventDelivery.delivered_at``. The handler's writes commit together
with the mark, so a worker killed at any point (``kill -9``) gives each subscriber each
event exactly once, for handlers whose effects are database writes; the unique
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
    finished = []
    for row in rows:
        complete = True
        for subscriber in subscribers_for(row.type):
            state = marks.get((row.pk, subscriber.key))
            if state is not None and state.delivered_at is not None:
                continue
            key = (subscriber.key, row.resource, row.record_id)
            if key in done.blocked or not _deliver(row, subscriber, state, done):
                done.blocked.add(key)
                complete = False
        if complete:
            finished.append(row.pk)
    if finished:
        done.dispatched += OutboxEvent.objects.filter(pk__in=finished).update(
            dispatched_at=timezone.now()
        )


def _marks(ids: list[int]) -> dict[tuple[int, str], EventDelivery]:
    return {(m.event_id, m.subscriber): m for m in EventDelivery.objects.filter(event_id__in=ids)}


def _deliver(
    row: OutboxEvent, subscriber: Subscriber, state: EventDelivery | None, done: Pass
) -> bool:
    """Hand ``row`` to ``subscriber`` once; whether it has it now."""
    if state is not None and state.next_attempt_at and state.next_attempt_at > timezone.now():
        return False
    try:
        with transaction.atomic():
            if not _lock(row):
                return False  # another worker hands it out now
            mark = EventDelivery.objects.filter(event=row, subscriber=subscriber.key).first()
            if mark is not None and mark.delivered_at is not None:
                return True  # another worker did meanwhile
            with acting_chain(tuple(row.chain or ())):
                subscriber.handle(as_event(row))
            now = timezone.now()
            if mark is None:
                EventDelivery.objects.create(event=row, subscriber=subscriber.key, delivered_at=now)
            else:
                EventDelivery.objects.filter(pk=mark.pk).update(delivered_at=now, last_error="")
    except IntegrityError:
        # a racing worker wrote the mark first: its delivery stands, ours was undone
        return True
    except Exception as exc:
        logger.exception(
            "Event %s (%s) failed in subscriber %s", row.event_id, row.type, subscriber.key
        )
        _failed(row, subscriber, exc)
        done.failed += 1
        return False
    done.delivered += 1
    return True


def _lock(row: OutboxEvent) -> bool:
    """Take the event's row lock for this transaction; False if another worker has it
    (PostgreSQL). SQLite's immediate transactions already hold the one write lock."""
    if connection.vendor != "postgresql":
        return True
    locked = OutboxEvent.objects.select_for_update(skip_locked=True).filter(pk=row.pk)
    return bool(list(locked.values_list("pk", flat=True)))


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
