"""The calendar's JSON feed and its drag and drop: who sees whose appointments and
tasks, the times in the user's zone, bad input, moves refused for a double booking,
a stale version or a record one may not change — with nothing saved then."""

from __future__ import annotations

import datetime
from typing import Any, cast

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clientela.activities import selectors, services
from clientela.activities.models import Appointment, Task
from clientela.activities.views.calendar import owner_colour
from clientela.core.errors import NotFound

pytestmark = pytest.mark.django_db
UTC = datetime.UTC
WEEK = {"start": "2030-03-04", "end": "2030-03-11"}  # Monday 4 to Sunday 10 March 2030


def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2030, 3, day, hour, minute, tzinfo=UTC)


def make_appointment(actor: Any, start: datetime.datetime, **data: Any) -> Appointment:
    data.setdefault("title", "A meeting")
    data.setdefault("end_at", start + datetime.timedelta(hours=1))
    return services.appointment_create(actor=actor, data=cast(Any, {"start_at": start, **data}))


def make_task(actor: Any, due: datetime.datetime, **data: Any) -> Task:
    data.setdefault("title", "A task")
    return services.task_create(actor=actor, data=cast(Any, {"due_at": due, **data}))


def feed(client: Any, **params: str) -> Any:
    return client.get("/calendar/events/", {**WEEK, **params})


def titles(response: Any) -> set[str]:
    assert response.status_code == 200, response.content
    return {event["title"] for event in response.json()}


# --- the feed ---------------------------------------------------------------------------


@pytest.fixture
def week(rep_north: Any, rep_north2: Any, rep_south: Any) -> None:
    make_appointment(rep_north, at(5, 9), title="Nora's visit")
    make_appointment(rep_north2, at(5, 11), title="Ned's visit")
    make_appointment(rep_south, at(6, 9), title="Sam's visit")
    make_task(rep_north, at(6, 14), title="Nora's call")
    make_task(rep_south, at(6, 15), title="Sam's call")
    # Outside the week, done, or without a due date: not on the calendar.
    make_appointment(rep_north, at(12, 9), title="Next week")
    services.task_complete(actor=rep_north, task=make_task(rep_north, at(5, 8), title="Done"))
    services.task_create(actor=rep_north, data={"title": "Someday"})


def test_a_rep_sees_their_own_calendar_by_default(client: Any, rep_north: Any, week: None) -> None:
    client.force_login(rep_north)
    assert titles(feed(client)) == {"Nora's visit", "Nora's call"}


def test_everyone_a_rep_may_see_is_their_team(client: Any, rep_north: Any, week: None) -> None:
    client.force_login(rep_north)
    assert titles(feed(client, owner="all")) == {"Nora's visit", "Ned's visit", "Nora's call"}


def test_a_manager_picks_a_team_member_but_not_another_team(
    client: Any, manager_north: Any, rep_north2: Any, rep_south: Any, week: None
) -> None:
    client.force_login(manager_north)
    assert titles(feed(client, owner=str(rep_north2.pk))) == {"Ned's visit"}
    assert titles(feed(client)) == set()  # the manager's own calendar is empty
    response = feed(client, owner=str(rep_south.pk))
    assert response.status_code == 404
    assert "Sam" not in response.content.decode()
    assert feed(client, owner="nobody").status_code == 404
    people = {u.pk for u in selectors.calendar_people(user=manager_north)}
    assert rep_north2.pk in people
    assert rep_south.pk not in people


def test_an_admin_sees_every_team(client: Any, admin: Any, rep_south: Any, week: None) -> None:
    client.force_login(admin)
    assert titles(feed(client, owner=str(rep_south.pk))) == {"Sam's visit", "Sam's call"}
    assert {"Nora's visit", "Sam's visit"} <= titles(feed(client, owner="all"))


