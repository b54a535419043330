"""Complaints by category and by root cause: the complaints created in the period,
each counted once under its complaint category (or root cause), split into those
still to do and those solved or closed."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from clientela.service.choices import OPEN_STATUSES, TicketType
from clientela.service.models import Queue
from clientela.service.reports.base import Chart, Column, Row, breakdowns, grouped
from clientela.service.selectors.reports import report_tickets

#: What each breakdown groups by.
FIELDS = {"category": "complaint_category", "root-cause": "root_cause"}


def compute(
    *,
    user: Any,
    start: datetime.datetime,
    end: datetime.datetime,
    queue: Queue | None,
    by: str,
) -> list[Row]:
    field = FIELDS[by]
    complaints = report_tickets(user=user, start=start, end=end, queue=queue).filter(
        type=TicketType.COMPLAINT
    )
    groups = grouped(
        complaints,
        (f"{field}_id", f"{field}__name"),
        {"total": Count("pk"), "open": Count("pk", filter=Q(status__in=list(OPEN_STATUSES)))},
    )
    rows = [
        {
            "label": g[f"{field}__name"],
            "open": g["open"],
            "done": g["total"] - g["open"],
            "total": g["total"],
        }
        for g in groups
    ]
    # Most complaints first; the ones without a category or cause last.
    rows.sort(key=lambda r: (r["label"] is None, -r["total"], str(r["label"]).casefold()))
    for row in rows:
        row["label"] = row["label"] if row["label"] is not None else str(_("Not set"))
    return rows


REPORTS = breakdowns(
    "complaints",
    {
        "category": (_("Complaints by category"), _("Complaint category")),
        "root-cause": (_("Complaints by root cause"), _("Root cause")),
    },
    description=_(
        "Complaints created in the period, each counted once under its complaint "
        "category (or root cause): those still to do and those solved or closed."
    ),
    compute=compute,
    columns=(
        Column("open", _("Still to do")),
        Column("done", _("Solved or closed")),
        Column("total", _("Total")),
    ),
    chart=Chart(series=("open", "done"), stacked=True),
)
