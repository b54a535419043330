"""Purchase cycles on CDNOW's real purchases and hand-worked examples, and on bad input.

CDNOW (``../shared/data/cdnow/CDNOW_master.txt``; see ``../shared/data/README.md``):
69,659 purchases by 23,570 customers of an online CD shop, 1997-01-01 to 1998-06-30.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

import pytest
from django.utils import translation

from clientela.analytics.cycles import (
    BadPurchases,
    CustomerCycle,
    customer_cycles,
    due_to_reorder,
    product_cycles,
    purchase_days,
)
from clientela.core.testing.data import shared_data

END = datetime.date(1998, 6, 30)
d = datetime.date


@pytest.fixture(scope="module")
def cdnow() -> list[tuple[int, datetime.date]]:
    rows = []
    with shared_data("cdnow", "CDNOW_master.txt").open(encoding="ascii") as lines:
        next(lines)  # customer_id date number_of_cds dollar_value
        for line in lines:
            customer, day = line.split()[:2]
            rows.append((int(customer), datetime.date(int(day[:4]), int(day[4:6]), int(day[6:]))))
    return rows


@pytest.fixture(scope="module")
def cdnow_cycles(cdnow: list[tuple[int, datetime.date]]) -> dict[int, CustomerCycle[int]]:
    return {cycle.customer_id: cycle for cycle in customer_cycles(cdnow, as_of=END)}


def test_cdnow_customers_with_three_purchase_days(
    cdnow: list[tuple[int, datetime.date]], cdnow_cycles: dict[int, CustomerCycle[int]]
) -> None:
    assert len(cdnow) == 69659
    # Counted here without the module: distinct (customer, day) pairs per customer.
    days: dict[int, set[datetime.date]] = defaultdict(set)
    for customer, day in cdnow:
        days[customer].add(day)
    assert len(days) == 23570
    three_or_more = {customer for customer, seen in days.items() if len(seen) >= 3}
    assert len(three_or_more) == 7476
    assert set(cdnow_cycles) == three_or_more
    assert all(cycle.orders == len(days[cycle.customer_id]) for cycle in cdnow_cycles.values())
    assert all(cycle.median_days >= 1 for cycle in cdnow_cycles.values())


def test_cdnow_customers_worked_by_hand(cdnow_cycles: dict[int, CustomerCycle[int]]) -> None:
    # Customer 3 bought on 1997-01-02, 03-30, 04-02, 11-15, 11-25 and 1998-05-28: gaps
    # of 87, 3, 227, 10 and 184 days, median 87. Last purchase 33 days before
    # 1998-06-30, next expected 87 days after it, on 1998-08-23: not due.
    three = cdnow_cycles[3]
    assert (three.orders, three.median_days, three.days_since_last) == (6, 87, 33)
    assert three.expected_next == d(1998, 8, 23)
    assert (three.days_overdue, three.due) == (-54, False)
    # Customer 4: 1997-01-01, 01-18, 08-02, 12-12: gaps 17, 196, 132, median 132. 200
    # days since the last purchase by 1998-06-30: 68 days overdue, more than 25 % of
    # 132 (33 days): due since 1998-05-30 (expected 1998-04-23).
    four = cdnow_cycles[4]
    assert (four.median_days, four.days_since_last, four.days_overdue) == (132, 200, 68)
    assert four.expected_next == d(1998, 4, 23)
    assert four.due
    assert four.overdue_share == pytest.approx(68 / 132)
    # Customer 7: 1997-01-01, 10-11, 1998-03-22: gaps 283 and 162, median 222.5, next
    # expected 223 days after 1998-03-22 (halves round up), on 1998-10-31.
    seven = cdnow_cycles[7]
    assert (seven.orders, seven.median_days) == (3, 222.5)
    assert seven.expected_next == d(1998, 10, 31)
    assert not seven.due
    # Customer 5: eleven purchase days from 1997-01-01 to 1998-01-03; gaps 13, 21, 66,
    # 50, 16, 36, 55, 84, 4, 22: median (22 + 36) / 2 = 29.
    assert cdnow_cycles[5].median_days == 29


def test_cdnow_as_of_a_past_date(cdnow: list[tuple[int, datetime.date]]) -> None:
    # As of 1997-11-20 customer 3 had bought on four days (gaps 87, 3, 227: median 87),
    # and customer 7 on two only, so no cycle yet.
    past = {c.customer_id: c for c in customer_cycles(cdnow, as_of=d(1997, 11, 20))}
    assert (past[3].orders, past[3].median_days, past[3].last_order) == (4, 87, d(1997, 11, 15))
    assert 7 not in past
    # A smaller margin makes more customers due, never fewer.
    due_default = due_to_reorder(customer_cycles(cdnow, as_of=END))
    due_strict = due_to_reorder(customer_cycles(cdnow, as_of=END, margin=0))
    assert 0 < len(due_default) < len(due_strict)
    shares = [cycle.overdue_share for cycle in due_default]
    assert shares == sorted(shares, reverse=True)
    assert shares[-1] > 0.25


def test_same_day_purchases_merge_and_the_margin() -> None:
    rows: list[tuple[str, Any]] = [
        ("ann", d(2026, 1, 1)),
        (
            "ann",
            datetime.datetime(2026, 1, 1, 18, 30, tzinfo=datetime.UTC),
        ),  # same day: one purchase
        ("ann", d(2026, 1, 11)),
        ("ann", d(2026, 1, 31)),
        ("bob", d(2026, 1, 1)),
        ("bob", d(2026, 1, 2)),
        ("ann", d(2026, 3, 1)),  # after as_of: left out
    ]
    (ann,) = customer_cycles(rows, as_of=d(2026, 2, 14))
    # Gaps 10 and 20 days: median 15; expected 2026-02-15; 14 days since the last one.
    assert (ann.orders, ann.median_days, ann.expected_next) == (3, 15, d(2026, 2, 15))
    assert (ann.days_since_last, ann.days_overdue, ann.due) == (14, -1, False)
    assert purchase_days(rows, as_of=d(2026, 2, 14))["bob"] == [d(2026, 1, 1), d(2026, 1, 2)]
    # 15 days × 1.25 = 18.75: due on day 19 after the last purchase, not on day 18.
    assert not customer_cycles(rows, as_of=d(2026, 2, 18))[0].due
    assert customer_cycles(rows, as_of=d(2026, 2, 19))[0].due
    assert customer_cycles(rows, as_of=d(2026, 2, 17), margin=0)[0].due
    assert not customer_cycles(rows, as_of=d(2026, 2, 19), margin=0.5)[0].due
    assert [c.customer_id for c in customer_cycles(rows, as_of=d(2026, 2, 14), min_orders=2)] == [
        "ann",
        "bob",
    ]


def test_product_repurchase_interval() -> None:
    rows = [
        # Coffee (1): ann every 10 days, bob every 30, cy every 14 and 16 (median 15);
        # dee bought it once and does not count.
        ("ann", 1, d(2026, 1, 1)),
        ("ann", 1, d(2026, 1, 11)),
        ("ann", 1, d(2026, 1, 21)),
        ("bob", 1, d(2026, 1, 1)),
        ("bob", 1, d(2026, 1, 31)),
        ("cy", 1, d(2026, 1, 1)),
        ("cy", 1, d(2026, 1, 15)),
        ("cy", 1, datetime.datetime(2026, 1, 15, 9, tzinfo=datetime.UTC)),
        ("cy", 1, d(2026, 1, 31)),
        ("dee", 1, d(2026, 1, 5)),
        # Filters (2): ann after 60 days. Grinder (3): bought once.
        ("ann", 2, d(2026, 1, 1)),
        ("ann", 2, d(2026, 3, 2)),
        ("bob", 3, d(2026, 1, 3)),
    ]
    coffee, filters = product_cycles(rows, as_of=d(2026, 6, 30))
    assert (coffee.product_id, coffee.customers, coffee.median_days) == (1, 3, 15)
    assert coffee.intervals == 5
    assert (filters.product_id, filters.customers, filters.median_days) == (2, 1, 60)
    # As of February the filters had been bought once only.
    assert [c.product_id for c in product_cycles(rows, as_of=d(2026, 2, 1))] == [1]


@pytest.mark.parametrize("margin", [-0.1, 10.5, float("nan"), float("inf"), "0.25", None, True])
def test_margin_out_of_range(margin: Any) -> None:
    with pytest.raises(BadPurchases, match="margin must be a share"):
        customer_cycles([("ann", d(2026, 1, 1))], as_of=d(2026, 2, 1), margin=margin)


def test_bad_input_is_said_plainly() -> None:
    with pytest.raises(BadPurchases, match="no purchases on or before 2026-02-01"):
        customer_cycles([], as_of=d(2026, 2, 1))
    with pytest.raises(BadPurchases, match="no purchases on or before 2025-12-31"):
        customer_cycles([("ann", d(2026, 1, 1))], as_of=d(2025, 12, 31))
    with pytest.raises(BadPurchases, match="no purchases"):
        product_cycles(iter([]), as_of=d(2026, 2, 1))
    with pytest.raises(BadPurchases, match="must be a date"):
        customer_cycles([("ann", d(2026, 1, 1))], as_of="2026-02-01")  # type: ignore[arg-type]
    with pytest.raises(BadPurchases, match="Purchase 2 is not a customer and a date") as error:
        customer_cycles([("ann", d(2026, 1, 1)), ("ann", "2026-01-02")], as_of=d(2026, 2, 1))
    assert error.value.row == 2
    with pytest.raises(BadPurchases, match="Purchase 1 is not a customer and a date"):
        customer_cycles([("ann",)], as_of=d(2026, 2, 1))  # type: ignore[arg-type]
    with pytest.raises(BadPurchases, match="Purchase 1 is not a customer, a product"):
        product_cycles([("ann", "coffee", d(2026, 1, 1))], as_of=d(2026, 2, 1))  # type: ignore[list-item]
    for fewest in (1, 0, 2.5):
        with pytest.raises(BadPurchases, match="fewest orders"):
            customer_cycles([("ann", d(2026, 1, 1))], as_of=d(2026, 2, 1), min_orders=fewest)  # type: ignore[arg-type]
    # Customers without a cycle yet are an answer, not an error.
    assert customer_cycles([("ann", d(2026, 1, 1))], as_of=d(2026, 2, 1)) == []
    assert due_to_reorder([]) == []
    with translation.override("es"), pytest.raises(BadPurchases, match="margen"):
        customer_cycles([("ann", d(2026, 1, 1))], as_of=d(2026, 2, 1), margin=-1)