def test_an_attendee_from_another_team_sees_it_but_cannot_move_it(
    client: Any, rep_north: Any, rep_south: Any
) -> None:
    make_appointment(rep_north, at(5, 9), title="Joint visit", attendee_ids=[rep_south.pk])
    client.force_login(rep_south)
    (event,) = feed(client).json()
    assert event["title"] == "Joint visit"
    assert event["editable"] is False


def test_events_carry_times_in_the_users_zone_colours_and_links(
    client: Any, rep_north: Any
) -> None:
    rep_north.time_zone = "Europe/Madrid"
    rep_north.save()
    appointment = make_appointment(rep_north, at(5, 8), location="Office")
    task = make_task(rep_north, at(5, 23))  # midnight of the 6th in Madrid: all day
    timed = make_task(rep_north, at(7, 15, 30), title="Timed")
    client.force_login(rep_north)
    events = {e["id"]: e for e in feed(client).json()}
    shown = events[f"appointment-{appointment.pk}"]
    assert (shown["start"], shown["end"]) == ("2030-03-05T09:00:00", "2030-03-05T10:00:00")
    assert shown["url"] == f"/appointments/{appointment.pk}/"
    assert shown["color"] == owner_colour(rep_north.pk)
    assert shown["editable"] is True
    assert shown["extendedProps"]["version"] == appointment.version
    assert shown["extendedProps"]["location"] == "Office"
    assert (events[f"task-{task.pk}"]["start"], events[f"task-{task.pk}"]["allDay"]) == (
        "2030-03-06",
        True,
    )
    assert events[f"task-{timed.pk}"]["start"] == "2030-03-07T16:30:00"
    assert events[f"task-{timed.pk}"]["url"] == f"/tasks/{timed.pk}/"


def test_owner_colours_are_stable_and_differ_between_neighbours() -> None:
    assert owner_colour(7) == owner_colour(7)
    assert owner_colour(7) != owner_colour(8)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start": "", "end": ""}, "Give the start and the end"),
        ({"start": "yesterday", "end": "2030-03-11"}, "Give the start and the end"),
        ({"start": "2030-03-11", "end": "2030-03-04"}, "must be after its start"),
        ({"start": "2030-01-01", "end": "2030-06-01"}, "at most 100 days"),
        ({"start": "0001-01-01", "end": "0001-01-05"}, "Give the start and the end"),
        ({"start": "2030-03-04T25:00:00", "end": "2030-03-05"}, "Give the start"),
        ({"start": "2999-12-01", "end": "9999-12-31"}, "Give the start"),
        ({"start": "1000-01-01", "end": "1000-01-05"}, "Give the start"),
    ],
)
def test_a_bad_period_is_a_400_with_a_message(
    client: Any, rep_north: Any, params: dict[str, str], message: str
) -> None:
    client.force_login(rep_north)
    response = client.get("/calendar/events/", params)
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_the_last_week_the_calendar_shows_reaches_into_the_next_year(
    client: Any, rep_north: Any
) -> None:
    client.force_login(rep_north)
    assert client.get("/calendar/", {"date": "2999-12-31", "view": "week"}).status_code == 200
    assert (
        client.get("/calendar/events/", {"start": "2999-12-30", "end": "3000-01-06"}).json() == []
    )


def test_the_feed_accepts_offsets_and_needs_a_login(client: Any, rep_north: Any) -> None:
    make_appointment(rep_north, at(5, 9), title="Visit")
    assert feed(client).status_code == 302
    client.force_login(rep_north)
    assert titles(feed(client, start="2030-03-05T08:00:00Z", end="2030-03-05T10:00:00+00:00")) == {
        "Visit"
    }


def test_feed_queries_do_not_grow_with_events(client: Any, rep_north: Any) -> None:
    make_appointment(rep_north, at(5, 9))
    make_task(rep_north, at(5, 10))
    client.force_login(rep_north)
    feed(client, owner="all")
    with CaptureQueriesContext(connection) as few:
        feed(client, owner="all")
    for i in range(8):
        make_appointment(rep_north, at(6, 8 + i), title=f"A{i}")
        make_task(rep_north, at(7, 8 + i), title=f"T{i}")
    with CaptureQueriesContext(connection) as many:
        assert len(feed(client, owner="all").json()) == 18
    assert len(many) == len(few)


