"""The calendar page (FullCalendar: month, week and day on an hour grid, and an agenda
list), its JSON feed of appointments and dated tasks, and the drag-and-drop move.

The browser shows the calendar in the user's time zone without a time-zone plugin, so
every time crosses the wire as a wall-clock time in that zone, without an offset
(``2030-03-04T09:00:00``); times with an offset are accepted too. Without JavaScript
the page keeps its day and week lists."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from clientela.activities import selectors, services
from clientela.activities.filters import FIRST_DAY, LAST_DAY
from clientela.activities.models import Appointment, Task
from clientela.core.errors import NotFound, VersionConflict
from clientela.core.kinds import parse_id
from clientela.core.permissions import can, can_see_record
from clientela.core.views.records import AuthedRequest, bad_request

ONE_DAY = datetime.timedelta(days=1)
#: The longest period one feed request may ask for (a month view shows six weeks).
MAX_RANGE = datetime.timedelta(days=100)
#: The calendar's views by their name in the address (``?view=``).
VIEWS = {"month": "dayGridMonth", "week": "timeGridWeek", "day": "timeGridDay", "list": "listWeek"}
#: Owner colours, dark enough for white text; a user keeps theirs (``owner_colour``).
PALETTE = (
    "#0d6efd",
    "#198754",
    "#6f42c1",
    "#b02a37",
    "#087990",
    "#a0522d",
    "#d63384",
    "#495057",
    "#6610f2",
    "#13795b",
)


def owner_colour(user_id: int | None) -> str:
    return PALETTE[(user_id or 0) % len(PALETTE)]


def parse_day(value: str | None) -> datetime.date:
    """The day asked for (``YYYY-MM-DD``), today in the user's time zone otherwise."""
    try:
        return datetime.date.fromisoformat(value or "")
    except ValueError:
        return timezone.localdate()


def out_of_range(day: datetime.date) -> str:
    """Why the calendar cannot show ``day``, or ``""``."""
    if FIRST_DAY <= day <= LAST_DAY:
        return ""
    return _("The calendar shows the years %(first)s to %(last)s.") % {
        "first": FIRST_DAY.year,
        "last": LAST_DAY.year,
    }


def midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(
        datetime.datetime.combine(day, datetime.time.min), timezone.get_current_timezone()
    )


def parse_when(
    value: str | None, slack: datetime.timedelta = datetime.timedelta()
) -> datetime.datetime | None:
    """A day or a time from the calendar (without an offset: the user's time zone),
    None when it is not one or outside the years the calendar shows (give or take
    ``slack``: the weeks a view shows around the first and the last day)."""
    try:
        when = datetime.datetime.fromisoformat((value or "").strip())
    except ValueError:
        return None
    if not FIRST_DAY - slack <= when.date() <= LAST_DAY + slack:
        return None
    if timezone.is_naive(when):
        when = timezone.make_aware(when, timezone.get_current_timezone())
    return when


def wall_clock(value: datetime.datetime) -> str:
    """An aware time as the calendar reads it: the wall clock of the user's zone."""
    return timezone.localtime(value).replace(tzinfo=None).isoformat(timespec="seconds")


def _person(request: AuthedRequest) -> int | None:
    """Whose calendar to show (``?owner=``): the user's own by default, ``all`` for
    everyone they may see (``NotFound`` for anything else they may not pick)."""
    value = request.GET.get("owner", "")
    if value == "all":
        return None
    return parse_id(value) if value else request.user.pk


# --- the page -------------------------------------------------------------------------


