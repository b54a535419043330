"""Input checks and steps the sales services share: money, currencies, percentages,
document lines with their computed amounts, gap-free document numbers, owner and team.

Like ``core.validation`` (whose ``Errors``, ``add`` and ``raise_errors`` are re-exported
here), each check adds messages to an ``errors`` dict keyed by the input field, so a
service reports every problem of a request at once and saves nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypedDict

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clientela.core import search
from clientela.core.audit import record_audit
from clientela.core.choices import AuditAction
from clientela.core.errors import NotFound
from clientela.core.models import Team, User
from clientela.core.services import check_version, record_restore, record_trash
from clientela.core.validation import Errors, OwnerRule, add, raise_errors
from clientela.core.validation import assign_owner_team as _assign_owner_team
from clientela.sales import money
from clientela.sales.models import Order, Product, Quote
from clientela.sales.selectors.catalogue import price_for
from clientela.sales.sequences import take_numbers

__all__ = ["Errors", "add", "raise_errors"]

MAX_QUANTITY = Decimal("99999999999")
MAX_LINES = 200


def clean_currency(value: Any, field: str, errors: Errors) -> str | None:
    code = value.strip().upper() if isinstance(value, str) else ""
    if not money.is_currency(code):
        add(errors, field, _("“%(value)s” is not an ISO 4217 currency code.") % {"value": value})
        return None
    return code


def clean_amount(
    value: Any, field: str, errors: Errors, *, currency: str | None = None
) -> Decimal | None:
    """A non-negative amount, given as a decimal string or number (never a float),
    with no more decimals than the currency has."""
    amount = money.parse_decimal(value)
    if amount is None:
        add(errors, field, _("Give the amount as a decimal number such as 108.90."))
        return None
    if amount < 0:
        add(errors, field, _("The amount cannot be negative."))
        return None
    if amount > money.MAX_AMOUNT:
        add(errors, field, _("The amount is too large."))
        return None
    if currency and money.quantize(amount, currency) != amount:
        add(
            errors,
            field,
            _("%(currency)s amounts have at most %(digits)d decimals.")
            % {"currency": currency, "digits": money.exponent(currency)},
        )
        return None
    return amount


def clean_percent(value: Any, field: str, errors: Errors) -> Decimal | None:
    """A percentage from 0 to 100 with at most two decimals."""
    pct = money.parse_decimal(value)
    if pct is None or pct < 0 or pct > 100 or pct != pct.quantize(Decimal("0.01")):
        add(errors, field, _("Give a percentage from 0 to 100."))
        return None
    return pct


def clean_quantity(value: Any, field: str, errors: Errors) -> Decimal | None:
    qty = money.parse_decimal(value)
    if qty is None or qty <= 0 or qty > MAX_QUANTITY or qty != qty.quantize(Decimal("0.001")):
        add(errors, field, _("The quantity must be a positive number with at most 3 decimals."))
        return None
    return qty


#: The sales forms and API name the owner by ``owner_id``: every refusal is reported there.
SALES_OWNER = OwnerRule(
    inactive=("owner_id", gettext_lazy("The owner must be an active user.")),
    no_team=("owner_id", gettext_lazy("Choose an owner who belongs to a team.")),
    not_own=("owner_id", gettext_lazy("You can only own records yourself.")),
    not_team=("owner_id", gettext_lazy("You can only give records to people of your team.")),
)


def assign_owner_team(
    actor: User, resource: str, owner: User | None, errors: Errors
) -> tuple[User, Team] | None:
    """(owner, team) of a new or reassigned sales record (``core.validation``'s rule,
    worded for ``owner_id``); None when refused."""
    return _assign_owner_team(actor, resource, owner, errors, rule=SALES_OWNER)


def clean_owner_id(value: Any, errors: Errors) -> User | None:
    """The active user of ``owner_id`` (None when not given or unknown)."""
    if value is None:
        return None
    if type(value) is not int:
        add(errors, "owner_id", _("Give the owner as a user id."))
        return None
    user = User.objects.filter(pk=value, is_active=True).select_related("team", "role").first()
    if user is None:
        add(errors, "owner_id", _("There is no active user with this id."))
    return user


# --- document lines (quotes and orders) -------------------------------------------------


class LineInput(TypedDict, total=False):
    """One line as a client sends it: a catalogue product (its name, price and tax rate
    are the defaults) or a free-text description; amounts as decimal strings."""

    product_id: int | None
    description: str
    quantity: Any
    unit: str
    unit_price: Any
    discount_percent: Any
    tax_rate: Any


@dataclass(frozen=True)
class CleanLine:
    position: int
    product: Product | None
    description: str
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal
    tax_rate: Decimal
    amounts: money.LineAmounts
    unit: str = ""

    def fields(self) -> dict[str, Any]:
        """The model fields of a ``QuoteLine``/``OrderLine``."""
        return {
            "position": self.position,
            "product": self.product,
            "description": self.description,
            "quantity": self.quantity,
            "unit": self.unit,
            "unit_price": self.unit_price,
            "discount_percent": self.discount_percent,
            "tax_rate": self.tax_rate,
            "subtotal": self.amounts.subtotal,
            "tax": self.amounts.tax,
            "total": self.amounts.total,
        }


def clean_lines(value: Any, currency: str | None, errors: Errors) -> list[CleanLine]:
    """Every line checked, with its amounts computed in ``currency``; errors are keyed
    ``lines.<n>.<field>`` (n from 0). At least one line."""
    if not isinstance(value, list | tuple) or not value:
        add(errors, "lines", _("Give at least one line."))
        return []
    if len(value) > MAX_LINES:
        add(errors, "lines", _("A document has at most %(n)d lines.") % {"n": MAX_LINES})
        return []
    product_ids: set[int] = {
        line["product_id"]
        for line in value
        if isinstance(line, dict) and type(line.get("product_id")) is int
    }
    products = {p.pk: p for p in Product.objects.filter(pk__in=product_ids)}
    cleaned: list[CleanLine] = []
    for n, raw in enumerate(value):
        if not isinstance(raw, dict):
            add(errors, f"lines.{n}", _("Each line is an object."))
            continue
        line = _clean_line(n, raw, products, currency, errors)
        if line is not None:
            cleaned.append(line)
    return cleaned


def _clean_line(
    n: int, raw: dict[str, Any], products: dict[int, Product], currency: str | None, errors: Errors
) -> CleanLine | None:
    """Line ``n`` checked, or None with its problems in ``errors`` (``lines.<n>.<field>``)."""
    line_errors: Errors = {}
    product_id = raw.get("product_id")
    product = _line_product(product_id, products, line_errors)
    description = str(raw.get("description") or "").strip()
    if not description and product is not None:
        description = product.name
    if not description and product_id is None:
        add(line_errors, "description", _("Choose a product or describe the line."))
    if len(description) > 500:
        add(line_errors, "description", _("At most 500 characters."))
    quantity = clean_quantity(raw.get("quantity", "1"), "quantity", line_errors)
    unit = _line_unit(raw.get("unit"), product, line_errors)
    unit_price = _line_unit_price(raw.get("unit_price"), product, currency, line_errors)
    discount = clean_percent(raw.get("discount_percent", "0"), "discount_percent", line_errors)
    tax_raw = raw.get("tax_rate")
    if tax_raw is None:
        tax_raw = product.tax_rate if product is not None else "0"
    tax_rate = clean_percent(tax_raw, "tax_rate", line_errors)
    for field, messages in line_errors.items():
        for message in messages:
            add(errors, f"lines.{n}.{field}", message)
    if (
        line_errors
        or currency is None
        or quantity is None
        or unit_price is None
        or discount is None
        or tax_rate is None
    ):
        return None
    amounts = money.line_amounts(
        quantity=quantity,
        unit_price=unit_price,
        discount_percent=discount,
        tax_rate=tax_rate,
        currency=currency,
    )
    return CleanLine(
        n, product, description, quantity, unit_price, discount, tax_rate, amounts, unit=unit
    )


MAX_UNIT = 20


def _line_unit(value: Any, product: Product | None, line_errors: Errors) -> str:
    """What the quantity counts: as given, else the product's unit, else nothing."""
    if value is not None and not isinstance(value, str):
        add(line_errors, "unit", _("Enter text."))
        return ""
    unit = (value or "").strip() or (product.unit if product is not None else "")
    if len(unit) > MAX_UNIT:
        add(line_errors, "unit", _("At most 20 characters."))
    return unit


