"""Who sees which tickets, and the reads of tickets and their conversation.

A user reads a ticket when their role's scope on tickets covers it (own: they own or
are assigned it; team; all), when it waits in a queue they are an agent of, or when it
is about a customer (person or organization) they may see: a sales rep reads their
customers' tickets. They change it only through the first two: seeing a customer lets
a rep read, not answer. Without the read right on tickets, nothing.
"""

from __future__ import annotations

from typing import Any

from django.db.models import (
    Case,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)

from clientela.contacts.selectors import organization_list, person_list
from clientela.core.choices import Scope
from clientela.core.errors import NotFound
from clientela.core.kinds import parse_id
from clientela.core.permissions import rights_for, visibility_q
from clientela.service.choices import OPEN_STATUSES, PRIORITY_ORDER
from clientela.service.filters import ACTIVE, ME, NOBODY, TicketFilters
from clientela.service.models import QueueMember, ServiceSettings, Ticket, TicketMessage

RESOURCE = Ticket.RESOURCE


def _worked_q(user: Any) -> Q | None:
    """The tickets ``user`` works on: their role's scope, their queues, their own
    assignments. None: no read right at all."""
    scope = visibility_q(user, RESOURCE)
    if scope is None:
        return None
    if rights_for(user, RESOURCE).scope == Scope.ALL:
        return Q()
    in_my_queue = Exists(QueueMember.objects.filter(queue=OuterRef("queue_id"), user=user.pk))
    return scope | Q(assignee=user.pk) | Q(in_my_queue)


def tickets_worked(user: Any) -> QuerySet[Ticket]:
    """The live tickets ``user`` may change (subject to the update right)."""
    q = _worked_q(user)
    if q is None:
        return Ticket.objects.none()
    return Ticket.objects.filter(q, deleted_at__isnull=True)


def tickets_visible(user: Any) -> QuerySet[Ticket]:
    """The live tickets ``user`` may read."""
    q = _worked_q(user)
    if q is None:
        return Ticket.objects.none()
    if q:
        people = person_list(user=user).order_by().values("pk")
        organizations = organization_list(user=user).order_by().values("pk")
        q = q | Q(person__in=people) | Q(organization__in=organizations)
    return Ticket.objects.filter(q, deleted_at__isnull=True)


def may_work_on(user: Any, ticket: Ticket) -> bool:
    return tickets_worked(user).filter(pk=ticket.pk).exists()


def ticket_get(*, user: Any, pk: Any) -> Ticket:
    """A ticket ``user`` may read (``NotFound`` otherwise, or when trashed)."""
    ticket = (
        tickets_visible(user)
        .select_related(
            "person",
            "organization",
            "queue",
            "assignee",
            "owner",
            "team",
            "category",
            "complaint_category",
            "root_cause",
            "sla_policy",
            "merged_into",
            "deal",
            "quote",
            "order",
            "rating",
        )
        .filter(pk=parse_id(pk))
        .first()
    )
    if ticket is None:
        raise NotFound()
    return ticket


def ticket_trash_get(*, user: Any, pk: Any) -> Ticket:
    """A trashed ticket ``user`` could see and work on before it was deleted."""
    q = _worked_q(user)
    found = None
    if q is not None:
        found = Ticket.objects.filter(q, pk=parse_id(pk), deleted_at__isnull=False).first()
    if found is None:
        raise NotFound()
    return found


def ticket_by_number(*, user: Any, number: int) -> Ticket | None:
    """The ticket of ``number`` if ``user`` may read it, following merges (a merged
    ticket's number leads to the ticket it went into)."""
    ticket = Ticket.objects.filter(number=number).first()
    seen = 0
    while ticket is not None and ticket.merged_into_id is not None and seen < 10:
        ticket = ticket.merged_into
        seen += 1
    if ticket is None:
        return None
    return tickets_visible(user).filter(pk=ticket.pk).first()


def ticket_messages(
    *, user: Any, ticket: Ticket, public_only: bool = False
) -> QuerySet[TicketMessage]:
    """The conversation of a ticket ``user`` may read, oldest first, with attachments."""
    if not tickets_visible(user).filter(pk=ticket.pk).exists():
        return TicketMessage.objects.none()
    messages = TicketMessage.objects.filter(ticket=ticket).select_related("author", "person")
    if public_only:
        messages = messages.filter(public=True)
    return messages.prefetch_related("attachments").order_by("created_at", "id")


# --- lists ------------------------------------------------------------------------------

_PRIORITY_RANK = Case(
    *(When(priority=p, then=Value(rank)) for rank, p in enumerate(PRIORITY_ORDER)),
    default=Value(0),
    output_field=IntegerField(),
)


def _search(qs: QuerySet[Ticket], text: str, prefix: str) -> QuerySet[Ticket]:
    """The number ("T-1042", "1042") or words of the subject or the customer's name."""
    number = text.removeprefix(prefix).strip() if text.startswith(prefix) else text
    if number.isdigit() and len(number) < 12:
        return qs.filter(number=int(number))
    q = Q()
    for word in text.split()[:5]:
        q &= (
            Q(subject__icontains=word)
            | Q(person__first_name__icontains=word)
            | Q(person__last_name__icontains=word)
            | Q(organization__name__icontains=word)
        )
    return qs.filter(q)


def apply_filters(qs: QuerySet[Ticket], filters: TicketFilters, user: Any) -> QuerySet[Ticket]:
    if filters.status == ACTIVE:
        qs = qs.filter(status__in_constants=OPEN_STATUSES)
    elif filters.status:
        qs = qs.filter(status=filters.status)
    for name in ("priority", "type", "sla_state"):
        if value := getattr(filters, name):
            qs = qs.filter(**{name: value})
    for name in ("queue_id", "category_id", "person_id", "organization_id", "assignee_id"):
        if (value := getattr(filters, name)) is not None:
            qs = qs.filter(**{name: value})
    if filters.assignee_mode == ME:
        qs = qs.filter(assignee=user.pk)
    elif filters.assignee_mode == NOBODY:
        qs = qs.filter(assignee__isnull=True)
    if filters.tag is not None:
        qs = qs.filter(tags=filters.tag)
    if filters.q:
        qs = _search(qs, filters.q, ServiceSettings.prefix())
    return qs


def ticket_list(*, user: Any, filters: TicketFilters | None = None) -> QuerySet[Ticket]:
    """The tickets ``user`` may read, filtered and sorted (by deadline by default:
    tickets without a running clock last, either way, on both databases)."""
    filters = filters or TicketFilters()
    qs = apply_filters(tickets_visible(user), filters, user).annotate(priority_rank=_PRIORITY_RANK)
    nulls_last = {
        "next_due_at": F("next_due_at").asc(nulls_last=True),
        "-next_due_at": F("next_due_at").desc(nulls_last=True),
        "last_message_at": F("last_message_at").asc(nulls_last=True),
        "-last_message_at": F("last_message_at").desc(nulls_last=True),
    }
    order = [nulls_last.get(column, column) for column in filters.order_by()]
    related = ("person", "organization", "queue", "assignee", "category")
    return qs.select_related(*related).order_by(*order)


def ticket_api_list(*, user: Any, filters: TicketFilters | None = None) -> QuerySet[Ticket]:
    """``ticket_list`` for the API, whose cursors page on plain columns."""
    filters = filters or TicketFilters()
    qs = apply_filters(tickets_visible(user), filters, user)
    return qs.select_related("queue", "assignee", "rating").prefetch_related("tags")
