"""Every read of orders, scoped to what the asking user may see: the list with its
filters and sorting, one order with its lines, and a customer's purchase history."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Case, CharField, Count, F, Max, Q, QuerySet, Sum, When
from django.utils import timezone

from clientela.contacts.models import Organization, Person
from clientela.core.selectors import record_get, record_trash_get
from clientela.sales.choices import OrderStatus
from clientela.sales.filters import OrderFilters
from clientela.sales.models import Order, OrderLine, Product
from clientela.sales.selectors.rates import to_base


def orders_for(user: Any) -> QuerySet[Order]:
    """The live orders ``user`` may see."""
    return Order.objects.alive().visible_to(user)


def order_visible(user: Any, order_id: int) -> bool:
    return orders_for(user).filter(pk=order_id).exists()


# --- the list --------------------------------------------------------------------------


def _day_start(day: datetime.date) -> datetime.datetime:
    """Midnight starting ``day`` in the current (the user's) time zone."""
    return timezone.make_aware(
        datetime.datetime.combine(day, datetime.time.min), timezone.get_current_timezone()
    )


def order_list(user: Any, filters: OrderFilters | None = None) -> QuerySet[Order]:
    """The visible orders, filtered and sorted (newest first by default)."""
    filters = filters or OrderFilters()
    qs = orders_for(user).select_related("person", "organization", "owner")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.person_id is not None:
        qs = qs.filter(person_id=filters.person_id)
    if filters.organization_id is not None:
        qs = qs.filter(organization_id=filters.organization_id)
    if filters.owner is not None:
        qs = qs.filter(owner_id=filters.owner)
    if filters.date_from is not None:
        qs = qs.filter(ordered_at__gte=_day_start(filters.date_from))
    if filters.date_to is not None:
        qs = qs.filter(ordered_at__lt=_day_start(filters.date_to + datetime.timedelta(days=1)))
    if filters.q:
        qs = qs.filter(Q(number__icontains=filters.q) | Q(external_id__icontains=filters.q))
    return qs.order_by(*filters.order_by())


def order_get(user: Any, pk: Any) -> Order:
    """One visible order, or ``NotFound`` (missing, trashed or not visible)."""
    return record_get(Order, user=user, pk=pk)


def order_detail(user: Any, pk: Any) -> Order:
    """One visible order with its lines (and their products), customer, deal, quote,
    owner and team, or ``NotFound``."""
    joined = Order.objects.select_related(
        "person", "organization", "deal", "quote", "owner", "team"
    ).prefetch_related("lines__product")
    return record_get(Order, user=user, pk=pk, queryset=joined)


def order_trash_get(user: Any, pk: Any) -> Order:
    """An order in the trash, for an admin to restore (else ``NotFound``)."""
    return record_trash_get(Order, user=user, pk=pk)


def product_choices(limit: int = 500) -> list[tuple[int, str]]:
    """The active products for the order form's line picker (the catalogue is the
    company's configuration, readable by everyone)."""
    products = Product.objects.filter(is_active=True, deleted_at__isnull=True).order_by(
        "name", "id"
    )[:limit]
    return [(p.pk, f"{p.name} ({p.sku})") for p in products]


# --- purchase history ------------------------------------------------------------------

#: How many recent orders and products the history lists (the totals cover them all).
HISTORY_ORDERS = 10
HISTORY_PRODUCTS = 20


@dataclass(frozen=True)
class ProductBought:
    product_id: int | None
    name: str
    quantity: Decimal
    orders: int
    last_bought: datetime.datetime


@dataclass
class PurchaseHistory:
    """What a customer bought: cancelled orders are left out of every figure (they are
    still listed among the recent orders, marked as such)."""

    orders: list[Order]
    order_count: int
    totals: dict[str, Decimal]
    base_currency: str
    total_in_base: Decimal
    missing_rates: list[str]
    last_purchase: datetime.datetime | None
    products: list[ProductBought] = field(default_factory=list)

    @property
    def has_orders(self) -> bool:
        return bool(self.orders)


def customer_orders(
    user: Any, *, person: Person | None = None, organization: Organization | None = None
) -> QuerySet[Order]:
    """The visible orders of one person or one organization."""
    if (person is None) == (organization is None):
        raise ValueError("Give a person or an organization.")
    qs = orders_for(user)
    if person is not None:
        return qs.filter(person=person)
    return qs.filter(organization=organization)


def purchase_history(
    user: Any, *, person: Person | None = None, organization: Organization | None = None
) -> PurchaseHistory:
    """A customer's purchase history from the orders ``user`` may see: number of orders,
    totals per currency and in the base currency (today's rates; currencies without a
    rate are listed in ``missing_rates`` and left out of that sum), the last purchase,
    the products bought and the recent orders. Four aggregate queries plus the rates,
    whatever the number of orders and lines."""
    orders = customer_orders(user, person=person, organization=organization)
    counted = orders.exclude(status=OrderStatus.CANCELLED)
    per_currency = list(
        counted.order_by()
        .values("currency")
        .annotate(total=Sum("total"), n=Count("id"), last=Max("ordered_at"))
    )
    totals = {row["currency"]: row["total"] or Decimal(0) for row in per_currency}
    order_count = sum(row["n"] for row in per_currency)
    last_purchase = max((row["last"] for row in per_currency), default=None)
    in_base, base, missing = to_base(totals, timezone.localdate())
    products = [
        ProductBought(
            product_id=row["product_id"],
            name=row["name"],
            quantity=row["quantity"],
            orders=row["orders"],
            last_bought=row["last_bought"],
        )
        for row in (
            OrderLine.objects.filter(order__in=counted.values("pk"))
            .annotate(
                name=Case(
                    When(product__isnull=False, then=F("product__name")),
                    default=F("description"),
                    output_field=CharField(),
                )
            )
            .values("product_id", "name")
            .annotate(
                quantity=Sum("quantity"),
                orders=Count("order_id", distinct=True),
                last_bought=Max("order__ordered_at"),
            )
            .order_by("-last_bought", "name")[:HISTORY_PRODUCTS]
        )
    ]
    recent = list(orders.order_by("-ordered_at", "-id")[:HISTORY_ORDERS])
    return PurchaseHistory(
        orders=recent,
        order_count=order_count,
        totals=dict(sorted(totals.items())),
        base_currency=base,
        total_in_base=in_base,
        missing_rates=missing,
        last_purchase=last_purchase,
        products=products,
    )
