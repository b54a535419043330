"""The service desk's settings over the API: ``/queues`` (read by anyone who may read
tickets; changed by admins), ``/sla-policies`` and ``/business-calendars`` (admins;
404 for anyone else). Bodies name the fields as the models do."""

from __future__ import annotations

import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Status

from clientela.core.api import (
    CHANGE_ERRORS,
    CREATE_ERRORS,
    DETAIL_ERRORS,
    LIST_ERRORS,
    CursorPage,
    PageParams,
    api_user,
    paginate,
    require_scope,
)
from clientela.core.api.schemas import Flag, InputSchema, OutputSchema, RecordId, omissible
from clientela.service.choices import AssignmentMode, TicketPriority
from clientela.service.models import BusinessCalendar, Queue, SlaPolicy
from clientela.service.selectors import config as selectors
from clientela.service.services import config as services
from clientela.service.services import config_sla as sla_services

router = Router(tags=["service settings"])
READ, WRITE = "service:read", "service:write"
DELETE_ERRORS = {204: None, **CHANGE_ERRORS}

Minutes = Annotated[int, Field(ge=0, le=1440)]
Interval = Annotated[list[Minutes], Field(min_length=2, max_length=2)]
Day = Annotated[list[Interval], Field(max_length=24)]


def _data(payload: InputSchema) -> Any:
    raw = payload.model_dump(exclude_unset=True)
    return {k: getattr(v, "value", v) for k, v in raw.items()}


# --- queues -----------------------------------------------------------------------------


class AgentIn(InputSchema):
    user_id: RecordId
    weight: int = Field(1, ge=1, le=services.MAX_WEIGHT)


class QueueIn(InputSchema):
    name: str = omissible("Required on create.")
    description: str = omissible()
    email: str = omissible("The support address customers write to.")
    team_id: RecordId = omissible("Required on create: the team its tickets belong to.")
    manager_id: RecordId | None = None
    agents: list[AgentIn] = Field(
        default_factory=list, max_length=services.MAX_AGENTS, description="Replaces the agents."
    )
    assignment: AssignmentMode = omissible("manual, round_robin or least_open.")
    max_open_per_agent: int = Field(default=0, ge=0, le=10_000, description="0: no limit.")
    reassign_after_minutes: int = Field(default=0, ge=0, le=525_600, description="0: never.")
    sla_policy_id: RecordId | None = None
    active: Flag = omissible()


class AgentOut(OutputSchema):
    user_id: int
    weight: int


class QueueOut(OutputSchema):
    id: int
    name: str
    description: str
    email: str
    team_id: int
    manager_id: int | None
    agents: list[AgentOut]
    assignment: str
    max_open_per_agent: int
    reassign_after_minutes: int
    sla_policy_id: int | None
    active: bool


def queue_out(queue: Queue) -> QueueOut:
    return QueueOut(
        id=queue.pk,
        name=queue.name,
        description=queue.description,
        email=queue.email,
        team_id=queue.team_id,
        manager_id=queue.manager_id,
        agents=[AgentOut(user_id=m.user_id, weight=m.weight) for m in queue.memberships.all()],
        assignment=queue.assignment,
        max_open_per_agent=queue.max_open_per_agent,
        reassign_after_minutes=queue.reassign_after_minutes,
        sla_policy_id=queue.sla_policy_id,
        active=queue.active,
    )


@router.get("/queues", response={200: CursorPage[QueueOut], **LIST_ERRORS})
@require_scope(READ)
def list_queues(request: HttpRequest, params: Query[PageParams]) -> dict[str, Any]:
    """Every queue with its agents and their round-robin weights."""
    qs = selectors.queue_list(user=api_user(request)).order_by("id")
    page = paginate(qs, limit=params.limit, cursor=params.cursor)
    return {"items": [queue_out(q) for q in page.items], "next_cursor": page.next_cursor}


@router.post("/queues", response={201: QueueOut, **CREATE_ERRORS})
@require_scope(WRITE)
def create_queue(request: HttpRequest, payload: QueueIn) -> Status[QueueOut]:
    """A new queue (admins)."""
    user = api_user(request)
    queue = services.queue_create(actor=user, data=_data(payload))
    return Status(201, queue_out(selectors.queue_get(user=user, pk=queue.pk)))


@router.get("/queues/{queue_id}", response={200: QueueOut, **DETAIL_ERRORS})
@require_scope(READ)
def get_queue(request: HttpRequest, queue_id: RecordId) -> QueueOut:
    """A queue (admins)."""
    return queue_out(selectors.queue_get(user=api_user(request), pk=queue_id))


