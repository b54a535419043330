"""A generated purchase history the lifetime-value models can be fitted to, small enough
for a quick test: 60 customers who buy, while active, at their own random rate over
the 52 weeks up to ``shop.AS_OF`` and may leave after each purchase (the BG/NBD story),
each spending around her own average. Customers C1…C30 belong to team North (created by
``north``), C31…C60 to team South; their orders are written in bulk, as the order
import writes them. Fixed seed: the same history every run."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import numpy as np
from django.db import transaction

from clientela.analytics.tests import shop
from clientela.contacts.services import person_create
from clientela.sales import bulk
from clientela.sales.models import SalesSettings

CUSTOMERS = 60
WEEKS = 52
SEED = 6


def plan(seed: int = SEED) -> list[tuple[int, int, Decimal]]:
    """(customer 1…60, days before ``shop.AS_OF``, amount) of every purchase."""
    rng = np.random.default_rng(seed)
    span = WEEKS * 7
    purchases: list[tuple[int, int, Decimal]] = []
    for customer in range(1, CUSTOMERS + 1):
        rate = rng.gamma(0.8, 1 / 4.0)  # purchases per week while active
        leave = rng.beta(1.0, 3.0)
        mean = rng.gamma(4, 10)
        day = float(rng.integers(0, span - 30))
        while True:
            amount = Decimal(str(round(float(rng.gamma(6, mean / 6)), 2)))
            purchases.append((customer, span - int(day), max(amount, Decimal("1.00"))))
            day += rng.exponential(7 / rate)
            if day >= span or rng.random() < leave:
                break
    return purchases


def build(north: Any, south: Any) -> dict[str, Any]:
    """The customers (by name, "C1"…) and the purchases, as orders in USD."""
    settings = SalesSettings.load()
    settings.base_currency = "USD"
    settings.save()
    people: dict[str, Any] = {}
    for n in range(1, CUSTOMERS + 1):
        people[f"C{n}"] = person_create(
            actor=north if n <= CUSTOMERS // 2 else south,
            data={"first_name": "Customer", "last_name": f"C{n}"},
        )
    purchases = plan()
    half = CUSTOMERS // 2
    for actor, first, last in ((north, 1, half), (south, half + 1, CUSTOMERS)):
        items: list[Any] = [
            {
                "external_id": f"clv-{n}",
                "person_id": people[f"C{customer}"].pk,
                "currency": "USD",
                "ordered_at": shop.at(days_before),
                "lines": [{"description": "Goods", "quantity": "1", "unit_price": str(amount)}],
            }
            for n, (customer, days_before, amount) in enumerate(purchases)
            if first <= customer <= last
        ]
        checked = bulk.orders_check(actor=actor, items=items)
        assert all(isinstance(c, bulk.CheckedOrder) for c in checked), checked
        with transaction.atomic():
            bulk.orders_write(actor=actor, checked=checked)  # type: ignore[arg-type]
    return {"people": people, "purchases": purchases}


def rows_of(purchases: list[tuple[int, int, Decimal]]) -> list[tuple[int, datetime.date, Decimal]]:
    """The purchases as the models' (customer, day, amount) rows."""
    return [
        (customer, shop.AS_OF - datetime.timedelta(days=days), amount)
        for customer, days, amount in purchases
    ]
