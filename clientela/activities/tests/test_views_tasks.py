"""Task and appointment pages: lists, one-click complete, forms with reminders, the
calendar, conflicts, delete, and who may see what."""

from __future__ import annotations

import datetime
from typing import Any, cast

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clientela.activities import services
from clientela.activities.models import Appointment, Reminder, Task
from clientela.core.testing.history import history_changes
from conftest import WhenRun

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
LOCAL = "%Y-%m-%dT%H:%M"


def in_days(days: float) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=days)


def task_form(**overrides: Any) -> dict[str, Any]:
    data = {
        "title": "Send the quote",
        "due_at": timezone.localtime(in_days(2)).strftime(LOCAL),
        "priority": "high",
        "assignee": "",
        "description": "",
        "reminders-TOTAL_FORMS": "1",
        "reminders-INITIAL_FORMS": "0",
        "reminders-MIN_NUM_FORMS": "0",
        "reminders-MAX_NUM_FORMS": "5",
        "reminders-0-minutes_before": "15",
        "reminders-0-by_email": "on",
    }
    data.update(overrides)
    return data


def make_task(actor: Any, **data: Any) -> Task:
    data.setdefault("title", "A task")
    data.setdefault("due_at", in_days(1))
    return services.task_create(actor=actor, data=cast(Any, data))


def make_appointment(actor: Any, start: datetime.datetime, **data: Any) -> Appointment:
    data.setdefault("title", "A meeting")
    data.setdefault("end_at", start + datetime.timedelta(hours=1))
    data.setdefault("attendee_ids", [actor.pk])
    data.setdefault("time_zone", "UTC")
    return services.appointment_create(actor=actor, data=cast(Any, {"start_at": start, **data}))


# --- tasks ------------------------------------------------------------------------------


def test_create_a_task_with_a_reminder(client: Any, rep_north: Any, person_factory: Any) -> None:
    person = person_factory(rep_north)
    client.force_login(rep_north)
    form_page = client.get(f"/tasks/new/?person={person.pk}").content.decode()
    assert f'value="{person.pk}"' in form_page
    assert "checked" in form_page
    response = client.post(
        "/tasks/new/", task_form(assignee=str(rep_north.pk), people=[str(person.pk)])
    )
    task = Task.objects.get()
    assert response.status_code == 302
    assert response.url == f"/tasks/{task.pk}/"
    assert task.title == "Send the quote"
    assert task.priority == "high"
    assert list(task.people.all()) == [person]
    reminder = Reminder.objects.get(task=task)
    assert reminder.minutes_before == 15
    assert reminder.by_email is True
    assert "Send the quote" in client.get(response.url).content.decode()


def test_a_task_without_due_date_or_reminder_is_fine(client: Any, rep_north: Any) -> None:
    client.force_login(rep_north)
    response = client.post(
        "/tasks/new/",
        task_form(assignee=str(rep_north.pk), due_at="", **{"reminders-0-minutes_before": ""}),
    )
    assert response.status_code == 302
    task = Task.objects.get()
    assert task.due_at is None
    assert not task.reminders.exists()


