"""A small hand-made order history with known ABC classes and RFM segments, shared by
the analytics tests (computation, permissions, API, pages, browser).

Team North (created by ``north``): ten people N1…N10. Their net revenue in the twelve
months up to ``AS_OF`` is 500, 200, 100, 60, 40, 30, 30, 20, 10 and 10 USD (total 1,000),
so ABC classes A A A B B B B C C C (a cancelled order of N10 and an older order of N9
count nowhere). N2 pays in EUR at 1.25 USD.

RFM (36 months): N1 (last order yesterday, 5 orders) Champions, N2 (10 days, 2)
Potential loyalists, N3 and N4 (40 and 100 days, 3 and 4 orders) Loyal, N9 (200 days,
2 orders) At risk, N5 to N8 and N10 (one order long ago) Lost; equal values share a
score (N6…N10 all have R 1). Team South (``south``): S1, one big order 400 days ago
(Lost), which changes none of North's scores.

``add_baskets`` adds orders of several products for the rules bought together (it
changes the ABC and RFM figures above, so only the basket tests call it): North's
N1 [Lamp, Bulb] and [Lamp, Bulb, Shade], N2 [Lamp, Bulb], N3 [Desk, Chair] and
[Lamp, Shade], N4 [Desk, Chair, Lamp], N5 [Desk, Chair]; South's S1 [Bulb, Shade] and
[Bulb, Chair]. With ``build``'s one-product orders: 29 order baskets (27 of North),
11 customer baskets.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model

from clientela.contacts.services import person_create
from clientela.sales.models import ExchangeRate, Product, SalesSettings
from clientela.sales.services import orders as order_services

AS_OF = datetime.date(2025, 6, 30)
NOON = datetime.time(12, 0)


def at(days_before: int) -> datetime.datetime:
    day = AS_OF - datetime.timedelta(days=days_before)
    return datetime.datetime.combine(day, NOON, tzinfo=datetime.UTC)


def order(
    actor: Any,
    person: Any,
    days_before: int,
    amount: str,
    *,
    currency: str = "USD",
    product: Product | None = None,
) -> Any:
    line: dict[str, Any] = {"quantity": "1", "unit_price": amount, "tax_rate": "0"}
    if product is not None:
        line["product_id"] = product.pk
    else:
        line["description"] = "Goods"
    created, _new = order_services.order_create(
        actor=actor,
        data={
            "person_id": person.pk,
            "currency": currency,
            "ordered_at": at(days_before),
            "lines": [line],  # type: ignore[list-item]
        },
    )
    return created


def catalogue() -> tuple[Product, Product]:
    """USD as the base currency, EUR at 1.25 USD, and two products: Lamp and Desk."""
    settings = SalesSettings.load()
    settings.base_currency = "USD"
    settings.save()
    ExchangeRate.objects.create(
        currency="EUR", rate=Decimal("1.25"), valid_from=datetime.date(2020, 1, 1)
    )
    lamp = Product.objects.create(sku="LAMP", name="Lamp", unit_price=Decimal("10"), currency="USD")
    desk = Product.objects.create(sku="DESK", name="Desk", unit_price=Decimal("10"), currency="USD")
    return lamp, desk


def build(north: Any, south: Any | None = None) -> dict[str, Any]:
    """The history: returns the people by name (N1…N10, S1) and the products."""
    lamp, desk = catalogue()
    people: dict[str, Any] = {}
    for n in range(1, 11):
        people[f"N{n}"] = person_create(
            actor=north, data={"first_name": "North", "last_name": f"N{n}"}
        )
    # RFM customers: (days before as-of of each order, amount of each order).
    plan: dict[str, list[tuple[int, str]]] = {
        "N1": [(1, "100.00"), (20, "100.00"), (50, "100.00"), (80, "100.00"), (120, "100.00")],
        "N2": [(10, "80.00"), (60, "80.00")],  # EUR: 2 × 80 × 1.25 = 200 USD
        "N3": [(40, "30.00"), (70, "30.00"), (90, "40.00")],
        "N4": [(100, "15.00"), (150, "15.00"), (200, "15.00"), (250, "15.00")],
        "N5": [(300, "40.00")],
    }
    for name, orders in plan.items():
        for days, amount in orders:
            order(
                north,
                people[name],
                days,
                amount,
                currency="EUR" if name == "N2" else "USD",
                product=lamp if name == "N1" else desk,
            )
    for name, amount in (
        ("N6", "30.00"),
        ("N7", "30.00"),
        ("N8", "20.00"),
        ("N9", "10.00"),
        ("N10", "10.00"),
    ):
        order(north, people[name], 200, amount, product=desk)
    # Cancelled and out-of-period orders count nowhere in ABC.
    cancelled = order(north, people["N10"], 5, "9999.00")
    order_services.order_set_status(actor=north, order=cancelled, status="cancelled")
    order(north, people["N9"], 400, "5000.00")  # before the 12 months of ABC
    if south is not None:
        people["S1"] = person_create(actor=south, data={"first_name": "South", "last_name": "S1"})
        order(south, people["S1"], 400, "7000.00")
    return {"people": people, "lamp": lamp, "desk": desk}


def user_named(username: str) -> Any:
    return get_user_model().objects.get(username=username)


def basket_order(actor: Any, person: Any, days_before: int, products: list[Product]) -> Any:
    """An order of one unit of each of ``products`` at 10.00."""
    lines: list[dict[str, Any]] = [
        {"product_id": p.pk, "quantity": "1", "unit_price": "10.00", "tax_rate": "0"}
        for p in products
    ]
    created, _new = order_services.order_create(
        actor=actor,
        data={
            "person_id": person.pk,
            "currency": "USD",
            "ordered_at": at(days_before),
            "lines": lines,  # type: ignore[typeddict-item]
        },
    )
    return created


def add_baskets(north: Any, south: Any, data: dict[str, Any]) -> dict[str, Any]:
    """The orders of several products (module docstring) on top of ``build``'s; returns
    ``data`` with the new products (bulb, shade, chair)."""
    for sku, name in (("BULB", "Bulb"), ("SHADE", "Shade"), ("CHAIR", "Chair")):
        data[name.lower()] = Product.objects.create(
            sku=sku, name=name, unit_price=Decimal("10"), currency="USD"
        )
    lamp, desk = data["lamp"], data["desk"]
    bulb, shade, chair = data["bulb"], data["shade"], data["chair"]
    people = data["people"]
    for person, days, products in (
        ("N1", 10, [lamp, bulb]),
        ("N1", 30, [lamp, bulb, shade]),
        ("N2", 15, [lamp, bulb]),
        ("N3", 25, [desk, chair]),
        ("N3", 45, [lamp, shade]),
        ("N4", 35, [desk, chair, lamp]),
        ("N5", 55, [desk, chair]),
    ):
        basket_order(north, people[person], days, products)
    for days, products in ((5, [bulb, shade]), (6, [bulb, chair])):
        basket_order(south, people["S1"], days, products)
    return data


#: The thresholds the basket tests mine at (the 29 order baskets: a pair in 2 of them).
BASKET_THRESHOLDS: dict[str, Any] = {"min_support": 0.05, "min_confidence": 0.5, "max_length": 3}


def rules_snapshot(parameters: dict[str, Any] | None = None) -> Any:
    """A ``basket_rules`` snapshot as of ``AS_OF`` computed now (None: the defaults)."""
    from clientela.analytics import services  # noqa: PLC0415

    snapshots = services.refresh(
        None,
        kinds=["basket_rules"],
        as_of=AS_OF,
        parameters={"basket_rules": parameters} if parameters else None,
        queue=False,
    )
    return services.run_snapshot(snapshots[0].pk)
