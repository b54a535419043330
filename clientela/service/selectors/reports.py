"""The tickets the service reports count: those the asking user may see (the ticket
list's own selector, so a report never shows what the list would hide), created in a
period, optionally of one queue. Reports aggregate over this in the database."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet

from clientela.core.permissions import can
from clientela.service.filters import TicketFilters
from clientela.service.models import Queue, Ticket
from clientela.service.selectors.tickets import ticket_list


def may_read_reports(user: Any) -> bool:
    """The reports are for whoever may read tickets (each figure then counts only the
    tickets they see)."""
    return bool(can(user, "read", Ticket.RESOURCE))


def report_tickets(
    *,
    user: Any,
    start: datetime.datetime,
    end: datetime.datetime,
    queue: Queue | None = None,
) -> QuerySet[Ticket]:
    """The tickets ``user`` may read created in ``[start, end)`` (of ``queue``), without
    an order, ready for ``values()`` and aggregates."""
    filters = TicketFilters(queue_id=queue.pk if queue is not None else None)
    return (
        ticket_list(user=user, filters=filters)
        .filter(created_at__gte=start, created_at__lt=end)
        .order_by()
    )
