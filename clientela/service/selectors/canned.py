"""The canned answers an agent may insert on a ticket: active ones in the ticket's
language (or every language), for its queue (or every queue)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from clientela.core.errors import NotFound
from clientela.core.kinds import parse_id
from clientela.service.models import CannedAnswer, Ticket


def canned_answers_for(*, ticket: Ticket) -> QuerySet[CannedAnswer]:
    return CannedAnswer.objects.filter(
        Q(language="") | Q(language=ticket.language),
        Q(queue__isnull=True) | Q(queue_id=ticket.queue_id),
        active=True,
    ).order_by("title", "id")


def canned_answer_get(*, ticket: Ticket, pk: Any) -> CannedAnswer:
    found = canned_answers_for(ticket=ticket).filter(pk=parse_id(pk)).first()
    if found is None:
        raise NotFound()
    return found


def canned_answer_list(*, user: Any) -> QuerySet[CannedAnswer]:
    """Every canned answer, for the page where admins and managers keep them."""
    return CannedAnswer.objects.select_related("queue").order_by("title", "id")
