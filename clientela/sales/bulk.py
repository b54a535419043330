"""Creating many orders (and the catalogue products they name) at once: the order
import's write path.

The same checks as ``services.orders.order_create`` (currency, lines through
``common.clean_lines``' line step, customer visible to the actor, status, date, owner
and team, notes), the same numbering (gap-free, taken under the sequence's lock), the
same audit entry (one CREATE with ``order_snapshot``'s values) and the same search
entry (``common.index_document``'s), but written with one INSERT per table for a batch
of orders (``core.db.insert_rows``), the lookups (products, customers, external ids)
done once per batch. Products missing from the catalogue are created the same way with
``catalogue``'s checks (admins and managers only). The undo cancels and trashes orders
as ``order_trash`` does, in bulk.

The caller owns the transaction (the importer commits a chunk with its checkpoint).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db.models import F
from django.db.models.base import ModelState
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.contacts.bulk import audit_rows, search_rows
from clientela.contacts.models import Person
from clientela.core import search
from clientela.core.audit import created_changes
from clientela.core.choices import AuditAction, values_of
from clientela.core.db import insert_instances, insert_rows
from clientela.core.models import SearchEntry, User
from clientela.core.permissions import require, visibility_q
from clientela.core.validation import clean_datetime
from clientela.sales import money
from clientela.sales.choices import OrderStatus
from clientela.sales.models import (
    Order,
    OrderLine,
    PriceListItem,
    Product,
    QuoteLine,
)
from clientela.sales.sequences import take_numbers
from clientela.sales.services import catalogue
from clientela.sales.services import common as c
from clientela.sales.services.orders import ORDER_PREFIX, OrderData

Errors = dict[str, list[str]]
_STATUSES = values_of(OrderStatus)

#: The columns of an order line as ``sales.bulk`` writes them (the order id first).
LINE_COLUMNS = [
    "order_id",
    "position",
    "product_id",
    "description",
    "quantity",
    "unit",
    "unit_price",
    "discount_percent",
    "tax_rate",
    "subtotal",
    "tax",
    "total",
]


@dataclass
class CheckedOrder:
    """An order the checks accepted and that is not written yet."""

    order: Order
    lines: list[c.CleanLine]


# --- products ------------------------------------------------------------------------


def products_create_many(*, actor: User, items: list[catalogue.ProductData]) -> list[Any]:
    """Create a catalogue product for each valid item (``product_create``'s checks, SKUs
    unique among the catalogue and the items); per item the ``Product`` or its errors.
    Raises ``PermissionDenied`` for anyone who may not change the catalogue."""
    catalogue.require_product_manager(actor)
    wanted = {str(i.get("sku") or "").strip() for i in items}
    variants = sorted({v for s in wanted if s for v in (s, s.upper(), s.lower())})
    taken = {
        sku.casefold()
        for sku in Product.objects.filter(sku__in=variants).values_list("sku", flat=True)
    }
    results: list[Product | Errors] = []
    for item in items:
        product, errors = Product(), cast(Errors, {})
        catalogue._product_texts(product, item, errors, creating=True)
        catalogue._product_price(product, item, errors, creating=True)
        catalogue._product_flags(product, item, errors)
        if "sku" not in errors and product.sku.casefold() in taken:
            c.add(errors, "sku", _("Another product already has this SKU."))
        if errors:
            results.append(errors)
            continue
        taken.add(product.sku.casefold())
        results.append(product)
    created = [p for p in results if isinstance(p, Product)]
    if created:
        now = timezone.now()
        for p in created:
            p.created_at = p.updated_at = now
        insert_instances(Product, created)
        audit_rows(
            actor,
            Product,
            [(p, created_changes(catalogue.product_snapshot(p))) for p in created],  # type: ignore[misc]
            AuditAction.CREATE,
            now,
        )
    return results


# --- orders --------------------------------------------------------------------------


def _visible_people(actor: User, ids: set[int]) -> dict[int, Person]:
    q = visibility_q(actor, Person.RESOURCE)
    if not ids or q is None:
        return {}
    qs = Person.objects.filter(q, pk__in=ids, deleted_at__isnull=True)
    return {p.pk: p for p in qs.only("pk", "first_name", "last_name")}


def orders_check(*, actor: User, items: list[OrderData]) -> list[CheckedOrder | Errors]:
    """Check each item as ``order_create`` would (a person as the customer), writing
    nothing: a ``CheckedOrder`` or the errors by field (``lines.<n>.<field>`` for a
    line), in order. The actor owns the orders."""
    require(actor, "create", Order.RESOURCE)
    shared: Errors = {}
    owner_team = c.assign_owner_team(actor, Order.RESOURCE, None, shared)
    people = _visible_people(actor, {pk for i in items if type(pk := i.get("person_id")) is int})
    product_ids: set[int] = {
        line["product_id"]  # type: ignore[misc]
        for item in items
        for line in item.get("lines") or []
        if type(line.get("product_id")) is int
    }
    products = {p.pk: p for p in Product.objects.filter(pk__in=product_ids)}
    external = [str(i.get("external_id") or "").strip() for i in items]
    taken = set(
        Order.objects.filter(external_id__in=[e for e in external if e]).values_list(
            "external_id", flat=True
        )
    )
    results: list[CheckedOrder | Errors] = []
    # Copied for each order: cheaper than building a model instance from nothing.
    template = Order()
    for item, external_id in zip(items, external, strict=True):
        errors: Errors = {k: list(v) for k, v in shared.items()}
        checked = _check_one(item, external_id, people, products, errors, template)
        if external_id in taken:
            c.add(errors, "external_id", _("Another order already has this external id."))
        if errors or checked is None or owner_team is None:
            results.append(errors)
            continue
        taken.add(external_id)
        checked.order.owner, checked.order.team = owner_team
        results.append(checked)
    return results


def _check_one(
    item: OrderData,
    external_id: str,
    people: dict[int, Person],
    products: dict[int, Product],
    errors: Errors,
    template: Order,
) -> CheckedOrder | None:
    if len(external_id) > 100:
        c.add(errors, "external_id", _("At most 100 characters."))
    currency = c.clean_currency(item.get("currency"), "currency", errors)
    raw_lines = item.get("lines")
    lines: list[c.CleanLine] = []
    if not isinstance(raw_lines, list) or not raw_lines:
        c.add(errors, "lines", _("Give at least one line."))
    elif len(raw_lines) > c.MAX_LINES:
        c.add(errors, "lines", _("A document has at most %(n)d lines.") % {"n": c.MAX_LINES})
    else:
        for n, raw in enumerate(raw_lines):
            line = c._clean_line(n, dict(raw), products, currency, errors)
            if line is not None:
                lines.append(line)
    person = people.get(item.get("person_id") or 0)
    if person is None:
        c.add(errors, "person_id", _("An order belongs to a person or an organization."))
    status = item.get("status", OrderStatus.OPEN)
    if status not in _STATUSES:
        c.add(errors, "status", _("Choose open, fulfilled or cancelled."))
    ordered_at = clean_datetime(item.get("ordered_at"), "ordered_at", errors, required=True)
    notes = str(item.get("notes") or "")
    if len(notes) > 10000:
        c.add(errors, "notes", _("At most 10,000 characters."))
    if errors or currency is None or ordered_at is None:
        return None
    totals = c.document_totals(lines)
    # The template's values, then the order's own (set in ``__dict__``, as Django's
    # ``from_db`` does: the descriptors' work is not needed for a new record).
    order = Order.__new__(Order)
    order.__dict__.update(template.__dict__)
    order._state = ModelState()
    order._state.fields_cache["person"] = person
    order.__dict__.update(
        external_id=external_id,
        person_id=person.pk if person is not None else None,
        currency=currency,
        status=status,
        ordered_at=ordered_at,
        subtotal=totals.subtotal,
        tax_total=totals.tax_total,
        total=totals.total,
        notes=notes,
    )
    return CheckedOrder(order, lines)


def next_numbers(kind: str, prefix: str, count: int) -> list[str]:
    """``count`` consecutive numbers of ``kind`` this year, taken at once under the
    sequence's row lock (``common.next_number`` for a batch)."""
    year = timezone.localdate().year
    last = take_numbers(kind, year, count)
    return [f"{prefix}-{year}-{n:05d}" for n in range(last - count + 1, last + 1)]


