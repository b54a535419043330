"""``/interactions``, ``/tasks``, ``/appointments`` and ``/calendar/feed-url``.

Thin like ``contacts.api``: parse the input (``schemas``), call a selector or a
service, render. Reads go only through ``activities.selectors`` (a record the user may
not see, or a private note of someone else, is a 404); writes only through
``activities.services`` (so end-after-start, reminders before the event, linked
records the user may see, permissions and audit are the same as on the pages).
"""

from __future__ import annotations

import datetime
from typing import Any, cast

from django.db import transaction
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Body, File, Query, Router, Status
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
    AppointmentIn,
    AppointmentListParams,
    AppointmentOut,
    AppointmentPatch,
    FeedUrlOut,
    InteractionIn,
    InteractionListParams,
    InteractionOut,
    InteractionPatch,
    TaskIn,
    TaskListParams,
    TaskOut,
    TaskPatch,
    VersionIn,
    appointment_out,
    interaction_out,
    task_out,
)
from clientela.core.api import (
    CHANGE_ERRORS,
    CREATE_ERRORS,
    DETAIL_ERRORS,
    LIST_ERRORS,
    CursorPage,
    api_user,
    error_responses,
    expected_version,
    idempotent,
    paginate,
    refuse_unknown_params,
    require_scope,
    set_etag,
)
from clientela.core.api.schemas import RecordId
from clientela.core.errors import NotFound

router = Router()

READ, WRITE = "activities:read", "activities:write"

#: The appointment list's window when the client gives no ``start`` or ``end``.
EARLIEST = datetime.datetime(1900, 1, 1, tzinfo=datetime.UTC)
LATEST = datetime.datetime(9999, 12, 31, tzinfo=datetime.UTC)


def _data(payload: Any) -> dict[str, Any]:
    """The fields the client sent, as the services' input types."""
    data: dict[str, Any] = payload.model_dump(exclude_unset=True, exclude={"version", "status"})
    if data.get("reminders") is not None:
        data["reminders"] = [services.ReminderInput(**r) for r in data["reminders"]]
    return data


# --- interactions ---------------------------------------------------------------------


def _interaction(request: HttpRequest, interaction_id: int) -> Interaction:
    return selectors.interaction_get(user=api_user(request), pk=interaction_id)


def _interaction_out(request: HttpRequest, interaction: Interaction) -> InteractionOut:
    def attachment_url(attachment: Attachment) -> str:
        path = reverse(
            "api:interaction-attachment",
            kwargs={"interaction_id": attachment.interaction_id, "attachment_id": attachment.pk},
        )
        return request.build_absolute_uri(path)

    return interaction_out(interaction, attachment_url)


@router.get(
    "/interactions",
    response={200: CursorPage[InteractionOut], **LIST_ERRORS},
    tags=["interactions"],
    description="Newest first. Filter by `person_id`, `organization_id` (with the "
    "organization's people) and `channel`.",
)
@require_scope(READ)
def list_interactions(request: HttpRequest, params: Query[InteractionListParams]) -> Any:
    refuse_unknown_params(request, InteractionListParams)
    qs = selectors.interaction_list(
        user=api_user(request),
        person_id=params.person_id,
        organization_id=params.organization_id,
        channel=params.channel,
    )
    page = paginate(qs, limit=params.limit, cursor=params.cursor)
    return {
        "items": [_interaction_out(request, i) for i in page.items],
        "next_cursor": page.next_cursor,
    }


@router.post(
    "/interactions", response={201: InteractionOut, **CREATE_ERRORS}, tags=["interactions"]
)
@require_scope(WRITE)
@idempotent
def create_interaction(request: HttpRequest, payload: InteractionIn) -> Status[InteractionOut]:
    data = cast(services.InteractionData, _data(payload))
    interaction = services.interaction_create(actor=api_user(request), data=data)
    return Status(201, _interaction_out(request, _interaction(request, interaction.pk)))


@router.get(
    "/interactions/{interaction_id}",
    response={200: InteractionOut, **DETAIL_ERRORS},
    tags=["interactions"],
)
@require_scope(READ)
def get_interaction(
    request: HttpRequest, interaction_id: RecordId, response: HttpResponse
) -> InteractionOut:
    interaction = _interaction(request, interaction_id)
    set_etag(response, interaction.version)
    return _interaction_out(request, interaction)


