"""The calendar in a real browser: FullCalendar's week grid fed by the JSON feed, an
appointment dragged to another slot (and refused onto a booked one), and the agenda
list on a phone, in English and Spanish."""

from __future__ import annotations

import datetime
from typing import Any, cast

import pytest

from clientela.activities import services
from clientela.activities.models import Appointment

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]
UTC = datetime.UTC


def at(day: int, hour: int) -> datetime.datetime:
    return datetime.datetime(2030, 3, day, hour, 0, tzinfo=UTC)


def make_appointment(actor: Any, start: datetime.datetime, **data: Any) -> Appointment:
    data.setdefault("end_at", start + datetime.timedelta(hours=1))
    return services.appointment_create(actor=actor, data=cast(Any, {"start_at": start, **data}))


@pytest.fixture
def madrid_week(rep_north: Any, rep_north2: Any) -> Appointment:
    """Nora (in Madrid, UTC+1 in early March) has a visit on Wednesday 6 March 2030 at
    9:00 her time and a task on Tuesday; Ned has her booked on Friday at 11:00."""
    rep_north.time_zone = "Europe/Madrid"
    rep_north.save()
    services.task_create(actor=rep_north, data={"title": "Call back", "due_at": at(5, 14)})
    make_appointment(rep_north2, at(8, 10), title="Busy", attendee_ids=[rep_north.pk])
    return make_appointment(rep_north, at(6, 8), title="Site visit")


@pytest.fixture(params=["en", "es"])
def open_as_nora(request: Any, page: Any, login_as: Any, rep_north: Any) -> Any:
    """Open a calendar address as Nora, in English and then in Spanish, at a width."""

    def open_page(url: str, width: int, height: int) -> str:
        login_as(rep_north, language=request.param)
        page.set_viewport_size({"width": width, "height": height})
        page.goto(url, wait_until="networkidle")
        return cast(str, request.param)

    return open_page


def _drag(page: Any, event: Any, day: str, time: str) -> None:
    """Drag ``event`` by its top edge to the slot of ``time`` on ``day``."""
    grab = event.bounding_box()
    column = page.locator(f"#calendar td.fc-timegrid-col[data-date='{day}']").bounding_box()
    slot = page.locator(f"#calendar td.fc-timegrid-slot-lane[data-time='{time}']").bounding_box()
    page.mouse.move(grab["x"] + grab["width"] / 2, grab["y"] + 4)
    page.mouse.down()
    target_x, target_y = column["x"] + column["width"] / 2, slot["y"] + 4
    page.mouse.move(target_x, target_y - 40, steps=10)
    page.mouse.move(target_x, target_y, steps=5)
    page.mouse.up()


def test_drag_an_appointment_in_the_week_grid(
    page: Any, open_as_nora: Any, madrid_week: Appointment, artifacts_dir: Any
) -> None:
    language = open_as_nora("/calendar/?view=week&date=2030-03-04", 1280, 1000)
    visit = page.locator("#calendar .fc-timegrid-event", has_text="Site visit")
    visit.wait_for()
    # On the hour grid, in Wednesday's column, at 9:00 Madrid time; the task on Tuesday.
    wednesday = page.locator("#calendar td.fc-timegrid-col[data-date='2030-03-06']")
    assert wednesday.locator(".fc-timegrid-event", has_text="Site visit").count() == 1
    assert "9:00" in visit.inner_text()
    tuesday = page.locator("#calendar td.fc-timegrid-col[data-date='2030-03-05']")
    assert tuesday.locator(".calendar-task", has_text="Call back").count() == 1
    today = "Hoy" if language == "es" else "Today"
    assert page.locator("#calendar .fc-today-button").inner_text() == today
    assert ("Mi calendario" if language == "es" else "My calendar") in page.locator(
        "#calendar-owner"
    ).inner_text()
    page.screenshot(path=str(artifacts_dir / f"calendar-week-1280px-{language}.png"))

    with page.expect_response(lambda r: r.url.endswith("/calendar/move/")) as answer:
        _drag(page, visit, "2030-03-07", "11:00:00")
    assert answer.value.status == 200
    page.locator("#calendar-message.alert-success").wait_for()
    madrid_week.refresh_from_db()
    assert madrid_week.start_at == at(7, 10)  # Thursday 11:00 in Madrid
    assert madrid_week.end_at == at(7, 11)

    # Onto Friday 11:00, where Nora is booked: refused, put back, and said why.
    visit = page.locator("#calendar .fc-timegrid-event", has_text="Site visit")
    with page.expect_response(lambda r: r.url.endswith("/calendar/move/")) as answer:
        _drag(page, visit, "2030-03-08", "11:00:00")
    assert answer.value.status == 409
    page.locator("#calendar-message.alert-danger").wait_for()
    thursday = page.locator("#calendar td.fc-timegrid-col[data-date='2030-03-07']")
    thursday.locator(".fc-timegrid-event", has_text="Site visit").wait_for()
    madrid_week.refresh_from_db()
    assert madrid_week.start_at == at(7, 10)

    # A click on a free slot opens the new appointment form at that time.
    monday = page.locator("#calendar td.fc-timegrid-col[data-date='2030-03-04']").bounding_box()
    slot = page.locator("#calendar td.fc-timegrid-slot-lane[data-time='10:00:00']").bounding_box()
    page.mouse.click(monday["x"] + monday["width"] / 2, slot["y"] + 4)
    page.wait_for_url("**/appointments/new/?*")
    assert page.input_value("input[name='start']") == "2030-03-04T10:00"
    assert page.input_value("input[name='end']") == "2030-03-04T10:30"


def test_a_phone_shows_the_agenda_list(
    page: Any, open_as_nora: Any, madrid_week: Appointment, artifacts_dir: Any
) -> None:
    language = open_as_nora("/calendar/?date=2030-03-04", 390, 844)
    page.locator("#calendar .fc-list-event", has_text="Site visit").wait_for()
    assert page.locator("#calendar .fc-timegrid").count() == 0
    assert page.locator("#calendar .fc-list-event", has_text="Call back").count() == 1
    heading = page.locator("#calendar .fc-list-day").first.inner_text().lower()
    assert ("martes" if language == "es" else "tuesday") in heading
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
    page.screenshot(path=str(artifacts_dir / f"calendar-list-390px-{language}.png"), full_page=True)
    # The address follows the calendar, so a reload keeps the view.
    assert "view=list" in page.url
    # The month fits the phone too.
    page.click("#calendar .fc-dayGridMonth-button")
    page.locator("#calendar .fc-daygrid-event", has_text="Site visit").wait_for()
    assert "view=month" in page.url
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
    page.screenshot(path=str(artifacts_dir / f"calendar-month-390px-{language}.png"))
