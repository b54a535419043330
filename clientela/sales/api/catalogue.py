"""What ``core.api.records`` needs to serve ``/products``, the product catalogue
(scopes ``sales:read`` / ``sales:write``), from the kind's declaration in ``sales.kinds``.

Every signed-in token may read products; only admins and managers change them (403
for anyone else). Prices and tax rates travel as decimal strings ("108.90"), never as
JSON numbers, so no amount is ever rounded by a float.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal, cast

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field

from clientela.core.api import (
    api_user,
)
from clientela.core.api.pagination import PageParams
from clientela.core.api.schemas import Flag, InputSchema, OutputSchema
from clientela.sales import money
from clientela.sales.choices import ProductKind
from clientela.sales.models import Product
from clientela.sales.selectors import catalogue as selectors
from clientela.sales.services import catalogue as services

#: A decimal number sent as a string ("108.90"); JSON numbers are refused on purpose.
DecimalString = Annotated[
    str, Field(max_length=40, description='A decimal number as a string, e.g. "108.90".')
]

#: An ISO 4217 code some country uses today (``money.currencies()``), as the services
#: check it; documented as their enum in upper case (the services also take lower case).
CurrencyCode = Annotated[str, Field(json_schema_extra={"enum": sorted(money.currencies())})]


class ProductIn(InputSchema):
    sku: str | None = Field(None, max_length=64)
    name: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=5000)
    kind: ProductKind | None = None
    unit: str | None = Field(None, max_length=20, description='Defaults to "unit".')
    unit_price: DecimalString | None = None
    currency: CurrencyCode | None = Field(None, description="ISO 4217, e.g. EUR.")
    tax_rate: DecimalString | None = Field(None, description="Percent, 0 to 100.")
    is_active: Flag | None = None


class ProductOut(OutputSchema):
    id: int
    sku: str
    name: str
    description: str
    kind: str
    unit: str
    unit_price: str
    currency: str
    tax_rate: str
    is_active: bool


class ProductListParams(PageParams):
    show: Literal["active", "inactive", "all"] = Field(
        "active", description="Which products: active (default), inactive or all."
    )
    q: str | None = Field(None, max_length=100, description="Part of the SKU or name.")


def product_out(product: Product) -> ProductOut:
    return ProductOut(
        id=product.pk,
        sku=product.sku,
        name=product.name,
        description=product.description,
        kind=product.kind,
        unit=product.unit,
        unit_price=money.money_str(product.unit_price, product.currency) or str(product.unit_price),
        currency=product.currency,
        tax_rate=str(Decimal(product.tax_rate).quantize(Decimal("0.01"))),
        is_active=product.is_active,
    )


def product_data(payload: ProductIn) -> services.ProductData:
    data: dict[str, Any] = payload.model_dump(exclude_unset=True)
    for key in ("sku", "name", "unit", "currency", "unit_price", "tax_rate", "is_active", "kind"):
        if key in data and data[key] is None:
            data.pop(key)  # null means "not given" for these required-when-new fields
    return cast(services.ProductData, data)


def products_query(request: HttpRequest, params: ProductListParams) -> QuerySet[Product]:
    active = {"active": True, "inactive": False, "all": None}[params.show]
    qs = selectors.product_list(user=api_user(request), active=active, q=params.q or "")
    return qs.order_by("name", "id")


#: The descriptions of the generic operations in the OpenAPI document.
PRODUCT_DOCS = {
    "list": "By name; only the active products unless `show` says otherwise.",
    "create": "Admins and managers only. `sku`, `name`, `unit_price` and `currency` are required.",
    "update": "Admins and managers only. Send only the fields to change; set `is_active` "
    "to false\nto stop offering a product.",
}
