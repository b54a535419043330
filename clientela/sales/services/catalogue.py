"""Every write to the company's sales configuration: the product catalogue, price
lists, exchange rates and the sales settings (base currency, quote validity).

These are not CRM records: everyone reads them, only some roles change them. Products
are kept by admins and managers; price lists, exchange rates and the settings by
admins (anyone else is told the page does not exist, as for the other admin settings).
Each function validates the whole input first (errors keyed by input field), saves in
one transaction and writes an audit entry.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypedDict, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.core.audit import record_audit
from clientela.core.choices import AuditAction
from clientela.core.errors import NotFound, PermissionDenied
from clientela.core.models import User
from clientela.core.services import RecordWrites
from clientela.sales import money
from clientela.sales.choices import ProductKind
from clientela.sales.models import (
    ExchangeRate,
    OrderLine,
    PriceList,
    PriceListItem,
    Product,
    QuoteLine,
    SalesSettings,
)
from clientela.sales.selectors.catalogue import may_manage_products, product_trash_get
from clientela.sales.services import common as c

MAX_RATE = Decimal("9999999999")
MAX_PRICE_ITEMS = 5000


class ProductData(TypedDict, total=False):
    sku: str
    name: str
    description: str
    kind: str
    unit: str
    unit_price: Any
    currency: str
    tax_rate: Any
    is_active: bool


class PriceListData(TypedDict, total=False):
    name: str
    currency: str
    is_active: bool


class PriceItemInput(TypedDict, total=False):
    product_id: int
    unit_price: Any


class ExchangeRateData(TypedDict, total=False):
    currency: str
    rate: Any
    valid_from: datetime.date


class SalesSettingsData(TypedDict, total=False):
    base_currency: str
    quote_validity_days: int


# --- who may change what --------------------------------------------------------------


def require_product_manager(actor: Any) -> None:
    if not may_manage_products(actor):
        raise PermissionDenied(_("Only admins and managers may change the product catalogue."))


def _require_admin(actor: Any) -> None:
    """Admin settings: anyone else is told they do not exist."""
    if not getattr(actor, "is_admin", False) or not actor.is_active:
        raise NotFound()


M = TypeVar("M", bound=models.Model)


def _locked(record: M, actor: Any, authorize: Callable[[Any], None] = _require_admin) -> M:
    """The row re-read under a lock (PostgreSQL) in the caller's transaction, for an
    actor who may change it (by default: admins only)."""
    authorize(actor)
    fresh = type(record)._default_manager.select_for_update().filter(pk=record.pk).first()
    if fresh is None:
        raise NotFound()
    return fresh


def _text(
    data: Any, name: str, errors: c.Errors, *, limit: int, required: bool = False
) -> str | None:
    value = data.get(name)
    if value is not None and not isinstance(value, str):
        c.add(errors, name, _("Enter text."))
        return None
    value = (value or "").strip()
    if required and not value:
        c.add(errors, name, _("This field is required."))
        return None
    if len(value) > limit:
        c.add(
            errors,
            name,
            _("At most %(limit)s characters (this has %(n)s).") % {"limit": limit, "n": len(value)},
        )
        return None
    return value


def _bool(data: Any, name: str, errors: c.Errors) -> bool | None:
    value = data.get(name)
    if not isinstance(value, bool):
        c.add(errors, name, _("Enter true or false."))
        return None
    return value


# --- products -------------------------------------------------------------------------


def product_snapshot(product: Product) -> dict[str, Any]:
    return {
        "sku": product.sku,
        "name": product.name,
        "description": product.description,
        "kind": product.kind,
        "unit": product.unit,
        "unit_price": money.money_str(product.unit_price, product.currency)
        if product.currency
        else str(product.unit_price),
        "currency": product.currency,
        "tax_rate": product.tax_rate,
        "is_active": product.is_active,
    }


def _apply_product(product: Product, data: ProductData, *, creating: bool) -> None:
    errors: c.Errors = {}
    _product_texts(product, data, errors, creating=creating)
    _product_price(product, data, errors, creating=creating)
    _product_flags(product, data, errors)
    if "sku" not in errors and product.sku:
        taken = Product.objects.filter(sku__iexact=product.sku).exclude(pk=product.pk)
        trashed = taken.values_list("deleted_at", flat=True).first()
        if trashed is not None:
            c.add(errors, "sku", _("A product in the trash has this SKU: restore it instead."))
        elif taken.exists():
            c.add(errors, "sku", _("Another product already has this SKU."))
    c.raise_errors(errors)


def _product_texts(
    product: Product, data: ProductData, errors: c.Errors, *, creating: bool
) -> None:
    """SKU, name, unit, description and kind."""
    for name, limit in (("sku", 64), ("name", 200), ("unit", 20)):
        if creating and name == "unit" and name not in data:
            continue
        if name in data or creating:
            value = _text(data, name, errors, limit=limit, required=True)
            if value is not None:
                setattr(product, name, value)
    if "description" in data:
        value = _text(data, "description", errors, limit=5000)
        if value is not None:
            product.description = value
    if "kind" in data:
        if data["kind"] not in ProductKind.values:
            c.add(errors, "kind", _("Choose product or service."))
        else:
            product.kind = data["kind"]


def _product_price(
    product: Product, data: ProductData, errors: c.Errors, *, creating: bool
) -> None:
    """Currency and unit price: the price must fit the currency's decimals."""
    if "currency" in data or creating:
        currency = c.clean_currency(data.get("currency"), "currency", errors)
        if currency is not None:
            product.currency = currency
    if "unit_price" in data or creating:
        if data.get("unit_price") is None:
            c.add(errors, "unit_price", _("This field is required."))
        else:
            currency = None if "currency" in errors else product.currency
            price = c.clean_amount(data["unit_price"], "unit_price", errors, currency=currency)
            if price is not None:
                product.unit_price = price
    elif "currency" in data and "currency" not in errors:
        # A new currency with the old price: it must still fit the currency's decimals.
        c.clean_amount(product.unit_price, "unit_price", errors, currency=product.currency)


