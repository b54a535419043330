"""The condition fields of sales (``core.conditions``).

On people and organizations: purchases (bought a product, bought a kind of product,
spent more or less than an amount in the last N days, the last order's day), lead
status and deal status and stage. Orders, leads and deals count only where the user
sees them; cancelled orders are no purchase. Every test is one subquery on an indexed
column (``order_person_idx``, ``order_sale_idx``, ``order_line_product_idx``…).

On deals, leads and orders themselves (what automation's rules test on the record an
event is about, issue 16): their own columns (a deal's amount as stored, in its own
currency), owner, team, creation day and tags, and a deal's organization's name and
tags through its join."""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.contacts.conditions import tag_keys
from clientela.core.conditions import ConditionField, FieldType, register_condition_field
from clientela.core.conditions.build import (
    NOTHING,
    column_q,
    day_start,
    id_q,
    record_fields,
    tag_choices,
    tag_links,
    tags_q,
)
from clientela.sales.choices import DealStatus, LeadSource, LeadStatus, OrderStatus, ProductKind
from clientela.sales.models import Deal, Lead, Order, OrderLine, Pipeline, Product, Stage
from clientela.sales.money import currency_choices
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


# --- deals, leads and orders themselves ---------------------------------------------------

CHOICE_OPS = ("eq", "ne", "in")
#: Amounts are never empty (0 by default): no "filled in".
AMOUNT_OPS = ("eq", "ne", "gt", "lt")
#: A kind's own fields come first in an editor, before those of linked records.
OWN: dict[str, Any] = {"order": 10}


def pipeline_choices() -> list[tuple[str, Any]]:
    return [(str(p.pk), p.name) for p in Pipeline.objects.order_by("position", "pk")]


def _whole_q(column: str) -> FieldQ:
    """A whole-number column (a lead's score) against a number that may have decimals:
    "more than 49.5" is 50 and up, "equal to 49.5" is none."""
    inner = column_q(column, empty=None)

    def q(user: Any, op: str, value: Any) -> Q:
        if op == "exists":
            return inner(user, op, value)
        if op in ("eq", "ne") and value != value.to_integral_value():
            return ~NOTHING if op == "ne" else NOTHING
        rounded = {"gt": math.floor, "lt": math.ceil}.get(op, int)(value)
        return inner(user, op, rounded)

    return q


def _own(resource: str, group: Any, *specs: tuple[Any, ...]) -> list[ConditionField]:
    """Fields of ``resource``'s own columns: (key, label, type, q, extra); listed first
    (``order`` 10) unless ``extra`` says otherwise."""
    return [
        ConditionField(
            key=key, label=label, resource=resource, type=kind, q=q, group=group, **OWN | extra
        )
        for key, label, kind, q, extra in specs
    ]


def deal_fields() -> list[ConditionField]:
    group, organization = _("Deal"), _("Organization")
    choice = {"ops": CHOICE_OPS}
    return [
        *_own(
            Deal.RESOURCE,
            group,
            ("title", _("Title"), FieldType.TEXT, column_q("title"), {}),
            (
                "amount",
                _("Amount"),
                FieldType.NUMBER,
                column_q("amount"),
                {"ops": AMOUNT_OPS, "help": _("As entered, in the deal's own currency.")},
            ),
            (
                "currency",
                _("Currency"),
                FieldType.CHOICE,
                column_q("currency"),
                {**choice, "choices": currency_choices},
            ),
            (
                "pipeline",
                _("Pipeline"),
                FieldType.CHOICE,
                id_q("pipeline_id"),
                {**choice, "choices": pipeline_choices},
            ),
            (
                "stage",
                _("Stage"),
                FieldType.CHOICE,
                id_q("stage_id"),
                {**choice, "choices": stage_choices},
            ),
            (
                "status",
                _("Status"),
                FieldType.CHOICE,
                column_q("status"),
                {**choice, "choices": lambda: list(DealStatus.choices)},
            ),
            (
                "close_date",
                _("Expected close date"),
                FieldType.DATE,
                column_q("close_date", empty=None),
                {},
            ),
        ),
        *record_fields(Deal.RESOURCE, group, tags=tag_links(Deal), **OWN),
        *_own(
            Deal.RESOURCE,
            organization,
            (
                "organization.name",
                _("Organization's name"),
                FieldType.TEXT,
                column_q("organization__name", empty=None),
                {"order": 30},
            ),
            (
                "organization.tags",
                _("Organization's tags"),
                FieldType.TAGS,
                tags_q(tag_keys("organization__")),
                {"order": 30, "choices": tag_choices},
            ),
        ),
    ]


def lead_fields() -> list[ConditionField]:
    group = _("Lead")
    return [
        *_own(
            Lead.RESOURCE,
            group,
            (
                "status",
                _("Status"),
                FieldType.CHOICE,
                column_q("status"),
                {"ops": CHOICE_OPS, "choices": lambda: list(LeadStatus.choices)},
            ),
            (
                "source",
                _("Source"),
                FieldType.CHOICE,
                column_q("source"),
                {"ops": CHOICE_OPS, "choices": lambda: list(LeadSource.choices)},
            ),
            (
                "score",
                _("Score"),
                FieldType.NUMBER,
                _whole_q("score"),
                {"help": _("0 to 100. Not filled in: not scored yet.")},
            ),
        ),
        *record_fields(Lead.RESOURCE, group, tags=tag_links(Lead), **OWN),
    ]


def order_fields() -> list[ConditionField]:
    group = _("Order")
    amount = {"ops": AMOUNT_OPS, "help": _("In the order's own currency.")}
    return [
        *_own(
            Order.RESOURCE,
            group,
            (
                "status",
                _("Status"),
                FieldType.CHOICE,
                column_q("status"),
                {"ops": CHOICE_OPS, "choices": lambda: list(OrderStatus.choices)},
            ),
            ("subtotal", _("Subtotal"), FieldType.NUMBER, column_q("subtotal"), amount),
            ("total", _("Total"), FieldType.NUMBER, column_q("total"), amount),
            (
                "currency",
                _("Currency"),
                FieldType.CHOICE,
                column_q("currency"),
                {"ops": CHOICE_OPS, "choices": currency_choices},
            ),
            (
                "ordered_at",
                _("Ordered"),
                FieldType.DATE,
                column_q("ordered_at", moment=True),
                {"ops": ("before", "after")},
            ),
        ),
        *record_fields(Order.RESOURCE, group, **OWN),
    ]


def register() -> None:
    for resource, key in _KEYS.items():
        for condition_field in _fields(resource, key):
            register_condition_field(condition_field)
    for condition_field in [*deal_fields(), *lead_fields(), *order_fields()]:
        register_condition_field(condition_field)
