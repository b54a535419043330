"""Appointment pages: the day and week calendar, and core's generic record pages
(``core.views.kinds``) with what appointments own: the double bookings on an
appointment's page, the form's attendees, start time and reminders."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from clientela.activities import selectors
from clientela.activities.filters import FIRST_DAY, LAST_DAY
from clientela.activities.models import Appointment
from clientela.activities.views.common import ReminderFormView
from clientela.core.forms import local_input
from clientela.core.permissions import can
from clientela.core.views.kinds import RecordDetailView
from clientela.core.views.records import AuthedRequest, bad_request

ONE_DAY = datetime.timedelta(days=1)


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


class AppointmentDetailView(RecordDetailView):
    def detail_context(self, record: Any) -> dict[str, Any]:
        return {"conflicts": selectors.appointment_conflicts(appointment=record)}


class AppointmentFormView(ReminderFormView):
    def new_initial(self) -> dict[str, Any]:
        """A new appointment starts at the next full hour (or on the day picked in the
        calendar) and lasts an hour, with the user attending."""
        now = timezone.localtime()
        start = now.replace(minute=0, second=0, microsecond=0) + datetime.timedelta(hours=1)
        day = _day(self.request.GET.get("date"))
        if self.request.GET.get("date") and not _out_of_range(day):
            start = datetime.datetime.combine(day, start.time())
            start = timezone.make_aware(start, timezone.get_current_timezone())
        return {
            "start": local_input(start),
            "end": local_input(start + datetime.timedelta(hours=1)),
            "time_zone": timezone.get_current_timezone_name(),
            "attendees": [self.user.pk],
        }

    def reminder_rows(self, record: Any) -> Any:
        return record.reminders.filter(user=self.user)

    def save(self, form: Any, record: Any) -> Any:
        saved = super().save(form, record)
        if selectors.appointment_conflicts(appointment=saved):
            messages.warning(
                self.request, _("An attending user is already booked at that time: see below.")
            )
        return saved

    def cancel_url(self, record: Any) -> str:
        return self.url("detail", record) if record is not None else reverse("activities:calendar")
