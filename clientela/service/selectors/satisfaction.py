"""Reads of customer satisfaction: a ticket's rating, and CSAT (the share of ratings
that are 4 or 5, with the average and the count) per agent, queue or month, counted
only over the tickets the asking user may read."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clientela.core.models import User
from clientela.service.models import Queue, Ticket, TicketRating
from clientela.service.selectors.tickets import tickets_visible

#: What the CSAT report groups by, and how the page names it.
GROUPS = {
    "agent": gettext_lazy("Agent"),
    "queue": gettext_lazy("Queue"),
    "month": gettext_lazy("Month"),
}
_COLUMN = {"agent": "agent_id", "queue": "queue_id"}


@dataclass(frozen=True)
class CsatRow:
    """One agent's, queue's or month's ratings: ``key`` the id (None: nobody / no
    queue) or the month's first day."""

    key: Any
    label: str
    count: int
    satisfied: int
    #: The scores added up (the average is worked out from it, exactly).
    score_sum: int

    @property
    def average(self) -> Decimal:
        if not self.count:
            return Decimal(0)
        return (Decimal(self.score_sum) / Decimal(self.count)).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )

    @property
    def csat(self) -> Decimal:
        """The share of ratings of 4 or 5, in percent with one decimal."""
        if not self.count:
            return Decimal(0)
        share = Decimal(100 * self.satisfied) / Decimal(self.count)
        return share.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def ticket_rating(*, user: Any, ticket: Ticket) -> TicketRating | None:
    """The rating of a ticket ``user`` may read (None: not rated, or not theirs)."""
    visible = tickets_visible(user).filter(pk=ticket.pk)
    return TicketRating.objects.filter(ticket__in=visible).first()


def ratings_visible(
    *,
    user: Any,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    queue: Queue | None = None,
) -> QuerySet[TicketRating]:
    """The ratings of the tickets ``user`` may read, given from ``start`` to ``end``
    (both included, days of the current time zone), of one queue's tickets if given."""
    tickets = tickets_visible(user).order_by().values("pk")
    qs = TicketRating.objects.filter(ticket__in=tickets)
    if queue is not None:
        qs = qs.filter(queue=queue)
    zone = timezone.get_current_timezone()
    if start is not None:
        qs = qs.filter(rated_at__gte=datetime.datetime.combine(start, datetime.time(), zone))
    if end is not None:
        after = end + datetime.timedelta(days=1)
        qs = qs.filter(rated_at__lt=datetime.datetime.combine(after, datetime.time(), zone))
    return qs


def _labels(group_by: str, keys: list[Any]) -> dict[Any, str]:
    if group_by == "agent":
        users = User.objects.filter(pk__in=[k for k in keys if k is not None])
        return {u.pk: str(u) for u in users} | {None: _("Nobody")}
    if group_by == "queue":
        queues = Queue.objects.filter(pk__in=[k for k in keys if k is not None])
        return {q.pk: q.name for q in queues} | {None: _("No queue")}
    return {k: formats.date_format(k, "YEAR_MONTH_FORMAT") for k in keys if k is not None}


def csat_summary(
    *,
    user: Any,
    group_by: str,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    queue: Queue | None = None,
) -> list[CsatRow]:
    """CSAT per agent, queue or month (``group_by``) of the ratings given from
    ``start`` to ``end``, over the tickets ``user`` may read: months in order, agents
    and queues by name."""
    if group_by not in GROUPS:
        raise ValueError(f"group_by must be one of {', '.join(GROUPS)}")
    qs = ratings_visible(user=user, start=start, end=end, queue=queue)
    if group_by == "month":
        qs = qs.annotate(key=TruncMonth("rated_at", tzinfo=timezone.get_current_timezone()))
        column = "key"
    else:
        column = _COLUMN[group_by]
    rows = list(
        qs.order_by()
        .values(column)
        .annotate(
            count=Count("id"),
            satisfied=Count("id", filter=Q(score__gte=4)),
            score_sum=Sum("score"),
        )
    )
    keys = [_month(row[column]) if group_by == "month" else row[column] for row in rows]
    labels = _labels(group_by, keys)
    result = [
        CsatRow(
            key=key,
            label=labels.get(key, str(key)),
            count=row["count"],
            satisfied=row["satisfied"],
            score_sum=row["score_sum"] or 0,
        )
        for key, row in zip(keys, rows, strict=True)
    ]
    if group_by == "month":
        return sorted(result, key=lambda r: r.key)
    return sorted(result, key=lambda r: (r.key is None, r.label.casefold()))


def _month(value: Any) -> datetime.date:
    """The first day of a month as ``TruncMonth`` gives it (a datetime, or a date)."""
    if isinstance(value, datetime.datetime):
        moment = timezone.localtime(value) if timezone.is_aware(value) else value
        return moment.date()
    assert isinstance(value, datetime.date)
    return value


def csat_total(rows: list[CsatRow]) -> CsatRow:
    """All the rows together."""
    count = sum(r.count for r in rows)
    satisfied = sum(r.satisfied for r in rows)
    score_sum = sum(r.score_sum for r in rows)
    return CsatRow(key=None, label=_("All"), count=count, satisfied=satisfied, score_sum=score_sum)
