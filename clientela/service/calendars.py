"""A business calendar of the database as the SLA arithmetic's ``Calendar``: its hours,
zone and the holidays of its country and region (from the ``holidays`` package) plus
the company's own days off, for the years around now. Built once per calendar and
version (``updated_at``) in the process: a due time is then two binary searches."""

from __future__ import annotations

import datetime
from functools import lru_cache

from django.utils import timezone

from clientela.service.models import BusinessCalendar
from clientela.service.sla.calendars import Calendar
from clientela.service.sla.public_holidays import holiday_dates

#: Years of public holidays loaded around the current one (a due time a year out, a
#: report a year back).
YEARS_BACK, YEARS_AHEAD = 2, 3


def calendar_of(calendar: BusinessCalendar) -> Calendar:
    """The arithmetic's calendar of ``calendar`` (``CalendarError`` if unusable)."""
    return _build(
        calendar.pk,
        calendar.updated_at.isoformat() if calendar.updated_at else "",
        timezone.now().year,
        calendar.time_zone,
        _frozen(calendar.hours),
        calendar.country,
        calendar.subdivision,
        tuple(calendar.extra_holidays or ()),
    )


def _frozen(hours: object) -> tuple[tuple[tuple[int, int], ...], ...]:
    days = hours if isinstance(hours, list | tuple) else []
    return tuple(
        tuple((int(a), int(b)) for a, b in (day if isinstance(day, list | tuple) else []))
        for day in days
    )


@lru_cache(maxsize=64)
def _build(
    pk: int | None,
    version: str,
    year: int,
    time_zone: str,
    hours: tuple[tuple[tuple[int, int], ...], ...],
    country: str,
    subdivision: str,
    extra: tuple[str, ...],
) -> Calendar:
    years = range(year - YEARS_BACK, year + YEARS_AHEAD + 1)
    holidays: frozenset[datetime.date] = holiday_dates(country, subdivision, years, extra)
    return Calendar.of(time_zone, hours, holidays)
