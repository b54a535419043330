"""``/tickets/{id}/messages`` and ``/tickets/{id}/merge``, and what ``core.api.records``
needs to serve ``/tickets`` (list, create, retrieve, update, delete) from the kind's
declaration in ``service.kinds``. A ticket the token's user may not read is a 404."""

from __future__ import annotations

import datetime
from typing import Annotated, Any, cast

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Status

from clientela.contacts.schemas import CustomValue, TagName
from clientela.core.api import (
    CHANGE_ERRORS,
    DETAIL_ERRORS,
    CursorPage,
    PageParams,
    api_user,
    paginate,
    require_scope,
)
from clientela.core.api.schemas import Flag, InputSchema, OutputSchema, RecordId, omissible
from clientela.core.choices import Language
from clientela.service.choices import TicketChannel, TicketPriority, TicketStatus, TicketType
from clientela.service.filters import TicketFilters
from clientela.service.models import Ticket, TicketMessage, TicketRating
from clientela.service.selectors import tickets as selectors
from clientela.service.services import conversation
from clientela.service.services import tickets as services

router = Router(tags=["tickets"])
READ, WRITE = "service:read", "service:write"

#: The API's sorts: columns, which cursors page on (the list page's priority order is
#: worked out, not stored).
API_SORTS = ("created", "number", "updated", "due", "last_message", "status", "subject")


class TicketIn(InputSchema):
    subject: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=20000)
    type: TicketType = omissible("question, problem, complaint or request.")
    priority: TicketPriority = omissible("low, normal, high or urgent.")
    status: TicketStatus = omissible(
        "new, open, pending, on_hold, solved or closed, along the allowed transitions."
    )
    channel: TicketChannel = omissible()
    language: Language = omissible("The customer's language: replies are e-mailed in it.")
    category_id: RecordId | None = None
    queue_id: RecordId | None = None
    assignee_id: RecordId | None = Field(None, description="An agent of the queue.")
    person_id: RecordId | None = None
    organization_id: RecordId | None = None
    deal_id: RecordId | None = None
    quote_id: RecordId | None = None
    order_id: RecordId | None = None
    complaint_category_id: RecordId | None = None
    root_cause_id: RecordId | None = None
    resolution: str | None = Field(None, max_length=10000)
    compensation: str | None = Field(None, max_length=30, description="A decimal string.")
    compensation_currency: str | None = Field(None, max_length=3)
    customer_agreed: Flag = omissible("Closed with the customer's agreement (complaints).")
    tags: list[TagName] = Field(
        default_factory=list,
        max_length=50,
        description="Tag names; replaces all the ticket's tags.",
    )
    custom: dict[Annotated[str, Field(max_length=50)], CustomValue] = Field(
        default_factory=dict, description="Custom field values by key; null clears one."
    )


class TicketPatch(TicketIn):
    version: int | None = Field(None, ge=1, description="The version you read (or If-Match).")


class RatingOut(OutputSchema):
    score: int = Field(description="1 (very dissatisfied) to 5 (very satisfied).")
    comment: str
    rated_at: datetime.datetime
    agent_id: int | None = Field(description="The assignee when the ticket was solved.")
    queue_id: int | None


class TicketOut(OutputSchema):
    id: int
    number: str = Field(description="With the prefix, e.g. T-1042.")
    subject: str
    description: str
    status: str
    priority: str
    type: str
    channel: str
    language: str
    category_id: int | None
    queue_id: int | None
    assignee_id: int | None
    person_id: int | None
    organization_id: int | None
    deal_id: int | None
    quote_id: int | None
    order_id: int | None
    complaint_category_id: int | None
    root_cause_id: int | None
    resolution: str
    compensation: str | None
    compensation_currency: str
    customer_agreed: bool
    first_response_due_at: datetime.datetime | None
    resolution_due_at: datetime.datetime | None
    first_responded_at: datetime.datetime | None
    solved_at: datetime.datetime | None
    sla_state: str
    merged_into_id: int | None
    tags: list[str]
    custom: dict[str, Any]
    rating: RatingOut | None = Field(description="The customer's rating, once given.")
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime


class TicketListParams(PageParams):
    q: str | None = Field(None, max_length=200, description="Number, subject or customer.")
    status: str | None = Field(None, max_length=20, description="A status, or `active`.")
    queue_id: RecordId | None = None
    assignee_id: str | None = Field(
        None,
        max_length=18,
        pattern=r"^(me|none|[1-9][0-9]{0,17})$",
        description="A user id, `me` or `none`.",
    )
    priority: TicketPriority | None = None
    person_id: RecordId | None = None
    organization_id: RecordId | None = None
    tag: RecordId | None = Field(None, description="A tag id.")
    sort: str = Field(
        "-created",
        max_length=20,
        pattern=rf"^-?({'|'.join(API_SORTS)})$",
        description="Sort by " + ", ".join(f"`{k}`" for k in API_SORTS) + " (`-key` descends).",
    )


def _rating_out(rating: TicketRating | None) -> RatingOut | None:
    if rating is None:
        return None
    return RatingOut(
        score=rating.score,
        comment=rating.comment,
        rated_at=rating.rated_at,
        agent_id=rating.agent_id,
        queue_id=rating.queue_id,
    )


