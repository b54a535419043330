"""Reminders of tasks and appointments: validation of the requested reminders and
keeping the rows in step with the subject (one per user and "minutes before";
``remind_at`` follows the due/start time while undelivered). Delivery is in ``tasks``."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.activities.models import ActivityPreferences, Appointment, Reminder, Task
from clientela.activities.tasks import schedule_delivery
from clientela.core.models import User
from clientela.core.validation import Errors, add

#: A reminder at most this long before its task or appointment (60 days).
MAX_REMINDER_MINUTES = 60 * 24 * 60


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
