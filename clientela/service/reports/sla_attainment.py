"""SLA attainment: of the tickets created in the period with an SLA, the share whose
first response (and, separately, whose solution) came before its due time. A clock
counts once it has ended (answered, solved) or breached (its due time passed while it
ran, or the worker stamped the breach); a clock still running in time, or paused
before its target, is left out, so the % does not move while tickets are worked."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, F, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from clientela.service.choices import PRIORITY_ORDER, TicketPriority
from clientela.service.models import Queue
from clientela.service.reports.base import (
    Chart,
    Column,
    Row,
    breakdowns,
    by_label,
    grouped,
    months_of,
    percent,
    queue_label,
)
from clientela.service.selectors.reports import report_tickets

#: The two clocks: (key, due time, when it ended, the worker's breach stamp).
CLOCKS = (
    ("fr", "first_response_due_at", "first_responded_at", "first_response_breached_at"),
    ("res", "resolution_due_at", "solved_at", "resolution_breached_at"),
)


def _counts(now: datetime.datetime) -> dict[str, Count]:
    counts = {}
    for key, due, done, breached in CLOCKS:
        has_due = Q(**{f"{due}__isnull": False})
        met = has_due & Q(**{f"{done}__lt": F(due)})
        late = Q(**{f"{done}__gte": F(due)})
        still_open = Q(**{f"{done}__isnull": True}) & (
            Q(**{f"{breached}__isnull": False})
            | Q(sla_running_since__isnull=False, **{f"{due}__lte": now})
        )
        counts[f"{key}_met"] = Count("pk", filter=met)
        counts[f"{key}_total"] = Count("pk", filter=met | (has_due & (late | still_open)))
    return counts


def _row(label: Any, figures: dict[str, Any]) -> Row:
    row: Row = {"label": label}
    for key, *_rest in CLOCKS:
        met, total = figures.get(f"{key}_met", 0), figures.get(f"{key}_total", 0)
        row |= {f"{key}_pct": percent(met, total), f"{key}_met": met, f"{key}_total": total}
    return row


def compute(
    *,
    user: Any,
    start: datetime.datetime,
    end: datetime.datetime,
    queue: Queue | None,
    by: str,
) -> list[Row]:
    qs = report_tickets(user=user, start=start, end=end, queue=queue)
    counts = _counts(timezone.now())
    if by == "queue":
        groups = grouped(qs, ("queue_id", "queue__name"), counts)
        return by_label([_row(queue_label(g["queue__name"]), g) for g in groups if _any(g)])
    if by == "priority":
        found = {g["priority"]: g for g in grouped(qs, ("priority",), counts)}
        return [
            _row(TicketPriority(p).label, found[p])
            for p in PRIORITY_ORDER
            if p in found and _any(found[p])
        ]
    zone = timezone.get_current_timezone()
    monthly = qs.annotate(month=TruncMonth("created_at", tzinfo=zone))
    by_month = {_month_key(g["month"]): g for g in grouped(monthly, ("month",), counts)}
    return [
        _row(date_format(month, "YEAR_MONTH_FORMAT"), by_month.get(month, {}))
        for month in months_of(start.astimezone(zone), end.astimezone(zone))
    ]


def _month_key(value: datetime.date | datetime.datetime) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def _any(figures: dict[str, Any]) -> bool:
    return any(figures[f"{key}_total"] for key, *_rest in CLOCKS)


REPORTS = breakdowns(
    "sla",
    {
        "queue": (_("SLA attainment by queue"), _("Queue")),
        "priority": (_("SLA attainment by priority"), _("Priority")),
        "month": (_("SLA attainment by month"), _("Month")),
    },
    description=_(
        "Share of tickets answered (and solved) before their due time. Counts beside "
        "each %: met / counted; clocks still running in time are left out."
    ),
    compute=compute,
    columns=(
        Column("fr_pct", _("First response met"), "%"),
        Column("fr_met", _("First responses in time")),
        Column("fr_total", _("First responses counted")),
        Column("res_pct", _("Resolution met"), "%"),
        Column("res_met", _("Resolutions in time")),
        Column("res_total", _("Resolutions counted")),
    ),
    chart=Chart(series=("fr_pct", "res_pct"), unit="%"),
)
