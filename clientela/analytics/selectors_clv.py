"""Reads of the lifetime-value snapshots, scoped to what the asking user may see.

A snapshot holds every customer's row; a user reads the rows of the people and
organizations they may see, and nothing unless their role may read orders. Like RFM
scores, each customer's figures come from models fitted on the whole customer base (a
probability says where a customer stands given how all customers behave); no figure a
user reads adds up other customers' revenue.

"At risk" are the valuable customers whose chance to be still active fell below a
threshold (default 0.5): valuable meaning among the top ``top_percent`` % (default 20)
of all customers by what they spent up to the as-of day.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from clientela.analytics import compute, lifetime
from clientela.analytics.choices import AnalysisKind, SnapshotStatus
from clientela.analytics.models import ClvRow, Snapshot
from clientela.analytics.selectors import _visible_customers, current, may_read, sees_everything
from clientela.contacts.models import Organization, Person

#: The orders a list of customers can be sorted by (``-`` first: descending).
SORTS = {
    "name": ("name", "id"),
    "p_alive": ("p_alive", "-revenue", "id"),
    "purchases": ("expected_purchases_90d", "id"),
    "expected": ("expected_revenue_12m", "id"),
    "revenue": ("revenue", "id"),
    "frequency": ("frequency", "id"),
}
DEFAULT_SORT = "-expected"
DEFAULT_AT_RISK_SORT = "-revenue"


@dataclass(frozen=True)
class AtRisk:
    """Who counts as at risk: p_alive below ``below`` among the top ``top_percent`` % of
    customers by revenue to date."""

    below: float = lifetime.AT_RISK_BELOW
    top_percent: int = lifetime.VALUABLE_TOP_PERCENT

    def last_rank(self, customers: int) -> int:
        """The value rank of the last customer counted as valuable."""
        return max(1, math.ceil(customers * self.top_percent / 100)) if customers else 0


def snapshot_as_of(day: datetime.date | None) -> Snapshot | None:
    """The current lifetime-value snapshot, or the newest finished one as of ``day``."""
    if day is None:
        return current(AnalysisKind.CLV)
    start, end = compute.Period(day, day).bounds()
    return (
        Snapshot.objects.filter(
            kind=AnalysisKind.CLV, status=SnapshotStatus.DONE, as_of__gte=start, as_of__lt=end
        )
        .order_by("-finished_at", "-id")
        .first()
    )


def as_of_days(user: Any) -> list[Snapshot]:
    """The finished lifetime-value snapshots (the current one and the backtests), latest
    as-of first."""
    if not may_read(user):
        return []
    return list(
        Snapshot.objects.filter(kind=AnalysisKind.CLV, status=SnapshotStatus.DONE).order_by(
            "-as_of", "-id"
        )
    )


def at_risk_of(snapshot: Snapshot | None) -> AtRisk:
    """The snapshot's own at-risk thresholds (the defaults when it has none)."""
    parameters = snapshot.parameters if snapshot else {}
    return AtRisk(
        below=float(parameters.get("at_risk_below", lifetime.AT_RISK_BELOW)),
        top_percent=int(parameters.get("valuable_top_percent", lifetime.VALUABLE_TOP_PERCENT)),
    )


def _order(sort: str) -> list[str]:
    descending = sort.startswith("-")
    fields = SORTS.get(sort.lstrip("-"), SORTS[DEFAULT_SORT.lstrip("-")])
    if not descending:
        return list(fields)
    return [f if f.startswith("-") else "-" + f for f in fields[:-1]] + [fields[-1]]


def clv_rows(
    user: Any,
    snapshot: Snapshot | None,
    *,
    at_risk: AtRisk | None = None,
    sort: str | None = None,
) -> QuerySet[ClvRow]:
    """The rows of ``snapshot`` about the customers ``user`` may see, sorted by ``sort``
    (a key of ``SORTS``, ``-`` for descending; default expected revenue, or revenue to
    date for the at-risk list); only those at risk when ``at_risk`` is given."""
    if snapshot is None or not may_read(user):
        return ClvRow.objects.none()
    rows = ClvRow.objects.filter(snapshot=snapshot)
    if not sees_everything(user):
        rows = rows.filter(_visible_customers(user))
    if at_risk is not None:
        model = lifetime.Model.of(snapshot)
        customers = model.customers if model else 0
        rows = rows.filter(p_alive__lt=at_risk.below, value_rank__lte=at_risk.last_rank(customers))
    default = DEFAULT_AT_RISK_SORT if at_risk is not None else DEFAULT_SORT
    return rows.order_by(*_order(sort or default))


def clv_of(user: Any, record: Person | Organization) -> ClvRow | None:
    """The customer's row of the current snapshot, if ``user`` may see it."""
    key = "person_id" if isinstance(record, Person) else "organization_id"
    # Unordered: sorted, the planner walks the snapshot's rows by value to find one.
    rows = clv_rows(user, current(AnalysisKind.CLV)).filter(**{key: record.pk}).order_by()
    return next(iter(rows[:1]), None)


def is_at_risk(row: ClvRow, snapshot: Snapshot) -> bool:
    model = lifetime.Model.of(snapshot)
    at_risk = at_risk_of(snapshot)
    return row.p_alive < at_risk.below and row.value_rank <= at_risk.last_rank(
        model.customers if model else 0
    )


#: Below this chance to be active (and at or above the at-risk threshold) the churn risk
#: is "medium".
MEDIUM_RISK_BELOW = 0.8


def churn_risk(row: ClvRow, snapshot: Snapshot | None) -> str:
    """ "high" (below the at-risk threshold), "medium", "low", or "unjudged" for a
    customer who has bought only once (the model gives her 1 by assumption)."""
    if row.frequency == 0:
        return "unjudged"
    if row.p_alive < at_risk_of(snapshot).below:
        return "high"
    return "medium" if row.p_alive < MEDIUM_RISK_BELOW else "low"
