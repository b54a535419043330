"""The service desk's settings over the API: ``/queues`` (read by anyone who may read
tickets; changed by admins), ``/sla-policies`` and ``/business-calendars`` (admins;
404 for anyone else), served by ``core.api.records`` from their kinds
(``service.kinds``) with the schemas, readers and renderings below. Bodies name the
fields as the models do."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from django.db.models import Model, QuerySet
from django.http import HttpRequest
from ninja import Field

from clientela.core.api import PageParams, api_user
from clientela.core.api.schemas import Flag, InputSchema, OutputSchema, RecordId, omissible
from clientela.service.choices import AssignmentMode, TicketPriority
from clientela.service.models import BusinessCalendar, Queue, SlaPolicy
from clientela.service.selectors import config as selectors
from clientela.service.services import config as services
from clientela.service.services import config_sla as sla_services

M = TypeVar("M", bound=Model)
Minutes = Annotated[int, Field(ge=0, le=1440)]
Interval = Annotated[list[Minutes], Field(min_length=2, max_length=2)]
Day = Annotated[list[Interval], Field(max_length=24)]


def settings_data(payload: InputSchema) -> Any:
    """A body as the services' data (enums as their values)."""
    raw = payload.model_dump(exclude_unset=True)
    return {k: getattr(v, "value", v) for k, v in raw.items()}


def oldest_first(
    list_selector: Callable[..., QuerySet[M]],
) -> Callable[[HttpRequest, PageParams], QuerySet[M]]:
    """A settings kind's API list (``RecordKind.api_list``): what ``list_selector``
    shows the token's user, oldest first (settings take no filters)."""

    def query(request: HttpRequest, params: PageParams) -> QuerySet[M]:
        return list_selector(user=api_user(request)).order_by("id")

    return query


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


#: Every queue for anyone who may read tickets (one queue, and every change, is
#: admins' alone).
queues_query = oldest_first(selectors.queue_list)
QUEUE_DOCS = {
    "list": "Every queue with its agents and their round-robin weights.",
    "create": "A new queue (admins).",
    "get": "A queue (admins).",
    "update": "Change what the body names; `agents` replaces the agents (admins).",
    "delete": "Delete a queue that never held a ticket (422 otherwise: deactivate it).",
}


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


calendars_query = oldest_first(selectors.calendar_list)
CALENDAR_DOCS = {
    "list": "Business calendars (admins).",
    "create": "A calendar checked by the SLA arithmetic (422 naming the field otherwise).",
    "update": "Change what the body names (admins).",
    "delete": "Delete a calendar no policy uses (422 otherwise).",
}


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


policies_query = oldest_first(selectors.sla_policy_list)
POLICY_DOCS = {
    "list": "SLA policies in the order they are tried (admins).",
    "create": "A policy with targets per priority in business minutes.",
    "update": "Change what the body names; `targets` replaces the targets.",
    "delete": "Delete a policy: its tickets keep their due times.",
}
