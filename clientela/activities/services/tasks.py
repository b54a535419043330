"""Every write to tasks: create, update, complete / reopen / cancel, trash; the
reminders of an open task follow its due time."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.activities import reminders as rem
from clientela.activities.choices import Priority, TaskStatus
from clientela.activities.models import Task
from clientela.activities.reminders import ReminderInput
from clientela.activities.services.common import (
    LinkData,
    apply_links,
    assign_owner,
    full_clean,
    links_snapshot,
    lock,
)
from clientela.core.models import User
from clientela.core.services import RecordWrites, record_restore, record_trash
from clientela.core.validation import (
    Errors,
    add,
    clean_datetime,
    clean_text,
    clean_users,
    raise_errors,
)


class TaskData(LinkData, total=False):
    title: str
    description: str
    due_at: datetime.datetime | None
    priority: str
    assignee_id: int | None
    reminders: list[ReminderInput]


TASK_TEXT = ("title", "description")


def task_snapshot(task: Task) -> dict[str, Any]:
    snap: dict[str, Any] = {name: getattr(task, name) for name in TASK_TEXT}
    snap.update(
        due_at=task.due_at,
        priority=task.priority,
        assignee=str(task.assignee) if task.assignee_id else None,
        status=task.status,
        completed_at=task.completed_at,
        reminders=rem.reminder_minutes(task) if task.pk else [],
    )
    snap.update(links_snapshot(task))
    return snap


def _save_task(actor: User, task: Task, data: TaskData) -> None:
    errors: Errors = {}
    creating = task.pk is None
    for name, value in clean_text(Task, data, TASK_TEXT, errors).items():
        setattr(task, name, value)
    if creating and not task.title and "title" not in errors:
        add(errors, "title", _("Enter a title."))
    if "due_at" in data:
        task.due_at = clean_datetime(data["due_at"], "due_at", errors, required=False)
    if "priority" in data:
        if data["priority"] not in Priority.values:
            add(errors, "priority", _("Choose a priority."))
        else:
            task.priority = data["priority"]
    if creating or data.get("assignee_id") is not None:
        assignee_id = data.get("assignee_id") or actor.pk
        users = clean_users([assignee_id], "assignee_id", errors)
        if users:
            task.assignee = users[0]
            assign_owner(actor, task, users[0], errors)
    people = apply_links(actor, task, data, errors)
    reminders = rem.clean_reminders(data["reminders"], errors) if "reminders" in data else None
    if reminders and "due_at" not in errors:
        rem.check_reminder_times(task.due_at, reminders, errors)
    full_clean(task, errors)
    raise_errors(errors)
    task.save()
    if people is not None:
        task.people.set(people)
    if task.status == TaskStatus.OPEN:
        rem.sync_reminders(task, task.due_at, [task.assignee], reminders)


_TASKS = RecordWrites(apply=_save_task, snapshot=task_snapshot, lock=lock)


def task_create(*, actor: User, data: TaskData) -> Task:
    return _TASKS.create(actor, Task(), data)


def task_update(
    *, actor: User, task: Task, data: TaskData, expected_version: int | None = None
) -> Task:
    return _TASKS.update(actor, task, data, expected_version)


def _apply_status(actor: User, task: Task, status: str) -> None:
    if task.status == status:
        return
    task.status = status
    task.completed_at = timezone.now() if status == TaskStatus.DONE else None
    task.save(update_fields=["status", "completed_at", "updated_at"])
    if status == TaskStatus.OPEN:
        # Reminders stay while a task is done or cancelled (the worker skips them), so
        # reopening brings back the ones still to come.
        rem.sync_reminders(task, task.due_at, [task.assignee], None)


_STATUS = RecordWrites(apply=_apply_status, snapshot=task_snapshot, lock=lock)


def _set_status(actor: User, task: Task, status: str) -> Task:
    fresh = _STATUS.update(actor, task, status)
    task.status, task.completed_at, task.version = fresh.status, fresh.completed_at, fresh.version
    return fresh


def task_complete(*, actor: User, task: Task) -> Task:
    return _set_status(actor, task, TaskStatus.DONE)


def task_reopen(*, actor: User, task: Task) -> Task:
    return _set_status(actor, task, TaskStatus.OPEN)


def task_cancel(*, actor: User, task: Task) -> Task:
    return _set_status(actor, task, TaskStatus.CANCELLED)


@transaction.atomic
def task_trash(*, actor: User, task: Task, expected_version: int | None = None) -> None:
    record_trash(actor=actor, record=task, expected_version=expected_version)
    rem.drop_pending_reminders(task)


def task_restore(*, actor: User, task: Task) -> None:
    """Back from the trash (its deleter or an admin); the reminders dropped with the
    trash stay dropped: set them again on the form."""
    record_restore(actor=actor, record=task, reindex=lambda record: None)
