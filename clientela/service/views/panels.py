"""The Tickets panel of person and organization pages (registered in ``apps.py``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

from clientela.contacts.models import Person
from clientela.core.permissions import can
from clientela.service.models import Ticket
from clientela.service.selectors.tickets import tickets_visible

LIMIT = 10


def tickets_panel(request: Any, record: Any) -> dict[str, Any]:
    user = request.user
    key = "person" if isinstance(record, Person) else "organization"
    tickets = list(
        tickets_visible(user)
        .filter(**{key: record.pk})
        .select_related("assignee")
        .order_by("-created_at", "-id")[: LIMIT + 1]
    )
    create_url = None
    if can(user, "create", Ticket.RESOURCE):
        create_url = f"{reverse('service:ticket-create')}?{urlencode({key: record.pk})}"
    list_url = (
        f"{reverse('service:ticket-list')}?{urlencode({f'{key}_id': record.pk, 'status': ''})}"
    )
    return {
        "tickets": tickets[:LIMIT],
        "more": len(tickets) > LIMIT,
        "create_url": create_url,
        "list_url": list_url,
    }
