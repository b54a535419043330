"""Reads of canned answers (the kind ``service.kinds.CANNED_ANSWERS``): anyone who may
read tickets reads the active ones (they insert them on tickets), admins and managers
every one (they keep them). A ticket offers the active answers in its language (or
every language) for its queue (or every queue)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from clientela.core.errors import NotFound
from clientela.core.kinds import parse_id
from clientela.core.permissions import can, require
from clientela.service.models import CannedAnswer, Ticket
from clientela.service.services.canned import may_manage


def for_language(language: str) -> Q:
    """The answers offered in ``language``: in it, or for every language."""
    return Q(language="") | Q(language=language)


def for_queue(queue_id: int | None) -> Q:
    """The answers offered on a ticket of ``queue_id``: for it, or for every queue (a
    ticket in no queue: only those)."""
    return Q(queue__isnull=True) | Q(queue_id=queue_id)


def canned_answer_list(
    *, user: Any, q: str = "", language: str | None = None, queue_id: int | None = None
) -> QuerySet[CannedAnswer]:
    """The answers ``user`` may read, by title: ``q`` in the title or text, those
    offered in ``language`` and on ``queue_id``'s tickets when given."""
    require(user, "read", Ticket.RESOURCE)
    qs = CannedAnswer.objects.select_related("queue").order_by("title", "id")
    if not may_manage(user):
        qs = qs.filter(active=True)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(body__icontains=q))
    if language is not None:
        qs = qs.filter(for_language(language))
    if queue_id is not None:
        qs = qs.filter(for_queue(queue_id))
    return qs


def canned_answer_get(*, user: Any, pk: Any) -> CannedAnswer:
    """One answer ``user`` may read; ``NotFound`` otherwise (an inactive one, for those
    who do not keep them)."""
    pk = parse_id(pk)
    if not can(user, "read", Ticket.RESOURCE):
        raise NotFound()
    found = canned_answer_list(user=user).filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def canned_answers_for(*, user: Any, ticket: Ticket) -> QuerySet[CannedAnswer]:
    """The answers ``ticket``'s page offers: active, in its language, for its queue."""
    return canned_answer_list(user=user).filter(
        for_language(ticket.language), for_queue(ticket.queue_id), active=True
    )


def canned_answer_for_ticket(*, user: Any, ticket: Ticket, pk: Any) -> CannedAnswer:
    """One of the answers ``ticket`` offers; ``NotFound`` for any other."""
    found = canned_answers_for(user=user, ticket=ticket).filter(pk=parse_id(pk)).first()
    if found is None:
        raise NotFound()
    return found
