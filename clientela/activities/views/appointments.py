"""Appointment pages: the day and week calendar, one appointment with its conflicts,
create/edit with attendees and reminders (delete is core's generic page)."""

from __future__ import annotations

import datetime
import zoneinfo
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from clientela.activities import selectors, services
from clientela.activities.forms import (
    ERROR_TARGETS,
    AppointmentForm,
    reminder_formset,
)
from clientela.activities.models import Appointment
from clientela.contacts.views.pickers import linked_choices
from clientela.core.errors import VersionConflict
from clientela.core.forms import add_service_errors, local_input, user_options
from clientela.core.permissions import can, require
from clientela.core.views.records import (
    AuthedRequest,
    bad_request,
    not_found_as_404,
    prefilled_links,
    redirect_next,
)

ONE_DAY = datetime.timedelta(days=1)


#: The days the calendar shows: far enough for any real appointment, and clear of the
#: ends of Python's calendar (a week around 9999-12-31 does not exist).
FIRST_DAY, LAST_DAY = datetime.date(1900, 1, 1), datetime.date(2999, 12, 31)


def _day(value: str | None) -> datetime.date:
    """The day asked for (``YYYY-MM-DD``), today in the user's time zone otherwise."""
    try:
        return datetime.date.fromisoformat(value or "")
    except ValueError:
        return timezone.localdate()


def _out_of_range(day: datetime.date) -> str:
    """Why the calendar cannot show ``day``, or ``""``."""
    if FIRST_DAY <= day <= LAST_DAY:
        return ""
    return _("The calendar shows the years %(first)s to %(last)s.") % {
        "first": FIRST_DAY.year,
        "last": LAST_DAY.year,
    }


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(
        datetime.datetime.combine(day, datetime.time.min), timezone.get_current_timezone()
    )


@login_required
@require_GET
def calendar(request: AuthedRequest) -> HttpResponse:
    """A day or a week (Monday first) of the user's visible appointments, each day a
    column on a wide screen and a list on a phone."""
    mode = "day" if request.GET.get("view") == "day" else "week"
    day = _day(request.GET.get("date"))
    if problem := _out_of_range(day):
        return bad_request(request, problem, back=reverse("activities:calendar"))
    first = day if mode == "day" else day - datetime.timedelta(days=day.weekday())
    count = 1 if mode == "day" else 7
    days = [first + datetime.timedelta(days=i) for i in range(count)]
    start, end = _midnight(days[0]), _midnight(days[-1] + ONE_DAY)
    by_day: dict[datetime.date, list[Appointment]] = {d: [] for d in days}
    for appointment in selectors.appointment_list(user=request.user, start=start, end=end):
        # An appointment spanning midnight shows on every day it touches.
        local_start = timezone.localdate(max(appointment.start_at, start))
        local_end = timezone.localdate(min(appointment.end_at, end) - datetime.timedelta(seconds=1))
        for d in days:
            if local_start <= d <= local_end:
                by_day[d].append(appointment)
    step = ONE_DAY if mode == "day" else 7 * ONE_DAY
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
            "can_create": can(request.user, "create", Appointment.RESOURCE),
        },
    )


@login_required
@require_GET
@not_found_as_404
def appointment_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    appointment = selectors.appointment_get(user=request.user, pk=pk)
    return render(
        request,
        "activities/appointment_detail.html",
        {
            "appointment": appointment,
            "conflicts": selectors.appointment_conflicts(appointment=appointment),
            "can_edit": can(request.user, "update", Appointment.RESOURCE),
            "can_delete": can(request.user, "delete", Appointment.RESOURCE),
        },
    )


def _initial(appointment: Appointment) -> dict[str, Any]:
    tz: datetime.tzinfo
    try:
        tz = zoneinfo.ZoneInfo(appointment.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        tz = timezone.get_current_timezone()
    return {
        "title": appointment.title,
        "description": appointment.description,
        "start": local_input(appointment.start_at, tz),
        "end": local_input(appointment.end_at, tz),
        "time_zone": appointment.time_zone,
        "location": appointment.location,
        "attendees": [u.pk for u in appointment.attendees.all()],
        "people": [p.pk for p in appointment.people.all()],
        "organization": appointment.organization_id,
        "version": appointment.version,
    }


def _new_initial(request: AuthedRequest) -> dict[str, Any]:
    """A new appointment starts at the next full hour (or on the day picked in the
    calendar) and lasts an hour, with the user attending."""
    now = timezone.localtime()
    start = now.replace(minute=0, second=0, microsecond=0) + datetime.timedelta(hours=1)
    if request.GET.get("date"):
        start = datetime.datetime.combine(_day(request.GET["date"]), start.time())
        start = timezone.make_aware(start, timezone.get_current_timezone())
    return {
        "start": local_input(start),
        "end": local_input(start + datetime.timedelta(hours=1)),
        "time_zone": timezone.get_current_timezone_name(),
        "attendees": [request.user.pk],
        **prefilled_links(request),
    }


@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def appointment_form(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    user = request.user
    appointment = selectors.appointment_get(user=user, pk=pk) if pk is not None else None
    require(user, "update" if appointment else "create", Appointment.RESOURCE)
    data = request.POST if request.method == "POST" else None
    initial = _initial(appointment) if appointment else _new_initial(request)
    reminders_initial = (
        [
            {"minutes_before": r.minutes_before, "by_email": r.by_email}
            for r in appointment.reminders.filter(user=user)
        ]
        if appointment
        else []
    )
    form = AppointmentForm(
        data,
        initial=initial,
        users=user_options(),
        **linked_choices(request, initial),
    )
    reminders = reminder_formset(data, initial=reminders_initial or None)
    conflict = False
    if data is not None and form.is_valid() & reminders.is_valid():
        payload = form.to_data(reminders)
        try:
            if appointment is None:
                saved = services.appointment_create(actor=user, data=payload)
            else:
                saved = services.appointment_update(
                    actor=user,
                    appointment=appointment,
                    data=payload,
                    expected_version=form.cleaned_data.get("version"),
                )
        except ValidationError as exc:
            add_service_errors(form, exc, formsets={"reminders": reminders}, targets=ERROR_TARGETS)
        except VersionConflict:
            conflict = True
        else:
            text = _("Appointment “%(name)s” saved.") if appointment else None
            text = text or _("Appointment “%(name)s” created.")
            messages.success(request, text % {"name": saved})
            if selectors.appointment_conflicts(appointment=saved):
                messages.warning(
                    request, _("An attending user is already booked at that time: see below.")
                )
            return redirect_next(request, "activities:appointment-detail", pk=saved.pk)
    return render(
        request,
        "activities/appointment_form.html",
        {
            "appointment": appointment,
            "form": form,
            "reminders": reminders,
            "conflict": conflict,
            "next": request.GET.get("next", request.POST.get("next", "")),
            "cancel_url": (
                reverse("activities:appointment-detail", kwargs={"pk": appointment.pk})
                if appointment
                else reverse("activities:calendar")
            ),
        },
    )
