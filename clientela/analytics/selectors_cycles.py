"""The reads of the purchase cycles, scoped to what the asking user may see.

* Customer cycles: the current snapshot's rows of the people and organizations the
  user may see (a customer's cycle is their own rhythm, so it does not depend on who
  else the reader sees). "Due" is worked out again from the row when the reader asks
  for another margin than the snapshot's (``overdue_days > margin × median_days``, in
  the database), so changing the margin needs no new snapshot.
* Product intervals: from the snapshot for a user who sees every order and customer;
  for anyone else computed now over the orders they may see, as of the snapshot's day
  (a product's interval mixes every customer's orders).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import BooleanField, ExpressionWrapper, F, Q, QuerySet
from django.utils.translation import gettext as _

from clientela.analytics import cycles, reorders
from clientela.analytics.choices import AnalysisKind
from clientela.analytics.models import CustomerCycleRow, ProductCycleRow, Snapshot
from clientela.analytics.selectors import current, customer_rows, may_read, sees_everything
from clientela.contacts.models import Organization, Person

#: The orders a list may be sorted by (``?sort=key`` or ``-key`` for descending).
SORTS: dict[str, tuple[str, ...]] = {
    "overdue": ("overdue_share", "median_days", "id"),
    "name": ("name", "id"),
    "orders": ("orders", "id"),
    "cycle": ("median_days", "id"),
    "last": ("last_order", "id"),
    "next": ("next_expected", "id"),
}
DEFAULT_SORT = "-overdue"


def clean_margin(raw: Any, *, percent: bool = False) -> float | None:
    """A margin given by a user (a share of the cycle, or whole percent with
    ``percent``): None when not given; ``ValidationError`` on ``margin`` otherwise."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        value = float(str(raw).strip())
    except ValueError:
        value = math.nan
    share = value / 100 if percent else value
    if not math.isfinite(share) or not 0 <= share <= cycles.LARGEST_MARGIN:
        largest = cycles.LARGEST_MARGIN * 100 if percent else cycles.LARGEST_MARGIN
        message = (
            _("Enter a margin from 0 to %(largest)s %% of the cycle.")
            if percent
            else _("Enter a margin from 0 to %(largest)s (a share of the cycle: 0.25 is 25 %%).")
        )
        raise ValidationError({"margin": [message % {"largest": f"{largest:g}"}]})
    return share


def clean_sort(raw: str | None) -> str:
    """A known sort (``DEFAULT_SORT`` when none); ``ValidationError`` on ``sort``."""
    if not raw:
        return DEFAULT_SORT
    if raw.removeprefix("-") not in SORTS:
        choices = ", ".join(sorted(SORTS))
        raise ValidationError({"sort": [_("Sort by one of: %(choices)s.") % {"choices": choices}]})
    return raw


def current_snapshot() -> Snapshot | None:
    """The current snapshot of the purchase cycles."""
    return current(AnalysisKind.CYCLES)


def snapshot_margin(snapshot: Snapshot | None) -> float:
    if snapshot is None:
        return cycles.DEFAULT_MARGIN
    return float(snapshot.parameters.get("margin", cycles.DEFAULT_MARGIN))


def customer_cycles(
    user: Any,
    *,
    due: bool | None = None,
    margin: float | None = None,
    mine: bool = False,
    sort: str = DEFAULT_SORT,
) -> QuerySet[CustomerCycleRow]:
    """The current snapshot's cycles of the customers ``user`` may see, annotated with
    ``is_due`` at ``margin`` (the snapshot's when None); ``due`` keeps only those due
    (True) or not (False); ``mine`` only the customers ``user`` owns."""
    snapshot = current_snapshot()
    rows = customer_rows(CustomerCycleRow, AnalysisKind.CYCLES, user)
    if mine:
        rows = rows.filter(Q(person__owner=user) | Q(organization__owner=user))
    margin = snapshot_margin(snapshot) if margin is None else margin
    rows = rows.annotate(
        is_due=ExpressionWrapper(
            Q(overdue_days__gt=F("median_days") * margin), output_field=BooleanField()
        )
    )
    if due is not None:
        rows = rows.filter(is_due=due)
    descending = sort.startswith("-")
    fields = SORTS[sort.removeprefix("-")]
    return rows.order_by(*(f"-{f}" if descending and f != "id" else f for f in fields))


def cycle_of(user: Any, record: Person | Organization) -> CustomerCycleRow | None:
    """The customer's cycle, if they have one and ``user`` may read it."""
    key = "person_id" if isinstance(record, Person) else "organization_id"
    return customer_cycles(user).filter(**{key: record.pk}).first()


@dataclass(frozen=True)
class ProductInterval:
    product_id: int
    name: str
    customers: int
    median_days: float
    intervals: int


@dataclass
class ProductIntervals:
    """The product intervals as one user sees them."""

    snapshot: Snapshot | None
    items: list[ProductInterval]
    #: Computed now over the orders the user may see (not read from the snapshot).
    live: bool = False


def product_intervals(user: Any) -> ProductIntervals:
    """Every product's typical repurchase interval as ``user`` may see it, shortest
    first."""
    snapshot = current(AnalysisKind.CYCLES)
    if snapshot is None or not may_read(user):
        return ProductIntervals(snapshot if may_read(user) else None, [])
    if sees_everything(user):
        rows = ProductCycleRow.objects.filter(snapshot=snapshot).order_by(
            "median_days", "-customers", "product_id"
        )
        return ProductIntervals(
            snapshot,
            [
                ProductInterval(r.product_id, r.name, r.customers, r.median_days, r.intervals)
                for r in rows
            ],
        )
    found = reorders.product_intervals(reorders.orders_of(snapshot, user), snapshot.period_end)
    names = reorders.product_names(c.product_id for c in found)
    return ProductIntervals(
        snapshot,
        [
            ProductInterval(
                c.product_id,
                names.get(c.product_id) or "—",
                c.customers,
                c.median_days,
                c.intervals,
            )
            for c in found
        ],
        live=True,
    )