def test_new_task_form_goes_back_to_the_record_page(
    client: Any, rep_north: Any, person_factory: Any
) -> None:
    person = person_factory(rep_north)
    client.force_login(rep_north)
    back = f"/people/{person.pk}/"
    response = client.post(
        f"/tasks/new/?next={back}", task_form(assignee=str(rep_north.pk), next=back)
    )
    assert response.url == back
    evil = client.post(
        "/tasks/new/", task_form(assignee=str(rep_north.pk), next="https://x.example/")
    )
    assert evil.url.startswith("/tasks/")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": ""}, "This field is required"),
        ({"due_at": "soon"}, "Enter a valid date/time"),
        ({"priority": "urgent"}, "Select a valid choice"),
        ({"reminders-0-minutes_before": "7"}, "Select a valid choice"),
        # Due in an hour, reminded a day before: in the past.
        (
            {
                "due_at": WhenRun(
                    "in an hour", lambda: timezone.localtime(in_days(1 / 24)).strftime(LOCAL)
                ),
                "reminders-0-minutes_before": "1440",
            },
            "would be in the past",
        ),
        ({"due_at": "", "reminders-0-minutes_before": "15"}, "Give a due date"),
        ({"people": ["999999"]}, ""),
        ({"organization": "999999"}, ""),
    ],
)
def test_task_bad_input_shows_errors_and_saves_nothing(
    client: Any, rep_north: Any, overrides: dict[str, Any], message: str
) -> None:
    client.force_login(rep_north)
    response = client.post(
        "/tasks/new/", task_form(assignee=str(rep_north.pk), **WhenRun.resolve(overrides))
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    assert "alert-danger" in body or "is-invalid" in body
    assert not Task.objects.exists()
    assert not Reminder.objects.exists()


def test_edit_a_task_keeps_and_changes_reminders(client: Any, rep_north: Any) -> None:
    task = make_task(rep_north, reminders=[services.ReminderInput(60, False)])
    client.force_login(rep_north)
    page = client.get(f"/tasks/{task.pk}/edit/").content.decode()
    assert 'value="60" selected' in page
    response = client.post(
        f"/tasks/{task.pk}/edit/",
        task_form(
            title="Renamed",
            assignee=str(rep_north.pk),
            version=str(task.version),
            **{"reminders-0-minutes_before": "30", "reminders-0-by_email": ""},
        ),
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.title == "Renamed"
    assert [(r.minutes_before, r.by_email) for r in task.reminders.all()] == [(30, False)]


def test_task_page_shows_its_history(client: Any, rep_north: Any) -> None:
    task = make_task(rep_north, title="Call back")
    services.task_update(
        actor=rep_north,
        task=task,
        data={"title": "Call back today", "reminders": [services.ReminderInput(15, False)]},
    )
    client.force_login(rep_north)
    newest = history_changes(client.get(f"/tasks/{task.pk}/").content.decode())[0]
    assert ("Title", "Call back", "Call back today") in newest
    assert [c[0] for c in newest if c[0].startswith("Reminders")] == ["Reminders (minutes before)"]


def test_stale_edit_is_refused(client: Any, rep_north: Any) -> None:
    task = make_task(rep_north)
    client.force_login(rep_north)
    response = client.post(
        f"/tasks/{task.pk}/edit/",
        task_form(title="Mine", assignee=str(rep_north.pk), version=str(task.version + 5)),
    )
    assert 'id="version-conflict"' in response.content.decode()
    task.refresh_from_db()
    assert task.title == "A task"


def test_task_lists_mine_team_and_overdue(client: Any, rep_north: Any, rep_north2: Any) -> None:
    make_task(rep_north, title="Mine later")
    make_task(rep_north2, title="Ned's task")
    late = make_task(rep_north, title="Mine late")
    Task.objects.filter(pk=late.pk).update(due_at=in_days(-1))
    client.force_login(rep_north)
    mine = client.get("/tasks/").content.decode()
    assert "Mine later" in mine
    assert "Mine late" in mine
    assert "Ned&#x27;s task" not in mine
    team = client.get("/tasks/?view=team").content.decode()
    assert "Ned&#x27;s task" in team
    overdue = client.get("/tasks/?view=overdue").content.decode()
    assert "Mine late" in overdue
    assert "Mine later" not in overdue
    # An unknown view is the default one, not an error.
    assert client.get("/tasks/?view=everything&page=x").status_code == 200


def test_task_list_offers_the_export_of_its_tab(client: Any, rep_north: Any) -> None:
    make_task(rep_north, title="Mine")
    client.force_login(rep_north)
    page = client.get("/tasks/?view=overdue").content.decode()
    for fmt in ("csv", "xlsx", "json"):
        assert f'href="/export/tasks.{fmt}?view=overdue"' in page, fmt
    assert "No overdue tasks." in page
    # An htmx page change gets the items alone, without the tabs.
    items = client.get("/tasks/", HTTP_HX_REQUEST="true").content.decode()
    assert 'id="task-' in items
    assert "nav-underline" not in items
    assert "<html" not in items


def test_task_list_queries_do_not_grow_with_rows(
    client: Any, rep_north: Any, person_factory: Any, organization_factory: Any
) -> None:
    person = person_factory(rep_north)
    org = organization_factory(rep_north)
    make_task(rep_north, person_ids=[person.pk], organization_id=org.pk)
    client.force_login(rep_north)
    client.get("/tasks/")
    with CaptureQueriesContext(connection) as few:
        client.get("/tasks/")
    for i in range(15):
        make_task(rep_north, title=f"T{i}", person_ids=[person.pk], organization_id=org.pk)
    with CaptureQueriesContext(connection) as many:
        assert "T14" in client.get("/tasks/").content.decode()
    assert len(many) == len(few)


def test_complete_in_one_click_updates_the_row(client: Any, rep_north: Any) -> None:
    task = make_task(rep_north, title="Call back")
    client.force_login(rep_north)
    response = client.post(f"/tasks/{task.pk}/complete/", **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert f'id="task-{task.pk}"' in body
    assert f"/tasks/{task.pk}/reopen/" in body
    assert "<html" not in body
    task.refresh_from_db()
    assert task.status == "done"
    assert task.completed_at is not None
    client.post(f"/tasks/{task.pk}/reopen/", **HTMX)
    task.refresh_from_db()
    assert task.status == "open"
    # Without htmx it goes back to the task with a message.
    response = client.post(f"/tasks/{task.pk}/complete/", follow=True)
    assert "completed" in response.content.decode()


def test_delete_a_task_with_confirmation(client: Any, rep_north: Any) -> None:
    task = make_task(rep_north, title="Obsolete")
    client.force_login(rep_north)
    page = client.get(f"/tasks/{task.pk}/delete/").content.decode()
    assert "Obsolete" in page
    assert Task.objects.filter(deleted_at__isnull=True).exists()
    response = client.post(f"/tasks/{task.pk}/delete/", {"version": task.version})
    assert response.url == "/tasks/"
    task.refresh_from_db()
    assert task.deleted_at is not None
    assert client.get(f"/tasks/{task.pk}/").status_code == 404


def test_south_rep_gets_404_for_north_tasks(client: Any, rep_north: Any, rep_south: Any) -> None:
    task = make_task(rep_north, title="North secret")
    client.force_login(rep_south)
    for url in ("", "edit/", "delete/"):
        assert client.get(f"/tasks/{task.pk}/{url}").status_code == 404, url
    for url in ("complete/", "reopen/", "delete/", "edit/"):
        assert client.post(f"/tasks/{task.pk}/{url}").status_code == 404, url
    assert "North secret" not in client.get("/tasks/?view=team").content.decode()
    task.refresh_from_db()
    assert task.status == "open"
    assert task.deleted_at is None


def test_reader_cannot_create_tasks(client: Any, reader: Any) -> None:
    client.force_login(reader)
    assert client.get("/tasks/new/").status_code == 403
    assert "New task" not in client.get("/tasks/").content.decode()


# --- appointments -----------------------------------------------------------------------


def appointment_form(**overrides: Any) -> dict[str, Any]:
    data = {
        "title": "Visit",
        "start": "2030-03-04T10:00",
        "end": "2030-03-04T11:30",
        "time_zone": "America/New_York",
        "location": "Their office",
        "description": "",
        "reminders-TOTAL_FORMS": "1",
        "reminders-INITIAL_FORMS": "0",
        "reminders-MIN_NUM_FORMS": "0",
        "reminders-MAX_NUM_FORMS": "5",
        "reminders-0-minutes_before": "1440",
    }
    data.update(overrides)
    return data


def test_create_an_appointment_in_its_time_zone(
    client: Any, rep_north: Any, rep_north2: Any, organization_factory: Any
) -> None:
    org = organization_factory(rep_north)
    client.force_login(rep_north)
    assert client.get(f"/appointments/new/?organization={org.pk}").status_code == 200
    response = client.post(
        "/appointments/new/",
        appointment_form(attendees=[str(rep_north.pk), str(rep_north2.pk)], organization=org.pk),
    )
    appointment = Appointment.objects.get()
    assert response.url == f"/appointments/{appointment.pk}/"
    assert appointment.start_at == datetime.datetime(2030, 3, 4, 15, 0, tzinfo=datetime.UTC)
    assert appointment.end_at == datetime.datetime(2030, 3, 4, 16, 30, tzinfo=datetime.UTC)
    assert appointment.time_zone == "America/New_York"
    assert set(appointment.attendees.all()) == {rep_north, rep_north2}
    assert appointment.organization == org
    assert Reminder.objects.filter(appointment=appointment, minutes_before=1440).exists()
    # The edit form shows the times in the appointment's own time zone.
    page = client.get(f"/appointments/{appointment.pk}/edit/").content.decode()
    assert 'value="2030-03-04T10:00"' in page


def test_new_appointment_on_a_day_picked_in_the_calendar(client: Any, rep_north: Any) -> None:
    client.force_login(rep_north)
    page = client.get("/appointments/new/?date=2030-03-06").content.decode()
    assert 'value="2030-03-06T' in page
    # A day the calendar cannot show is left out, not a 500.
    for day in ("9999-12-31", "0001-01-01", "soon"):
        assert client.get(f"/appointments/new/?date={day}").status_code == 200


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"end": "2030-03-04T09:00"}, "The end must be after the start"),
        ({"start": "tomorrow"}, "Enter a valid date/time"),
        ({"time_zone": "Mars/Olympus"}, "Select a valid choice"),
        ({"title": ""}, "This field is required"),
        ({"attendees": ["abc"]}, "Select a valid choice"),
        ({"start": "2001-01-01T10:00", "end": "2001-01-01T11:00"}, "would be in the past"),
    ],
)
def test_appointment_bad_input_saves_nothing(
    client: Any, rep_north: Any, overrides: dict[str, Any], message: str
) -> None:
    client.force_login(rep_north)
    response = client.post("/appointments/new/", appointment_form(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Appointment.objects.exists()
    assert not Reminder.objects.exists()


def test_double_booking_is_shown(client: Any, rep_north: Any) -> None:
    start = in_days(3).replace(microsecond=0)
    first = make_appointment(rep_north, start, title="First meeting")
    second = make_appointment(rep_north, start + datetime.timedelta(minutes=30), title="Second")
    client.force_login(rep_north)
    page = client.get(f"/appointments/{second.pk}/").content.decode()
    assert 'id="conflicts"' in page
    assert "First meeting" in page
    alone = make_appointment(rep_north, start + datetime.timedelta(days=2), title="Alone")
    assert 'id="conflicts"' not in client.get(f"/appointments/{alone.pk}/").content.decode()
    assert first.pk != second.pk


def test_calendar_week_and_day(client: Any, rep_north: Any, rep_south: Any) -> None:
    start = datetime.datetime(2030, 3, 6, 9, 0, tzinfo=datetime.UTC)  # a Wednesday
    make_appointment(rep_north, start, title="Wednesday visit")
    make_appointment(rep_south, start, title="South visit")
    client.force_login(rep_north)
    week = client.get("/calendar/", {"date": "2030-03-04"}).content.decode()
    assert "Wednesday visit" in week
    assert "South visit" not in week
    assert week.count('class="card h-100') == 7
    day = client.get("/calendar/", {"view": "day", "date": "2030-03-06"}).content.decode()
    assert "Wednesday visit" in day
    assert day.count('class="card h-100') == 1
    other_day = client.get("/calendar/", {"view": "day", "date": "2030-03-07"}).content.decode()
    assert "Wednesday visit" not in other_day
    assert client.get("/calendar/", {"date": "not-a-date"}).status_code == 200


def test_delete_an_appointment(client: Any, rep_north: Any) -> None:
    appointment = make_appointment(rep_north, in_days(1), title="Cancelled visit")
    client.force_login(rep_north)
    assert (
        "Cancelled visit" in client.get(f"/appointments/{appointment.pk}/delete/").content.decode()
    )
    response = client.post(f"/appointments/{appointment.pk}/delete/")
    assert response.url == "/calendar/"
    appointment.refresh_from_db()
    assert appointment.deleted_at is not None


def test_south_rep_gets_404_for_north_appointments(
    client: Any, rep_north: Any, rep_south: Any
) -> None:
    appointment = make_appointment(rep_north, in_days(1))
    client.force_login(rep_south)
    for url in ("", "edit/", "delete/"):
        assert client.get(f"/appointments/{appointment.pk}/{url}").status_code == 404, url
    assert client.post(f"/appointments/{appointment.pk}/delete/").status_code == 404
    appointment.refresh_from_db()
    assert appointment.deleted_at is None


def test_calendar_queries_do_not_grow_with_appointments(client: Any, rep_north: Any) -> None:
    start = datetime.datetime(2030, 3, 6, 9, 0, tzinfo=datetime.UTC)
    make_appointment(rep_north, start)
    client.force_login(rep_north)
    client.get("/calendar/", {"date": "2030-03-06"})
    with CaptureQueriesContext(connection) as few:
        client.get("/calendar/", {"date": "2030-03-06"})
    for i in range(10):
        make_appointment(rep_north, start + datetime.timedelta(hours=i), title=f"A{i}")
    with CaptureQueriesContext(connection) as many:
        assert "A9" in client.get("/calendar/", {"date": "2030-03-06"}).content.decode()
    assert len(many) == len(few)


def test_people_picker_finds_only_visible_people(
    client: Any, rep_north: Any, rep_south: Any, person_factory: Any
) -> None:
    mine = person_factory(rep_north, first_name="Zelda", last_name="North")
    person_factory(rep_south, first_name="Zelda", last_name="South")
    client.force_login(rep_north)
    found = client.get("/activities/people-options/", {"people_q": "Zelda"}).content.decode()
    assert "Zelda North" in found
    assert "Zelda South" not in found
    assert f'name="people" value="{mine.pk}"' in found
    assert (
        "Nobody found"
        in client.get(
            "/activities/people-options/", {"people_q": "Nobody-like-this"}
        ).content.decode()
    )
    assert client.get("/activities/people-options/").content.decode().strip() == ""


def test_linking_an_invisible_person_is_refused(
    client: Any, rep_north: Any, rep_south: Any, person_factory: Any
) -> None:
    south = person_factory(rep_south)
    client.force_login(rep_north)
    response = client.post(
        "/tasks/new/", task_form(assignee=str(rep_north.pk), people=[str(south.pk)])
    )
    assert response.status_code == 200
    assert not Task.objects.exists()