def _line_product(
    product_id: Any, products: dict[int, Product], line_errors: Errors
) -> Product | None:
    """The catalogue product a line names, if any and still sold."""
    if product_id is None:
        return None
    product = products.get(product_id) if type(product_id) is int else None
    if product is None:
        add(line_errors, "product_id", _("There is no product with this id."))
    elif not product.is_active or product.deleted_at is not None:
        add(line_errors, "product_id", _("This product is no longer sold."))
    return product


def _line_unit_price(
    price_raw: Any, product: Product | None, currency: str | None, line_errors: Errors
) -> Decimal | None:
    """The line's unit price: as given, else the product's catalogue price."""
    if price_raw is None and product is not None and currency is not None:
        # The catalogue price: a price list in the document's currency, else the
        # product's own price when it is in that currency.
        price = price_for(product, currency)
        price_raw = money.quantize(price, currency) if price is not None else None
        if price_raw is None:
            add(
                line_errors,
                "unit_price",
                _("This product has no price in %(currency)s: give the unit price.")
                % {"currency": currency},
            )
    unit_price = (
        clean_amount(price_raw, "unit_price", line_errors) if price_raw is not None else None
    )
    if price_raw is None and product is None:
        add(line_errors, "unit_price", _("Give the unit price."))
    return unit_price


