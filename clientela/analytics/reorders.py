"""Purchase cycles as snapshots (issue 13, item 5): the worker reads every customer's
purchase days and every (customer, product) purchase day, and stores what
``analytics.cycles`` makes of them: a ``CustomerCycleRow`` per customer with at least
three purchase days and a ``ProductCycleRow`` per product someone bought again.

The orders read are those every analysis reads (not cancelled, not in the trash, with a
customer: the organization, else the person) up to the snapshot's as-of day; a day is
the company's calendar day (``day_of``). The margin past the cycle after which a
customer is due is the snapshot parameter ``margin`` (a share of the cycle, 0.25 by
default); a bad one fails the snapshot with ``cycles``' own message.

``purchases`` and ``product_purchases`` also serve the live computation of product
intervals for a user who does not see every order (``selectors_cycles``).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import connection, transaction
from django.db.models import DateField, F, Func, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from clientela.analytics import cycles
from clientela.analytics.analyses import Analysis, Outcome, Progress, period_of, register_analysis
from clientela.analytics.choices import AnalysisKind
from clientela.analytics.models import CustomerCycleRow, ProductCycleRow, Snapshot
from clientela.contacts.models import Organization, Person
from clientela.sales.choices import OrderStatus
from clientela.sales.models import Order, OrderLine, Product

#: A customer: ("o", organization id) or ("p", person id).
Customer = tuple[str, int]
BATCH = 2000


def orders_of(snapshot: Snapshot, user: Any | None = None) -> QuerySet[Order]:
    """The orders a cycle analysis reads over the snapshot's period (every order, or
    those ``user`` may see)."""
    start, end = period_of(snapshot).bounds()
    orders = Order.objects.alive() if user is None else Order.objects.alive().visible_to(user)
    orders = orders.exclude(status=OrderStatus.CANCELLED).filter(
        Q(person__isnull=False) | Q(organization__isnull=False), ordered_at__lt=end
    )
    if start is not None:
        orders = orders.filter(ordered_at__gte=start)
    return orders.order_by()


def day_of(field: str) -> Func:
    """The company's calendar day of a datetime column. ``TruncDate`` in the current
    time zone, except on SQLite in UTC, where SQLite's own ``date()`` gives the same
    day without calling Django's Python function for every row (three times faster)."""
    if connection.vendor == "sqlite" and timezone.get_current_timezone_name() == "UTC":
        return Func(F(field), function="date", output_field=DateField())
    return TruncDate(field)


def _customer(organization_id: int | None, person_id: int | None) -> Customer:
    return ("o", organization_id) if organization_id is not None else ("p", person_id)  # type: ignore[return-value]


def purchases(orders: QuerySet[Order]) -> Iterator[tuple[Customer, Any]]:
    """(customer, day) once per customer and day."""
    rows = (
        orders.annotate(day=day_of("ordered_at"))
        .values_list("organization_id", "person_id", "day")
        .distinct()
    )
    for organization_id, person_id, day in rows.iterator(chunk_size=BATCH):
        yield _customer(organization_id, person_id), day


def product_purchases(orders: QuerySet[Order]) -> Iterator[tuple[Customer, int, Any]]:
    """(customer, product id, day) once per customer, catalogue product and day."""
    rows = (
        OrderLine.objects.filter(order__in=orders, product__isnull=False)
        .annotate(day=day_of("order__ordered_at"))
        .values_list("order__organization_id", "order__person_id", "product_id", "day")
        .order_by()
        .distinct()
    )
    for organization_id, person_id, product_id, day in rows.iterator(chunk_size=BATCH):
        yield _customer(organization_id, person_id), product_id, day


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    ids = list(ids)
    for start in range(0, len(ids), BATCH):
        yield ids[start : start + BATCH]


