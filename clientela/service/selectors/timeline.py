"""What service adds to a person's or an organization's timeline (``activities``),
through ``core.registry.register_timeline_source`` in ``apps.py``: each ticket the user
may read, when it was opened, with its number, subject and where it stands. One query
on the tickets' person or organization index."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from clientela.activities.timeline import of_customer
from clientela.contacts.models import Organization, Person
from clientela.core.registry import TimelineBefore, TimelineFilters, TimelineSource
from clientela.service.models import Ticket
from clientela.service.selectors.tickets import tickets_visible


def ticket_entries(
    *,
    user: Any,
    person: Person | None,
    organization: Organization | None,
    before: TimelineBefore,
    limit: int,
    filters: TimelineFilters,
) -> list[tuple[datetime.datetime, Any]]:
    """The readable tickets of the person, or of the organization and its people;
    ``actor_id`` keeps those that user is assigned."""
    of_them = of_customer(Ticket, person, organization)
    tickets = tickets_visible(user).filter(of_them, before.q("created_at"))
    if filters.actor_id is not None:
        tickets = tickets.filter(assignee_id=filters.actor_id)
    rows = tickets.select_related("assignee").order_by("-created_at", "-id")[:limit]
    return [(ticket.created_at, ticket) for ticket in rows]


SOURCES = (
    TimelineSource(
        key="ticket",
        label=_("Ticket"),
        icon="bi-life-preserver",
        entries=ticket_entries,
        template="service/tickets/_timeline_ticket.html",
        filter_label=_("Tickets"),
        order=60,
    ),
)
