"""Open tickets by queue and age: the backlog as it stands now, each queue's still-open
tickets (new, open, pending, on hold) in age buckets counted from their creation in
calendar time. The period filter picks the tickets by creation date."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.service.choices import OPEN_STATUSES
from clientela.service.models import Queue
from clientela.service.reports.base import (
    Chart,
    Column,
    Report,
    Row,
    by_label,
    grouped,
    queue_label,
)
from clientela.service.selectors.reports import report_tickets

#: (key, label, from days, to days): an age in [from, to) days; None: no upper end.
BUCKETS: tuple[tuple[str, Any, int, int | None], ...] = (
    ("under_1d", _("< 1 day"), 0, 1),
    ("d1_3", _("1–3 days"), 1, 3),
    ("d3_7", _("3–7 days"), 3, 7),
    ("w1_4", _("1–4 weeks"), 7, 28),
    ("over_4w", _("> 4 weeks"), 28, None),
)


def _age(now: datetime.datetime, low: int, high: int | None) -> Q:
    q = Q(created_at__lte=now - datetime.timedelta(days=low))
    if high is not None:
        q &= Q(created_at__gt=now - datetime.timedelta(days=high))
    return q


def compute(
    *, user: Any, start: datetime.datetime, end: datetime.datetime, queue: Queue | None
) -> list[Row]:
    now = timezone.now()
    counts = {key: Count("pk", filter=_age(now, low, high)) for key, _l, low, high in BUCKETS}
    qs = report_tickets(user=user, start=start, end=end, queue=queue)
    groups = grouped(
        qs.filter(status__in=list(OPEN_STATUSES)),
        ("queue_id", "queue__name"),
        {"total": Count("pk"), **counts},
    )
    rows = [
        {"label": queue_label(g["queue__name"]), "total": g["total"]}
        | {key: g[key] for key, *_rest in BUCKETS}
        for g in groups
    ]
    return by_label(rows)


REPORTS = (
    Report(
        key="open-by-age",
        title=_("Open tickets by queue and age"),
        description=_(
            "Tickets still to do (new, open, pending, on hold) created in the period, by "
            "queue and by how long ago they were opened."
        ),
        compute=compute,
        columns=(
            Column("label", _("Queue")),
            *(Column(key, label) for key, label, *_rest in BUCKETS),
            Column("total", _("Total")),
        ),
        chart=Chart(series=tuple(key for key, *_rest in BUCKETS), stacked=True),
    ),
)