def document_totals(lines: list[CleanLine]) -> money.Totals:
    return money.sum_lines(line.amounts for line in lines)


# --- search -----------------------------------------------------------------------------


def index_document(document: Quote | Order) -> None:
    """Put a quote or an order in the header search: found by its number, its
    customer's name and its external id."""
    customer = " · ".join(
        str(part) for part in (document.person, document.organization) if part is not None
    )
    title = document.label if isinstance(document, Quote) else document.number
    search.index_record(
        resource=document.RESOURCE,
        object_id=document.pk,
        owner_id=document.owner_id,
        team_id=document.team_id,
        title=title,
        subtitle=customer,
        parts=[title, document.number, customer, document.external_id],
    )


# --- numbering --------------------------------------------------------------------------


def next_number(kind: str, prefix: str) -> str:
    """The next number of ``kind`` this year ("Q-2026-00001"), taken under a row lock in
    the caller's transaction, so a rolled-back save leaves no gap. Call it last, just
    before saving, to hold the lock as briefly as possible."""
    year = timezone.localdate().year
    return f"{prefix}-{year}-{take_numbers(kind, year):05d}"


# --- deleting numbered documents: void, never a gap ------------------------------------


def void_document(
    *,
    actor: User,
    document: Quote | Order,
    status: str,
    expected_version: int | None,
    fields: dict[str, Any] | None = None,
) -> None:
    """Move a quote or an order to the trash with ``status`` (void, cancelled), keeping
    the one it had for a restore; its number stays taken. Call inside a transaction,
    with the document locked (``lock_for_update``)."""
    check_version(document, expected_version)
    before = document.status
    type(document)._default_manager.filter(pk=document.pk).update(
        status=status, status_before_void=before, **(fields or {})
    )
    if before != status:
        record_audit(
            actor=actor,
            instance=document,
            action=AuditAction.UPDATE,
            changes={"status": [before, status]},
        )
    record_trash(actor=actor, record=document, expected_version=expected_version)


def unvoid_document(
    *,
    actor: User,
    document: Quote | Order,
    fields_for: Callable[[str], dict[str, Any]] | None = None,
) -> str:
    """Bring a voided quote or order back from the trash with the status it had (and
    ``fields_for(that status)``); returns that status. Call inside a transaction;
    ``NotFound`` (and nothing changed) for a user who may not restore it."""
    model = type(document)
    fresh = model._default_manager.select_for_update().filter(pk=document.pk).first()
    if fresh is None or fresh.deleted_at is None:
        raise NotFound()
    current, before = fresh.status, fresh.status_before_void or fresh.status
    model._default_manager.filter(pk=fresh.pk).update(
        status=before, status_before_void="", **(fields_for(before) if fields_for else {})
    )
    record_restore(actor=actor, record=document, reindex=index_document)
    if before != current:
        record_audit(
            actor=actor,
            instance=fresh,
            action=AuditAction.UPDATE,
            changes={"status": [current, before]},
        )
    document.status = before
    return before
