"""Test data of the activities kinds for the generic tests in ``core.testing``.

Interactions and appointments always belong to whoever logs them, so their create
matrix has only the "own" side (``owner_key=None``); a task belongs to its assignee.
An interaction is changed or deleted by its author and admins only (``author_only``).
The factories make interactions that are not private: private notes (visible to their
author and admins only) are tested in ``test_permissions.py``."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from clientela.activities import services
from clientela.activities.models import Appointment, Interaction, Task
from clientela.core.testing.kinds import KindFactory, register_kind_factory


def _start() -> datetime.datetime:
    return (timezone.now() + datetime.timedelta(days=2)).replace(microsecond=0)


def _interaction(owner: Any, label: str) -> Interaction:
    return services.interaction_create(actor=owner, data={"channel": "call", "subject": label})


def _task(owner: Any, label: str) -> Task:
    return services.task_create(actor=owner, data={"title": label, "due_at": _start()})


def _appointment_data(label: str) -> dict[str, Any]:
    start = _start()
    return {"title": label, "start_at": start, "end_at": start + datetime.timedelta(hours=1)}


def _appointment(owner: Any, label: str) -> Appointment:
    return services.appointment_create(actor=owner, data=_appointment_data(label))  # type: ignore[arg-type]


def _appointment_body(actor: Any, label: str) -> dict[str, Any]:
    return {
        k: v.isoformat() if isinstance(v, datetime.datetime) else v
        for k, v in _appointment_data(label).items()
    }


INTERACTIONS = register_kind_factory(
    KindFactory(
        resource=Interaction.RESOURCE,
        make=_interaction,
        api_body=lambda actor, label: {"channel": "call", "subject": label},
        change={"subject": "Renamed"},
        required_field="channel",
        owner_key=None,
        # What someone logged is changed by them and admins only, not by teammates.
        author_only=True,
    )
)

TASKS = register_kind_factory(
    KindFactory(
        resource=Task.RESOURCE,
        make=_task,
        api_body=lambda actor, label: {"title": label, "due_at": _start().isoformat()},
        change={"title": "Renamed"},
        required_field="title",
        owner_key="assignee_id",
        api_list_params={"view": "all"},
        list_page_shows_all=False,
    )
)

APPOINTMENTS = register_kind_factory(
    KindFactory(
        resource=Appointment.RESOURCE,
        make=_appointment,
        api_body=_appointment_body,
        change={"title": "Renamed"},
        required_field="start_at",
        owner_key=None,
    )
)