def _product_flags(product: Product, data: ProductData, errors: c.Errors) -> None:
    """Tax rate and whether the product is still offered."""
    if "tax_rate" in data:
        rate = c.clean_percent(data["tax_rate"], "tax_rate", errors)
        if rate is not None:
            product.tax_rate = rate
    if "is_active" in data:
        active = _bool(data, "is_active", errors)
        if active is not None:
            product.is_active = active


def _save_product(actor: User, product: Product, data: ProductData) -> None:
    _apply_product(product, data, creating=product.pk is None)
    product.save()


def _lock_product(product: Product, actor: User) -> Product:
    """The product re-read under a lock for a manager; one in the trash is not found."""
    fresh = _locked(product, actor, require_product_manager)
    if fresh.deleted_at is not None:
        raise NotFound()
    return fresh


_PRODUCTS = RecordWrites(
    apply=_save_product,
    snapshot=product_snapshot,
    lock=_lock_product,
    authorize=require_product_manager,
)


def product_create(*, actor: User, data: ProductData) -> Product:
    return _PRODUCTS.create(actor, Product(), data)


def product_update(
    *, actor: User, product: Product, data: ProductData, expected_version: int | None = None
) -> Product:
    """Change the fields present in ``data``; the others stay as they are. (A product
    has no version: ``expected_version`` is the kinds' call convention.)"""
    return _PRODUCTS.update(actor, product, data, expected_version)


def product_in_use(product: Product) -> bool:
    """Whether a quote, an order or a price list names the product."""
    return (
        QuoteLine.objects.filter(product=product).exists()
        or OrderLine.objects.filter(product=product).exists()
        or PriceListItem.objects.filter(product=product).exists()
    )


@transaction.atomic
def product_trash(*, actor: User, product: Product, expected_version: int | None = None) -> None:
    """Move a product to the trash (admins and managers). It leaves the catalogue, the
    pickers and new lines; quotes and orders that name it keep their lines (their own
    description and price), and price lists keep its price for a restore. (A product
    has no version: ``expected_version`` is the kinds' call convention.)"""
    fresh = _lock_product(product, actor)
    fresh.deleted_at = timezone.now()
    fresh.deleted_by = actor
    fresh.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
    record_audit(actor=actor, instance=fresh, action=AuditAction.DELETE)
    product.deleted_at, product.deleted_by = fresh.deleted_at, fresh.deleted_by


@transaction.atomic
def product_restore(*, actor: User, product: Product) -> None:
    """Bring a product back from the trash: an admin any, a manager their own
    deletions; ``NotFound`` for anyone else (``selectors.product_trash_get``)."""
    found = product_trash_get(user=actor, pk=product.pk)
    fresh = Product.objects.select_for_update().get(pk=found.pk)
    fresh.deleted_at = None
    fresh.deleted_by = None
    fresh.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
    record_audit(actor=actor, instance=fresh, action=AuditAction.RESTORE)
    product.deleted_at, product.deleted_by = None, None


