"""Customer satisfaction (CSAT) per agent, queue and month: the ratings customers gave
in the period (by the day they rated, where the other reports go by the day a ticket
was opened), the share of 4s and 5s among them and the average score
(``selectors.satisfaction.csat_summary``)."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.service.models import Queue
from clientela.service.reports.base import Chart, Column, Row, breakdowns
from clientela.service.selectors.satisfaction import csat_summary


def compute(
    *,
    user: Any,
    start: datetime.datetime,
    end: datetime.datetime,
    queue: Queue | None,
    by: str,
) -> list[Row]:
    last = timezone.localtime(end - datetime.timedelta(microseconds=1)).date()
    rows = csat_summary(
        user=user, group_by=by, start=timezone.localtime(start).date(), end=last, queue=queue
    )
    return [
        {
            "label": row.label,
            "count": row.count,
            "satisfied": row.satisfied,
            "csat": float(row.csat) if row.count else None,
            "average": float(row.average) if row.count else None,
        }
        for row in rows
    ]


REPORTS = breakdowns(
    "csat",
    {
        "agent": (_("Satisfaction by agent"), _("Agent")),
        "queue": (_("Satisfaction by queue"), _("Queue")),
        "month": (_("Satisfaction by month"), _("Month")),
    },
    description=_(
        "Ratings customers gave in the period after their ticket was solved: CSAT is "
        "the share of 4 and 5 stars among them, beside the average score (1 to 5)."
    ),
    compute=compute,
    columns=(
        Column("count", _("Ratings")),
        Column("satisfied", _("Satisfied (4–5)")),
        Column("csat", _("CSAT"), "%"),
        Column("average", _("Average score")),
    ),
    chart=Chart(series=("csat",), unit="%"),
)