def _search_entry(order: Order, customer: str) -> search.Entry:
    return search.entry(
        resource=Order.RESOURCE,
        object_id=order.pk,
        owner_id=order.owner_id,
        team_id=order.team_id,
        title=order.number,
        subtitle=customer,
        parts=[order.number, order.number, customer, order.external_id],
    )


def _changes(checked: CheckedOrder, customer: str) -> dict[str, list[str | None]]:
    """``created_changes(order_snapshot(order))`` built straight from the values in
    hand (every value of the snapshot is text but the number of lines; an empty one
    is left out), in the same key order."""
    order = checked.order
    values = (
        ("currency", order.currency),
        ("external_id", order.external_id),
        ("lines", str(len(checked.lines))),
        ("number", order.number),
        ("organization", ""),
        ("person", customer),
        ("status", order.status),
        ("total", money.money_str(order.total, order.currency)),
    )
    return {key: [None, value] for key, value in values if value}


def orders_write(*, actor: User, checked: list[CheckedOrder]) -> list[Order]:
    """Write the orders ``orders_check`` accepted: numbers, orders, lines, audit and
    search entries, one statement per table and batch."""
    require(actor, "create", Order.RESOURCE)
    if not checked:
        return []
    now = timezone.now()
    numbers = next_numbers("order", ORDER_PREFIX, len(checked))
    orders = [item.order for item in checked]
    for order, number in zip(orders, numbers, strict=True):
        order.number = number
        order.created_at = order.updated_at = now
        # An imported order is history: fulfilled or cancelled when it was placed.
        if order.status == OrderStatus.FULFILLED:
            order.fulfilled_at = order.ordered_at
        elif order.status == OrderStatus.CANCELLED:
            order.cancelled_at = order.ordered_at
    insert_instances(Order, orders)
    insert_rows(
        OrderLine,
        LINE_COLUMNS,
        [
            (
                item.order.pk,
                line.position,
                line.product.pk if line.product is not None else None,
                line.description,
                line.quantity,
                line.unit,
                line.unit_price,
                line.discount_percent,
                line.tax_rate,
                line.amounts.subtotal,
                line.amounts.tax,
                line.amounts.total,
            )
            for item in checked
            for line in item.lines
        ],
    )
    # A customer's name once per customer, not per order.
    customers: dict[int | None, str] = {None: ""}
    for order in orders:
        if order.person_id not in customers:
            customers[order.person_id] = str(order.person)
    audit_rows(
        actor,
        Order,
        [
            (item.order, _changes(item, customers[item.order.person_id]))  # type: ignore[misc]
            for item in checked
        ],
        AuditAction.CREATE,
        now,
    )
    search_rows([_search_entry(o, customers[o.person_id]) for o in orders])
    return orders