def customer_names(customers: Iterable[Customer]) -> dict[Customer, str]:
    """The name of each customer (an organization's name, a person's full name)."""
    wanted = list(customers)
    names: dict[Customer, str] = {}
    for chunk in _chunks(cid for kind, cid in wanted if kind == "o"):
        for pk, name in Organization.objects.filter(pk__in=chunk).values_list("pk", "name"):
            names["o", pk] = name
    for chunk in _chunks(cid for kind, cid in wanted if kind == "p"):
        people = Person.objects.filter(pk__in=chunk).values_list("pk", "first_name", "last_name")
        for pk, first, last in people:
            names["p", pk] = f"{first} {last}".strip()
    return names


def product_names(ids: Iterable[int]) -> dict[int, str]:
    names: dict[int, str] = {}
    for chunk in _chunks(ids):
        names.update(Product.objects.filter(pk__in=chunk).values_list("pk", "name"))
    return names


def product_intervals(orders: QuerySet[Order], as_of: datetime.date) -> list[cycles.ProductCycle]:
    """``cycles.product_cycles`` over the catalogue products of ``orders``; none when no
    catalogue product was bought (the customers' cycles stand without them)."""
    try:
        return cycles.product_cycles(product_purchases(orders), as_of=as_of)
    except cycles.BadPurchases:
        # Rows read from the database are well formed: the only complaint left is
        # that there is nothing to read.
        return []


def _customer_rows(
    snapshot: Snapshot, found: list[cycles.CustomerCycle[Customer]]
) -> list[CustomerCycleRow]:
    names = customer_names(c.customer_id for c in found)
    return [
        CustomerCycleRow(
            snapshot=snapshot,
            person_id=cid if kind == "p" else None,
            organization_id=cid if kind == "o" else None,
            name=names.get((kind, cid)) or "—",
            orders=cycle.orders,
            median_days=cycle.median_days,
            last_order=cycle.last_order,
            next_expected=cycle.expected_next,
            overdue_days=cycle.days_overdue,
            overdue_share=cycle.overdue_share,
            due=cycle.due,
        )
        for cycle in found
        for kind, cid in (cycle.customer_id,)
    ]


def _product_rows(snapshot: Snapshot, found: list[cycles.ProductCycle]) -> list[ProductCycleRow]:
    names = product_names(c.product_id for c in found)
    return [
        ProductCycleRow(
            snapshot=snapshot,
            product_id=cycle.product_id,
            name=names.get(cycle.product_id) or "—",
            customers=cycle.customers,
            median_days=cycle.median_days,
            intervals=cycle.intervals,
        )
        for cycle in found
    ]


def run_cycles(snapshot: Snapshot, progress: Progress) -> Outcome:
    """Fill a snapshot with every customer's and product's cycle (``Analysis.run``)."""
    as_of = snapshot.period_end
    margin = snapshot.parameters.get("margin", cycles.DEFAULT_MARGIN)
    orders = orders_of(snapshot)
    found = cycles.customer_cycles(purchases(orders), as_of=as_of, margin=margin)
    progress(40)
    by_product = product_intervals(orders, as_of)
    progress(70)
    with transaction.atomic():
        CustomerCycleRow.objects.bulk_create(_customer_rows(snapshot, found), batch_size=BATCH)
        ProductCycleRow.objects.bulk_create(_product_rows(snapshot, by_product), batch_size=BATCH)
    return Outcome(
        parameters={
            "margin": float(margin),
            "customers": len(found),
            "due": sum(1 for c in found if c.due),
            "products": len(by_product),
        }
    )


def register() -> None:
    """The kind ``cycles`` (``AnalyticsConfig.ready``)."""
    register_analysis(
        Analysis(
            kind=AnalysisKind.CYCLES,
            rows=(CustomerCycleRow, ProductCycleRow),
            run=run_cycles,
            page="analytics:cycles",
            # Every order: a yearly customer needs years of history to have a rhythm.
            default_months=None,
            default_parameters=lambda: {"margin": cycles.DEFAULT_MARGIN},
        )
    )
