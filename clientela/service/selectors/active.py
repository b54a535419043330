"""The desk's active queues, as the services that route work read them: once per
``memo_scope`` (a mailbox poll's batch), with their managers."""

from __future__ import annotations

from clientela.core.memo import memoized
from clientela.service.models import Queue


def _load() -> dict[int, Queue]:
    return {q.pk: q for q in Queue.objects.filter(active=True).select_related("manager")}


def active_queues() -> dict[int, Queue]:
    """Active queues by id (shared within a scope: read, never change, them)."""
    return memoized("service.active_queues", _load)


def queue_for_address(addresses: list[str]) -> Queue | None:
    """The first active queue whose address is one of ``addresses`` (lower-case)."""
    by_address = {q.email.lower(): q for q in active_queues().values() if q.email}
    return next((by_address[a] for a in addresses if a in by_address), None)
