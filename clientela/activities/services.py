"""Every write to interactions, tasks, appointments, reminders, notifications and the
activity preferences: one function per use case, one transaction, the whole input
validated before anything is saved, an audit entry per change.

Create and update take a partial mapping (``InteractionData``/``TaskData``/
``AppointmentData``): keys present are set, keys absent stay as they are. Lists
(``person_ids``, ``attendee_ids``, ``reminders``) replace the whole list; attachments
are added.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypedDict

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from clientela.activities import reminders as rem
from clientela.activities import validation as v
from clientela.activities.choices import Direction, InteractionChannel, Priority, TaskStatus
from clientela.activities.models import (
    ActivityPreferences,
    Appointment,
    Attachment,
    Interaction,
    Notification,
    Task,
)
from clientela.activities.reminders import ReminderInput
from clientela.contacts.models import Organization, Person
from clientela.core.audit import changes_between, created_changes, record_audit
from clientela.core.choices import AuditAction, Scope
from clientela.core.errors import NotFound
from clientela.core.models import CRMRecord, User
from clientela.core.models.accounts import validate_time_zone
from clientela.core.permissions import require, rights_for
from clientela.core.services import check_version, lock_for_update, record_trash


class _LinkData(TypedDict, total=False):
    person_ids: list[int]
    organization_id: int | None
    related_type: str
    related_id: int | None


class InteractionData(_LinkData, total=False):
    channel: str
    direction: str
    occurred_at: datetime.datetime
    duration_minutes: int | None
    subject: str
    body: str
    outcome: str
    is_private: bool
    attachments: list[UploadedFile]


class TaskData(_LinkData, total=False):
    title: str
    description: str
    due_at: datetime.datetime | None
    priority: str
    assignee_id: int | None
    reminders: list[ReminderInput]


class AppointmentData(_LinkData, total=False):
    title: str
    description: str
    start_at: datetime.datetime
    end_at: datetime.datetime
    time_zone: str
    location: str
    attendee_ids: list[int]
    reminders: list[ReminderInput]


# --- shared steps ---------------------------------------------------------------------


def _apply_links(actor: User, record: Any, data: Any, errors: v.Errors) -> list[Person] | None:
    """Set organization and generic link on ``record``; return the people to set
    (None: unchanged)."""
    people = v.clean_people(actor, data["person_ids"], errors) if "person_ids" in data else None
    if "organization_id" in data:
        org: Organization | None = v.clean_organization(actor, data["organization_id"], errors)
        record.organization = org
    related = v.clean_related(data, errors)
    if related is not None:
        record.related_type, record.related_id = related
    return people


def _assign_owner(actor: User, record: CRMRecord, owner: User, errors: v.Errors) -> None:
    """Owner and team of a new activity; a role scoped to its own records may only
    create its own, one scoped to its team only for its team."""
    team = owner.team or actor.team
    scope = rights_for(actor, record.RESOURCE).scope
    if team is None:
        v.add(errors, "team", _("Choose a team: the owner belongs to none."))
    elif scope == Scope.OWN and owner.pk != actor.pk:
        v.add(errors, "assignee_id", _("You can only assign tasks to yourself."))
    elif scope == Scope.TEAM and team.pk != actor.team_id:
        v.add(errors, "assignee_id", _("You can only assign tasks within your team."))
    else:
        record.owner, record.team = owner, team


def _full_clean(record: Any, errors: v.Errors) -> None:
    try:
        record.full_clean(exclude=["owner", "team", "people", "attendees", "assignee"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, messages)


def _links_snapshot(record: Any) -> dict[str, Any]:
    return {
        "people": sorted(str(p) for p in record.people.all()),
        "organization": record.organization,
        "related": f"{record.related_type}:{record.related_id}" if record.related_type else "",
    }


def _lock(record: Any, actor: User, action: str = "update") -> Any:
    fresh = lock_for_update(record, actor, action)
    if isinstance(fresh, Interaction) and not _may_see_private(actor, fresh):
        raise NotFound()
    return fresh


def _may_see_private(user: User, interaction: Interaction) -> bool:
    return not interaction.is_private or interaction.owner_id == user.pk or user.is_admin


def _audit_update(actor: User, record: Any, before: dict[str, Any], after: dict[str, Any]) -> None:
    changes = changes_between(before, after)
    if changes:
        record.version += 1
        record.save(update_fields=["version", "updated_at"])
        record_audit(actor=actor, instance=record, action=AuditAction.UPDATE, changes=changes)


# --- interactions ---------------------------------------------------------------------

INTERACTION_TEXT = ("subject", "body", "outcome")


def interaction_snapshot(interaction: Interaction) -> dict[str, Any]:
    snap: dict[str, Any] = {
        name: getattr(interaction, name)
        for name in (
            "channel",
            "direction",
            "occurred_at",
            "duration_minutes",
            *INTERACTION_TEXT,
            "is_private",
        )
    }
    snap.update(_links_snapshot(interaction))
    snap["attachments"] = sorted(a.name for a in interaction.attachments.all())
    return snap


@contextmanager
def _stored_files() -> Iterator[list[str]]:
    """Names of files written to storage inside the block, deleted again when the
    block fails. Services wrap their whole transaction in it, so a write that is
    rolled back leaves no orphan files. (Django has no rollback hook: a caller's outer
    transaction rolled back later cannot be seen here.)"""
    names: list[str] = []
    try:
        yield names
    except BaseException:
        for name in names:
            default_storage.delete(name)
        raise


def _save_interaction(
    actor: User, interaction: Interaction, data: InteractionData, stored: list[str]
) -> None:
    errors: v.Errors = {}
    for name, value in v.clean_text(Interaction, data, INTERACTION_TEXT, errors).items():
        setattr(interaction, name, value)
    if "channel" in data:
        if data["channel"] not in InteractionChannel.values:
            v.add(errors, "channel", _("Choose a channel."))
        else:
            interaction.channel = data["channel"]
    if "direction" in data:
        if data["direction"] not in Direction.values:
            v.add(errors, "direction", _("Choose inbound or outbound."))
        else:
            interaction.direction = data["direction"]
    if "occurred_at" in data or interaction.pk is None:
        when = data.get("occurred_at") or timezone.now()
        occurred = v.clean_datetime(when, "occurred_at", errors, required=True)
        if occurred is not None:
            interaction.occurred_at = occurred
    if "duration_minutes" in data:
        minutes = data["duration_minutes"]
        if minutes is not None and (type(minutes) is not int or not 0 <= minutes <= 100_000):
            v.add(errors, "duration_minutes", _("Enter a number of minutes."))
        else:
            interaction.duration_minutes = minutes
    if "is_private" in data:
        interaction.is_private = bool(data["is_private"])
    people = _apply_links(actor, interaction, data, errors)
    files = v.clean_attachments(data["attachments"], errors) if data.get("attachments") else []
    _full_clean(interaction, errors)
    if errors:
        raise ValidationError(errors)
    interaction.save()
    if people is not None:
        interaction.people.set(people)
    for upload in files:
        attachment = Attachment(
            interaction=interaction,
            name=(upload.name or "file")[:200],
            size=upload.size or 0,
            content_type=v.content_type_of(upload),
        )
        attachment.file.save(upload.name or "file", upload, save=False)
        stored.append(str(attachment.file.name))
        attachment.save()


@transaction.atomic
def interaction_create(*, actor: User, data: InteractionData) -> Interaction:
    require(actor, "create", Interaction.RESOURCE)
    interaction = Interaction()
    errors: v.Errors = {}
    _assign_owner(actor, interaction, actor, errors)
    if "channel" not in data:
        v.add(errors, "channel", _("Choose a channel."))
    if errors:
        raise ValidationError(errors)
    with _stored_files() as stored:
        _save_interaction(actor, interaction, data, stored)
        record_audit(
            actor=actor,
            instance=interaction,
            action=AuditAction.CREATE,
            changes=created_changes(interaction_snapshot(interaction)),
        )
    return interaction


@transaction.atomic
def interaction_update(
    *,
    actor: User,
    interaction: Interaction,
    data: InteractionData,
    expected_version: int | None = None,
) -> Interaction:
    fresh = _lock(interaction, actor)
    check_version(fresh, expected_version)
    before = interaction_snapshot(fresh)
    with _stored_files() as stored:
        _save_interaction(actor, fresh, data, stored)
        _audit_update(actor, fresh, before, interaction_snapshot(fresh))
    return fresh


def interaction_trash(
    *, actor: User, interaction: Interaction, expected_version: int | None = None
) -> None:
    with transaction.atomic():
        _lock(interaction, actor, "delete")
        record_trash(actor=actor, record=interaction, expected_version=expected_version)


# --- tasks ----------------------------------------------------------------------------

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
    snap.update(_links_snapshot(task))
    return snap


def _save_task(actor: User, task: Task, data: TaskData) -> None:
    errors: v.Errors = {}
    creating = task.pk is None
    for name, value in v.clean_text(Task, data, TASK_TEXT, errors).items():
        setattr(task, name, value)
    if creating and not task.title and "title" not in errors:
        v.add(errors, "title", _("Enter a title."))
    if "due_at" in data:
        task.due_at = v.clean_datetime(data["due_at"], "due_at", errors, required=False)
    if "priority" in data:
        if data["priority"] not in Priority.values:
            v.add(errors, "priority", _("Choose a priority."))
        else:
            task.priority = data["priority"]
    if creating or data.get("assignee_id") is not None:
        assignee_id = data.get("assignee_id") or actor.pk
        users = v.clean_users([assignee_id], "assignee_id", errors)
        if users:
            task.assignee = users[0]
            _assign_owner(actor, task, users[0], errors)
    people = _apply_links(actor, task, data, errors)
    reminders = rem.clean_reminders(data["reminders"], errors) if "reminders" in data else None
    if reminders and "due_at" not in errors:
        rem.check_reminder_times(task.due_at, reminders, errors)
    _full_clean(task, errors)
    if errors:
        raise ValidationError(errors)
    task.save()
    if people is not None:
        task.people.set(people)
    if task.status == TaskStatus.OPEN:
        rem.sync_reminders(task, task.due_at, [task.assignee], reminders)


@transaction.atomic
def task_create(*, actor: User, data: TaskData) -> Task:
    require(actor, "create", Task.RESOURCE)
    task = Task()
    _save_task(actor, task, data)
    record_audit(
        actor=actor,
        instance=task,
        action=AuditAction.CREATE,
        changes=created_changes(task_snapshot(task)),
    )
    return task


@transaction.atomic
def task_update(
    *, actor: User, task: Task, data: TaskData, expected_version: int | None = None
) -> Task:
    fresh = _lock(task, actor)
    check_version(fresh, expected_version)
    before = task_snapshot(fresh)
    _save_task(actor, fresh, data)
    _audit_update(actor, fresh, before, task_snapshot(fresh))
    return fresh


def _set_status(actor: User, task: Task, status: str) -> Task:
    fresh = _lock(task, actor)
    if fresh.status == status:
        return fresh
    before = task_snapshot(fresh)
    fresh.status = status
    fresh.completed_at = timezone.now() if status == TaskStatus.DONE else None
    fresh.save(update_fields=["status", "completed_at", "updated_at"])
    if status == TaskStatus.OPEN:
        # Reminders stay while a task is done or cancelled (the worker skips them), so
        # reopening brings back the ones still to come.
        rem.sync_reminders(fresh, fresh.due_at, [fresh.assignee], None)
    _audit_update(actor, fresh, before, task_snapshot(fresh))
    task.status, task.completed_at, task.version = fresh.status, fresh.completed_at, fresh.version
    return fresh


@transaction.atomic
def task_complete(*, actor: User, task: Task) -> Task:
    return _set_status(actor, task, TaskStatus.DONE)


@transaction.atomic
def task_reopen(*, actor: User, task: Task) -> Task:
    return _set_status(actor, task, TaskStatus.OPEN)


@transaction.atomic
def task_cancel(*, actor: User, task: Task) -> Task:
    return _set_status(actor, task, TaskStatus.CANCELLED)


@transaction.atomic
def task_trash(*, actor: User, task: Task, expected_version: int | None = None) -> None:
    record_trash(actor=actor, record=task, expected_version=expected_version)
    rem.drop_pending_reminders(task)


# --- appointments ---------------------------------------------------------------------

APPOINTMENT_TEXT = ("title", "description", "location")


def appointment_snapshot(appointment: Appointment) -> dict[str, Any]:
    snap: dict[str, Any] = {name: getattr(appointment, name) for name in APPOINTMENT_TEXT}
    snap.update(
        start_at=appointment.start_at,
        end_at=appointment.end_at,
        time_zone=appointment.time_zone,
        attendees=sorted(str(u) for u in appointment.attendees.all()) if appointment.pk else [],
        reminders=rem.reminder_minutes(appointment) if appointment.pk else [],
    )
    snap.update(_links_snapshot(appointment))
    return snap


def _save_appointment(actor: User, appointment: Appointment, data: AppointmentData) -> None:
    errors: v.Errors = {}
    creating = appointment.pk is None
    for name, value in v.clean_text(Appointment, data, APPOINTMENT_TEXT, errors).items():
        setattr(appointment, name, value)
    if creating and not appointment.title and "title" not in errors:
        v.add(errors, "title", _("Enter a title."))
    for key in ("start_at", "end_at"):
        if key in data or creating:
            when = v.clean_datetime(data.get(key), key, errors, required=True)
            if when is not None:
                setattr(appointment, key, when)
    if (
        "start_at" not in errors
        and "end_at" not in errors
        and appointment.start_at is not None
        and appointment.end_at is not None
        and appointment.end_at <= appointment.start_at
    ):
        v.add(errors, "end_at", _("The end must be after the start."))
    if "time_zone" in data or creating:
        zone = data.get("time_zone") or actor.time_zone or "UTC"
        try:
            validate_time_zone(zone)
            appointment.time_zone = zone
        except ValidationError as exc:
            errors["time_zone"] = exc.messages
    attendees = (
        v.clean_users(data["attendee_ids"], "attendee_ids", errors)
        if "attendee_ids" in data
        else None
    )
    people = _apply_links(actor, appointment, data, errors)
    reminders = rem.clean_reminders(data["reminders"], errors) if "reminders" in data else None
    if reminders and "start_at" not in errors:
        rem.check_reminder_times(appointment.start_at, reminders, errors)
    _full_clean(appointment, errors)
    if errors:
        raise ValidationError(errors)
    appointment.save()
    if people is not None:
        appointment.people.set(people)
    if attendees is not None:
        appointment.attendees.set(attendees)
    users = [appointment.owner, *appointment.attendees.all()]
    rem.sync_reminders(appointment, appointment.start_at, users, reminders)


@transaction.atomic
def appointment_create(*, actor: User, data: AppointmentData) -> Appointment:
    require(actor, "create", Appointment.RESOURCE)
    appointment = Appointment()
    errors: v.Errors = {}
    _assign_owner(actor, appointment, actor, errors)
    if errors:
        raise ValidationError(errors)
    _save_appointment(actor, appointment, data)
    record_audit(
        actor=actor,
        instance=appointment,
        action=AuditAction.CREATE,
        changes=created_changes(appointment_snapshot(appointment)),
    )
    return appointment


@transaction.atomic
def appointment_update(
    *,
    actor: User,
    appointment: Appointment,
    data: AppointmentData,
    expected_version: int | None = None,
) -> Appointment:
    fresh = _lock(appointment, actor)
    check_version(fresh, expected_version)
    before = appointment_snapshot(fresh)
    _save_appointment(actor, fresh, data)
    _audit_update(actor, fresh, before, appointment_snapshot(fresh))
    return fresh


@transaction.atomic
def appointment_trash(
    *, actor: User, appointment: Appointment, expected_version: int | None = None
) -> None:
    record_trash(actor=actor, record=appointment, expected_version=expected_version)
    rem.drop_pending_reminders(appointment)


# --- notifications, preferences, calendar feed ----------------------------------------


def notification_mark_read(*, user: User, notification_id: int | None = None) -> int:
    """Mark one of the user's notifications (None: all of them) read; returns how many
    changed. Another user's notification id is simply not found."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_id is not None:
        if not Notification.objects.filter(user=user, pk=notification_id).exists():
            raise NotFound()
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())


