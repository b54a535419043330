"""The activities API beyond the generic operations: attachments, completing a task,
the calendar feed URL, and what ``core.api.records`` needs to serve ``/interactions``,
``/tasks`` and ``/appointments`` from the kinds' declarations in ``activities.kinds``.

Thin like ``contacts.api``: parse the input (``schemas``), call a selector or a
service, render. Reads go only through ``activities.selectors`` (a record the user may
not see, or a private note of someone else, is a 404); writes only through
``activities.services`` (so end-after-start, reminders before the event, linked
records the user may see, permissions and audit are the same as on the pages).
"""

from __future__ import annotations

from typing import Any, cast

from django.db import transaction
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.urls import reverse
from ninja import File, Router, Status
from ninja.files import UploadedFile

from clientela.activities import selectors, services
from clientela.activities.choices import TaskStatus
from clientela.activities.models import (
    Appointment,
    Attachment,
    Interaction,
    Task,
)
from clientela.activities.schemas import (
    AppointmentListParams,
    AppointmentOut,
    FeedUrlOut,
    InteractionListParams,
    InteractionOut,
    TaskListParams,
    TaskOut,
    TaskPatch,
    appointment_out,
    interaction_out,
    task_out,
)
from clientela.core.api import (
    CHANGE_ERRORS,
    DETAIL_ERRORS,
    api_user,
    error_responses,
    expected_version,
    require_scope,
    set_etag,
)
from clientela.core.api.schemas import RecordId

router = Router()

READ, WRITE = "activities:read", "activities:write"

#: The descriptions of the generic operations in the OpenAPI document.
INTERACTION_DOCS = {
    "list": "Newest first. Filter by `person_id`, `organization_id` (with the "
    "organization's people) and `channel`.",
    "update": "Send only the fields to change; `person_ids` replaces the whole list.\n"
    "Only the interaction's author and admins may change it (anyone else: 404).",
    "delete": "Moves the interaction to the trash (its deleter and admins restore it).\n"
    "Only the interaction's author and admins may delete it (anyone else: 404).",
}
TASK_DOCS = {
    "list": "By due time. `view`: mine, team or overdue (open tasks only), or all "
    "(any status, narrow it with `status`: open, done or cancelled).",
    "update": "Send only the fields to change; `person_ids` and `reminders` replace the "
    "whole\nlist. `status` completes, reopens or cancels the task.",
}
APPOINTMENT_DOCS = {
    "list": "By start time; `start` and `end` keep those overlapping that window.",
    "update": "Send only the fields to change; `attendee_ids`, `person_ids` and "
    "`reminders`\nreplace the whole list.",
}


def api_data(payload: Any) -> dict[str, Any]:
    """The fields the client sent, as the services' input types."""
    data: dict[str, Any] = payload.model_dump(exclude_unset=True, exclude={"version", "status"})
    if data.get("reminders") is not None:
        data["reminders"] = [services.ReminderInput(**r) for r in data["reminders"]]
    return data


# --- interactions ---------------------------------------------------------------------


def _interaction(request: HttpRequest, interaction_id: int) -> Interaction:
    return selectors.interaction_get(user=api_user(request), pk=interaction_id)


def interactions_api_out(
    request: HttpRequest, interactions: list[Interaction]
) -> list[InteractionOut]:
    """The interactions with their attachments' download links."""

    def attachment_url(attachment: Attachment) -> str:
        path = reverse(
            "api:interaction-attachment",
            kwargs={"interaction_id": attachment.interaction_id, "attachment_id": attachment.pk},
        )
        return request.build_absolute_uri(path)

    return [interaction_out(interaction, attachment_url) for interaction in interactions]


def interactions_query(
    request: HttpRequest, params: InteractionListParams
) -> QuerySet[Interaction]:
    return selectors.interaction_list(
        user=api_user(request),
        person_id=params.person_id,
        organization_id=params.organization_id,
        channel=params.channel,
    )


@router.post(
    "/interactions/{interaction_id}/attachments",
    response={201: InteractionOut, **CHANGE_ERRORS},
    tags=["interactions"],
)
@require_scope(WRITE)
def add_attachment(
    request: HttpRequest, interaction_id: RecordId, file: File[UploadedFile]
) -> Status[InteractionOut]:
    """Attach a document (multipart/form-data, field `file`); size and type are checked."""
    interaction = _interaction(request, interaction_id)
    services.interaction_update(
        actor=api_user(request),
        interaction=interaction,
        data=cast(services.InteractionData, {"attachments": [file]}),
        expected_version=expected_version(request),
    )
    return Status(201, interactions_api_out(request, [_interaction(request, interaction_id)])[0])


