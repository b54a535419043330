"""Appointment pages: core's generic record pages (``core.views.kinds``) with what
appointments own: the double bookings on an appointment's page, the form's attendees,
start time and reminders (the calendar is ``views.calendar``)."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.activities import selectors
from clientela.activities.views.calendar import out_of_range, parse_day, parse_when
from clientela.activities.views.common import ReminderFormView
from clientela.core.forms import local_input
from clientela.core.views.kinds import RecordDetailView


class AppointmentDetailView(RecordDetailView):
    def detail_context(self, record: Any) -> dict[str, Any]:
        return {"conflicts": selectors.appointment_conflicts(appointment=record)}


class AppointmentFormView(ReminderFormView):
    def new_initial(self) -> dict[str, Any]:
        """A new appointment starts at the next full hour (or on the day picked in the
        calendar) and lasts an hour, or fills the slot picked in the calendar
        (``?start=…&end=…``), with the user attending."""
        query = self.request.GET
        now = timezone.localtime()
        start = now.replace(minute=0, second=0, microsecond=0) + datetime.timedelta(hours=1)
        day = parse_day(query.get("date"))
        if query.get("date") and not out_of_range(day):
            start = datetime.datetime.combine(day, start.time())
            start = timezone.make_aware(start, timezone.get_current_timezone())
        end = start + datetime.timedelta(hours=1)
        slot_start, slot_end = parse_when(query.get("start")), parse_when(query.get("end"))
        if slot_start is not None and slot_end is not None and slot_start < slot_end:
            start, end = slot_start, slot_end
        return {
            "start": local_input(start),
            "end": local_input(end),
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
