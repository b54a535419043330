"""Every read of the product catalogue, price lists and exchange rates.

They are the company's configuration, not CRM records: every signed-in user may read
them (the ``user`` parameter is taken for the same shape as the other selectors and
to refuse anonymous callers).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from clientela.core.choices import RoleKey
from clientela.core.errors import NotFound
from clientela.core.filters import clean_sort, sort_columns
from clientela.core.kinds import parse_id
from clientela.sales.filters import DEFAULT_PRODUCT_SORT, PRODUCT_SORTS
from clientela.sales.models import ExchangeRate, PriceList, PriceListItem, Product


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def may_manage_products(user: Any) -> bool:
    """Admins and managers keep the catalogue."""
    if not _signed_in(user):
        return False
    if user.is_admin:
        return True
    role = getattr(user, "role", None)
    return role is not None and role.key == RoleKey.MANAGER


def product_sort(value: str | None) -> str:
    """The sort asked for if it is a known one, else the default."""
    return clean_sort(value, PRODUCT_SORTS, DEFAULT_PRODUCT_SORT)


def product_list(
    *, user: Any, active: bool | None = True, q: str = "", sort: str = DEFAULT_PRODUCT_SORT
) -> QuerySet[Product]:
    """Products (``active``: True only active ones, False only inactive, None all),
    matching ``q`` in the SKU or name, sorted by one of ``PRODUCT_SORTS``."""
    if not _signed_in(user):
        return Product.objects.none()
    qs = Product.objects.filter(deleted_at__isnull=True)
    if active is not None:
        qs = qs.filter(is_active=active)
    q = (q or "").strip()[:100]
    if q:
        qs = qs.filter(Q(sku__icontains=q) | Q(name__icontains=q))
    return qs.order_by(*sort_columns(PRODUCT_SORTS, product_sort(sort)))


def product_get(*, user: Any, pk: Any) -> Product:
    if not _signed_in(user) or type(pk) is not int:
        raise NotFound()
    product = Product.objects.filter(pk=pk, deleted_at__isnull=True).first()
    if product is None:
        raise NotFound()
    return product


def product_trash_scope(user: Any, qs: QuerySet[Product]) -> QuerySet[Product]:
    """The products in the trash a user who is not an admin may bring back: a manager's
    own deletions (admins see all of them: ``core.trash``)."""
    if not may_manage_products(user):
        return qs.none()
    return qs.filter(deleted_by=user)


def product_trash_get(*, user: Any, pk: Any) -> Product:
    """A product in the trash ``user`` may bring back (admins: any; managers: their own
    deletions), else ``NotFound``."""
    pk = parse_id(pk)
    qs = Product.objects.filter(pk=pk, deleted_at__isnull=False)
    if not getattr(user, "is_admin", False):
        qs = product_trash_scope(user, qs)
    product = qs.first()
    if product is None:
        raise NotFound()
    return product


def product_choices(*, user: Any, include: list[int] | None = None) -> list[Product]:
    """Active products for a picker, plus the ``include`` ones (already on a line)."""
    if not _signed_in(user):
        return []
    alive = Q(is_active=True, deleted_at__isnull=True)
    qs = Product.objects.filter(alive | Q(pk__in=include or []))
    return list(qs.order_by("name", "id")[:1000])


def price_for(product: Product, currency: str) -> Decimal | None:
    """The product's unit price in ``currency``: from an active price list in that
    currency (the first by name if several have it), else the product's own price
    when it is in that currency, else None."""
    listed: Decimal | None = (
        PriceListItem.objects.filter(
            product=product, price_list__currency=currency, price_list__is_active=True
        )
        .order_by("price_list__name", "price_list_id")
        .values_list("unit_price", flat=True)
        .first()
    )
    if listed is not None:
        return listed
    if product.currency == currency:
        return product.unit_price
    return None


def price_list_list(*, user: Any) -> QuerySet[PriceList]:
    if not _signed_in(user):
        return PriceList.objects.none()
    return PriceList.objects.order_by("name", "id")


def price_list_get(*, user: Any, pk: Any) -> PriceList:
    if not _signed_in(user) or type(pk) is not int:
        raise NotFound()
    found = PriceList.objects.filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def price_list_items(*, price_list: PriceList) -> QuerySet[PriceListItem]:
    return price_list.items.select_related("product").order_by("product__name", "product_id")


def exchange_rate_list(*, user: Any) -> QuerySet[ExchangeRate]:
    if not _signed_in(user):
        return ExchangeRate.objects.none()
    return ExchangeRate.objects.order_by("currency", "-valid_from", "id")


def exchange_rate_get(*, user: Any, pk: Any) -> ExchangeRate:
    if not _signed_in(user) or type(pk) is not int:
        raise NotFound()
    found = ExchangeRate.objects.filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found
