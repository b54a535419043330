"""Writing domain events to the outbox (``core.models.OutboxEvent``).

``emit`` is called by a service *inside its transaction* (``record_create`` and the
other shells of ``core.services.records`` do it for every kind that registered its
events): the row commits with the change or not at all, so a crash after the commit
loses no event and a rolled back change leaves none. Outside a transaction (autocommit)
the single insert is its own transaction, which is as safe.

Once the transaction commits, a dispatch run is queued (``tasks.dispatch_events``); the
worker's sweep every minute catches any whose queuing was lost.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.utils import timezone

from clientela.core.context import current_chain, current_interface
from clientela.core.db import insert_rows
from clientela.core.events import Event, event_type
from clientela.core.models import OutboxEvent


@dataclass(frozen=True)
class Pending:
    """One event to write: what ``emit_many`` takes."""

    type: str
    resource: str
    record_id: int | None
    data: Mapping[str, Any] | None  # None: rendered by the worker (``records.fill_deferred``)


def emit(
    type_name: str,
    *,
    resource: str,
    record_id: int | None,
    data: Mapping[str, Any],
    actor: Any = None,
) -> None:
    """Write one event of a registered type (an unknown name is a programming error)."""
    emit_many([Pending(type_name, resource, record_id, data)], actor=actor)


_COLUMNS = [
    "event_id",
    "type",
    "version",
    "occurred_at",
    "resource",
    "record_id",
    "data",
    "actor_id",
    "interface",
    "chain",
    "render_later",
]


def emit_many(events: Iterable[Pending], *, actor: Any = None) -> int:
    """Write many events in one statement per batch (an import's thousands of new
    records); they share the actor, interface, rule chain and time. ``data`` must be
    JSON values already (``records.jsonable``). Returns how many."""
    now = timezone.now()
    actor_id = getattr(actor, "pk", None)
    interface, chain = current_interface(), list(current_chain())
    rows = [
        (
            uuid.uuid4().hex,
            e.type,
            _version(e.type),
            now,
            e.resource,
            e.record_id,
            {} if e.data is None else e.data,
            actor_id,
            interface,
            chain,
            e.data is None,
        )
        for e in events
    ]
    if rows:
        insert_rows(OutboxEvent, _COLUMNS, rows)
        queue_dispatch()
    return len(rows)


def _version(type_name: str) -> int:
    known = event_type(type_name)
    if known is None:
        raise ImproperlyConfigured(f"Event type {type_name!r} is not registered.")
    return known.version


def on_commit_once(callback: Callable[[], None]) -> None:
    """``transaction.on_commit(callback, robust=True)`` unless the transaction already
    has it waiting: one call per transaction, however often it is asked for."""
    # Django keeps (savepoint ids, callback, robust) per callback; stubs say pairs.
    waiting: list[Any] = list(connection.run_on_commit)
    if any(entry[1] is callback for entry in waiting):
        return
    transaction.on_commit(callback, robust=True)


def queue_dispatch() -> None:
    """Once the current transaction commits (at once in autocommit), queue a dispatch
    run: one per transaction, however many events it wrote."""
    on_commit_once(_queue_now)


def _queue_now() -> None:
    from clientela.core.events.tasks import ensure_dispatch_queued  # noqa: PLC0415

    ensure_dispatch_queued()


def as_event(row: OutboxEvent) -> Event:
    """The stored row as the ``Event`` handlers get."""
    return Event(
        id=str(row.event_id),
        type=row.type,
        version=row.version,
        occurred_at=row.occurred_at,
        resource=row.resource,
        record_id=row.record_id,
        data=row.data,
        actor_id=row.actor_id,
        interface=row.interface,
        chain=tuple(row.chain or ()),
    )


def since(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)
