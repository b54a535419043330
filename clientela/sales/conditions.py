"""The condition fields sales offers on people and organizations
(``core.conditions``): purchases (bought a product, bought a kind of product, spent
more or less than an amount in the last N days, the last order's day), lead status and
deal status and stage. Orders, leads and deals count only where the user sees them;
cancelled orders are no purchase. Every test is one subquery on an indexed column
(``order_person_idx``, ``order_sale_idx``, ``order_line_product_idx``…)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.core.conditions import ConditionField, FieldType, register_condition_field
from clientela.core.conditions.build import day_start
from clientela.sales.choices import DealStatus, LeadStatus, OrderStatus, ProductKind
from clientela.sales.models import OrderLine, Product, Stage
from clientela.sales.selectors.deals import deals_for
from clientela.sales.selectors.leads import leads_for
from clientela.sales.selectors.orders import orders_for
from clientela.sales.selectors.rates import base_currency

_KEYS = {"contacts.person": "person_id", "contacts.organization": "organization_id"}
FieldQ = Callable[[Any, str, Any], Q]


def _purchases(user: Any) -> QuerySet[Any]:
    return orders_for(user).exclude(status=OrderStatus.CANCELLED)


def _negated(op: str, found: Q) -> Q:
    return ~found if op == "ne" else found


def _bought(key: str, test: Callable[[Any], Q]) -> FieldQ:
    """Bought (``eq``/``in``) or never bought (``ne``) a product meeting ``test``."""

    def q(user: Any, op: str, value: Any) -> Q:
        values = value if op == "in" else [value]
        lines = OrderLine.objects.filter(test(values), order__in=_purchases(user).values("pk"))
        return _negated(op, Q(pk__in=lines.values(f"order__{key}")))

    return q


def _spent(key: str) -> FieldQ:
    """More (``gt``) or less (``lt``, never included) than an amount in the base
    currency over the last N days (orders in other currencies are left out)."""

    def q(user: Any, op: str, value: Any) -> Q:
        since = timezone.now() - datetime.timedelta(days=value.days)
        orders = _purchases(user).filter(
            ordered_at__gte=since, currency=base_currency(), **{f"{key}__isnull": False}
        )
        totals = orders.values(key).annotate(spent=Sum("subtotal"))
        if op == "gt":
            return Q(pk__in=totals.filter(spent__gt=value.amount).values(key))
        return ~Q(pk__in=totals.filter(spent__gte=value.amount).values(key))

    return q


def _last_order(key: str) -> FieldQ:
    def ids(user: Any, since: datetime.datetime | None) -> QuerySet[Any]:
        found = _purchases(user).filter(**{f"{key}__isnull": False})
        return (found if since is None else found.filter(ordered_at__gte=since)).values(key)

    def q(user: Any, op: str, value: Any) -> Q:
        if op == "exists":
            return Q(pk__in=ids(user, None)) if value else ~Q(pk__in=ids(user, None))
        if op == "after":
            return Q(pk__in=ids(user, day_start(value + datetime.timedelta(days=1))))
        return Q(pk__in=ids(user, None)) & ~Q(pk__in=ids(user, day_start(value)))

    return q


def _lead_status(user: Any, op: str, value: Any) -> Q:
    """A person a lead of that status was converted into, or who has its e-mail."""
    leads = leads_for(user).filter(status__in=value if op == "in" else [value])
    found = Q(pk__in=leads.filter(converted_person__isnull=False).values("converted_person"))
    found |= Q(email__in=leads.exclude(email="").values("email"))
    return _negated(op, found)


def _deals(key: str, column: str) -> FieldQ:
    target = "people" if key == "person_id" else "organization_id"

    def q(user: Any, op: str, value: Any) -> Q:
        values = value if op == "in" else [value]
        if column == "stage_id":
            values = [int(v) for v in values]
        deals = deals_for(user).filter(**{f"{column}__in": values}).exclude(**{target: None})
        return _negated(op, Q(pk__in=deals.values(target)))

    return q


def product_choices() -> list[tuple[str, Any]]:
    products = Product.objects.filter(deleted_at__isnull=True).order_by("name")[:1000]
    return [(p.sku, str(p)) for p in products]


def stage_choices() -> list[tuple[str, Any]]:
    stages = Stage.objects.select_related("pipeline").order_by("pipeline__position", "position")
    return [(str(s.pk), f"{s.pipeline.name} · {s.name}") for s in stages]


def _fields(resource: str, key: str) -> list[ConditionField]:
    purchases, sales = _("Purchases"), _("Sales")

    def f(name: str, label: Any, kind: str, q: FieldQ, **extra: Any) -> ConditionField:
        return ConditionField(
            key=name, label=label, resource=resource, type=kind, q=q, order=60, **extra
        )

    choice_ops = ("eq", "ne", "in")
    fields = [
        f(
            "purchases.product",
            _("Bought the product"),
            FieldType.TEXT,
            _bought(key, lambda skus: Q(product__sku__in=skus)),
            ops=choice_ops,
            choices=product_choices,
            group=purchases,
            help=_("The product's SKU; “is not”: never bought it."),
        ),
        f(
            "purchases.product_kind",
            _("Bought a kind of product"),
            FieldType.CHOICE,
            _bought(key, lambda kinds: Q(product__kind__in=kinds)),
            ops=choice_ops,
            choices=lambda: list(ProductKind.choices),
            group=purchases,
        ),
        f(
            "purchases.spent",
            _("Spent"),
            FieldType.AMOUNT_DAYS,
            _spent(key),
            group=purchases,
            help=_("In the base currency, over the last days given."),
        ),
        f(
            "purchases.last_order",
            _("Last order"),
            FieldType.DATE,
            _last_order(key),
            group=purchases,
            help=_("Before a day: none since. Not filled in: never ordered."),
        ),
        f(
            "deals.status",
            _("Deal status"),
            FieldType.CHOICE,
            _deals(key, "status"),
            ops=choice_ops,
            choices=lambda: list(DealStatus.choices),
            group=sales,
            help=_("“is”: has a deal with this status."),
        ),
        f(
            "deals.stage",
            _("Deal stage"),
            FieldType.CHOICE,
            _deals(key, "stage_id"),
            ops=choice_ops,
            choices=stage_choices,
            group=sales,
        ),
    ]
    if resource == "contacts.person":
        fields.append(
            f(
                "leads.status",
                _("Lead status"),
                FieldType.CHOICE,
                _lead_status,
                ops=choice_ops,
                choices=lambda: list(LeadStatus.choices),
                group=sales,
                help=_("A lead converted into the person, or with their e-mail."),
            )
        )
    return fields


def register() -> None:
    for resource, key in _KEYS.items():
        for condition_field in _fields(resource, key):
            register_condition_field(condition_field)