def orders_trash_many(*, actor: User, versions: dict[int, int]) -> int:
    """Cancel and move to the trash the orders whose ids are the keys of ``versions``,
    each still at that version (the undo of an import), as ``order_trash`` does: all or
    none; ValidationError naming how many changed since. Returns how many."""
    require(actor, "delete", Order.RESOURCE)
    qs = Order.objects.filter(pk__in=list(versions)).alive().visible_to(actor)
    current = {pk: (v, s) for pk, v, s in qs.values_list("pk", "version", "status")}
    changed = [pk for pk, version in versions.items() if current.get(pk, (version,))[0] != version]
    if changed:
        raise ValidationError(
            _("%(n)s of these records were changed since; undo is no longer possible.")
            % {"n": len(changed)}
        )
    now = timezone.now()
    ids = [pk for pk in versions if pk in current]
    for start in range(0, len(ids), 500):
        batch = ids[start : start + 500]
        rows = Order.objects.filter(pk__in=batch)
        names = {o.pk: o for o in rows.only("pk", "number")}
        for status in {current[pk][1] for pk in batch}:
            same = [pk for pk in batch if current[pk][1] == status]
            stamp: dict[str, Any] = {} if status == OrderStatus.CANCELLED else {"cancelled_at": now}
            Order.objects.filter(pk__in=same).update(
                status=OrderStatus.CANCELLED,
                status_before_void=status,
                deleted_at=now,
                deleted_by=actor,
                version=F("version") + 1,
                updated_at=now,
                **stamp,
            )
        audit_rows(
            actor,
            Order,
            [
                (names[pk], {"status": [current[pk][1], OrderStatus.CANCELLED]})  # type: ignore[misc]
                for pk in batch
                if current[pk][1] != OrderStatus.CANCELLED
            ],
            AuditAction.UPDATE,
            now,
        )
        audit_rows(actor, Order, [(names[pk], {}) for pk in batch], AuditAction.DELETE, now)  # type: ignore[misc]
        SearchEntry.objects.filter(resource=Order.RESOURCE, object_id__in=batch).delete()
    return len(ids)


def products_unused(ids: list[int], *, besides: list[int]) -> list[int]:
    """Of the products ``ids``, those no quote, price list or order names, apart from
    the orders ``besides`` (an import's own, being undone)."""
    used = set(
        OrderLine.objects.filter(product_id__in=ids)
        .exclude(order_id__in=besides)
        .values_list("product_id", flat=True)
    )
    used |= set(QuoteLine.objects.filter(product_id__in=ids).values_list("product_id", flat=True))
    used |= set(
        PriceListItem.objects.filter(product_id__in=ids).values_list("product_id", flat=True)
    )
    return [pk for pk in ids if pk not in used]


__all__ = [
    "CheckedOrder",
    "next_numbers",
    "orders_check",
    "orders_trash_many",
    "orders_write",
    "products_create_many",
    "products_unused",
]