# --- price lists ----------------------------------------------------------------------


def _apply_price_list(price_list: PriceList, data: PriceListData, *, creating: bool) -> None:
    errors: c.Errors = {}
    if "name" in data or creating:
        name = _text(data, "name", errors, limit=100, required=True)
        if name is not None:
            price_list.name = name
            taken = PriceList.objects.filter(name__iexact=name).exclude(pk=price_list.pk)
            if taken.exists():
                c.add(errors, "name", _("Another price list already has this name."))
    if "currency" in data or creating:
        currency = c.clean_currency(data.get("currency"), "currency", errors)
        if currency is not None:
            if price_list.pk and currency != price_list.currency and price_list.items.exists():
                c.add(
                    errors,
                    "currency",
                    _("Remove the list's prices before changing its currency."),
                )
            else:
                price_list.currency = currency
    if "is_active" in data:
        active = _bool(data, "is_active", errors)
        if active is not None:
            price_list.is_active = active
    c.raise_errors(errors)


def price_list_snapshot(price_list: PriceList) -> dict[str, Any]:
    return {
        "name": price_list.name,
        "currency": price_list.currency,
        "is_active": price_list.is_active,
    }


def _save_price_list(actor: User, price_list: PriceList, data: PriceListData) -> None:
    _apply_price_list(price_list, data, creating=price_list.pk is None)
    price_list.save()


_PRICE_LISTS = RecordWrites(
    apply=_save_price_list,
    snapshot=price_list_snapshot,
    lock=_locked,
    authorize=_require_admin,
)


def price_list_create(*, actor: User, data: PriceListData) -> PriceList:
    return _PRICE_LISTS.create(actor, PriceList(), data)


def price_list_update(*, actor: User, price_list: PriceList, data: PriceListData) -> PriceList:
    return _PRICE_LISTS.update(actor, price_list, data)


@transaction.atomic
def price_list_set_items(
    *, actor: User, price_list: PriceList, items: list[PriceItemInput]
) -> PriceList:
    """Replace the list's prices: one price per product, in the list's currency.
    Errors are keyed ``items.<n>.<field>``. Not in core's update shell: the audit
    counts the prices (a list holds up to 5,000) yet records a change of any price."""
    fresh = _locked(price_list, actor)
    errors: c.Errors = {}
    if not isinstance(items, list | tuple):
        raise ValidationError({"items": [_("Give a list of prices.")]})
    if len(items) > MAX_PRICE_ITEMS:
        raise ValidationError(
            {"items": [_("A price list has at most %(n)d prices.") % {"n": MAX_PRICE_ITEMS}]}
        )
    ids = {i.get("product_id") for i in items if isinstance(i, dict)}
    products = {p.pk: p for p in Product.objects.filter(pk__in=[i for i in ids if type(i) is int])}
    cleaned: dict[int, Decimal] = {}
    seen: set[int] = set()
    for n, item in enumerate(items):
        key = f"items.{n}"
        if not isinstance(item, dict):
            c.add(errors, key, _("Each price is an object."))
            continue
        product_id = item.get("product_id")
        product = products.get(product_id) if type(product_id) is int else None
        if product is None:
            c.add(errors, f"{key}.product_id", _("There is no product with this id."))
        elif product.pk in seen:
            c.add(errors, f"{key}.product_id", _("This product already has a price in the list."))
        if product is not None:
            seen.add(product.pk)
        price = c.clean_amount(
            item.get("unit_price"), f"{key}.unit_price", errors, currency=fresh.currency
        )
        if product is not None and price is not None:
            cleaned[product.pk] = price
    c.raise_errors(errors)
    before = {str(i.product_id): str(i.unit_price) for i in fresh.items.all()}
    fresh.items.all().delete()
    PriceListItem.objects.bulk_create(
        [PriceListItem(price_list=fresh, product_id=pk, unit_price=p) for pk, p in cleaned.items()]
    )
    after = {str(pk): str(p) for pk, p in cleaned.items()}
    if before != after:
        record_audit(
            actor=actor,
            instance=fresh,
            action=AuditAction.UPDATE,
            changes={"items": [str(len(before)), str(len(after))]},
        )
        fresh.save(update_fields=["updated_at"])
    return fresh


