"""Background jobs of the activities app (the ``django_tasks`` API; the database
backend by default, so queued jobs survive a restart of the worker).

Reminder delivery is exactly-once by construction: a reminder is claimed, its
notification created (one-to-one with the reminder) and ``delivered_at`` set in one
transaction, so a worker killed before the commit leaves the reminder undelivered for
the next run and one killed after it leaves nothing to redo. E-mails are sent after the
commit: a crash between the two loses an e-mail, never duplicates a notification.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core import mail
from django.db import connection, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django_tasks import task

from clientela.activities.choices import TaskStatus
from clientela.activities.models import Notification, Reminder

log = logging.getLogger(__name__)

#: Reminders claimed per transaction: bounds how long the claim holds its locks.
BATCH_SIZE = 500


def schedule_delivery(at: datetime.datetime | None = None) -> None:
    """Queue a delivery run for ``at`` (now if None or past). Services call it on
    commit whenever a reminder is created or moved, so the worker wakes up on time."""
    if at is not None and at <= timezone.now():
        at = None
    deliver_due_reminders.using(run_after=at).enqueue()


@dataclass(frozen=True)
class _Outgoing:
    to: str
    language: str
    subject: str
    body: str


def _subject_url(reminder: Reminder) -> str:
    name, pk = (
        ("activities:task-detail", reminder.task_id)
        if reminder.task_id
        else ("activities:appointment-detail", reminder.appointment_id)
    )
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return ""


def _texts(reminder: Reminder) -> tuple[str, str]:
    """Title and body of the reminder in the active language and the user's zone."""
    user = reminder.user
    zone = getattr(user, "time_zone", "") or settings.TIME_ZONE
    with timezone.override(zone):
        if reminder.task is not None:
            title = _("Reminder: %(title)s") % {"title": reminder.task.title}
            when = reminder.task.due_at
            line = _("Due: %(when)s") % {
                "when": date_format(timezone.localtime(when), "DATETIME_FORMAT") if when else ""
            }
        else:
            appointment = reminder.appointment
            assert appointment is not None
            title = _("Reminder: %(title)s") % {"title": appointment.title}
            line = _("Starts: %(when)s") % {
                "when": date_format(timezone.localtime(appointment.start_at), "DATETIME_FORMAT")
            }
            if appointment.location:
                line += "\n" + _("Location: %(where)s") % {"where": appointment.location}
    return title, line


def _is_live(reminder: Reminder) -> bool:
    if reminder.task is not None:
        return reminder.task.deleted_at is None and reminder.task.status == TaskStatus.OPEN
    return reminder.appointment is not None and reminder.appointment.deleted_at is None


def _claim_batch(now: datetime.datetime) -> tuple[int, list[_Outgoing]]:
    """Claim up to ``BATCH_SIZE`` due reminders and record them delivered; return how
    many were claimed and the e-mails to send once this has committed."""
    outgoing: list[_Outgoing] = []
    with transaction.atomic():
        qs = Reminder.objects.filter(delivered_at__isnull=True, remind_at__lte=now).order_by(
            "remind_at", "id"
        )
        if connection.features.has_select_for_update_skip_locked:
            # Two workers each take different reminders instead of waiting on each other.
            # (SQLite has no row locks; its single writer serializes the claims instead.)
            qs = qs.select_for_update(skip_locked=True, of=("self",))
        claimed = list(qs.select_related("user", "task", "appointment")[:BATCH_SIZE])
        if not claimed:
            return 0, []
        notifications: list[Notification] = []
        for reminder in claimed:
            if not _is_live(reminder) or not reminder.user.is_active:
                continue
            with translation.override(reminder.user.language or settings.LANGUAGE_CODE):
                title, body = _texts(reminder)
            notifications.append(
                Notification(
                    user=reminder.user,
                    title=title[:300],
                    body=body,
                    url=_subject_url(reminder),
                    reminder=reminder,
                )
            )
            if reminder.by_email and reminder.user.email:
                outgoing.append(_Outgoing(reminder.user.email, reminder.user.language, title, body))
        Notification.objects.bulk_create(notifications)
        Reminder.objects.filter(pk__in=[r.pk for r in claimed]).update(delivered_at=now)
    return len(claimed), outgoing


def _send(outgoing: list[_Outgoing]) -> None:
    """One SMTP connection for the whole batch."""
    if not outgoing:
        return
    messages = [mail.EmailMessage(subject=o.subject, body=o.body, to=[o.to]) for o in outgoing]
    try:
        with mail.get_connection() as conn:
            conn.send_messages(messages)
    except OSError:
        # The notifications are already in the bell; a mail server that is down must not
        # make the worker retry (and so repeat) the deliveries.
        log.exception("Could not send %s reminder e-mails", len(messages))


def deliver_reminders_now(*, now: datetime.datetime | None = None) -> int:
    """Deliver every reminder due by ``now``; returns how many were claimed."""
    now = now or timezone.now()
    total = 0
    while True:
        claimed, outgoing = _claim_batch(now)
        _send(outgoing)
        total += claimed
        if claimed < BATCH_SIZE:
            return total


@task()
def deliver_due_reminders() -> int:
    """Deliver the reminders that are due (enqueued by the services with ``run_after``
    set to each reminder's time, so the worker runs it on time)."""
    return deliver_reminders_now()


@task()
def send_birthday_greetings() -> int:
    """Greet today's birthdays of the people owned by users who chose automatic
    greetings; at most once per person per year (see ``birthdays``). Runs every hour
    (so each owner's "today" is caught in their own time zone) and queues its next
    run itself; ``ensure_birthday_greetings_scheduled`` starts the chain."""
    from clientela.activities.birthdays import send_automatic_greetings

    try:
        return send_automatic_greetings()
    finally:
        ensure_birthday_greetings_scheduled(exclude_running=True)


def _next_hour() -> datetime.datetime:
    now = timezone.now()
    return now.replace(minute=0, second=0, microsecond=0) + datetime.timedelta(hours=1)


def ensure_birthday_greetings_scheduled(*, exclude_running: bool = False) -> bool:
    """Queue the hourly greeting run unless one is already waiting; returns whether it
    queued one. Call it when a worker starts. Only the database backend can be asked
    what is queued; with another backend it always queues (the run is idempotent)."""
    from django_tasks_db.backend import DatabaseBackend

    backend = send_birthday_greetings.get_backend()
    if isinstance(backend, DatabaseBackend):
        from django_tasks.base import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        statuses = [TaskResultStatus.READY]
        if not exclude_running:
            statuses.append(TaskResultStatus.RUNNING)
        waiting = DBTaskResult.objects.filter(
            task_path=send_birthday_greetings.module_path, status__in=statuses
        )
        if waiting.exists():
            return False
    send_birthday_greetings.using(run_after=_next_hour()).enqueue()
    return True