@login_required
@require_GET
def calendar(request: AuthedRequest) -> HttpResponse:
    """The calendar; the day or week list (Monday first) is what a browser without
    JavaScript shows."""
    view = request.GET.get("view", "")
    mode = "day" if view == "day" else "week"
    day = parse_day(request.GET.get("date"))
    if problem := out_of_range(day):
        return bad_request(request, problem, back=reverse("activities:calendar"))
    try:
        person = _person(request)
        first = day if mode == "day" else day - datetime.timedelta(days=day.weekday())
        days = [first + datetime.timedelta(days=i) for i in range(1 if mode == "day" else 7)]
        start, end = midnight(days[0]), midnight(days[-1] + ONE_DAY)
        found = selectors.calendar_appointments(
            user=request.user, start=start, end=end, person_id=person
        )
        by_day = _by_day(list(found), days, start, end)
    except NotFound:
        raise Http404() from None
    step = ONE_DAY if mode == "day" else 7 * ONE_DAY
    people = selectors.calendar_people(user=request.user)
    may_create = can(request.user, "create", Appointment.RESOURCE)
    owner = request.GET.get("owner", "")
    return render(
        request,
        "activities/calendar.html",
        {
            "mode": mode,
            "day": day,
            "days": [(d, by_day[d]) for d in days],
            "today": timezone.localdate(),
            "previous": (first - step).isoformat(),
            "next": (first + step).isoformat(),
            "can_create": may_create,
            "people": people if len(people) > 1 else [],
            "owner": owner,
            "owner_query": f"&owner={owner}" if owner else "",
            "config": _config(request, view, day, may_create),
        },
    )


def _by_day(
    appointments: list[Appointment],
    days: list[datetime.date],
    start: datetime.datetime,
    end: datetime.datetime,
) -> dict[datetime.date, list[Appointment]]:
    by_day: dict[datetime.date, list[Appointment]] = {d: [] for d in days}
    for appointment in appointments:
        # An appointment spanning midnight shows on every day it touches.
        local_start = timezone.localdate(max(appointment.start_at, start))
        local_end = timezone.localdate(min(appointment.end_at, end) - datetime.timedelta(seconds=1))
        for d in days:
            if local_start <= d <= local_end:
                by_day[d].append(appointment)
    return by_day


