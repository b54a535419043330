"""Request and response bodies of the activities API (``/interactions``, ``/tasks``,
``/appointments``, ``/calendar/feed-url``).

As in ``contacts.schemas``: input schemas check types and lengths, the services check
everything else (end after start, reminders before the event, that linked people,
organizations and users exist and may be seen), so the API and the pages agree. Every
input field is optional here: on create a service reports what is missing, on update
only the fields sent change (``model_dump(exclude_unset=True)``).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Annotated, Any, Literal

from django.utils.translation import gettext as _
from ninja import Field
from pydantic import BeforeValidator

from clientela.activities.choices import Direction, InteractionChannel, Priority, TaskStatus
from clientela.core.api.pagination import PageParams
from clientela.core.api.schemas import (
    Flag,
    InputSchema,
    OutputSchema,
    RecordId,
    UserRef,
    Version,
    omissible,
)

MAX_LINKS = 100
MAX_REMINDERS = 10
#: A reminder further ahead than a year is a typo, not a plan.
MAX_MINUTES_BEFORE = 366 * 24 * 60


def _moment(value: Any) -> Any:
    """An ISO 8601 date and time with its offset. pydantic alone would read a number
    as a Unix timestamp and accept a time without a zone, which the server could
    only guess."""
    if isinstance(value, bool | int | float):
        raise ValueError(_("Enter a date and time."))
    if isinstance(value, str):
        try:
            value = datetime.datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(_("Enter a date and time.")) from None
    if isinstance(value, datetime.datetime) and value.utcoffset() is None:
        raise ValueError(_("Give the time zone of the date and time."))
    return value


#: An aware date and time, sent as ISO 8601 with an offset.
Moment = Annotated[
    datetime.datetime,
    BeforeValidator(_moment),
    Field(description="ISO 8601 with an offset, e.g. 2025-03-01T09:30:00+01:00."),
]
Links = Annotated[list[RecordId], Field(max_length=MAX_LINKS)]


class ReminderIn(InputSchema):
    minutes_before: int = Field(
        ge=0, le=MAX_MINUTES_BEFORE, description="How long before the due time or start."
    )
    by_email: Flag | None = Field(
        None, description="Also by e-mail; null follows the user's preference."
    )


class ReminderOut(OutputSchema):
    user_id: int
    minutes_before: int
    by_email: bool
    remind_at: datetime.datetime
    delivered_at: datetime.datetime | None


class AttachmentOut(OutputSchema):
    id: int
    name: str
    size: int
    content_type: str
    url: str = Field(description="Download it with the same token (scope activities:read).")


# --- interactions ---------------------------------------------------------------------


class InteractionIn(InputSchema):
    # Not nullable: leave a field out to keep its default or value (null is refused).
    channel: InteractionChannel = omissible()
    direction: Direction = omissible("Defaults to out.")
    occurred_at: Moment | None = Field(None, description="When it happened; defaults to now.")
    duration_minutes: int | None = Field(None, ge=0, le=100_000)
    subject: str | None = Field(None, max_length=200)
    body: str | None = Field(None, max_length=20000)
    outcome: str | None = Field(None, max_length=200)
    is_private: Flag | None = Field(None, description="Only you and admins see it.")
    person_ids: Links | None = None
    organization_id: RecordId | None = None


class InteractionPatch(InteractionIn):
    version: Version | None = Field(None, description="The version you read (or If-Match).")


class InteractionOut(OutputSchema):
    id: int
    version: int
    channel: str
    direction: str
    occurred_at: datetime.datetime
    duration_minutes: int | None
    subject: str
    body: str
    outcome: str
    is_private: bool
    person_ids: list[int]
    organization_id: int | None
    owner: UserRef
    attachments: list[AttachmentOut]
    created_at: datetime.datetime
    updated_at: datetime.datetime


class InteractionListParams(PageParams):
    person_id: RecordId | None = None
    organization_id: RecordId | None = Field(
        None, description="Includes the interactions of the organization's people."
    )
    channel: InteractionChannel | None = None


# --- tasks ----------------------------------------------------------------------------


class TaskIn(InputSchema):
    title: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=10000)
    due_at: Moment | None = None
    priority: Priority = omissible("Defaults to normal.")
    assignee_id: RecordId | None = Field(None, description="A user id; defaults to you.")
    person_ids: Links | None = None
    organization_id: RecordId | None = None
    reminders: Annotated[list[ReminderIn], Field(max_length=MAX_REMINDERS)] = omissible(
        "Replaces all reminders; they need a due time."
    )


class TaskPatch(TaskIn):
    status: TaskStatus | None = Field(
        None, description="done completes the task, open reopens it, cancelled cancels it."
    )
    version: Version | None = Field(None, description="The version you read (or If-Match).")


class TaskOut(OutputSchema):
    id: int
    version: int
    title: str
    description: str
    due_at: datetime.datetime | None
    priority: str
    assignee_id: int
    status: str
    completed_at: datetime.datetime | None
    person_ids: list[int]
    organization_id: int | None
    owner: UserRef
    reminders: list[ReminderOut]
    created_at: datetime.datetime
    updated_at: datetime.datetime


class TaskListParams(PageParams):
    view: Literal["mine", "team", "overdue", "all"] = Field(
        "mine",
        description="mine: assigned to you; team: your team's; overdue: open and past due; "
        "all: every task you may see.",
    )
    status: TaskStatus | None = None


# --- appointments ---------------------------------------------------------------------


class AppointmentIn(InputSchema):
    title: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=10000)
    start_at: Moment | None = None
    end_at: Moment | None = None
    time_zone: str | None = Field(
        None, max_length=64, description="IANA name, e.g. Europe/Madrid; defaults to yours."
    )
    location: str | None = Field(None, max_length=300)
    attendee_ids: Links | None = Field(None, description="Attending users' ids.")
    person_ids: Links | None = None
    organization_id: RecordId | None = None
    reminders: Annotated[list[ReminderIn], Field(max_length=MAX_REMINDERS)] = omissible(
        "Replaces all reminders."
    )


class AppointmentPatch(AppointmentIn):
    version: Version | None = Field(None, description="The version you read (or If-Match).")


class AppointmentOut(OutputSchema):
    id: int
    version: int
    title: str
    description: str
    start_at: datetime.datetime
    end_at: datetime.datetime
    time_zone: str
    location: str
    attendee_ids: list[int]
    person_ids: list[int]
    organization_id: int | None
    owner: UserRef
    reminders: list[ReminderOut]
    conflicts: list[int] = Field(
        description="Other appointments of the same attending users at an overlapping time."
    )
    created_at: datetime.datetime
    updated_at: datetime.datetime


class AppointmentListParams(PageParams):
    start: Moment | None = Field(None, description="Appointments ending after this.")
    end: Moment | None = Field(None, description="Appointments starting before this.")


# --- calendar feed --------------------------------------------------------------------


class FeedUrlOut(OutputSchema):
    url: str = Field(description="Your private iCalendar feed; anyone with it sees your agenda.")


# --- building responses ---------------------------------------------------------------


def _owner(record: Any) -> UserRef:
    return UserRef(id=record.owner.pk, username=record.owner.username)


def _ids(related: Any) -> list[int]:
    return sorted(obj.pk for obj in related.all())


def _reminders(record: Any) -> list[ReminderOut]:
    return [
        ReminderOut(
            user_id=r.user_id,
            minutes_before=r.minutes_before,
            by_email=r.by_email,
            remind_at=r.remind_at,
            delivered_at=r.delivered_at,
        )
        for r in record.reminders.all()
    ]


def interaction_out(interaction: Any, attachment_url: Callable[[Any], str]) -> InteractionOut:
    """``attachment_url`` makes each attachment's download link (the API knows its URLs)."""
    return InteractionOut(
        id=interaction.pk,
        version=interaction.version,
        channel=interaction.channel,
        direction=interaction.direction,
        occurred_at=interaction.occurred_at,
        duration_minutes=interaction.duration_minutes,
        subject=interaction.subject,
        body=interaction.body,
        outcome=interaction.outcome,
        is_private=interaction.is_private,
        person_ids=_ids(interaction.people),
        organization_id=interaction.organization_id,
        owner=_owner(interaction),
        attachments=[
            AttachmentOut(
                id=a.pk,
                name=a.name,
                size=a.size,
                content_type=a.content_type,
                url=attachment_url(a),
            )
            for a in interaction.attachments.all()
        ],
        created_at=interaction.created_at,
        updated_at=interaction.updated_at,
    )


def task_out(task: Any) -> TaskOut:
    return TaskOut(
        id=task.pk,
        version=task.version,
        title=task.title,
        description=task.description,
        due_at=task.due_at,
        priority=task.priority,
        assignee_id=task.assignee_id,
        status=task.status,
        completed_at=task.completed_at,
        person_ids=_ids(task.people),
        organization_id=task.organization_id,
        owner=_owner(task),
        reminders=_reminders(task),
        created_at=task.created_at,
        updated_at=task.updated_at,
    )


def appointment_out(appointment: Any, conflicts: list[int]) -> AppointmentOut:
    return AppointmentOut(
        id=appointment.pk,
        version=appointment.version,
        title=appointment.title,
        description=appointment.description,
        start_at=appointment.start_at,
        end_at=appointment.end_at,
        time_zone=appointment.time_zone,
        location=appointment.location,
        attendee_ids=_ids(appointment.attendees),
        person_ids=_ids(appointment.people),
        organization_id=appointment.organization_id,
        owner=_owner(appointment),
        reminders=_reminders(appointment),
        conflicts=conflicts,
        created_at=appointment.created_at,
        updated_at=appointment.updated_at,
    )
