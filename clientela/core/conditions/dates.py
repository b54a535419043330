"""The dates of a kind of record that something can count from: automation's
time-based rules ("7 days before a customer's birthday", "1 business day after a
deal's expected close date"). Here in ``core`` so that the app that owns a date
registers it, at any layer (analytics' reorder date; automation registers the domain
apps' dates in ``automation.rules.date_fields``).

Each is registered for a kind of record: ``on_day(day)`` is a
filter on that kind's rows picking those whose date falls on ``day`` (a birthday: its
month and day, whatever the year), one index read, so the worker's sweep never scans
every record; ``value(record)`` is the record's date, for the run log and the dry run.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q


@dataclass(frozen=True)
class TriggerDate:
    key: str
    label: Any
    resource: str
    on_day: Callable[[datetime.date], Q]
    value: Callable[[Any], datetime.date | None]


_dates: dict[tuple[str, str], TriggerDate] = {}


def register_trigger_date(date: TriggerDate) -> None:
    _dates[(date.resource, date.key)] = date


def trigger_date(resource: str, key: str) -> TriggerDate | None:
    return _dates.get((resource, key))


def trigger_dates(resource: str | None = None) -> list[TriggerDate]:
    found = [d for d in _dates.values() if resource is None or d.resource == resource]
    return sorted(found, key=lambda d: (d.resource, d.key))


def shift(day: datetime.date, days: int, *, business: bool) -> datetime.date:
    """``day`` moved by ``days`` (negative: back); business days skip Saturdays and
    Sundays (a day that is one counts from the next business day)."""
    if not business:
        return day + datetime.timedelta(days=days)
    step = 1 if days >= 0 else -1
    moved = day
    while moved.weekday() >= 5:
        moved += datetime.timedelta(days=step)
    left = abs(days)
    while left:
        moved += datetime.timedelta(days=step)
        if moved.weekday() < 5:
            left -= 1
    return moved


def fire_day(date: datetime.date, days: int, when: str, *, business: bool) -> datetime.date:
    """The day a date trigger fires for a record whose date is ``date``: ``days``
    (business) days before or after it, or on it."""
    offset = {"before": -days, "after": days}.get(when, 0)
    return shift(date, offset, business=business)


def dates_due(day: datetime.date, days: int, when: str, *, business: bool) -> list[datetime.date]:
    """The records' dates for which the trigger fires on ``day`` (the inverse of
    ``fire_day``: with business days, a weekend's dates fire with the next or previous
    working day's, so there may be up to three)."""
    # n business days span n // 5 weeks and n % 5 days, and up to four days more
    # for the weekends at each end: the candidates around that distance are checked.
    span = days // 5 * 7 + days % 5 if business else days
    sign = {"before": 1, "after": -1}.get(when, 0)
    candidates = (
        day + datetime.timedelta(days=sign * distance) for distance in range(span - 1, span + 6)
    )
    if when == "on":
        candidates = (day - datetime.timedelta(days=back) for back in range(0, 4))
    found = {d for d in candidates if fire_day(d, days, when, business=business) == day}
    return sorted(found)
