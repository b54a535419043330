"""Every write to orders: create (by hand, from an accepted quote, or pushed by a shop
or ERP through the API, idempotent on ``external_id``), status changes, trash."""

from __future__ import annotations

import datetime
from typing import Any, TypedDict

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.contacts.links import clean_organization, clean_people
from clientela.core.errors import NotFound
from clientela.core.models import User
from clientela.core.permissions import require
from clientela.core.services import RecordWrites, lock_for_update
from clientela.core.validation import clean_datetime
from clientela.sales import money
from clientela.sales.choices import OrderStatus
from clientela.sales.models import Order, OrderLine, Quote
from clientela.sales.selectors.deals import deal_for_link
from clientela.sales.selectors.orders import order_visible
from clientela.sales.services import common as c

ORDER_PREFIX = "O"


class OrderData(TypedDict, total=False):
    external_id: str
    person_id: int | None
    organization_id: int | None
    deal_id: int | None
    currency: str
    status: str
    ordered_at: datetime.datetime
    lines: list[c.LineInput]
    #: Optional: when given, it must equal the total computed from the lines.
    total: Any
    notes: str
    owner_id: int | None


def order_snapshot(order: Order) -> dict[str, Any]:
    return {
        "number": order.number,
        "status": order.status,
        "currency": order.currency,
        "total": money.money_str(order.total, order.currency),
        "person": order.person,
        "organization": order.organization,
        "external_id": order.external_id,
        "lines": len(order.lines.all()),
    }


def _existing_by_external_id(actor: User, external_id: str) -> Order | None:
    """The order already pushed with ``external_id``, or None. One the actor may not
    see is reported as a conflict without naming it."""
    existing = Order.objects.filter(external_id=external_id).first()
    if existing is None:
        return None
    if existing.deleted_at is not None or not order_visible(actor, existing.pk):
        raise ValidationError({"external_id": [_("Another order already has this external id.")]})
    return existing


def order_create(*, actor: User, data: OrderData) -> tuple[Order, bool]:
    """Create an order; (order, created). With an ``external_id`` that was pushed
    before, the earlier order is returned unchanged and ``created`` is False, so a shop
    can push the same sale again safely."""
    require(actor, "create", Order.RESOURCE)
    external_id = str(data.get("external_id") or "").strip()
    if len(external_id) > 100:
        raise ValidationError({"external_id": [_("At most 100 characters.")]})
    if external_id:
        existing = _existing_by_external_id(actor, external_id)
        if existing is not None:
            return existing, False
    try:
        return _order_create(actor, data, external_id), True
    except IntegrityError:
        # Two pushes of the same external id raced; the other one won.
        if external_id:
            existing = _existing_by_external_id(actor, external_id)
            if existing is not None:
                return existing, False
        raise


def _order_create(
    actor: User, data: OrderData, external_id: str, quote: Quote | None = None
) -> Order:
    """The shell of every new order (its own transaction, so a raced duplicate
    ``external_id`` rolls back alone)."""
    return _ORDERS.create(actor, Order(external_id=external_id, quote=quote), data)


def _apply(actor: User, order: Order, data: OrderData) -> None:
    errors: c.Errors = {}
    currency = c.clean_currency(data.get("currency"), "currency", errors)
    lines = c.clean_lines(data.get("lines"), currency, errors)
    person = organization = None
    if data.get("person_id") is not None:
        people = clean_people(actor, [data["person_id"]], errors)
        person = people[0] if people else None
        if "person_ids" in errors:
            errors["person_id"] = errors.pop("person_ids")
    if data.get("organization_id") is not None:
        organization = clean_organization(actor, data["organization_id"], errors)
    if (
        person is None
        and organization is None
        and not errors.get("person_id")
        and not errors.get("organization_id")
    ):
        c.add(errors, "person_id", _("An order belongs to a person or an organization."))
    deal = None
    if data.get("deal_id") is not None:
        deal = deal_for_link(actor, data["deal_id"], errors)
    status = data.get("status", OrderStatus.OPEN)
    if status not in OrderStatus.values:
        c.add(errors, "status", _("Choose open, fulfilled or cancelled."))
    ordered_at = clean_datetime(
        data.get("ordered_at", timezone.now()), "ordered_at", errors, required=True
    )
    owner = c.clean_owner_id(data.get("owner_id"), errors)
    owner_team = c.assign_owner_team(actor, Order.RESOURCE, owner, errors)
    notes = str(data.get("notes") or "")
    if len(notes) > 10000:
        c.add(errors, "notes", _("At most 10,000 characters."))
    totals = c.document_totals(lines)
    # A line with an error is left out of ``lines``: comparing the total with what is
    # left would add a second, misleading error.
    lines_ok = not any(key == "lines" or key.startswith("lines.") for key in errors)
    if data.get("total") is not None and currency and lines_ok:
        given = money.parse_decimal(data["total"])
        if given is None or given != totals.total:
            c.add(
                errors,
                "total",
                _("The total %(given)s does not match the lines, which add up to %(total)s.")
                % {"given": data["total"], "total": money.money_str(totals.total, currency)},
            )
    c.raise_errors(errors)
    assert currency is not None
    assert ordered_at is not None
    assert owner_team is not None
    order.owner, order.team = owner_team
    order.person, order.organization, order.deal = person, organization, deal
    order.currency, order.status, order.ordered_at = currency, status, ordered_at
    order.subtotal, order.tax_total, order.total = totals.subtotal, totals.tax_total, totals.total
    order.notes = notes
    if status == OrderStatus.FULFILLED:
        order.fulfilled_at = timezone.now()
    elif status == OrderStatus.CANCELLED:
        order.cancelled_at = timezone.now()
    order.number = c.next_number("order", ORDER_PREFIX)
    order.save()
    OrderLine.objects.bulk_create([OrderLine(order=order, **line.fields()) for line in lines])
    c.index_document(order)