def test_the_selector_refuses_a_person_one_may_not_see(rep_north: Any, rep_south: Any) -> None:
    with pytest.raises(NotFound):
        selectors.calendar_tasks(
            user=rep_north, start=at(4, 0), end=at(11, 0), person_id=rep_south.pk
        )


# --- the page ---------------------------------------------------------------------------


def test_the_page_offers_the_team_and_keeps_the_list_without_javascript(
    client: Any, manager_north: Any, rep_north: Any, rep_south: Any
) -> None:
    make_appointment(rep_north, at(6, 9), title="Wednesday visit")
    client.force_login(manager_north)
    page = client.get("/calendar/", {"date": "2030-03-04", "owner": rep_north.pk}).content.decode()
    assert 'id="calendar-config"' in page
    assert 'src="/static/activities/calendar.js"' in page
    assert "<noscript>" in page
    assert "Wednesday visit" in page
    assert f'<option value="{rep_north.pk}" selected>' in page
    assert f'value="{rep_south.pk}"' not in page
    assert client.get("/calendar/", {"owner": rep_south.pk}).status_code == 404


def test_a_rep_who_sees_only_their_own_records_gets_no_person_picker(
    client: Any, rep_north: Any
) -> None:
    rep_north.team = None
    rep_north.save()
    client.force_login(rep_north)
    assert 'id="calendar-owner"' not in client.get("/calendar/").content.decode()


def test_a_slot_picked_in_the_calendar_fills_the_new_appointment(
    client: Any, rep_north: Any
) -> None:
    client.force_login(rep_north)
    query = {"start": "2030-03-06T10:30:00", "end": "2030-03-06T12:00:00"}
    page = client.get("/appointments/new/", query).content.decode()
    assert 'value="2030-03-06T10:30"' in page
    assert 'value="2030-03-06T12:00"' in page
    # A slot that is not one is left out, not a 500.
    for bad in ({"start": "x", "end": "y"}, {"start": "2030-03-06T12:00", "end": "2030-03-06"}):
        assert client.get("/appointments/new/", bad).status_code == 200


# --- drag and drop ----------------------------------------------------------------------


def move(client: Any, record: Any, kind: str = "appointment", **data: Any) -> Any:
    body = {"kind": kind, "id": record.pk, "version": record.version, **data}
    return client.post("/calendar/move/", body)


def test_moving_an_appointment_saves_the_new_time_in_the_users_zone(
    client: Any, rep_north: Any
) -> None:
    rep_north.time_zone = "Europe/Madrid"
    rep_north.save()
    appointment = make_appointment(rep_north, at(5, 8))
    client.force_login(rep_north)
    response = move(client, appointment, start="2030-03-07T11:00:00", end="2030-03-07T12:30:00")
    assert response.status_code == 200, response.content
    appointment.refresh_from_db()
    assert (appointment.start_at, appointment.end_at) == (at(7, 10), at(7, 11, 30))
    assert response.json()["version"] == appointment.version == 2


def test_a_move_onto_a_booked_time_is_a_409_and_saves_nothing(
    client: Any, rep_north: Any, rep_north2: Any
) -> None:
    make_appointment(rep_north2, at(7, 10), title="Busy", attendee_ids=[rep_north.pk])
    appointment = make_appointment(rep_north, at(5, 8))
    client.force_login(rep_north)
    response = move(client, appointment, start="2030-03-07T10:30:00", end="2030-03-07T11:30:00")
    assert response.status_code == 409
    assert "already booked" in response.json()["error"]
    appointment.refresh_from_db()
    assert (appointment.start_at, appointment.version) == (at(5, 8), 1)
    # Next to it (ending as the other starts) is no conflict.
    ok = move(client, appointment, start="2030-03-07T09:00:00", end="2030-03-07T10:00:00")
    assert ok.status_code == 200


