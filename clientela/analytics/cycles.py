"""Purchase cycles (issue 13, item 5): how often each customer usually comes back, who
is overdue, and how long customers usually take to buy a product again.

    cycles = customer_cycles(purchases, as_of=today)       # (customer, date) rows
    due_to_reorder(cycles)                                 # most overdue first
    product_cycles(product_purchases, as_of=today)         # (customer, product, date) rows

Everything is computed **as of** a date the caller gives (no clock is read): purchases
after ``as_of`` are left out, so a past date shows what the list said then. A day's
purchases count as one (two orders on a Saturday are one trip to the shop), so a
customer's intervals are whole days ≥ 1 and no cycle is ever 0.

* A customer with at least ``min_orders`` (3) purchase days has a *cycle*: the median
  of the days between consecutive purchase days (the median, so one long holiday
  does not stretch it). Their next purchase is *expected* a cycle after their last
  one, and they are *due to reorder* when ``as_of`` is past that by more than
  ``margin`` of a cycle (25 % by default: a monthly buyer becomes due after ~38 days).
* A product's *repurchase interval* is the median, across the customers who bought it
  on at least two days, of each one's median days between buying it.

Bad input raises ``BadPurchases`` with a translated ``message``; no figure is NaN.
"""

from __future__ import annotations

import datetime
import itertools
import math
import numbers
import statistics
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.utils.translation import gettext as _

from clientela.analytics.errors import BadInput

K = TypeVar("K", bound=Hashable)

DEFAULT_MARGIN = 0.25
#: The largest margin accepted: 10 cycles late (1,000 %).
LARGEST_MARGIN = 10.0
DEFAULT_MIN_ORDERS = 3


class BadPurchases(BadInput):
    """The purchases or an argument are not valid input (``message``, ``row``: see
    ``BadInput``)."""


@dataclass(frozen=True)
class CustomerCycle(Generic[K]):
    """One customer's usual rhythm as of ``as_of``."""

    customer_id: K
    #: Purchase days up to ``as_of`` (a day's purchases count once).
    orders: int
    first_order: datetime.date
    last_order: datetime.date
    #: Median days between consecutive purchase days (a whole or half number).
    median_days: float
    #: The last purchase day plus the cycle (rounded to the nearest day, halves up).
    expected_next: datetime.date
    days_since_last: int
    #: Days past the usual cycle (negative: not yet).
    days_overdue: float
    #: Past the cycle by more than the margin.
    due: bool

    @property
    def overdue_share(self) -> float:
        """Days overdue as a share of the cycle (0.5: half a cycle late)."""
        return self.days_overdue / self.median_days


@dataclass(frozen=True)
class ProductCycle:
    """How long customers usually take to buy a product again."""

    product_id: int
    #: Customers who bought it on at least two days up to ``as_of``.
    customers: int
    #: The median across those customers of each one's median days between purchases.
    median_days: float
    #: Intervals counted (all customers' days between buying it again).
    intervals: int


def _day(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    return None


def _as_of(value: Any) -> datetime.date:
    day = _day(value)
    if day is None:
        raise BadPurchases(
            _("The date to compute as of must be a date (%(value)s given).")
            % {"value": repr(value)}
        )
    return day


def _check_margin(value: Any) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or not math.isfinite(float(value))
        or not 0 <= float(value) <= LARGEST_MARGIN
    ):
        raise BadPurchases(
            _(
                "The margin must be a share of the cycle from 0 to %(largest)s "
                "(0.25 is 25 %%; %(value)s given)."
            )
            % {"largest": f"{LARGEST_MARGIN:g}", "value": repr(value)}
        )
    return float(value)


