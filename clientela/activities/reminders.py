"""Reminders of tasks and appointments: validation of the requested reminders, keeping
the rows in step with the subject (one per user and "minutes before"; ``remind_at``
follows the due/start time while undelivered), and their delivery (which the worker
runs through ``tasks.deliver_due_reminders``).

Delivery is exactly-once by construction: a reminder is claimed, its notification
created (one-to-one with the reminder) and ``delivered_at`` set in one transaction, so a
worker killed before the commit leaves the reminder undelivered for the next run and one
killed after it leaves nothing to redo. E-mails are sent after the commit: a crash
between the two loses an e-mail, never duplicates a notification.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import mail
from django.db import connection, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from clientela.activities.choices import TaskStatus
from clientela.activities.models import (
    ActivityPreferences,
    Appointment,
    Notification,
    Reminder,
    Task,
)
from clientela.activities.tasks import schedule_delivery
from clientela.core.models import User
from clientela.core.validation import Errors, add

log = logging.getLogger(__name__)

#: A reminder at most this long before its task or appointment (60 days).
MAX_REMINDER_MINUTES = 60 * 24 * 60
#: Reminders claimed per transaction: bounds how long the claim holds its locks.
BATCH_SIZE = 500


@dataclass(frozen=True)
class ReminderInput:
    minutes_before: int
    #: None: the user's preference (``ActivityPreferences.email_reminders``).
    by_email: bool | None = None


def clean_reminders(value: Any, errors: Errors) -> list[ReminderInput] | None:
    if not isinstance(value, list | tuple) or not all(isinstance(r, ReminderInput) for r in value):
        add(errors, "reminders", _("Give a list of reminders."))
        return None
    for item in value:
        if type(item.minutes_before) is not int or item.minutes_before < 0:
            add(errors, "reminders", _("A reminder cannot come after the event."))
            return None
        if item.minutes_before > MAX_REMINDER_MINUTES:
            add(errors, "reminders", _("A reminder can be at most 60 days before."))
            return None
    return list({r.minutes_before: r for r in value}.values())


def check_reminder_times(
    when: datetime.datetime | None, reminders: list[ReminderInput], errors: Errors
) -> None:
    if not reminders:
        return
    if when is None:
        add(errors, "reminders", _("Give a due date to be reminded of it."))
        return
    now = timezone.now()
    for item in reminders:
        if when - datetime.timedelta(minutes=item.minutes_before) < now:
            add(
                errors,
                "reminders",
                _("A reminder %(n)s minutes before would be in the past.")
                % {"n": item.minutes_before},
            )
            return


def _wants_email(user: User) -> bool:
    prefs = ActivityPreferences.objects.filter(user=user).first()
    return True if prefs is None else prefs.email_reminders


def sync_reminders(
    subject: Task | Appointment,
    when: datetime.datetime | None,
    users: Iterable[User],
    wanted: list[ReminderInput] | None,
) -> None:
    """Make the subject's reminders one per (user, minutes before) of ``wanted`` (None:
    the minutes it has now), recompute ``remind_at`` of undelivered ones from ``when``,
    and schedule their delivery. Delivered reminders are history and stay."""
    link = {"task": subject} if isinstance(subject, Task) else {"appointment": subject}
    existing = list(Reminder.objects.filter(**link))
    if wanted is None:
        wanted = [
            ReminderInput(m, b) for m, b in {r.minutes_before: r.by_email for r in existing}.items()
        ]
    user_list = list({u.pk: u for u in users}.values())
    if when is None or not wanted or not user_list:
        Reminder.objects.filter(**link, delivered_at__isnull=True).delete()
        return
    keep: set[int] = set()
    due_times: set[datetime.datetime] = set()
    by_key = {(r.user_id, r.minutes_before): r for r in existing}
    for user in user_list:
        email_default = None
        for item in wanted:
            remind_at = when - datetime.timedelta(minutes=item.minutes_before)
            by_email = item.by_email
            if by_email is None:
                email_default = _wants_email(user) if email_default is None else email_default
                by_email = email_default
            reminder = by_key.get((user.pk, item.minutes_before))
            if reminder is None:
                reminder = Reminder.objects.create(
                    **link,
                    user=user,
                    minutes_before=item.minutes_before,
                    remind_at=remind_at,
                    by_email=by_email,
                )
                due_times.add(remind_at)
            elif reminder.delivered_at is None and (
                reminder.remind_at != remind_at or reminder.by_email != by_email
            ):
                reminder.remind_at, reminder.by_email = remind_at, by_email
                reminder.save(update_fields=["remind_at", "by_email", "updated_at"])
                due_times.add(remind_at)
            keep.add(reminder.pk)
    Reminder.objects.filter(**link, delivered_at__isnull=True).exclude(pk__in=keep).delete()
    for at in due_times:
        # robust: a queue that is down must not turn a saved change into an error; the
        # reminder still goes out with the next delivery run that is queued.
        transaction.on_commit(lambda at=at: schedule_delivery(at), robust=True)  # type: ignore[misc]


def drop_pending_reminders(subject: Task | Appointment) -> None:
    link = {"task": subject} if isinstance(subject, Task) else {"appointment": subject}
    Reminder.objects.filter(**link, delivered_at__isnull=True).delete()


def reminder_minutes(subject: Task | Appointment) -> list[int]:
    return sorted(set(subject.reminders.values_list("minutes_before", flat=True)))


# --- delivery -------------------------------------------------------------------------


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
