"""The private iCalendar (RFC 5545) feed of a user's appointments and open tasks,
built with the ``icalendar`` library. The feed URL carries a token signed with
SECRET_KEY over the user's current feed key (``services.feed_token_for``): a leaked
database does not leak working feed URLs, the user can see their URL again, and
renewing the key revokes the old URL."""

from __future__ import annotations

import datetime
import zoneinfo

import icalendar
from django.db.models import Q
from django.utils import timezone

from clientela.activities.choices import Priority, TaskStatus
from clientela.activities.models import ActivityPreferences, Appointment, Task
from clientela.activities.selectors import appointments_visible, tasks_visible
from clientela.activities.services import feed_token_valid
from clientela.core.models import User

#: How far back the feed reaches: phones keep what they already synced.
PAST_DAYS = 90
UID_DOMAIN = "clientela"
_ICAL_PRIORITY = {Priority.HIGH: 1, Priority.NORMAL: 5, Priority.LOW: 9}


def calendar_feed_user(token: str) -> User | None:
    """The active user whose feed token this is, or None."""
    valid = feed_token_valid(token)
    if valid is None:
        return None
    user_id, key = valid
    prefs = (
        ActivityPreferences.objects.select_related("user")
        .filter(user_id=user_id, feed_key=key, user__is_active=True)
        .first()
    )
    return prefs.user if prefs is not None else None


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def _appointments(user: User) -> list[Appointment]:
    """The user's own and attended appointments, read through the scoped selector: a
    role that may no longer read appointments gets none in its feed either."""
    since = timezone.now() - datetime.timedelta(days=PAST_DAYS)
    attending = Appointment.attendees.through.objects.filter(user_id=user.pk).values(
        "appointment_id"
    )
    return list(
        appointments_visible(user)
        .filter(Q(owner_id=user.pk) | Q(pk__in=attending), end_at__gte=since)
        .order_by("start_at", "id")
    )


def _open_tasks(user: User) -> list[Task]:
    return list(
        tasks_visible(user)
        .filter(assignee_id=user.pk, status=TaskStatus.OPEN)
        .order_by("due_at", "id")
    )


def _event(appointment: Appointment, stamp: datetime.datetime) -> icalendar.Event:
    zone = _zone(appointment.time_zone)
    event = icalendar.Event()
    event.add("uid", f"appointment-{appointment.pk}@{UID_DOMAIN}")
    event.add("dtstamp", stamp)
    event.add("dtstart", appointment.start_at.astimezone(zone))
    event.add("dtend", appointment.end_at.astimezone(zone))
    event.add("summary", appointment.title)
    if appointment.location:
        event.add("location", appointment.location)
    if appointment.description:
        event.add("description", appointment.description)
    event.add("last-modified", appointment.updated_at)
    event.add("sequence", appointment.version)
    return event


def _todo(task: Task, stamp: datetime.datetime, zone: zoneinfo.ZoneInfo) -> icalendar.Todo:
    todo = icalendar.Todo()
    todo.add("uid", f"task-{task.pk}@{UID_DOMAIN}")
    todo.add("dtstamp", stamp)
    todo.add("summary", task.title)
    if task.due_at is not None:
        todo.add("due", task.due_at.astimezone(zone))
    if task.description:
        todo.add("description", task.description)
    todo.add("status", "NEEDS-ACTION")
    todo.add("priority", _ICAL_PRIORITY.get(Priority(task.priority), 5))
    todo.add("last-modified", task.updated_at)
    todo.add("sequence", task.version)
    return todo


def calendar_feed_ics(*, user: User) -> bytes:
    """The user's feed: appointments they own or attend (VEVENT, in the appointment's
    time zone) and their open tasks (VTODO with DUE, in the user's time zone)."""
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Clientela//Clientela CRM//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"Clientela – {user}")
    stamp = timezone.now().replace(microsecond=0)
    user_zone = _zone(user.time_zone)
    for appointment in _appointments(user):
        cal.add_component(_event(appointment, stamp))
    for task in _open_tasks(user):
        cal.add_component(_todo(task, stamp, user_zone))
    # Calendar apps need the VTIMEZONE of every TZID the feed uses.
    cal.add_missing_timezones()
    return bytes(cal.to_ical())