@router.get(
    "/interactions/{interaction_id}/attachments/{attachment_id}",
    response=DETAIL_ERRORS,
    tags=["interactions"],
    url_name="interaction-attachment",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The file.",
                "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
@require_scope(READ)
def download_attachment(
    request: HttpRequest, interaction_id: RecordId, attachment_id: RecordId
) -> FileResponse:
    attachment, handle = selectors.attachment_open(
        user=api_user(request), interaction_pk=interaction_id, attachment_pk=attachment_id
    )
    return FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )


# --- tasks ----------------------------------------------------------------------------


def _task(request: HttpRequest, task_id: int) -> Task:
    return selectors.task_get(user=api_user(request), pk=task_id)


def tasks_query(request: HttpRequest, params: TaskListParams) -> QuerySet[Task]:
    qs = selectors.task_list(user=api_user(request), view=params.view)
    if params.status is not None:
        qs = qs.filter(status=params.status)
    return qs.select_related("owner").prefetch_related("reminders")


#: The service that moves a task into each status.
_STATUS_CHANGES = {
    TaskStatus.DONE: services.task_complete,
    TaskStatus.OPEN: services.task_reopen,
    TaskStatus.CANCELLED: services.task_cancel,
}


def task_api_update(
    *, actor: Any, record: Task, payload: TaskPatch, expected_version: int | None
) -> None:
    """The fields sent, then the ``status`` (complete, reopen or cancel): in one
    transaction, so a status change after a refused edit does not stay half-done."""
    with transaction.atomic():
        task = services.task_update(
            actor=actor,
            task=record,
            data=cast(services.TaskData, api_data(payload)),
            expected_version=expected_version,
        )
        if payload.status is not None and payload.status != task.status:
            _STATUS_CHANGES[TaskStatus(payload.status)](actor=actor, task=task)


@router.post("/tasks/{task_id}/complete", response={200: TaskOut, **CHANGE_ERRORS}, tags=["tasks"])
@require_scope(WRITE)
def complete_task(request: HttpRequest, task_id: RecordId, response: HttpResponse) -> TaskOut:
    """Marks the task done (completing a done task changes nothing)."""
    services.task_complete(actor=api_user(request), task=_task(request, task_id))
    fresh = _task(request, task_id)
    set_etag(response, fresh.version)
    return task_out(fresh)


# --- appointments ---------------------------------------------------------------------


def appointments_query(
    request: HttpRequest, params: AppointmentListParams
) -> QuerySet[Appointment]:
    qs = selectors.appointment_list(user=api_user(request), start=params.start, end=params.end)
    return qs.prefetch_related("reminders")


def appointments_api_out(
    request: HttpRequest, appointments: list[Appointment]
) -> list[AppointmentOut]:
    """The appointments with their conflicts, looked up for all of them at once."""
    conflicts = selectors.appointment_conflict_ids(
        user=api_user(request), appointments=appointments
    )
    return [appointment_out(a, conflicts.get(a.pk, [])) for a in appointments]


# --- calendar feed --------------------------------------------------------------------


def _feed_url(request: HttpRequest, token: str) -> FeedUrlOut:
    path = reverse("activities:calendar-feed", args=[token])
    return FeedUrlOut(url=request.build_absolute_uri(path))


@router.get(
    "/calendar/feed-url",
    response={200: FeedUrlOut, **error_responses(401, 403, 422)},
    tags=["calendar"],
)
@require_scope(READ)
def get_feed_url(request: HttpRequest) -> FeedUrlOut:
    """Your private iCalendar feed URL (created on the first call). Subscribe to it from
    a phone or calendar app; `POST` makes a new one and the old one stops working."""
    return _feed_url(request, services.calendar_feed_token(user=api_user(request)))


@router.post(
    "/calendar/feed-url",
    response={200: FeedUrlOut, **error_responses(401, 403, 422)},
    tags=["calendar"],
)
@require_scope(WRITE)
def renew_feed_url(request: HttpRequest) -> FeedUrlOut:
    """A new private feed URL; the previous one stops working at once."""
    return _feed_url(request, services.calendar_feed_renew(user=api_user(request)))
