"""The exports of leads, deals, quotes, orders and products (``RecordKind.export_columns``
/ ``export_rows``, see ``core.exports``).

Each record is read through the kind's scoped list selector with the list page's
filters and order, and the JSON export is the API's body of it. The tabular columns are
what a spreadsheet user expects: amounts as decimal strings in the currency's decimals
beside a currency column, dates and times in ISO 8601 (as the API gives them), and the
names of the owner, stage, customer… (``names``, taken from the rows the selectors
already join) next to the API's ids. A quote's or order's lines fit one cell, one line
each: ``description,quantity,unit price,discount %,tax %,total``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from clientela.core.exports import (
    ID_COLUMN,
    ExportColumn,
    ExportRows,
    Record,
    custom_text,
    field_column,
    join_lines,
    name_column,
    names,
    text_of,
    username,
)
from clientela.sales.filters import (
    DealFilters,
    OrderFilters,
    ProductFilters,
    QuoteFilters,
)
from clientela.sales.models import Deal, Lead, Order, Product, Quote
from clientela.sales.selectors.catalogue import product_list
from clientela.sales.selectors.deals import deal_list
from clientela.sales.selectors.leads import lead_list
from clientela.sales.selectors.orders import order_list
from clientela.sales.selectors.quotes import quote_list


def _lines(r: Record) -> str:
    return join_lines(
        (
            x["description"],
            x["quantity"],
            x["unit_price"],
            x["discount_percent"],
            x["tax_rate"],
            x["total"],
        )
        for x in r["lines"]
    )


_OWNER = name_column("owner", gettext_lazy("owner"))
_PERSON = name_column("person", gettext_lazy("person"))
_ORGANIZATION = name_column("organization", gettext_lazy("organization"))
_LINES = ExportColumn("lines", gettext_lazy("lines"), _lines)


def _money(model: type[Any]) -> list[ExportColumn]:
    """A document's currency and totals (decimal strings in the currency's decimals)."""
    return [field_column(model, name) for name in ("currency", "subtotal", "tax_total", "total")]


# --- leads ----------------------------------------------------------------------------

LEAD_COLUMNS = (
    ID_COLUMN,
    *(
        field_column(Lead, name)
        for name in ("first_name", "last_name", "company", "job_title", "email", "phone")
    ),
    *(field_column(Lead, name) for name in ("source", "status", "disqualified_reason", "score")),
    _OWNER,
    field_column(Lead, "notes"),
    *(field_column(Lead, name) for name in ("converted_at", "created_at", "updated_at")),
)

LEAD_ROWS = ExportRows(
    select=lead_list,
    names=lambda lead: {"owner": username(lead.owner)},
)


# --- deals ----------------------------------------------------------------------------

DEAL_COLUMNS = (
    ID_COLUMN,
    field_column(Deal, "title"),
    name_column("pipeline", gettext_lazy("pipeline")),
    name_column("stage", gettext_lazy("stage")),
    *(field_column(Deal, name) for name in ("status", "amount", "currency", "probability")),
    field_column(Deal, "close_date"),
    _ORGANIZATION,
    name_column("people", gettext_lazy("people")),
    _OWNER,
    *(field_column(Deal, name) for name in ("next_step", "lost_reason", "notes")),
    *(field_column(Deal, name) for name in ("closed_at", "created_at", "updated_at")),
)


def _deals(*, user: Any, filters: DealFilters | None) -> QuerySet[Deal]:
    return deal_list(user=user, filters=filters).prefetch_related("people")


def _deal_names(deal: Deal) -> dict[str, str]:
    return {
        "pipeline": text_of(deal.pipeline),
        "stage": text_of(deal.stage),
        "organization": text_of(deal.organization),
        "people": names(deal.people),
        "owner": username(deal.owner),
    }


DEAL_ROWS = ExportRows(select=_deals, names=_deal_names)


# --- quotes ---------------------------------------------------------------------------


def _quotes(*, user: Any, filters: QuoteFilters | None) -> QuerySet[Quote]:
    filters = filters or QuoteFilters()
    qs = quote_list(user=user, status=filters.status or None, sort=filters.sort_param)
    return qs.prefetch_related("lines")


QUOTE_COLUMNS = (
    ID_COLUMN,
    *(field_column(Quote, name) for name in ("number", "revision", "status")),
    _PERSON,
    _ORGANIZATION,
    field_column(Quote, "deal", lambda r: r["deal_id"] or ""),
    *(field_column(Quote, name) for name in ("issue_date", "valid_until", "language")),
    *_money(Quote),
    _LINES,
    *(field_column(Quote, name) for name in ("sent_at", "decided_at")),
    _OWNER,
    field_column(Quote, "notes"),
)


def _customer_names(document: Quote | Order) -> dict[str, str]:
    return {
        "person": text_of(document.person),
        "organization": text_of(document.organization),
        "owner": username(document.owner),
    }


QUOTE_ROWS = ExportRows(parse=QuoteFilters.from_params, select=_quotes, names=_customer_names)


# --- orders ---------------------------------------------------------------------------

ORDER_COLUMNS = (
    ID_COLUMN,
    *(field_column(Order, name) for name in ("number", "external_id", "status")),
    _PERSON,
    _ORGANIZATION,
    field_column(Order, "quote", lambda r: r["quote_id"] or ""),
    field_column(Order, "deal", lambda r: r["deal_id"] or ""),
    *(field_column(Order, name) for name in ("ordered_at", "fulfilled_at", "cancelled_at")),
    *_money(Order),
    _LINES,
    _OWNER,
    field_column(Order, "notes"),
)


def _orders(*, user: Any, filters: OrderFilters | None) -> QuerySet[Order]:
    return order_list(user, filters).prefetch_related("lines")


ORDER_ROWS = ExportRows(select=_orders, names=_customer_names)


# --- products -------------------------------------------------------------------------


def _products(*, user: Any, filters: ProductFilters | None) -> QuerySet[Product]:
    filters = filters or ProductFilters()
    return product_list(user=user, active=filters.active, q=filters.q, sort=filters.sort_param)


PRODUCT_COLUMNS = (
    ID_COLUMN,
    *(
        field_column(Product, name)
        for name in ("sku", "name", "description", "kind", "unit", "unit_price", "currency")
    ),
    field_column(Product, "tax_rate"),
    field_column(Product, "is_active", lambda r: custom_text(r["is_active"])),
)

PRODUCT_ROWS = ExportRows(parse=ProductFilters.from_params, select=_products)
