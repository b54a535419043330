"""The domain apps' date fields time-based rules count from (the registry is
``core.conditions.dates``), registered by ``automation.apps``. Each ``on_day(day)`` is
one indexed read of its kind's rows (a range of the day in the current time zone for a
date-time: the sweep runs in the company's), so the worker's sweep never scans every
record:

- person ``birthday``: ``birthday_md`` (month and day, the year optional; a birthday on
  29 February is celebrated on 28 February in other years);
- person and organization ``last_order``: the day of their last order not cancelled
  (``order_person_idx`` / ``order_org_idx``), none after it;
- deal ``close_date`` (the expected close date, ``deal_close_idx``);
- ticket ``next_due`` (the earlier of the SLA's due times still to meet) and
  ``resolution_due``;
- task ``due_at``.

The next purchase a purchase cycle expects (``reorder_due``) is analytics' own,
registered by ``analytics.conditions``.
"""

from __future__ import annotations

import calendar
import datetime
from typing import Any

from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.contacts.birthdays import Birthday
from clientela.core.conditions.build import day_start
from clientela.core.conditions.dates import TriggerDate, register_trigger_date
from clientela.sales.choices import OrderStatus
from clientela.sales.models import Order

PERSON, ORGANIZATION = "contacts.person", "contacts.organization"


def _moment(resource: str, key: str, label: Any, column: str) -> TriggerDate:
    """The day of a date-time ``column`` (the current time zone's): its range."""

    def on_day(day: datetime.date) -> Q:
        start, end = day_start(day), day_start(day + datetime.timedelta(days=1))
        return Q(**{f"{column}__gte": start, f"{column}__lt": end})

    def value(record: Any) -> datetime.date | None:
        moment: datetime.datetime | None = getattr(record, column)
        return None if moment is None else timezone.localdate(moment)

    return TriggerDate(key=key, label=label, resource=resource, on_day=on_day, value=value)


# --- people -------------------------------------------------------------------------


def birthday_on(day: datetime.date) -> Q:
    """The people whose birthday is celebrated on ``day``: its month and day, and on 28
    February of a year without a 29th also those born on 29 February."""
    found = Q(birthday_md=day.month * 100 + day.day)
    if (day.month, day.day) == (2, 28) and not calendar.isleap(day.year):
        found |= Q(birthday_md=229)
    return found


def next_birthday(person: Any) -> datetime.date | None:
    """The day the person's birthday is celebrated next (today included)."""
    birthday: Birthday | None = person.birthday
    if birthday is None:
        return None
    today = timezone.localdate()
    found = birthday.on(today.year)
    return found if found >= today else birthday.on(today.year + 1)


# --- orders ---------------------------------------------------------------------------


def _purchases() -> Any:
    return Order.objects.alive().exclude(status=OrderStatus.CANCELLED)


def _last_order(key: str) -> TriggerDate:
    """The customers (``key``: "person" or "organization") whose last order not
    cancelled was on the day: one that day, none after."""

    def on_day(day: datetime.date) -> Q:
        start, end = day_start(day), day_start(day + datetime.timedelta(days=1))
        orders = _purchases().filter(**{f"{key}__isnull": False})
        that_day = orders.filter(ordered_at__gte=start, ordered_at__lt=end).values(key)
        later = orders.filter(ordered_at__gte=end).values(key)
        return Q(pk__in=that_day) & ~Q(pk__in=later)

    def value(record: Any) -> datetime.date | None:
        last = _purchases().filter(**{key: record}).aggregate(last=Max("ordered_at"))["last"]
        return None if last is None else timezone.localdate(last)

    return TriggerDate(
        key="last_order",
        label=_("Last order"),
        resource=PERSON if key == "person" else ORGANIZATION,
        on_day=on_day,
        value=value,
    )


# --- the registry ---------------------------------------------------------------------


def trigger_date_fields() -> list[TriggerDate]:
    return [
        TriggerDate(
            key="birthday",
            label=_("Birthday"),
            resource=PERSON,
            on_day=birthday_on,
            value=next_birthday,
        ),
        _last_order("person"),
        _last_order("organization"),
        TriggerDate(
            key="close_date",
            label=_("Expected close date"),
            resource="sales.deal",
            on_day=lambda day: Q(close_date=day),
            value=lambda deal: deal.close_date,
        ),
        _moment("service.ticket", "next_due", _("Next SLA due time"), "next_due_at"),
        _moment("service.ticket", "resolution_due", _("Resolution due"), "resolution_due_at"),
        _moment("activities.task", "due_at", _("Due"), "due_at"),
    ]


def register_trigger_dates() -> None:
    for found in trigger_date_fields():
        register_trigger_date(found)