def ticket_out(ticket: Ticket) -> TicketOut:
    return TicketOut(
        id=ticket.pk,
        number=ticket.label,
        subject=ticket.subject,
        description=ticket.description,
        status=ticket.status,
        priority=ticket.priority,
        type=ticket.type,
        channel=ticket.channel,
        language=ticket.language,
        category_id=ticket.category_id,
        queue_id=ticket.queue_id,
        assignee_id=ticket.assignee_id,
        person_id=ticket.person_id,
        organization_id=ticket.organization_id,
        deal_id=ticket.deal_id,
        quote_id=ticket.quote_id,
        order_id=ticket.order_id,
        complaint_category_id=ticket.complaint_category_id,
        root_cause_id=ticket.root_cause_id,
        resolution=ticket.resolution,
        compensation=str(ticket.compensation) if ticket.compensation is not None else None,
        compensation_currency=ticket.compensation_currency,
        customer_agreed=ticket.customer_agreed,
        first_response_due_at=ticket.first_response_due_at,
        resolution_due_at=ticket.resolution_due_at,
        first_responded_at=ticket.first_responded_at,
        solved_at=ticket.solved_at,
        sla_state=ticket.sla_state,
        merged_into_id=ticket.merged_into_id,
        tags=sorted(t.name for t in ticket.tags.all()),
        custom=dict(ticket.custom or {}),
        rating=_rating_out(getattr(ticket, "rating", None)),
        version=ticket.version,
        created_at=ticket.created_at,
        updated_at=ticket.updated_at,
    )


def ticket_data(payload: TicketIn) -> services.TicketData:
    raw = payload.model_dump(exclude_unset=True, exclude={"version"})
    data = {k: getattr(v, "value", v) for k, v in raw.items()}
    return cast(services.TicketData, data)


#: The ids the schema has already read as integers (``115.0`` included).
_ID_PARAMS = ("queue_id", "person_id", "organization_id", "tag")


def tickets_query(request: HttpRequest, params: TicketListParams) -> QuerySet[Ticket]:
    query = request.GET.copy()
    for name in _ID_PARAMS:
        if (value := getattr(params, name, None)) is not None:
            query[name] = str(value)
    filters, errors = TicketFilters.from_params(query)
    if filters.sort not in API_SORTS:
        errors["sort"] = [f"Sort by one of: {', '.join(API_SORTS)}."]
    if errors:
        raise ValidationError(errors)
    qs = selectors.ticket_api_list(user=api_user(request), filters=filters)
    return qs.order_by(*filters.order_by())


TICKET_DOCS = {
    "list": "Filters: `status` (or `active`), `queue_id`, `assignee_id` (or `me`, `none`), "
    "`priority`, `person_id`, `organization_id`, `tag` (a tag id), `q`. Newest first by "
    "default. Each ticket carries its `tags`, `custom` fields and the customer's `rating`.",
    "create": "A subject is required; the queue's rule assigns an agent when none is given.",
    "update": "Send only the fields to change; a status moves along the allowed transitions.",
}


# --- the conversation ------------------------------------------------------------------


class MessageIn(InputSchema):
    body: str = Field(min_length=1, max_length=100000)
    public: Flag = Field(
        True, description="A reply e-mailed to the customer, or (false) an internal note."
    )


class MessageOut(OutputSchema):
    id: int
    public: bool
    body: str
    author_id: int | None = Field(description="The agent; null for the customer's messages.")
    person_id: int | None
    from_address: str
    channel: str
    created_at: datetime.datetime
    sent_at: datetime.datetime | None


def message_out(message: TicketMessage) -> MessageOut:
    return MessageOut(
        id=message.pk,
        public=message.public,
        body=message.body,
        author_id=message.author_id,
        person_id=message.person_id,
        from_address=message.from_address,
        channel=message.channel,
        created_at=message.created_at,
        sent_at=message.sent_at,
    )


@router.get(
    "/tickets/{ticket_id}/messages", response={200: CursorPage[MessageOut], **DETAIL_ERRORS}
)
@require_scope(READ)
def list_messages(
    request: HttpRequest, ticket_id: RecordId, params: Query[PageParams]
) -> dict[str, Any]:
    """The conversation, oldest first: replies, the customer's messages and internal
    notes (notes only for users who work on the ticket)."""
    user = api_user(request)
    ticket = selectors.ticket_get(user=user, pk=ticket_id)
    public_only = not selectors.may_work_on(user, ticket)
    messages = selectors.ticket_messages(user=user, ticket=ticket, public_only=public_only)
    page = paginate(messages.order_by("id"), limit=params.limit, cursor=params.cursor)
    return {"items": [message_out(m) for m in page.items], "next_cursor": page.next_cursor}


@router.post("/tickets/{ticket_id}/messages", response={201: MessageOut, **CHANGE_ERRORS})
@require_scope(WRITE)
def create_message(
    request: HttpRequest, ticket_id: RecordId, payload: MessageIn
) -> Status[MessageOut]:
    """A public reply (e-mailed to the customer, in their language) or an internal note."""
    user = api_user(request)
    ticket = selectors.ticket_get(user=user, pk=ticket_id)
    message = conversation.ticket_reply(
        actor=user, ticket=ticket, body=payload.body, public=payload.public
    )
    return Status(201, message_out(message))


class TicketMergeIn(InputSchema):
    into_id: RecordId = Field(description="The ticket this duplicate goes into.")


@router.post("/tickets/{ticket_id}/merge", response={200: TicketOut, **CHANGE_ERRORS})
@require_scope(WRITE)
def merge_ticket(request: HttpRequest, ticket_id: RecordId, payload: TicketMergeIn) -> TicketOut:
    """Merge this duplicate into another ticket: its messages move, it closes, and its
    number leads to the other ticket."""
    user = api_user(request)
    ticket = selectors.ticket_get(user=user, pk=ticket_id)
    into = selectors.ticket_get(user=user, pk=payload.into_id)
    return ticket_out(services.ticket_merge(actor=user, ticket=ticket, into=into))
