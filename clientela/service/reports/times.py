"""Median first-response and resolution times in business hours: for each ticket
created in the period that was answered (solved), the working time of its SLA
calendar from its creation to its first public answer (to its solution), counted by
the SLA clock's arithmetic (``business_time_between``): nights, weekends and holidays
do not count; time spent waiting for the customer does. Tickets without an SLA policy
have no calendar and are left out.

The medians need every duration, so they are computed here in Python over the
period's tickets, read with one query (and one for their calendars), once for the
page's two breakdowns."""

from __future__ import annotations

import datetime
import statistics
from collections import defaultdict
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from clientela.core.memo import memoized
from clientela.service.calendars import calendar_of
from clientela.service.models import BusinessCalendar, Queue
from clientela.service.reports.base import (
    Chart,
    Column,
    Row,
    breakdowns,
    by_label,
    months_of,
    queue_label,
)
from clientela.service.selectors.reports import report_tickets
from clientela.service.sla.calendars import Calendar, CalendarError, business_time_between

#: (key, the instant that ends the duration).
DURATIONS = (("fr", "first_responded_at"), ("res", "solved_at"))
_HOUR = 3600.0


def _calendars(ids: set[int]) -> dict[int, Calendar]:
    found = {}
    for calendar in BusinessCalendar.objects.filter(pk__in=ids):
        try:
            found[calendar.pk] = calendar_of(calendar)
        except CalendarError:
            continue  # a calendar without working time measures nothing
    return found


def business_hours(
    *, user: Any, start: datetime.datetime, end: datetime.datetime, queue: Queue | None
) -> list[dict[str, Any]]:
    """Each answered or solved ticket's group keys and its durations in business hours
    (None for a duration that has not ended); measured once per ``memo_scope`` (the
    reports page shows them by queue and by month)."""
    key = ("service.business_hours", user.pk, start, end, queue.pk if queue else None)
    return memoized(key, lambda: _measure(user=user, start=start, end=end, queue=queue))


def _measure(
    *, user: Any, start: datetime.datetime, end: datetime.datetime, queue: Queue | None
) -> list[dict[str, Any]]:
    tickets: list[dict[str, Any]] = [
        dict(ticket)
        for ticket in report_tickets(user=user, start=start, end=end, queue=queue)
        .filter(sla_policy__isnull=False)
        .exclude(first_responded_at__isnull=True, solved_at__isnull=True)
        .values(
            "queue__name",
            "created_at",
            "first_responded_at",
            "solved_at",
            "sla_policy__calendar_id",
        )
    ]
    calendars = _calendars({t["sla_policy__calendar_id"] for t in tickets})
    measured = []
    for ticket in tickets:
        calendar = calendars.get(ticket["sla_policy__calendar_id"])
        if calendar is None:
            continue
        hours = {
            key: business_time_between(
                calendar, ticket["created_at"], ticket[end_field]
            ).total_seconds()
            / _HOUR
            if ticket[end_field] is not None
            else None
            for key, end_field in DURATIONS
        }
        measured.append({**ticket, **hours})
    return measured


def _row(label: Any, durations: list[dict[str, Any]]) -> Row:
    row: Row = {"label": label}
    for key, _end in DURATIONS:
        values = [d[key] for d in durations if d[key] is not None]
        row[f"{key}_median"] = round(statistics.median(values), 2) if values else None
        row[f"{key}_count"] = len(values)
    return row


def compute(
    *,
    user: Any,
    start: datetime.datetime,
    end: datetime.datetime,
    queue: Queue | None,
    by: str,
) -> list[Row]:
    measured = business_hours(user=user, start=start, end=end, queue=queue)
    groups: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    if by == "queue":
        for item in measured:
            groups[queue_label(item["queue__name"])].append(item)
        return by_label([_row(label, items) for label, items in groups.items()])
    zone = timezone.get_current_timezone()
    for item in measured:
        groups[item["created_at"].astimezone(zone).date().replace(day=1)].append(item)
    return [
        _row(date_format(month, "YEAR_MONTH_FORMAT"), groups.get(month, []))
        for month in months_of(start.astimezone(zone), end.astimezone(zone))
    ]


REPORTS = breakdowns(
    "times",
    {
        "queue": (_("Median response and resolution times by queue"), _("Queue")),
        "month": (_("Median response and resolution times by month"), _("Month")),
    },
    description=_(
        "Working hours of the ticket's SLA calendar from its creation to the first "
        "answer and to its solution (nights, weekends and holidays do not count); the "
        "median of the tickets created in the period."
    ),
    compute=compute,
    columns=(
        Column("fr_median", _("Median first response (business hours)"), "h"),
        Column("fr_count", _("Tickets answered")),
        Column("res_median", _("Median resolution (business hours)"), "h"),
        Column("res_count", _("Tickets solved")),
    ),
    chart=Chart(series=("fr_median", "res_median"), unit="h"),
)