def _config(request: AuthedRequest, view: str, day: datetime.date, may_create: bool) -> Any:
    """What the page's script needs (``json_script``: no inline script, for the CSP)."""
    offset = timezone.localtime().utcoffset() or datetime.timedelta()
    return {
        "events": reverse("activities:calendar-events"),
        "move": reverse("activities:calendar-move"),
        "create": reverse("activities:appointment-create") if may_create else "",
        "locale": "es" if (get_language() or "").startswith("es") else "en",
        "timeZone": timezone.get_current_timezone_name(),
        "offsetMinutes": int(offset.total_seconds() // 60),
        "view": VIEWS.get(view, ""),
        "date": day.isoformat(),
        "owner": request.GET.get("owner", ""),
        "buttons": {
            "today": _("Today"),
            "month": _("Month"),
            "week": _("Week"),
            "day": _("Day"),
            "list": _("Agenda"),
        },
        "texts": {
            "allDay": _("All day"),
            "empty": _("Nothing planned."),
            "failed": _("The calendar could not be loaded. Reload the page to try again."),
            "saved": _("Moved."),
            "moveFailed": _("The change could not be saved: it was undone."),
        },
    }


# --- the feed -------------------------------------------------------------------------


def _error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _range(request: AuthedRequest) -> tuple[datetime.datetime, datetime.datetime] | str:
    """The period asked for, or why it cannot be given."""
    start = parse_when(request.GET.get("start"), slack=MAX_RANGE)
    end = parse_when(request.GET.get("end"), slack=MAX_RANGE)
    if start is None or end is None:
        return _("Give the start and the end of the period as dates (YYYY-MM-DD).")
    if end <= start:
        return _("The end of the period must be after its start.")
    if end - start > MAX_RANGE:
        return _("Ask for at most %(days)s days at a time.") % {"days": MAX_RANGE.days}
    return start, end


@login_required
@require_GET
def calendar_events(request: AuthedRequest) -> JsonResponse:
    """The appointments and open dated tasks of ``[start, end)`` for FullCalendar, of
    the person ``owner`` (the user by default; ``all``: everyone they may see)."""
    period = _range(request)
    if isinstance(period, str):
        return _error(period, 400)
    start, end = period
    user = request.user
    try:
        person = _person(request)
        appointments = list(
            selectors.calendar_appointments(user=user, start=start, end=end, person_id=person)
        )
        tasks = list(selectors.calendar_tasks(user=user, start=start, end=end, person_id=person))
    except NotFound:
        return _error(str(NotFound()), 404)
    edit_appointments = can(user, "update", Appointment.RESOURCE)
    edit_tasks = can(user, "update", Task.RESOURCE)
    events = [
        _appointment_event(a, edit_appointments and can_see_record(user, a)) for a in appointments
    ]
    events += [_task_event(t, edit_tasks and can_see_record(user, t)) for t in tasks]
    return JsonResponse(events, safe=False)


def _appointment_event(appointment: Appointment, editable: bool) -> dict[str, Any]:
    return {
        "id": f"appointment-{appointment.pk}",
        "title": appointment.title,
        "start": wall_clock(appointment.start_at),
        "end": wall_clock(appointment.end_at),
        "allDay": False,
        "url": reverse("activities:appointment-detail", args=[appointment.pk]),
        "color": owner_colour(appointment.owner_id),
        "editable": editable,
        "extendedProps": {
            "kind": "appointment",
            "pk": appointment.pk,
            "version": appointment.version,
            "owner": str(appointment.owner) if appointment.owner_id else "",
            "location": appointment.location,
        },
    }


def _task_event(task: Task, editable: bool) -> dict[str, Any]:
    """A task at its due time, or all day when it is due at midnight."""
    due = task.due_at or timezone.now()  # the selector keeps dated tasks only
    local = timezone.localtime(due)
    all_day = local.time() == datetime.time.min
    return {
        "id": f"task-{task.pk}",
        "title": task.title,
        "start": local.date().isoformat() if all_day else wall_clock(due),
        "allDay": all_day,
        "url": reverse("activities:task-detail", args=[task.pk]),
        "color": owner_colour(task.assignee_id),
        "editable": editable,
        "durationEditable": False,
        "classNames": ["calendar-task"],
        "extendedProps": {
            "kind": "task",
            "pk": task.pk,
            "version": task.version,
            "owner": str(task.assignee),
            "location": "",
        },
    }


# --- drag and drop --------------------------------------------------------------------


@login_required
@require_POST
def calendar_move(request: AuthedRequest) -> JsonResponse:
    """Move or resize an appointment, or move a task's due time, through their
    services with the version the calendar showed: 409 when it changed meanwhile or
    the new time is double-booked, 404 for what the user may not change, 400 for a
    time that is not one; nothing is saved then."""
    data = request.POST
    try:
        version = int(data.get("version", ""))
    except ValueError:
        return _error(_("The version is missing: reload the calendar."), 400)
    try:
        if data.get("kind") == "appointment":
            return _move_appointment(request, version)
        if data.get("kind") == "task":
            return _move_task(request, version)
        raise NotFound()
    except (NotFound, PermissionDenied):
        return _error(str(NotFound()), 404)
    except (VersionConflict, services.BookingConflict) as exc:
        return _error(str(exc), 409)
    except ValidationError as exc:
        return _error(" ".join(exc.messages), 400)


def _move_appointment(request: AuthedRequest, version: int) -> JsonResponse:
    appointment = selectors.appointment_get(user=request.user, pk=request.POST.get("id"))
    start, end = parse_when(request.POST.get("start")), parse_when(request.POST.get("end"))
    if start is None or end is None:
        return _error(_("Give the new start and end as date and time."), 400)
    moved = services.appointment_reschedule(
        actor=request.user,
        appointment=appointment,
        start_at=start,
        end_at=end,
        expected_version=version,
    )
    return JsonResponse({"version": moved.version, "event": _appointment_event(moved, True)})


def _move_task(request: AuthedRequest, version: int) -> JsonResponse:
    task = selectors.task_get(user=request.user, pk=request.POST.get("id"))
    due = parse_when(request.POST.get("start"))
    if due is None:
        return _error(_("Give the new due date and time."), 400)
    if request.POST.get("allDay") == "true":
        due = midnight(timezone.localdate(due))
    moved = services.task_update(
        actor=request.user, task=task, data={"due_at": due}, expected_version=version
    )
    return JsonResponse({"version": moved.version, "event": _task_event(moved, True)})