@router.patch("/queues/{queue_id}", response={200: QueueOut, **CHANGE_ERRORS})
@require_scope(WRITE)
def update_queue(request: HttpRequest, queue_id: RecordId, payload: QueueIn) -> QueueOut:
    """Change what the body names; `agents` replaces the agents (admins)."""
    user = api_user(request)
    queue = selectors.queue_get(user=user, pk=queue_id)
    services.queue_update(actor=user, queue=queue, data=_data(payload))
    return queue_out(selectors.queue_get(user=user, pk=queue_id))


@router.delete("/queues/{queue_id}", response=DELETE_ERRORS)
@require_scope(WRITE)
def delete_queue(request: HttpRequest, queue_id: RecordId) -> Status[None]:
    """Delete a queue that never held a ticket (422 otherwise: deactivate it)."""
    user = api_user(request)
    services.queue_delete(actor=user, queue=selectors.queue_get(user=user, pk=queue_id))
    return Status(204, None)


# --- business calendars -----------------------------------------------------------------


class CalendarIn(InputSchema):
    name: str = omissible("Required on create.")
    time_zone: str = omissible("An IANA zone such as Europe/Madrid.")
    hours: list[Day] = Field(
        default_factory=list,
        min_length=7,
        max_length=7,
        description="Seven days, Monday first, each a list of [start, end] minutes.",
    )
    country: str = omissible("ISO 3166 code whose public holidays are days off.")
    subdivision: str = omissible("The region's code in the holidays package (MD: Madrid).")
    extra_holidays: list[Annotated[str, Field(max_length=20)]] = Field(
        default_factory=list, max_length=sla_services.MAX_EXTRA_DAYS, description="ISO dates."
    )


class CalendarOut(OutputSchema):
    id: int
    name: str
    time_zone: str
    hours: list[list[list[int]]]
    country: str
    subdivision: str
    extra_holidays: list[str]
    updated_at: datetime.datetime


def calendar_out(calendar: BusinessCalendar) -> CalendarOut:
    return CalendarOut(
        id=calendar.pk,
        name=calendar.name,
        time_zone=calendar.time_zone,
        hours=calendar.hours,
        country=calendar.country,
        subdivision=calendar.subdivision,
        extra_holidays=list(calendar.extra_holidays or []),
        updated_at=calendar.updated_at,
    )


@router.get("/business-calendars", response={200: CursorPage[CalendarOut], **LIST_ERRORS})
@require_scope(READ)
def list_calendars(request: HttpRequest, params: Query[PageParams]) -> dict[str, Any]:
    """Business calendars (admins)."""
    qs = selectors.calendar_list(user=api_user(request)).order_by("id")
    page = paginate(qs, limit=params.limit, cursor=params.cursor)
    return {"items": [calendar_out(c) for c in page.items], "next_cursor": page.next_cursor}


@router.post("/business-calendars", response={201: CalendarOut, **CREATE_ERRORS})
@require_scope(WRITE)
def create_calendar(request: HttpRequest, payload: CalendarIn) -> Status[CalendarOut]:
    """A calendar checked by the SLA arithmetic (422 naming the field otherwise)."""
    user = api_user(request)
    return Status(
        201, calendar_out(sla_services.business_calendar_create(actor=user, data=_data(payload)))
    )


@router.get("/business-calendars/{calendar_id}", response={200: CalendarOut, **DETAIL_ERRORS})
@require_scope(READ)
def get_calendar(request: HttpRequest, calendar_id: RecordId) -> CalendarOut:
    return calendar_out(selectors.calendar_get(user=api_user(request), pk=calendar_id))


@router.patch("/business-calendars/{calendar_id}", response={200: CalendarOut, **CHANGE_ERRORS})
@require_scope(WRITE)
def update_calendar(
    request: HttpRequest, calendar_id: RecordId, payload: CalendarIn
) -> CalendarOut:
    user = api_user(request)
    calendar = selectors.calendar_get(user=user, pk=calendar_id)
    return calendar_out(
        sla_services.business_calendar_update(actor=user, calendar=calendar, data=_data(payload))
    )