@router.patch(
    "/interactions/{interaction_id}",
    response={200: InteractionOut, **CHANGE_ERRORS},
    tags=["interactions"],
)
@require_scope(WRITE)
def update_interaction(
    request: HttpRequest,
    interaction_id: RecordId,
    payload: InteractionPatch,
    response: HttpResponse,
) -> InteractionOut:
    """Send only the fields to change; `person_ids` replaces the whole list."""
    version = expected_version(request, payload.version)
    interaction = _interaction(request, interaction_id)
    services.interaction_update(
        actor=api_user(request),
        interaction=interaction,
        data=cast(services.InteractionData, _data(payload)),
        expected_version=version,
    )
    fresh = _interaction(request, interaction_id)
    set_etag(response, fresh.version)
    return _interaction_out(request, fresh)


@router.delete(
    "/interactions/{interaction_id}",
    response={204: None, **CHANGE_ERRORS},
    tags=["interactions"],
)
@require_scope(WRITE)
def delete_interaction(
    request: HttpRequest, interaction_id: RecordId, payload: Body[VersionIn | None] = None
) -> Status[None]:
    """Moves the interaction to the trash."""
    version = expected_version(request, payload.version if payload else None)
    interaction = _interaction(request, interaction_id)
    services.interaction_trash(
        actor=api_user(request), interaction=interaction, expected_version=version
    )
    return Status(204, None)


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
    return Status(201, _interaction_out(request, _interaction(request, interaction_id)))


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
    interaction = _interaction(request, interaction_id)
    attachment = interaction.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise NotFound()
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise NotFound() from None  # gone from storage: as good as unknown
    return FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )


# --- tasks ----------------------------------------------------------------------------


def _with_task_details(qs: QuerySet[Task]) -> QuerySet[Task]:
    return qs.select_related("owner").prefetch_related("reminders")


def _task(request: HttpRequest, task_id: int) -> Task:
    return selectors.task_get(user=api_user(request), pk=task_id)


@router.get(
    "/tasks",
    response={200: CursorPage[TaskOut], **LIST_ERRORS},
    tags=["tasks"],
    description="By due time. `view`: mine, team or overdue (open tasks only), or all "
    "(any status, narrow it with `status`: open, done or cancelled).",
)
@require_scope(READ)
def list_tasks(request: HttpRequest, params: Query[TaskListParams]) -> Any:
    refuse_unknown_params(request, TaskListParams)
    qs = selectors.task_list(user=api_user(request), view=params.view)
    if params.status is not None:
        qs = qs.filter(status=params.status)
    page = paginate(_with_task_details(qs), limit=params.limit, cursor=params.cursor)
    return {"items": [task_out(t) for t in page.items], "next_cursor": page.next_cursor}


@router.post("/tasks", response={201: TaskOut, **CREATE_ERRORS}, tags=["tasks"])
@require_scope(WRITE)
@idempotent
def create_task(request: HttpRequest, payload: TaskIn) -> Status[TaskOut]:
    data = cast(services.TaskData, _data(payload))
    task = services.task_create(actor=api_user(request), data=data)
    return Status(201, task_out(_task(request, task.pk)))


@router.get("/tasks/{task_id}", response={200: TaskOut, **DETAIL_ERRORS}, tags=["tasks"])
@require_scope(READ)
def get_task(request: HttpRequest, task_id: RecordId, response: HttpResponse) -> TaskOut:
    task = _task(request, task_id)
    set_etag(response, task.version)
    return task_out(task)


#: The service that moves a task into each status.
_STATUS_CHANGES = {
    TaskStatus.DONE: services.task_complete,
    TaskStatus.OPEN: services.task_reopen,
    TaskStatus.CANCELLED: services.task_cancel,
}


@router.patch("/tasks/{task_id}", response={200: TaskOut, **CHANGE_ERRORS}, tags=["tasks"])
@require_scope(WRITE)
def update_task(
    request: HttpRequest, task_id: RecordId, payload: TaskPatch, response: HttpResponse
) -> TaskOut:
    """Send only the fields to change; `person_ids` and `reminders` replace the whole
    list. `status` completes, reopens or cancels the task."""
    version = expected_version(request, payload.version)
    user = api_user(request)
    task = _task(request, task_id)
    # One transaction: a status change after a refused edit must not stay half-done.
    with transaction.atomic():
        task = services.task_update(
            actor=user,
            task=task,
            data=cast(services.TaskData, _data(payload)),
            expected_version=version,
        )
        if payload.status is not None and payload.status != task.status:
            _STATUS_CHANGES[TaskStatus(payload.status)](actor=user, task=task)
    fresh = _task(request, task_id)
    set_etag(response, fresh.version)
    return task_out(fresh)


