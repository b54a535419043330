"""Reminder delivery: once, on time, in-app and by e-mail to a real SMTP server, also
across a killed worker."""

from __future__ import annotations

import datetime
import smtplib
import threading
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from clientela.activities import reminders, services
from clientela.activities.models import Notification, Reminder
from clientela.activities.services import ReminderInput

pytestmark = pytest.mark.django_db


def _task_with_reminder(user: Any, *, minutes: int = 30, **extra: Any) -> Any:
    due = timezone.now() + datetime.timedelta(hours=2)
    return services.task_create(
        actor=user,
        data={
            "title": "Call Ana about the offer",
            "due_at": due,
            "reminders": [ReminderInput(minutes, **extra)],
        },
    )


def _fall_due(task: Any) -> None:
    """Move the task's reminders into the past, as if their time had come."""
    task.reminders.update(remind_at=timezone.now() - datetime.timedelta(seconds=1))


def test_nothing_is_delivered_before_its_time(rep_north: Any) -> None:
    _task_with_reminder(rep_north)
    assert reminders.deliver_reminders_now() == 0
    assert not Notification.objects.exists()


def test_due_reminder_becomes_one_notification(rep_north: Any) -> None:
    task = _task_with_reminder(rep_north, by_email=False)
    _fall_due(task)
    assert reminders.deliver_reminders_now() == 1
    notification = Notification.objects.get()
    assert notification.user == rep_north
    assert notification.title == "Reminder: Call Ana about the offer"
    assert notification.reminder == task.reminders.get()
    assert notification.url == reverse("activities:task-detail", args=[task.pk])
    assert task.reminders.get().delivered_at is not None


def test_running_twice_delivers_once(rep_north: Any) -> None:
    """A worker killed after its commit and restarted finds nothing left to do."""
    task = _task_with_reminder(rep_north, by_email=False)
    _fall_due(task)
    reminders.deliver_reminders_now()
    reminders.deliver_reminders_now()
    assert Notification.objects.count() == 1