@transaction.atomic
def price_list_delete(*, actor: User, price_list: PriceList) -> None:
    fresh = _locked(price_list, actor)
    record_audit(actor=actor, instance=fresh, action=AuditAction.PURGE)
    fresh.delete()


# --- exchange rates -------------------------------------------------------------------


def _apply_rate(rate: ExchangeRate, data: ExchangeRateData, *, creating: bool) -> None:
    errors: c.Errors = {}
    base = SalesSettings.load().base_currency
    if "currency" in data or creating:
        currency = c.clean_currency(data.get("currency"), "currency", errors)
        if currency is not None:
            if currency == base:
                c.add(
                    errors,
                    "currency",
                    _("%(currency)s is the base currency: its rate is always 1.")
                    % {"currency": currency},
                )
            else:
                rate.currency = currency
    if "rate" in data or creating:
        value = money.parse_decimal(data.get("rate"))
        if value is None or value <= 0 or value > MAX_RATE:
            c.add(errors, "rate", _("Give the rate as a positive decimal number such as 0.92."))
        elif value != value.quantize(Decimal("1e-10")):
            c.add(errors, "rate", _("A rate has at most 10 decimals."))
        else:
            rate.rate = value
    if "valid_from" in data or creating:
        day = data.get("valid_from")
        if not isinstance(day, datetime.date) or isinstance(day, datetime.datetime):
            c.add(errors, "valid_from", _("Enter a date."))
        else:
            rate.valid_from = day
    if not errors:
        clash = ExchangeRate.objects.filter(currency=rate.currency, valid_from=rate.valid_from)
        if clash.exclude(pk=rate.pk).exists():
            c.add(
                errors,
                "valid_from",
                _("%(currency)s already has a rate from this day.") % {"currency": rate.currency},
            )
    c.raise_errors(errors)


def rate_snapshot(rate: ExchangeRate) -> dict[str, Any]:
    return {"currency": rate.currency, "rate": rate.rate, "valid_from": rate.valid_from}


def _save_rate(actor: User, rate: ExchangeRate, data: ExchangeRateData) -> None:
    _apply_rate(rate, data, creating=rate.pk is None)
    rate.save()


_RATES = RecordWrites(
    apply=_save_rate, snapshot=rate_snapshot, lock=_locked, authorize=_require_admin
)


def exchange_rate_create(*, actor: User, data: ExchangeRateData) -> ExchangeRate:
    return _RATES.create(actor, ExchangeRate(), data)


def exchange_rate_update(
    *, actor: User, rate: ExchangeRate, data: ExchangeRateData
) -> ExchangeRate:
    return _RATES.update(actor, rate, data)


@transaction.atomic
def exchange_rate_delete(*, actor: User, rate: ExchangeRate) -> None:
    fresh = _locked(rate, actor)
    record_audit(actor=actor, instance=fresh, action=AuditAction.PURGE)
    fresh.delete()


# --- settings -------------------------------------------------------------------------


def _apply_settings(actor: User, current: SalesSettings, data: SalesSettingsData) -> None:
    errors: c.Errors = {}
    if "base_currency" in data:
        base = c.clean_currency(data["base_currency"], "base_currency", errors)
        if base is not None and base != current.base_currency:
            if ExchangeRate.objects.filter(currency=base).exists():
                c.add(
                    errors,
                    "base_currency",
                    _("Delete the exchange rates of %(currency)s before making it the base.")
                    % {"currency": base},
                )
            else:
                current.base_currency = base
    if "quote_validity_days" in data:
        days = data["quote_validity_days"]
        if type(days) is not int or not 1 <= days <= 3650:
            c.add(errors, "quote_validity_days", _("Give a number of days from 1 to 3650."))
        else:
            current.quote_validity_days = days
    c.raise_errors(errors)
    current.save()


def settings_snapshot(current: SalesSettings) -> dict[str, Any]:
    return {
        "base_currency": current.base_currency,
        "quote_validity_days": current.quote_validity_days,
    }


_SETTINGS = RecordWrites(apply=_apply_settings, snapshot=settings_snapshot, lock=_locked)


def sales_settings_update(*, actor: User, data: SalesSettingsData) -> SalesSettings:
    """The base currency (rates are stated against it, so a currency that has rates
    cannot become the base) and how long new quotes are valid."""
    return _SETTINGS.update(actor, SalesSettings.load(), data)