def activity_preferences_get(*, user: User) -> ActivityPreferences:
    prefs, _created = ActivityPreferences.objects.get_or_create(user=user)
    return prefs


@transaction.atomic
def activity_preferences_update(
    *, user: User, email_reminders: bool, auto_birthday_greetings: bool
) -> ActivityPreferences:
    prefs = activity_preferences_get(user=user)
    prefs.email_reminders = bool(email_reminders)
    prefs.auto_birthday_greetings = bool(auto_birthday_greetings)
    prefs.save(update_fields=["email_reminders", "auto_birthday_greetings"])
    return prefs


def _feed_mac(user_id: int, key: str) -> str:
    return salted_hmac("clientela.calendar-feed", f"{user_id}.{key}").hexdigest()[:32]


def feed_token_for(user_id: int, key: str) -> str:
    """The feed token of a user's current key: ``<user id>.<key>.<HMAC>``. The HMAC
    uses SECRET_KEY, so a leaked database (which holds only the key) yields no working
    feed URL, yet the user's own URL can be shown again at any time."""
    return f"{user_id}.{key}.{_feed_mac(user_id, key)}"


def feed_token_valid(token: str) -> tuple[int, str] | None:
    """(user id, key) if ``token`` carries a valid HMAC, else None."""
    parts = (token or "").split(".")
    if len(parts) != 3 or not parts[0].isdigit() or len(token) > 200:
        return None
    user_id, key, mac = int(parts[0]), parts[1], parts[2]
    if not key or not constant_time_compare(mac, _feed_mac(user_id, key)):
        return None
    return user_id, key


@transaction.atomic
def calendar_feed_token(*, user: User) -> str:
    """The user's current feed token, created on first use."""
    prefs = activity_preferences_get(user=user)
    if not prefs.feed_key:
        prefs.feed_key = secrets.token_urlsafe(24)
        prefs.save(update_fields=["feed_key"])
    return feed_token_for(user.pk, prefs.feed_key)


@transaction.atomic
def calendar_feed_renew(*, user: User) -> str:
    """A new feed token for the user; the previous feed URL stops working at once."""
    prefs = activity_preferences_get(user=user)
    prefs.feed_key = secrets.token_urlsafe(24)
    prefs.save(update_fields=["feed_key"])
    return feed_token_for(user.pk, prefs.feed_key)


__all__ = [
    "AppointmentData",
    "InteractionData",
    "ReminderInput",
    "TaskData",
    "activity_preferences_update",
    "appointment_create",
    "appointment_trash",
    "appointment_update",
    "calendar_feed_renew",
    "calendar_feed_token",
    "interaction_create",
    "interaction_trash",
    "interaction_update",
    "notification_mark_read",
    "task_cancel",
    "task_complete",
    "task_reopen",
    "task_trash",
    "task_update",
]