_ORDERS = RecordWrites(apply=_apply, snapshot=order_snapshot)


def order_from_quote(*, actor: User, quote: Quote) -> Order:
    """The order of an accepted quote: its customer, deal, currency and lines. Called
    by the quote-accept service inside its transaction."""
    data: OrderData = {
        "person_id": quote.person_id,
        "organization_id": quote.organization_id,
        "deal_id": quote.deal_id,
        "currency": quote.currency,
        "ordered_at": timezone.now(),
        "owner_id": quote.owner_id,
        "lines": [
            {
                # A product withdrawn since the quote was made stays as free text.
                "product_id": line.product_id if line.product and line.product.is_active else None,
                "description": line.description,
                "quantity": line.quantity,
                "unit": line.unit,
                "unit_price": line.unit_price,
                "discount_percent": line.discount_percent,
                "tax_rate": line.tax_rate,
            }
            for line in quote.lines.select_related("product")
        ],
    }
    return _order_create(actor, data, "", quote=quote)


# --- status changes and trash -------------------------------------------------------------

#: The statuses an order may move to from each status. A cancelled order is final (it
#: cannot be fulfilled or reopened); a fulfilled one can still be cancelled (returned).
STATUS_MOVES: dict[str, frozenset[str]] = {
    OrderStatus.OPEN: frozenset({OrderStatus.FULFILLED, OrderStatus.CANCELLED}),
    OrderStatus.FULFILLED: frozenset({OrderStatus.CANCELLED}),
    OrderStatus.CANCELLED: frozenset(),
}


def _status_snapshot(order: Order) -> dict[str, Any]:
    return {
        "status": order.status,
        "fulfilled_at": order.fulfilled_at,
        "cancelled_at": order.cancelled_at,
    }


def _apply_status(actor: User, order: Order, status: Any) -> None:
    if not isinstance(status, str) or status not in OrderStatus.values:
        raise ValidationError({"status": [_("Choose open, fulfilled or cancelled.")]})
    if status == order.status:
        return
    if status not in STATUS_MOVES[order.status]:
        current = OrderStatus(order.status).label
        if order.status == OrderStatus.CANCELLED:
            message = _("A cancelled order cannot be fulfilled or reopened.")
        else:
            message = _("A %(current)s order cannot become %(new)s.") % {
                "current": str(current).lower(),
                "new": str(OrderStatus(status).label).lower(),
            }
        raise ValidationError({"status": [message]})
    order.status = status
    if status == OrderStatus.FULFILLED:
        order.fulfilled_at = timezone.now()
    elif status == OrderStatus.CANCELLED:
        order.cancelled_at = timezone.now()
    order.save(update_fields=["status", "fulfilled_at", "cancelled_at", "updated_at"])


_ORDER_STATUS = RecordWrites(apply=_apply_status, snapshot=_status_snapshot)


def order_set_status(
    *, actor: User, order: Order, status: Any, expected_version: int | None = None
) -> Order:
    """Mark an order fulfilled or cancelled (stamping ``fulfilled_at``/``cancelled_at``).
    Setting the status it already has changes nothing."""
    return _ORDER_STATUS.update(actor, order, status, expected_version)


@transaction.atomic
def order_trash(*, actor: User, order: Order, expected_version: int | None = None) -> None:
    """Cancel an order and move it to the trash, its number still taken (numbering has
    no gaps); its deleter or an admin can restore it."""
    fresh = lock_for_update(order, actor, "delete")
    stamp = {} if fresh.cancelled_at else {"cancelled_at": timezone.now()}
    c.void_document(
        actor=actor,
        document=fresh,
        status=OrderStatus.CANCELLED,
        expected_version=expected_version,
        fields=stamp,
    )
    fresh.refresh_from_db()
    order.status, order.cancelled_at, order.deleted_at, order.deleted_by, order.version = (
        fresh.status,
        fresh.cancelled_at,
        fresh.deleted_at,
        fresh.deleted_by,
        fresh.version,
    )


@transaction.atomic
def order_restore(*, actor: User, order: Order) -> None:
    """Bring an order back from the trash with the status it had (its deleter or an
    admin; else ``NotFound``)."""
    if order.pk is None:
        raise NotFound()
    c.unvoid_document(
        actor=actor,
        document=order,
        fields_for=lambda before: {} if before == OrderStatus.CANCELLED else {"cancelled_at": None},
    )