def test_a_stale_version_is_a_409(client: Any, rep_north: Any) -> None:
    appointment = make_appointment(rep_north, at(5, 8))
    client.force_login(rep_north)
    stale = appointment.version
    services.appointment_update(actor=rep_north, appointment=appointment, data={"title": "New"})
    body: dict[str, Any] = {"start": "2030-03-07T09:00:00", "end": "2030-03-07T10:00:00"}
    body["version"] = stale
    response = move(client, appointment, **body)
    assert response.status_code == 409
    assert "changed by someone else" in response.json()["error"]
    appointment.refresh_from_db()
    assert appointment.start_at == at(5, 8)


def test_moving_what_one_may_not_change_is_a_404(
    client: Any, rep_north: Any, rep_south: Any, reader: Any
) -> None:
    north = make_appointment(rep_north, at(5, 8), attendee_ids=[rep_south.pk])
    task = make_task(rep_north, at(5, 9))
    times = {"start": "2030-03-07T09:00:00", "end": "2030-03-07T10:00:00"}
    client.force_login(rep_south)  # attends, but may not change another team's record
    assert move(client, north, **times).status_code == 404
    assert move(client, task, "task", **times).status_code == 404
    client.force_login(reader)
    assert move(client, north, **times).status_code == 404
    north.refresh_from_db()
    task.refresh_from_db()
    assert (north.start_at, task.due_at) == (at(5, 8), at(5, 9))


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ({"start": "soon", "end": "2030-03-07T10:00:00"}, 400, "new start and end"),
        ({"start": "2030-03-07T10:00:00", "end": "2030-03-07T09:00:00"}, 400, "end must be after"),
        ({"start": "2030-03-07T10:00:00", "end": "2030-03-07T11:00:00", "version": "x"}, 400, ""),
        ({"start": "2030-03-07T10:00:00", "end": "2030-03-07T11:00:00", "kind": "deal"}, 404, ""),
        ({"start": "2030-03-07T10:00:00", "end": "2030-03-07T11:00:00", "id": "x"}, 404, ""),
    ],
)
def test_a_bad_move_is_refused_with_a_message(
    client: Any, rep_north: Any, data: dict[str, str], status: int, message: str
) -> None:
    appointment = make_appointment(rep_north, at(5, 8))
    client.force_login(rep_north)
    response = move(client, appointment, **data)
    assert response.status_code == status
    assert message in response.json()["error"]
    appointment.refresh_from_db()
    assert (appointment.start_at, appointment.version) == (at(5, 8), 1)


def test_moving_a_task_sets_its_due_time_or_day(client: Any, rep_north: Any) -> None:
    rep_north.time_zone = "Europe/Madrid"
    rep_north.save()
    task = make_task(rep_north, at(5, 8))
    client.force_login(rep_north)
    assert move(client, task, "task", start="2030-03-08T16:00:00").status_code == 200
    task.refresh_from_db()
    assert task.due_at == at(8, 15)
    response = move(client, task, "task", start="2030-03-09", allDay="true")
    assert response.status_code == 200
    task.refresh_from_db()
    assert task.due_at == datetime.datetime(2030, 3, 8, 23, 0, tzinfo=UTC)  # Madrid midnight
    assert response.json()["event"]["allDay"] is True
    assert move(client, task, "task", start="").status_code == 400


def test_the_move_needs_a_post_and_a_login(client: Any, rep_north: Any) -> None:
    appointment = make_appointment(rep_north, at(5, 8))
    assert move(client, appointment, start="2030-03-07T09:00:00").status_code == 302
    client.force_login(rep_north)
    assert client.get("/calendar/move/").status_code == 405