def _check_min_orders(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 2 <= value <= 1000:
        raise BadPurchases(
            _(
                "The fewest orders for a cycle must be a whole number from 2 to 1000 "
                "(%(value)s given)."
            )
            % {"value": repr(value)}
        )
    return value


def _bad_row(row: int, expected: str) -> BadPurchases:
    return BadPurchases(
        _("Purchase %(row)d is not %(expected)s.") % {"row": row, "expected": expected},
        row=row,
    )


def _no_purchases(as_of: datetime.date) -> BadPurchases:
    return BadPurchases(
        _(
            "There are no purchases on or before %(date)s to find purchase cycles in: "
            "import or record some orders first."
        )
        % {"date": as_of.isoformat()}
    )


def purchase_days(
    purchases: Iterable[tuple[K, Any]], *, as_of: datetime.date
) -> dict[K, list[datetime.date]]:
    """Each customer's distinct purchase days up to ``as_of``, ascending, from
    (customer, date or datetime) rows in any order. Raises ``BadPurchases`` for a row
    that is not a customer and a date, or when no purchase is left."""
    as_of = _as_of(as_of)
    days: dict[K, set[datetime.date]] = {}
    for row, purchase in enumerate(purchases, start=1):
        try:
            customer, when = purchase
        except (TypeError, ValueError):
            raise _bad_row(row, _("a customer and a date")) from None
        day = _day(when)
        if day is None or customer is None:
            raise _bad_row(row, _("a customer and a date"))
        if day <= as_of:
            days.setdefault(customer, set()).add(day)
    if not days:
        raise _no_purchases(as_of)
    return {customer: sorted(seen) for customer, seen in days.items()}


def _median_gap(days: list[datetime.date]) -> float:
    return float(statistics.median((b - a).days for a, b in itertools.pairwise(days)))


def customer_cycles(
    purchases: Iterable[tuple[K, Any]],
    *,
    as_of: datetime.date,
    margin: float = DEFAULT_MARGIN,
    min_orders: int = DEFAULT_MIN_ORDERS,
) -> list[CustomerCycle[K]]:
    """The cycle of every customer with at least ``min_orders`` purchase days up to
    ``as_of``, in the order customers first appear; see the module's docstring.
    ``margin`` is a share of the cycle (0 to 10); the arguments are checked before the
    rows are read."""
    as_of = _as_of(as_of)
    margin = _check_margin(margin)
    min_orders = _check_min_orders(min_orders)
    cycles = []
    for customer, days in purchase_days(purchases, as_of=as_of).items():
        if len(days) < min_orders:
            continue
        median = _median_gap(days)
        last = days[-1]
        since = (as_of - last).days
        overdue = since - median
        cycles.append(
            CustomerCycle(
                customer_id=customer,
                orders=len(days),
                first_order=days[0],
                last_order=last,
                median_days=median,
                expected_next=last + datetime.timedelta(days=math.floor(median + 0.5)),
                days_since_last=since,
                days_overdue=overdue,
                due=overdue > margin * median,
            )
        )
    return cycles


def due_to_reorder(cycles: Iterable[CustomerCycle[K]]) -> list[CustomerCycle[K]]:
    """The customers due to reorder, the most overdue for their own rhythm first (a
    weekly buyer three weeks late before a yearly one three weeks late), then the
    longest cycle."""
    due = [cycle for cycle in cycles if cycle.due]
    due.sort(key=lambda cycle: (-cycle.overdue_share, -cycle.median_days))
    return due


def product_cycles(
    purchases: Iterable[tuple[K, int, Any]], *, as_of: datetime.date
) -> list[ProductCycle]:
    """Each product's typical repurchase interval from (customer, product id, date or
    datetime) rows up to ``as_of``, for the products some customer bought on at least
    two days; shortest interval first. Raises ``BadPurchases`` for a bad row or when no
    purchase is left."""
    as_of = _as_of(as_of)
    days: dict[tuple[K, int], set[datetime.date]] = {}
    for row, purchase in enumerate(purchases, start=1):
        try:
            customer, product, when = purchase
        except (TypeError, ValueError):
            raise _bad_row(row, _("a customer, a product and a date")) from None
        day = _day(when)
        if (
            day is None
            or customer is None
            or isinstance(product, bool)
            or not isinstance(product, int)
        ):
            raise _bad_row(row, _("a customer, a product and a date"))
        if day <= as_of:
            days.setdefault((customer, product), set()).add(day)
    if not days:
        raise _no_purchases(as_of)
    medians: dict[int, list[float]] = {}
    intervals: dict[int, int] = {}
    for (_customer, product), seen in days.items():
        if len(seen) < 2:
            continue
        ordered = sorted(seen)
        medians.setdefault(product, []).append(_median_gap(ordered))
        intervals[product] = intervals.get(product, 0) + len(ordered) - 1
    cycles = [
        ProductCycle(
            product_id=product,
            customers=len(values),
            median_days=float(statistics.median(values)),
            intervals=intervals[product],
        )
        for product, values in medians.items()
    ]
    cycles.sort(key=lambda cycle: (cycle.median_days, -cycle.customers, cycle.product_id))
    return cycles


__all__ = [
    "DEFAULT_MARGIN",
    "DEFAULT_MIN_ORDERS",
    "LARGEST_MARGIN",
    "BadPurchases",
    "CustomerCycle",
    "ProductCycle",
    "customer_cycles",
    "due_to_reorder",
    "product_cycles",
    "purchase_days",
]