@router.delete("/business-calendars/{calendar_id}", response=DELETE_ERRORS)
@require_scope(WRITE)
def delete_calendar(request: HttpRequest, calendar_id: RecordId) -> Status[None]:
    """Delete a calendar no policy uses (422 otherwise)."""
    user = api_user(request)
    calendar = selectors.calendar_get(user=user, pk=calendar_id)
    sla_services.business_calendar_delete(actor=user, calendar=calendar)
    return Status(204, None)


# --- SLA policies -----------------------------------------------------------------------


class TargetIn(InputSchema):
    priority: TicketPriority
    first_response_minutes: int = Field(ge=1, le=sla_services.MAX_TARGET_MINUTES)
    resolution_minutes: int = Field(ge=1, le=sla_services.MAX_TARGET_MINUTES)


class PolicyIn(InputSchema):
    name: str = omissible("Required on create.")
    calendar_id: RecordId = omissible("Required on create.")
    position: int = Field(default=0, ge=0, le=10_000, description="The first match wins.")
    organization_id: RecordId | None = None
    customer_tag_id: RecordId | None = None
    targets: list[TargetIn] = Field(
        default_factory=list, max_length=4, description="Replaces the targets."
    )
    breach_raises_priority: Flag = omissible()
    breach_reassigns: Flag = omissible()
    active: Flag = omissible()


class TargetOut(OutputSchema):
    priority: str
    first_response_minutes: int
    resolution_minutes: int


class PolicyOut(OutputSchema):
    id: int
    name: str
    calendar_id: int
    position: int
    organization_id: int | None
    customer_tag_id: int | None
    targets: list[TargetOut]
    breach_raises_priority: bool
    breach_reassigns: bool
    active: bool


def policy_out(policy: SlaPolicy) -> PolicyOut:
    return PolicyOut(
        id=policy.pk,
        name=policy.name,
        calendar_id=policy.calendar_id,
        position=policy.position,
        organization_id=policy.organization_id,
        customer_tag_id=policy.customer_tag_id,
        targets=[
            TargetOut(
                priority=t.priority,
                first_response_minutes=t.first_response_minutes,
                resolution_minutes=t.resolution_minutes,
            )
            for t in policy.targets.all()
        ],
        breach_raises_priority=policy.breach_raises_priority,
        breach_reassigns=policy.breach_reassigns,
        active=policy.active,
    )


def _policy(request: HttpRequest, pk: int) -> PolicyOut:
    return policy_out(selectors.sla_policy_get(user=api_user(request), pk=pk))


@router.get("/sla-policies", response={200: CursorPage[PolicyOut], **LIST_ERRORS})
@require_scope(READ)
def list_policies(request: HttpRequest, params: Query[PageParams]) -> dict[str, Any]:
    """SLA policies in the order they are tried (admins)."""
    qs = selectors.sla_policy_list(user=api_user(request)).order_by("id")
    page = paginate(qs, limit=params.limit, cursor=params.cursor)
    return {"items": [policy_out(p) for p in page.items], "next_cursor": page.next_cursor}


@router.post("/sla-policies", response={201: PolicyOut, **CREATE_ERRORS})
@require_scope(WRITE)
def create_policy(request: HttpRequest, payload: PolicyIn) -> Status[PolicyOut]:
    """A policy with targets per priority in business minutes."""
    policy = sla_services.sla_policy_create(actor=api_user(request), data=_data(payload))
    return Status(201, _policy(request, policy.pk))


@router.get("/sla-policies/{policy_id}", response={200: PolicyOut, **DETAIL_ERRORS})
@require_scope(READ)
def get_policy(request: HttpRequest, policy_id: RecordId) -> PolicyOut:
    return _policy(request, policy_id)


@router.patch("/sla-policies/{policy_id}", response={200: PolicyOut, **CHANGE_ERRORS})
@require_scope(WRITE)
def update_policy(request: HttpRequest, policy_id: RecordId, payload: PolicyIn) -> PolicyOut:
    """Change what the body names; `targets` replaces the targets."""
    user = api_user(request)
    policy = selectors.sla_policy_get(user=user, pk=policy_id)
    sla_services.sla_policy_update(actor=user, policy=policy, data=_data(payload))
    return _policy(request, policy_id)


@router.delete("/sla-policies/{policy_id}", response=DELETE_ERRORS)
@require_scope(WRITE)
def delete_policy(request: HttpRequest, policy_id: RecordId) -> Status[None]:
    user = api_user(request)
    policy = selectors.sla_policy_get(user=user, pk=policy_id)
    sla_services.sla_policy_delete(actor=user, policy=policy)
    return Status(204, None)
