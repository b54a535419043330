"""The domain events of customer service (``core.events``): ``ticket.created``,
``ticket.updated``, ``ticket.status_changed`` (with the status it left and entered),
``ticket.closed``, ``ticket.deleted``, ``ticket.restored``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from clientela.core.events import EventType
from clientela.core.events.records import RecordEvents, record_schema, register_record_events
from clientela.core.kinds import record_kind
from clientela.service.choices import TicketStatus
from clientela.service.models import Ticket

STATUS = {"type": ["string", "null"], "enum": [*TicketStatus.values, None]}


def _ticket_events(
    before: Mapping[str, Any], after: Mapping[str, Any]
) -> list[tuple[str, dict[str, Any]]]:
    found: list[tuple[str, dict[str, Any]]] = []
    status = after.get("status")
    if before and before.get("status") != status:
        found.append(
            ("ticket.status_changed", {"from_status": before.get("status"), "to_status": status})
        )
        if status == TicketStatus.CLOSED:
            found.append(("ticket.closed", {}))
    return found


def register() -> None:
    kind = record_kind(Ticket.RESOURCE)
    register_record_events(
        RecordEvents(
            resource=Ticket.RESOURCE,
            prefix="ticket",
            derive=_ticket_events,
            extra=[
                EventType(
                    name="ticket.status_changed",
                    description=_(
                        "A ticket's status changed; from_status and to_status say which."
                    ),
                    schema=record_schema(kind, {"from_status": STATUS, "to_status": STATUS}),
                    resource=Ticket.RESOURCE,
                ),
                EventType(
                    name="ticket.closed",
                    description=_("A ticket was closed."),
                    schema=record_schema(kind),
                    resource=Ticket.RESOURCE,
                ),
            ],
        )
    )
