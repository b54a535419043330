"""The activity services: what they save, what they refuse (nothing saved), audit."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from clientela.activities import services
from clientela.activities.models import (
    ActivityPreferences,
    Appointment,
    Attachment,
    Interaction,
    Notification,
    Reminder,
    Task,
)
from clientela.activities.services import ReminderInput
from clientela.core.errors import NotFound, VersionConflict
from clientela.core.models import AuditEntry
from clientela.core.selectors import audit_history
from clientela.core.services import records

pytestmark = pytest.mark.django_db


def soon(hours: float = 24) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(hours=hours)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


# --- interactions ---------------------------------------------------------------------


def test_interaction_create_links_people_and_audits(rep_north: Any, person_factory: Any) -> None:
    person = person_factory(rep_north)
    interaction = services.interaction_create(
        actor=rep_north,
        data={
            "channel": "call",
            "direction": "in",
            "subject": "  Asked for a quote ",
            "duration_minutes": 12,
            "person_ids": [person.pk],
        },
    )
    assert interaction.subject == "Asked for a quote"
    assert list(interaction.people.all()) == [person]
    assert interaction.owner == rep_north
    assert interaction.team == rep_north.team
    entry = audit_history(record=interaction).get()
    assert entry.action == "create"
    assert entry.changes["channel"] == [None, "call"]


def test_interaction_with_unknown_or_invisible_ids_saves_nothing(
    rep_north: Any, rep_south: Any, person_factory: Any, organization_factory: Any
) -> None:
    south_person = person_factory(rep_south)
    south_org = organization_factory(rep_south)
    with pytest.raises(ValidationError) as exc:
        services.interaction_create(
            actor=rep_north,
            data={
                "channel": "note",
                "person_ids": [south_person.pk, 999999],
                "organization_id": south_org.pk,
            },
        )
    assert str(south_person.pk) in exc.value.message_dict["person_ids"][0]
    assert "999999" in exc.value.message_dict["person_ids"][0]
    assert "organization_id" in exc.value.message_dict
    assert not Interaction.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"channel": "pigeon"}, "channel"),
        ({"channel": "note", "direction": "sideways"}, "direction"),
        ({"channel": "note", "subject": "x" * 201}, "subject"),
        ({"channel": "note", "body": "x" * 20001}, "body"),
        ({"channel": "note", "occurred_at": datetime.datetime(2026, 1, 1)}, "occurred_at"),  # noqa: DTZ001
        ({"channel": "note", "occurred_at": "yesterday"}, "occurred_at"),
        ({"channel": "note", "duration_minutes": -5}, "duration_minutes"),
        ({"channel": "note", "person_ids": "1,2"}, "person_ids"),
        ({"channel": "note", "related_type": "sales.deal"}, "related_id"),
        ({}, "channel"),
    ],
)
def test_interaction_bad_input_is_refused_by_field(
    rep_north: Any, data: services.InteractionData, field: str
) -> None:
    with pytest.raises(ValidationError) as exc:
        services.interaction_create(actor=rep_north, data=data)
    assert field in exc.value.message_dict
    assert not Interaction.objects.exists()


def test_attachment_is_stored_through_storage(rep_north: Any) -> None:
    upload = SimpleUploadedFile("offer.pdf", b"%PDF-1.7 hello", content_type="application/pdf")
    interaction = services.interaction_create(
        actor=rep_north, data={"channel": "email", "attachments": [upload]}
    )
    attachment = interaction.attachments.get()
    assert attachment.name == "offer.pdf"
    assert attachment.size == len(b"%PDF-1.7 hello")
    assert attachment.content_type == "application/pdf"
    stored = attachment.file.name
    assert stored is not None
    assert default_storage.exists(stored)
    with default_storage.open(stored) as fh:
        assert fh.read() == b"%PDF-1.7 hello"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("tool.exe", b"MZ\x90\x00"),
        ("invoice.pdf", b"MZ\x90\x00 renamed program"),
        ("script.txt", b"#!/bin/sh\nrm -rf /"),
        ("lib.so", b"\x7fELF"),
        ("page.html", b"<html>"),
        ("noextension", b"data"),
    ],
)
def test_forbidden_attachment_types_are_refused(rep_north: Any, name: str, content: bytes) -> None:
    upload = SimpleUploadedFile(name, content)
    with pytest.raises(ValidationError) as exc:
        services.interaction_create(
            actor=rep_north, data={"channel": "email", "attachments": [upload]}
        )
    assert name in exc.value.message_dict["attachments"][0]
    assert not Interaction.objects.exists()
    assert not Attachment.objects.exists()


def test_too_large_attachment_is_refused(rep_north: Any, settings: Any) -> None:
    settings.CLIENTELA_MAX_ATTACHMENT_MB = 1
    upload = SimpleUploadedFile("scan.pdf", b"%PDF" + b"0" * (1024 * 1024))
    with pytest.raises(ValidationError) as exc:
        services.interaction_create(
            actor=rep_north, data={"channel": "letter", "attachments": [upload]}
        )
    assert "1 MB" in exc.value.message_dict["attachments"][0]
    assert not Interaction.objects.exists()


def test_stored_file_is_removed_when_the_write_fails(
    rep_north: Any, monkeypatch: Any, settings: Any
) -> None:
    def boom(**kwargs: Any) -> None:
        raise RuntimeError("audit failed")

    # The audit entry is written by the record shell (``core.services.records``).
    monkeypatch.setattr(records, "record_audit", boom)
    upload = SimpleUploadedFile("offer.pdf", b"%PDF-1.7")
    with pytest.raises(RuntimeError):
        services.interaction_create(
            actor=rep_north, data={"channel": "email", "attachments": [upload]}
        )
    media = settings.MEDIA_ROOT
    assert not Interaction.objects.exists()
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_interaction_update_audits_changes_and_checks_version(rep_north: Any) -> None:
    interaction = services.interaction_create(actor=rep_north, data={"channel": "note"})
    updated = services.interaction_update(
        actor=rep_north, interaction=interaction, data={"outcome": "Won"}, expected_version=1
    )
    assert updated.version == 2
    entry = audit_history(record=interaction).filter(action="update").get()
    assert entry.changes["outcome"] == ["", "Won"]
    with pytest.raises(VersionConflict):
        services.interaction_update(
            actor=rep_north, interaction=interaction, data={"outcome": "Lost"}, expected_version=1
        )


def test_interaction_trash_audits(rep_north: Any) -> None:
    interaction = services.interaction_create(actor=rep_north, data={"channel": "note"})
    services.interaction_trash(actor=rep_north, interaction=interaction)
    interaction.refresh_from_db()
    assert interaction.deleted_at is not None
    assert audit_history(record=interaction).filter(action="delete").exists()


# --- tasks ----------------------------------------------------------------------------


def test_task_create_defaults_assignee_and_makes_reminders(rep_north: Any) -> None:
    due = soon(48)
    ActivityPreferences.objects.create(user=rep_north, email_reminders=False)
    task = services.task_create(
        actor=rep_north,
        data={
            "title": "Call back",
            "due_at": due,
            "priority": "high",
            "reminders": [ReminderInput(15), ReminderInput(1440, by_email=True), ReminderInput(15)],
        },
    )
    assert task.assignee == rep_north
    assert task.owner == rep_north
    reminders = list(task.reminders.order_by("minutes_before"))
    assert [(r.minutes_before, r.by_email, r.user) for r in reminders] == [
        (15, False, rep_north),
        (1440, True, rep_north),
    ]
    assert reminders[0].remind_at == due - datetime.timedelta(minutes=15)
    assert audit_history(record=task).get().changes["reminders"] == [None, "15, 1440"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "t" * 201}, "title"),
        ({"title": "x", "priority": "urgent"}, "priority"),
        ({"title": "x", "assignee_id": 999999}, "assignee_id"),
        ({"title": "x", "reminders": [ReminderInput(15)]}, "reminders"),  # no due date
        ({"title": "x", "due_at": "tomorrow"}, "due_at"),
    ],
)
def test_task_bad_input(rep_north: Any, data: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as exc:
        services.task_create(actor=rep_north, data=data)  # type: ignore[arg-type]
    assert field in exc.value.message_dict
    assert not Task.objects.exists()
    assert not Reminder.objects.exists()


def test_reminder_after_the_event_or_in_the_past_is_refused(rep_north: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        services.task_create(
            actor=rep_north,
            data={"title": "x", "due_at": soon(1), "reminders": [ReminderInput(-10)]},
        )
    assert "after" in exc.value.message_dict["reminders"][0]
    with pytest.raises(ValidationError) as exc:
        services.task_create(
            actor=rep_north,
            data={"title": "x", "due_at": soon(1), "reminders": [ReminderInput(120)]},
        )
    assert "past" in exc.value.message_dict["reminders"][0]
    assert not Task.objects.exists()


def test_moving_the_due_date_recomputes_undelivered_reminders(rep_north: Any) -> None:
    task = services.task_create(
        actor=rep_north,
        data={"title": "x", "due_at": soon(10), "reminders": [ReminderInput(60)]},
    )
    delivered = Reminder.objects.create(
        task=task,
        user=rep_north,
        minutes_before=300,
        remind_at=soon(5),
        delivered_at=timezone.now(),
    )
    new_due = soon(30)
    services.task_update(actor=rep_north, task=task, data={"due_at": new_due})
    pending = task.reminders.get(delivered_at__isnull=True, minutes_before=60)
    assert pending.remind_at == new_due - datetime.timedelta(minutes=60)
    before = delivered.remind_at
    delivered.refresh_from_db()
    assert delivered.remind_at == before  # delivered reminders are history


def test_replacing_reminders_keeps_one_per_minutes(rep_north: Any) -> None:
    task = services.task_create(
        actor=rep_north,
        data={"title": "x", "due_at": soon(10), "reminders": [ReminderInput(60)]},
    )
    services.task_update(
        actor=rep_north, task=task, data={"reminders": [ReminderInput(60), ReminderInput(30)]}
    )
    assert sorted(task.reminders.values_list("minutes_before", flat=True)) == [30, 60]
    services.task_update(actor=rep_north, task=task, data={"reminders": []})
    assert not task.reminders.exists()


def test_reassigning_moves_reminders_to_the_new_assignee(rep_north: Any, rep_north2: Any) -> None:
    task = services.task_create(
        actor=rep_north,
        data={"title": "x", "due_at": soon(10), "reminders": [ReminderInput(60)]},
    )
    services.task_update(actor=rep_north, task=task, data={"assignee_id": rep_north2.pk})
    assert list(task.reminders.values_list("user", flat=True)) == [rep_north2.pk]


def test_complete_reopen_cancel_audit_status(rep_north: Any) -> None:
    task = services.task_create(actor=rep_north, data={"title": "x", "due_at": soon()})
    services.task_complete(actor=rep_north, task=task)
    assert task.status == "done"
    assert task.completed_at is not None
    services.task_reopen(actor=rep_north, task=task)
    assert task.status == "open"
    assert task.completed_at is None
    services.task_cancel(actor=rep_north, task=task)
    assert task.status == "cancelled"
    statuses = [
        e.changes["status"]
        for e in audit_history(record=task).filter(action="update").order_by("id")
    ]
    assert statuses == [["open", "done"], ["done", "open"], ["open", "cancelled"]]


def test_task_trash_drops_pending_reminders(rep_north: Any) -> None:
    task = services.task_create(
        actor=rep_north, data={"title": "x", "due_at": soon(), "reminders": [ReminderInput(5)]}
    )
    services.task_trash(actor=rep_north, task=task)
    assert not Reminder.objects.exists()
    assert audit_history(record=task).filter(action="delete").exists()


# --- appointments ---------------------------------------------------------------------


def test_appointment_with_attendees_reminds_everyone(
    rep_north: Any, rep_north2: Any, person_factory: Any
) -> None:
    person = person_factory(rep_north)
    start = soon(24)
    appointment = services.appointment_create(
        actor=rep_north,
        data={
            "title": "Visit",
            "start_at": start,
            "end_at": start + datetime.timedelta(hours=1),
            "time_zone": "Europe/Madrid",
            "location": "Calle Mayor 1",
            "attendee_ids": [rep_north2.pk],
            "person_ids": [person.pk],
            "reminders": [ReminderInput(30)],
        },
    )
    assert appointment.time_zone == "Europe/Madrid"
    users = set(appointment.reminders.values_list("user", flat=True))
    assert users == {rep_north.pk, rep_north2.pk}
    new_start = start + datetime.timedelta(hours=3)
    services.appointment_update(
        actor=rep_north,
        appointment=appointment,
        data={"start_at": new_start, "end_at": new_start + datetime.timedelta(hours=1)},
    )
    assert {r.remind_at for r in appointment.reminders.all()} == {
        new_start - datetime.timedelta(minutes=30)
    }


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"end_at": "start"}, "end_at"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"attendee_ids": [999999]}, "attendee_ids"),
        ({"location": "x" * 301}, "location"),
        ({"reminders": [ReminderInput(60 * 24 * 61)]}, "reminders"),
    ],
)
def test_appointment_bad_input(rep_north: Any, extra: dict[str, Any], field: str) -> None:
    start = soon(24)
    data: dict[str, Any] = {
        "title": "Visit",
        "start_at": start,
        "end_at": start + datetime.timedelta(hours=1),
    }
    data.update(extra)
    if data["end_at"] == "start":
        data["end_at"] = start - datetime.timedelta(minutes=1)
    with pytest.raises(ValidationError) as exc:
        services.appointment_create(actor=rep_north, data=data)  # type: ignore[arg-type]
    assert field in exc.value.message_dict
    assert not Appointment.objects.exists()


def test_reschedule_moves_reminders_and_refuses_a_double_booking_before_saving(
    rep_north: Any, rep_north2: Any
) -> None:
    start = soon(24)
    hour = datetime.timedelta(hours=1)
    busy = services.appointment_create(
        actor=rep_north2,
        data={"title": "Busy", "start_at": start + 3 * hour, "end_at": start + 4 * hour},
    )
    appointment = services.appointment_create(
        actor=rep_north,
        data={
            "title": "Visit",
            "start_at": start,
            "end_at": start + hour,
            "attendee_ids": [rep_north2.pk],
            "reminders": [ReminderInput(30)],
        },
    )
    # Ned attends and is booked then: refused, nothing written, not even the audit.
    with pytest.raises(services.BookingConflict):
        services.appointment_reschedule(
            actor=rep_north,
            appointment=appointment,
            start_at=busy.start_at,
            end_at=busy.end_at,
            expected_version=appointment.version,
        )
    appointment.refresh_from_db()
    assert (appointment.start_at, appointment.version) == (start, 1)
    assert not audit_history(record=appointment).filter(action="update").exists()
    moved = services.appointment_reschedule(
        actor=rep_north, appointment=appointment, start_at=start + hour, end_at=start + 3 * hour
    )
    assert (moved.start_at, moved.end_at, moved.version) == (start + hour, start + 3 * hour, 2)
    assert {r.remind_at for r in moved.reminders.all()} == {
        start + hour - datetime.timedelta(minutes=30)
    }
    with pytest.raises(VersionConflict):
        services.appointment_reschedule(
            actor=rep_north,
            appointment=moved,
            start_at=start,
            end_at=start + hour,
            expected_version=1,
        )
    with pytest.raises(ValidationError):
        services.appointment_reschedule(
            actor=rep_north, appointment=moved, start_at=start, end_at=start
        )


# --- notifications, preferences, feed token -------------------------------------------


def test_notification_mark_read_one_or_all(rep_north: Any, rep_south: Any) -> None:
    a = Notification.objects.create(user=rep_north, title="a")
    Notification.objects.create(user=rep_north, title="b")
    other = Notification.objects.create(user=rep_south, title="c")
    assert services.notification_mark_read(user=rep_north, notification_id=a.pk) == 1

    with pytest.raises(NotFound):
        services.notification_mark_read(user=rep_north, notification_id=other.pk)
    assert services.notification_mark_read(user=rep_north) == 1
    other.refresh_from_db()
    assert other.read_at is None


def test_preferences_and_feed_token(rep_north: Any) -> None:
    prefs = services.activity_preferences_update(
        user=rep_north, email_reminders=False, auto_birthday_greetings=True
    )
    assert not prefs.email_reminders
    assert prefs.auto_birthday_greetings
    token = services.calendar_feed_token(user=rep_north)
    assert services.calendar_feed_token(user=rep_north) == token  # shown again, same URL
    prefs.refresh_from_db()
    assert len(token) >= 40
    assert prefs.feed_key
    assert token != prefs.feed_key
    assert services.feed_token_valid(token) == (rep_north.pk, prefs.feed_key)
    assert services.feed_token_valid(token[:-1] + ("0" if token[-1] != "0" else "1")) is None
    renewed = services.calendar_feed_renew(user=rep_north)
    assert renewed != token
    assert services.feed_token_valid(token) is not None
    prefs.refresh_from_db()
    assert services.feed_token_valid(renewed) == (rep_north.pk, prefs.feed_key)


def test_audit_entries_name_the_actor(rep_north: Any) -> None:
    services.task_create(actor=rep_north, data={"title": "x"})
    assert AuditEntry.objects.get().actor == rep_north