@router.post("/tasks/{task_id}/complete", response={200: TaskOut, **CHANGE_ERRORS}, tags=["tasks"])
@require_scope(WRITE)
def complete_task(request: HttpRequest, task_id: RecordId, response: HttpResponse) -> TaskOut:
    """Marks the task done (completing a done task changes nothing)."""
    services.task_complete(actor=api_user(request), task=_task(request, task_id))
    fresh = _task(request, task_id)
    set_etag(response, fresh.version)
    return task_out(fresh)


@router.delete("/tasks/{task_id}", response={204: None, **CHANGE_ERRORS}, tags=["tasks"])
@require_scope(WRITE)
def delete_task(
    request: HttpRequest, task_id: RecordId, payload: Body[VersionIn | None] = None
) -> Status[None]:
    """Moves the task to the trash."""
    version = expected_version(request, payload.version if payload else None)
    task = _task(request, task_id)
    services.task_trash(actor=api_user(request), task=task, expected_version=version)
    return Status(204, None)


# --- appointments ---------------------------------------------------------------------


def _with_appointment_details(qs: QuerySet[Appointment]) -> QuerySet[Appointment]:
    return qs.prefetch_related("reminders")


def _appointment(request: HttpRequest, appointment_id: int) -> Appointment:
    return selectors.appointment_get(user=api_user(request), pk=appointment_id)


def _appointment_out(request: HttpRequest, appointment: Appointment) -> AppointmentOut:
    conflicts = selectors.appointment_conflict_ids(
        user=api_user(request), appointments=[appointment]
    )
    return appointment_out(appointment, conflicts[appointment.pk])


@router.get(
    "/appointments",
    response={200: CursorPage[AppointmentOut], **LIST_ERRORS},
    tags=["appointments"],
    description="By start time; `start` and `end` keep those overlapping that window.",
)
@require_scope(READ)
def list_appointments(request: HttpRequest, params: Query[AppointmentListParams]) -> Any:
    refuse_unknown_params(request, AppointmentListParams)
    qs = selectors.appointment_list(
        user=api_user(request), start=params.start or EARLIEST, end=params.end or LATEST
    )
    page = paginate(_with_appointment_details(qs), limit=params.limit, cursor=params.cursor)
    conflicts = selectors.appointment_conflict_ids(user=api_user(request), appointments=page.items)
    return {
        "items": [appointment_out(a, conflicts.get(a.pk, [])) for a in page.items],
        "next_cursor": page.next_cursor,
    }


@router.post(
    "/appointments", response={201: AppointmentOut, **CREATE_ERRORS}, tags=["appointments"]
)
@require_scope(WRITE)
@idempotent
def create_appointment(request: HttpRequest, payload: AppointmentIn) -> Status[AppointmentOut]:
    data = cast(services.AppointmentData, _data(payload))
    appointment = services.appointment_create(actor=api_user(request), data=data)
    return Status(201, _appointment_out(request, _appointment(request, appointment.pk)))


@router.get(
    "/appointments/{appointment_id}",
    response={200: AppointmentOut, **DETAIL_ERRORS},
    tags=["appointments"],
)
@require_scope(READ)
def get_appointment(
    request: HttpRequest, appointment_id: RecordId, response: HttpResponse
) -> AppointmentOut:
    appointment = _appointment(request, appointment_id)
    set_etag(response, appointment.version)
    return _appointment_out(request, appointment)


@router.patch(
    "/appointments/{appointment_id}",
    response={200: AppointmentOut, **CHANGE_ERRORS},
    tags=["appointments"],
)
@require_scope(WRITE)
def update_appointment(
    request: HttpRequest,
    appointment_id: RecordId,
    payload: AppointmentPatch,
    response: HttpResponse,
) -> AppointmentOut:
    """Send only the fields to change; `attendee_ids`, `person_ids` and `reminders`
    replace the whole list."""
    version = expected_version(request, payload.version)
    appointment = _appointment(request, appointment_id)
    services.appointment_update(
        actor=api_user(request),
        appointment=appointment,
        data=cast(services.AppointmentData, _data(payload)),
        expected_version=version,
    )
    fresh = _appointment(request, appointment_id)
    set_etag(response, fresh.version)
    return _appointment_out(request, fresh)


@router.delete(
    "/appointments/{appointment_id}",
    response={204: None, **CHANGE_ERRORS},
    tags=["appointments"],
)
@require_scope(WRITE)
def delete_appointment(
    request: HttpRequest, appointment_id: RecordId, payload: Body[VersionIn | None] = None
) -> Status[None]:
    """Moves the appointment to the trash."""
    version = expected_version(request, payload.version if payload else None)
    appointment = _appointment(request, appointment_id)
    services.appointment_trash(
        actor=api_user(request), appointment=appointment, expected_version=version
    )
    return Status(204, None)


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
