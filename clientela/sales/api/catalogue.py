"""``/products``: the product catalogue (scopes ``sales:read`` / ``sales:write``).

Every signed-in token may read products; only admins and managers change them (403
for anyone else). Prices and tax rates travel as decimal strings ("108.90"), never as
JSON numbers, so no amount is ever rounded by a float.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal, cast

from django.http import HttpRequest
from ninja import Field, Query, Router, Status
from pydantic import BaseModel

from clientela.core.api import (
    CREATE_ERRORS,
    DETAIL_ERRORS,
    LIST_ERRORS,
    CursorPage,
    api_user,
    error_responses,
    idempotent,
    paginate,
    refuse_unknown_params,
    require_scope,
)
from clientela.core.api.pagination import PageParams
from clientela.core.api.schemas import InputSchema, RecordId
from clientela.sales import money
from clientela.sales.choices import ProductKind
from clientela.sales.models import Product
from clientela.sales.selectors import catalogue as selectors
from clientela.sales.services import catalogue as services

router = Router(tags=["catalogue"])

READ, WRITE = "sales:read", "sales:write"
CHANGE_ERRORS = error_responses(400, 401, 403, 404, 413, 422)

#: A decimal number sent as a string ("108.90"); JSON numbers are refused on purpose.
DecimalString = Annotated[
    str, Field(max_length=40, description='A decimal number as a string, e.g. "108.90".')
]


class ProductIn(InputSchema):
    sku: str | None = Field(None, max_length=64)
    name: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=5000)
    kind: ProductKind | None = None
    unit: str | None = Field(None, max_length=20, description='Defaults to "unit".')
    unit_price: DecimalString | None = None
    currency: str | None = Field(None, max_length=3, description="ISO 4217, e.g. EUR.")
    tax_rate: DecimalString | None = Field(None, description="Percent, 0 to 100.")
    is_active: bool | None = None


class ProductOut(BaseModel):
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


def _data(payload: ProductIn) -> services.ProductData:
    data: dict[str, Any] = payload.model_dump(exclude_unset=True)
    for key in ("sku", "name", "unit", "currency", "unit_price", "tax_rate", "is_active", "kind"):
        if key in data and data[key] is None:
            data.pop(key)  # null means "not given" for these required-when-new fields
    return cast(services.ProductData, data)


@router.get("/products", response={200: CursorPage[ProductOut], **LIST_ERRORS})
@require_scope(READ)
def list_products(request: HttpRequest, params: Query[ProductListParams]) -> Any:
    """By name; only the active products unless `show` says otherwise."""
    refuse_unknown_params(request, ProductListParams)
    active = {"active": True, "inactive": False, "all": None}[params.show]
    qs = selectors.product_list(user=api_user(request), active=active, q=params.q or "")
    page = paginate(qs.order_by("name", "id"), limit=params.limit, cursor=params.cursor)
    return {"items": [product_out(p) for p in page.items], "next_cursor": page.next_cursor}


@router.post("/products", response={201: ProductOut, **CREATE_ERRORS})
@require_scope(WRITE)
@idempotent
def create_product(request: HttpRequest, payload: ProductIn) -> Status[ProductOut]:
    """Admins and managers only. `sku`, `name`, `unit_price` and `currency` are required."""
    product = services.product_create(actor=api_user(request), data=_data(payload))
    return Status(201, product_out(product))


@router.get("/products/{product_id}", response={200: ProductOut, **DETAIL_ERRORS})
@require_scope(READ)
def get_product(request: HttpRequest, product_id: RecordId) -> ProductOut:
    return product_out(selectors.product_get(user=api_user(request), pk=product_id))


@router.patch("/products/{product_id}", response={200: ProductOut, **CHANGE_ERRORS})
@require_scope(WRITE)
def update_product(request: HttpRequest, product_id: RecordId, payload: ProductIn) -> ProductOut:
    """Admins and managers only. Send only the fields to change; set `is_active` to false
    to stop offering a product."""
    product = selectors.product_get(user=api_user(request), pk=product_id)
    updated = services.product_update(actor=api_user(request), product=product, data=_data(payload))
    return product_out(updated)
