"""The domain events of the contact history and the working day (``core.events``):
``interaction.logged`` (an interaction's creation), ``task.completed`` besides the
tasks' and appointments' created / updated / deleted / restored."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from clientela.activities.choices import TaskStatus
from clientela.activities.models import Appointment, Interaction, Task
from clientela.core.events import EventType
from clientela.core.events.records import (
    SYSTEM_READER,
    RecordEvents,
    record_schema,
    register_record_events,
)
from clientela.core.kinds import record_kind


def _interaction_data(interaction: Interaction) -> Any:
    """As the API shows it, its attachments' links on the public address (an event
    has no request to take the host from)."""
    from clientela.activities.schemas import interaction_out  # noqa: PLC0415

    def attachment_url(attachment: Any) -> str:
        path = reverse(
            "api:interaction-attachment",
            kwargs={"interaction_id": attachment.interaction_id, "attachment_id": attachment.pk},
        )
        return f"{settings.CLIENTELA_PUBLIC_URL}{path}"

    return interaction_out(interaction, attachment_url)


def _appointment_data(appointment: Appointment) -> Any:
    from clientela.activities import selectors  # noqa: PLC0415
    from clientela.activities.schemas import appointment_out  # noqa: PLC0415

    conflicts = selectors.appointment_conflict_ids(user=SYSTEM_READER, appointments=[appointment])
    return appointment_out(appointment, conflicts.get(appointment.pk, []))


def _task_events(
    before: Mapping[str, Any], after: Mapping[str, Any]
) -> list[tuple[str, dict[str, Any]]]:
    if after.get("status") == TaskStatus.DONE and before.get("status") != TaskStatus.DONE:
        return [("task.completed", {})]
    return []


def register() -> None:
    register_record_events(
        RecordEvents(
            resource=Interaction.RESOURCE,
            prefix="interaction",
            names={"created": "interaction.logged"},
            data=_interaction_data,
        )
    )
    register_record_events(
        RecordEvents(
            resource=Task.RESOURCE,
            prefix="task",
            derive=_task_events,
            extra=[
                EventType(
                    name="task.completed",
                    description=_("A task was marked done."),
                    schema=record_schema(record_kind(Task.RESOURCE)),
                    resource=Task.RESOURCE,
                )
            ],
        )
    )
    register_record_events(
        RecordEvents(resource=Appointment.RESOURCE, prefix="appointment", data=_appointment_data)
    )
