"""A customer's purchase history: counts and totals without cancelled orders, the
conversion to the base currency (with a missing rate), products bought, the last
purchase, visibility, and a query count that does not grow with the orders."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from clientela.sales.selectors.orders import purchase_history
from clientela.sales.services import orders as services
from clientela.sales.tests import test_orders_services as shared

# Fixtures shared with the order service tests.
acme = shared.acme
ana = shared.ana
chair = shared.chair
rates = shared.rates
pytestmark = pytest.mark.django_db


def day(n: int) -> datetime.datetime:
    return datetime.datetime(2025, 3, n, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture
def ana_orders(rep_north: Any, ana: Any, chair: Any, rates: None) -> dict[str, Any]:
    first = shared.make_order(
        rep_north,
        person_id=ana.pk,
        ordered_at=day(1),
        lines=[
            {"product_id": chair.pk, "quantity": "2", "discount_percent": "10"},
            {"description": "Delivery", "quantity": "1.5", "unit_price": "9.99", "tax_rate": "0"},
        ],
    )  # EUR 232.79
    second = shared.make_order(
        rep_north,
        person_id=ana.pk,
        currency="USD",
        ordered_at=day(5),
        lines=[{"product_id": chair.pk, "quantity": "3", "unit_price": "10.00", "tax_rate": "0"}],
    )  # USD 30.00
    third = shared.make_order(
        rep_north,
        person_id=ana.pk,
        currency="GBP",
        ordered_at=day(3),
        lines=[{"description": "Cushion", "quantity": "1", "unit_price": "10.00"}],
    )  # GBP 10.00, no exchange rate
    cancelled = shared.make_order(
        rep_north,
        person_id=ana.pk,
        ordered_at=day(20),
        lines=[{"product_id": chair.pk, "quantity": "50"}],
    )
    services.order_set_status(actor=rep_north, order=cancelled, status="cancelled")
    return {"first": first, "second": second, "third": third, "cancelled": cancelled}


def test_history_of_a_person(rep_north: Any, ana: Any, ana_orders: dict[str, Any]) -> None:
    history = purchase_history(rep_north, person=ana)
    assert history.order_count == 3
    assert history.totals == {
        "EUR": Decimal("232.79"),
        "GBP": Decimal("10.00"),
        "USD": Decimal("30.00"),
    }
    # 232.79 EUR × 1.10 + 30.00 USD; GBP has no rate and is left out.
    assert history.base_currency == "USD"
    assert history.total_in_base == Decimal("286.07")
    assert history.missing_rates == ["GBP"]
    assert history.last_purchase == day(5)  # the cancelled order of day 20 does not count
    # Every order is listed, newest first, the cancelled one too.
    assert [o.pk for o in history.orders] == [
        ana_orders[k].pk for k in ("cancelled", "second", "third", "first")
    ]
    products = {p.name: p for p in history.products}
    assert set(products) == {"Chair", "Delivery", "Cushion"}
    assert products["Chair"].quantity == Decimal("5")  # 2 + 3, not the cancelled 50
    assert products["Chair"].orders == 2
    assert products["Chair"].last_bought == day(5)
    assert products["Delivery"].product_id is None
    assert next(p.name for p in history.products) == "Chair"  # last bought first


def test_history_of_an_organization(rep_north: Any, acme: Any, ana: Any, rates: None) -> None:
    shared.make_order(rep_north, organization_id=acme.pk, ordered_at=day(2))
    shared.make_order(rep_north, person_id=ana.pk, ordered_at=day(3))
    history = purchase_history(rep_north, organization=acme)
    assert history.order_count == 1
    assert history.totals == {"EUR": Decimal("50.00")}
    assert history.total_in_base == Decimal("55.00")


def test_no_orders(rep_north: Any, ana: Any) -> None:
    history = purchase_history(rep_north, person=ana)
    assert not history.has_orders
    assert (history.order_count, history.totals, history.last_purchase) == (0, {}, None)
    assert history.total_in_base == Decimal("0.00")
    assert history.products == []


def test_only_visible_orders_count(
    rep_north: Any, rep_south: Any, admin: Any, ana: Any, ana_orders: dict[str, Any]
) -> None:
    # South may not see North's orders, whoever the customer is.
    assert purchase_history(rep_south, person=ana).order_count == 0
    assert purchase_history(admin, person=ana).order_count == 3


def test_queries_do_not_grow_with_orders(
    rep_north: Any, ana: Any, chair: Any, rates: None, django_assert_max_num_queries: Any
) -> None:
    for n in range(1, 4):
        shared.make_order(rep_north, person_id=ana.pk, ordered_at=day(n))
    with django_assert_max_num_queries(8) as small:
        purchase_history(rep_north, person=ana)
    for n in range(4, 25):
        shared.make_order(
            rep_north,
            person_id=ana.pk,
            ordered_at=day(n),
            lines=[{"product_id": chair.pk, "quantity": str(n)}] * 3,
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        history = purchase_history(rep_north, person=ana)
    assert history.order_count == 24


def test_person_or_organization_is_required(rep_north: Any) -> None:
    with pytest.raises(ValueError, match="person or an organization"):
        purchase_history(rep_north)
