"""The private calendar feed: token handling and the iCalendar content, parsed back
with the icalendar library."""

from __future__ import annotations

import datetime
import zoneinfo
from typing import Any

import icalendar
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clientela.activities import services
from clientela.activities.feeds import calendar_feed_ics, calendar_feed_user
from clientela.activities.models import Appointment, Task
from clientela.core.choices import RoleKey, Scope
from clientela.core.models import RolePermission
from clientela.core.services import role_permission_update

pytestmark = pytest.mark.django_db


def test_feed_token_identifies_the_user_until_renewed(rep_north: Any) -> None:
    token = services.calendar_feed_renew(user=rep_north)
    assert calendar_feed_user(token) == rep_north
    renewed = services.calendar_feed_renew(user=rep_north)
    assert calendar_feed_user(token) is None
    assert calendar_feed_user(renewed) == rep_north
    assert calendar_feed_user("") is None
    assert calendar_feed_user("x" * 500) is None
    rep_north.is_active = False
    rep_north.save()
    assert calendar_feed_user(renewed) is None


def test_feed_holds_every_appointment_and_open_task(
    rep_north: Any, rep_north2: Any, rep_south: Any
) -> None:
    madrid = zoneinfo.ZoneInfo("Europe/Madrid")
    start = timezone.now().replace(microsecond=0) + datetime.timedelta(days=3)
    own = services.appointment_create(
        actor=rep_north,
        data={
            "title": "Visita a Begoña",
            "start_at": start,
            "end_at": start + datetime.timedelta(minutes=90),
            "time_zone": "Europe/Madrid",
            "location": "Calle Mayor 1, Madrid",
            "description": "Llevar catálogo; ¡ojo!",
        },
    )
    attended = services.appointment_create(
        actor=rep_north2,
        data={
            "title": "Team meeting",
            "start_at": start + datetime.timedelta(days=1),
            "end_at": start + datetime.timedelta(days=1, hours=1),
            "time_zone": "UTC",
            "attendee_ids": [rep_north.pk],
        },
    )
    services.appointment_create(  # someone else's, not attended: not in the feed
        actor=rep_south,
        data={"title": "South", "start_at": start, "end_at": start + datetime.timedelta(hours=1)},
    )
    due = start + datetime.timedelta(hours=5)
    open_task = services.task_create(
        actor=rep_north, data={"title": "Send quote", "due_at": due, "priority": "high"}
    )
    undated = services.task_create(actor=rep_north, data={"title": "Someday"})
    done = services.task_create(actor=rep_north, data={"title": "Done already"})
    services.task_complete(actor=rep_north, task=done)

    cal = icalendar.Calendar.from_ical(calendar_feed_ics(user=rep_north))
    assert str(cal["version"]) == "2.0"
    events = {str(e["uid"]): e for e in cal.walk("VEVENT")}
    todos = {str(t["uid"]): t for t in cal.walk("VTODO")}
    assert set(events) == {
        f"appointment-{own.pk}@clientela",
        f"appointment-{attended.pk}@clientela",
    }
    event = events[f"appointment-{own.pk}@clientela"]
    assert str(event["summary"]) == "Visita a Begoña"
    assert str(event["location"]) == "Calle Mayor 1, Madrid"
    assert str(event["description"]) == "Llevar catálogo; ¡ojo!"
    dtstart, dtend = event.decoded("dtstart"), event.decoded("dtend")
    assert dtstart == start
    assert dtend == start + datetime.timedelta(minutes=90)
    assert dtstart.utcoffset() == start.astimezone(madrid).utcoffset()
    assert event["dtstart"].params["TZID"] == "Europe/Madrid"
    assert {str(tz["tzid"]) for tz in cal.walk("VTIMEZONE")} >= {"Europe/Madrid"}
    other = events[f"appointment-{attended.pk}@clientela"]
    assert other.decoded("dtstart") == start + datetime.timedelta(days=1)

    assert set(todos) == {f"task-{open_task.pk}@clientela", f"task-{undated.pk}@clientela"}
    todo = todos[f"task-{open_task.pk}@clientela"]
    assert str(todo["summary"]) == "Send quote"
    assert todo.decoded("due") == due
    assert todo.decoded("priority") == 1
    assert str(todo["status"]) == "NEEDS-ACTION"
    assert "due" not in todos[f"task-{undated.pk}@clientela"]


def test_feed_uid_is_stable_across_edits(rep_north: Any) -> None:
    start = timezone.now() + datetime.timedelta(days=1)
    appointment = services.appointment_create(
        actor=rep_north,
        data={"title": "A", "start_at": start, "end_at": start + datetime.timedelta(hours=1)},
    )
    first = icalendar.Calendar.from_ical(calendar_feed_ics(user=rep_north))
    services.appointment_update(actor=rep_north, appointment=appointment, data={"title": "B"})
    second = icalendar.Calendar.from_ical(calendar_feed_ics(user=rep_north))
    (e1,), (e2,) = first.walk("VEVENT"), second.walk("VEVENT")
    assert e1["uid"] == e2["uid"]
    assert e2.decoded("sequence") > e1.decoded("sequence")
    assert str(e2["summary"]) == "B"


def test_feed_leaves_out_what_the_role_may_no_longer_read(admin: Any, rep_north: Any) -> None:
    start = timezone.now() + datetime.timedelta(days=1)
    services.appointment_create(
        actor=rep_north,
        data={"title": "Visit", "start_at": start, "end_at": start + datetime.timedelta(hours=1)},
    )
    services.task_create(actor=rep_north, data={"title": "Call back"})
    url = reverse("activities:calendar-feed", args=[services.calendar_feed_renew(user=rep_north)])

    def fetched() -> tuple[set[str], set[str]]:
        cal = icalendar.Calendar.from_ical(Client().get(url).content)
        return (
            {str(e["summary"]) for e in cal.walk("VEVENT")},
            {str(t["summary"]) for t in cal.walk("VTODO")},
        )

    assert fetched() == ({"Visit"}, {"Call back"})
    for resource in (Appointment.RESOURCE, Task.RESOURCE):
        role_permission_update(
            actor=admin,
            permission=RolePermission.objects.get(role__key=RoleKey.SALES, resource=resource),
            can_create=False,
            can_read=False,
            can_update=False,
            can_delete=False,
            scope=Scope.OWN,
        )
    assert fetched() == (set(), set())
