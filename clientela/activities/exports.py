"""The exports of interactions, tasks and appointments (``RecordKind.export_columns`` /
``export_rows``, see ``core.exports``), read through the kinds' scoped selectors with
their list filters (``activities.filters``); the tabular columns name the owner, the
organization, the people and the users beside the ids.

A task is written as the API shows it. The API body of an interaction holds download
links made from the request, and an appointment's its conflicts, looked up per page:
their exports write the records' plain values instead (``core.exports.plain_body``)."""

from __future__ import annotations

import datetime
from operator import attrgetter
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from clientela.activities.filters import AppointmentFilters, InteractionFilters, task_view
from clientela.activities.models import Appointment, Interaction, Task
from clientela.activities.selectors import TaskView, appointment_list, interaction_list, task_list
from clientela.core.exports import (
    ID_COLUMN,
    ExportColumn,
    ExportRows,
    Record,
    custom_text,
    field_column,
    ids,
    join_lines,
    name_column,
    names,
    plain_body,
    text_of,
    username,
    verbose_name,
)


def _linked_names(record: Interaction | Task | Appointment) -> dict[str, str]:
    return {
        "organization": text_of(record.organization),
        "people": names(record.people),
        "owner": username(record.owner),
    }


def _linked_columns(model: type[Any]) -> list[ExportColumn]:
    return [name_column(name, verbose_name(model, name)) for name in ("organization", "people")]


_OWNER = name_column("owner", gettext_lazy("owner"))
_TIMES = ("created_at", "updated_at")
_LINKS = ("version", "organization_id")

# --- interactions ---------------------------------------------------------------------

_INTERACTION_FIELDS = ("occurred_at", "channel", "direction", "duration_minutes", "subject")


def _interactions(*, user: Any, filters: InteractionFilters | None) -> QuerySet[Interaction]:
    filters = filters or InteractionFilters()
    found = interaction_list(
        user=user,
        person_id=filters.person,
        organization_id=filters.organization,
        channel=filters.channel or None,
    )
    return found.order_by(*filters.order_by())


def _interaction_body(interaction: Interaction) -> Record:
    return plain_body(
        interaction,
        (*_INTERACTION_FIELDS, "body", "outcome", "is_private", *_LINKS, *_TIMES),
        person_ids=ids(interaction.people),
        owner_id=interaction.owner_id,
        attachments=[a.name for a in interaction.attachments.all()],
    )


INTERACTION_COLUMNS = (
    ID_COLUMN,
    *(field_column(Interaction, name) for name in (*_INTERACTION_FIELDS, "body", "outcome")),
    field_column(Interaction, "is_private", lambda r: custom_text(r["is_private"])),
    *_linked_columns(Interaction),
    _OWNER,
    ExportColumn(
        "attachments",
        gettext_lazy("attachments"),
        lambda r: join_lines([name] for name in r["attachments"]),
    ),
    *(field_column(Interaction, name) for name in _TIMES),
)

INTERACTION_ROWS = ExportRows(
    parse=InteractionFilters.from_params,
    select=_interactions,
    names=_linked_names,
    body=_interaction_body,
)

# --- tasks ----------------------------------------------------------------------------


def _tasks(*, user: Any, filters: TaskView | None) -> QuerySet[Task]:
    qs = task_list(user=user, view=filters or "mine")
    return qs.select_related("owner").prefetch_related("reminders")


TASK_COLUMNS = (
    ID_COLUMN,
    *(field_column(Task, name) for name in ("title", "description", "due_at", "priority")),
    field_column(Task, "status"),
    name_column("assignee", verbose_name(Task, "assignee")),
    *_linked_columns(Task),
    _OWNER,
    *(field_column(Task, name) for name in ("completed_at", *_TIMES)),
)

TASK_ROWS = ExportRows(
    parse=task_view,
    select=_tasks,
    names=lambda task: {"assignee": username(task.assignee), **_linked_names(task)},
)

# --- appointments ---------------------------------------------------------------------

_APPOINTMENT_FIELDS = ("title", "description", "start_at", "end_at", "time_zone", "location")


def _midnight(day: datetime.date | None) -> datetime.datetime | None:
    if day is None:
        return None
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _appointments(*, user: Any, filters: AppointmentFilters | None) -> QuerySet[Appointment]:
    filters = filters or AppointmentFilters()
    last = filters.date_to and filters.date_to + datetime.timedelta(days=1)
    found = appointment_list(user=user, start=_midnight(filters.date_from), end=_midnight(last))
    return found.order_by(*filters.order_by())


def _appointment_body(appointment: Appointment) -> Record:
    return plain_body(
        appointment,
        (*_APPOINTMENT_FIELDS, *_LINKS, *_TIMES),
        attendee_ids=ids(appointment.attendees),
        person_ids=ids(appointment.people),
        owner_id=appointment.owner_id,
    )


APPOINTMENT_COLUMNS = (
    ID_COLUMN,
    *(field_column(Appointment, name) for name in _APPOINTMENT_FIELDS),
    name_column("attendees", verbose_name(Appointment, "attendees")),
    *_linked_columns(Appointment),
    _OWNER,
    *(field_column(Appointment, name) for name in _TIMES),
)

APPOINTMENT_ROWS = ExportRows(
    parse=AppointmentFilters.from_params,
    select=_appointments,
    names=lambda a: {
        "attendees": join_lines(
            [username(u)] for u in sorted(a.attendees.all(), key=attrgetter("pk"))
        ),
        **_linked_names(a),
    },
    body=_appointment_body,
)