def test_worker_killed_mid_delivery_delivers_on_restart(rep_north: Any, monkeypatch: Any) -> None:
    """A crash before the commit leaves the reminder undelivered, and the next run
    delivers it once."""
    task = _task_with_reminder(rep_north, by_email=False)
    _fall_due(task)
    real = Notification.objects.bulk_create

    def crash(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt  # the worker being killed

    monkeypatch.setattr(Notification.objects, "bulk_create", crash)
    with pytest.raises(KeyboardInterrupt):
        reminders.deliver_reminders_now()
    assert task.reminders.get().delivered_at is None
    assert not Notification.objects.exists()
    monkeypatch.setattr(Notification.objects, "bulk_create", real)
    assert reminders.deliver_reminders_now() == 1
    assert Notification.objects.count() == 1


def test_reminders_of_done_or_trashed_subjects_are_skipped(rep_north: Any) -> None:
    done = _task_with_reminder(rep_north)
    trashed_appointment_start = timezone.now() + datetime.timedelta(hours=3)
    appointment = services.appointment_create(
        actor=rep_north,
        data={
            "title": "Visit",
            "start_at": trashed_appointment_start,
            "end_at": trashed_appointment_start + datetime.timedelta(hours=1),
            "reminders": [ReminderInput(10)],
        },
    )
    services.task_complete(actor=rep_north, task=done)
    _fall_due(done)
    appointment.reminders.update(remind_at=timezone.now())
    Reminder.objects.filter(appointment=appointment).update(delivered_at=None)
    appointment.deleted_at = timezone.now()
    appointment.save(update_fields=["deleted_at"])
    reminders.deliver_reminders_now()
    assert not Notification.objects.exists()
    assert not Reminder.objects.filter(delivered_at__isnull=True, task=done).exists()


def test_creating_a_reminder_queues_delivery_at_its_time(
    rep_north: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        task = _task_with_reminder(rep_north)
    # (the task's events queue a dispatch run of their own: core.events)
    queued = DBTaskResult.objects.exclude(task_path__endswith="dispatch_events").get()
    assert queued.task_path.endswith("deliver_due_reminders")
    assert queued.run_after == task.reminders.get().remind_at


# Transactional: the worker command runs tasks in their own transactions and closes the
# database connection when it exits, as a real worker process does.
@pytest.mark.django_db(transaction=True)
def test_reminder_due_while_worker_was_down_is_delivered_when_it_returns(
    rep_north: Any, django_capture_on_commit_callbacks: Any, settings: Any, smtp_server: Any
) -> None:
    smtp_server.use(settings)
    with django_capture_on_commit_callbacks(execute=True):
        task = _task_with_reminder(rep_north, by_email=True)
    # The worker was down while the reminder fell due; the queued run persisted.
    _fall_due(task)
    DBTaskResult.objects.update(run_after=timezone.now() - datetime.timedelta(minutes=5))
    call_command("db_worker", batch=True, interval=0, verbosity=0)
    assert Notification.objects.count() == 1
    assert len(smtp_server.messages) == 1
    call_command("db_worker", batch=True, interval=0, verbosity=0)
    assert Notification.objects.count() == 1
    assert len(smtp_server.messages) == 1


def test_reminder_email_headers_language_and_encoding(
    make_user: Any, settings: Any, smtp_server: Any
) -> None:
    smtp_server.use(settings)
    settings.DEFAULT_FROM_EMAIL = "Clientela CRM <crm@example.com>"
    ana = make_user("ana", email="ana@example.com", language="es", time_zone="Europe/Madrid")
    due = timezone.now() + datetime.timedelta(hours=2)
    task = services.task_create(
        actor=ana,
        data={
            "title": "Llamar a Begoña ☎",
            "due_at": due,
            "reminders": [ReminderInput(30, by_email=True)],
        },
    )
    _fall_due(task)
    reminders.deliver_reminders_now()
    (message,) = smtp_server.messages
    assert smtp_server.envelopes == [("crm@example.com", ["ana@example.com"])]
    assert message["From"] == "Clientela CRM <crm@example.com>"
    assert message["To"] == "ana@example.com"
    assert message["Subject"] == "Recordatorio: Llamar a Begoña ☎"
    assert message.get_content_charset() == "utf-8"
    body = message.get_content()
    assert body.startswith("Vence: ")
    assert str(due.year) in body


def test_batch_uses_one_smtp_connection(
    rep_north: Any, rep_north2: Any, settings: Any, smtp_server: Any, monkeypatch: Any
) -> None:
    smtp_server.use(settings)
    for user in (rep_north, rep_north2):
        user.email = f"{user.username}@example.com"
        user.save()
    for _ in range(3):
        _fall_due(_task_with_reminder(rep_north, by_email=True))
    _fall_due(_task_with_reminder(rep_north2, by_email=True))

    connects: list[Any] = []
    real_connect = smtplib.SMTP.connect

    def counting_connect(self: Any, *args: Any, **kwargs: Any) -> Any:
        connects.append(args)
        return real_connect(self, *args, **kwargs)

    monkeypatch.setattr(smtplib.SMTP, "connect", counting_connect)
    assert reminders.deliver_reminders_now() == 4
    assert len(smtp_server.messages) == 4
    assert len(connects) == 1
    assert {m["To"] for m in smtp_server.messages} == {
        "nora_north@example.com",
        "ned_north@example.com",
    }


def test_email_only_when_chosen(rep_north: Any, settings: Any, smtp_server: Any) -> None:
    smtp_server.use(settings)
    services.activity_preferences_update(
        user=rep_north, email_reminders=False, auto_birthday_greetings=False
    )
    _fall_due(_task_with_reminder(rep_north))  # by_email=None: the preference (off)
    reminders.deliver_reminders_now()
    assert Notification.objects.count() == 1
    assert smtp_server.messages == []


def test_mail_server_down_still_delivers_in_app(rep_north: Any, settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 1
    _fall_due(_task_with_reminder(rep_north, by_email=True))
    assert reminders.deliver_reminders_now() == 1
    assert Notification.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_deliver_each_reminder_once(rep_north: Any) -> None:
    """Two workers at once (PostgreSQL row locks, skip_locked): every reminder is
    delivered by exactly one of them."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has a single writer; concurrency is a PostgreSQL matter")
    for _ in range(40):
        _fall_due(_task_with_reminder(rep_north, by_email=False))
    counts: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            counts.append(reminders.deliver_reminders_now())
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sum(counts) == 40
    assert Notification.objects.count() == 40
    assert not Reminder.objects.filter(delivered_at__isnull=True).exists()
