"""Request and response bodies of ``/orders``.

As in the other apps, input schemas check types and lengths only; the order service
checks everything else (currencies, amounts, percentages, that the total matches the
lines, that the customer exists and may be seen), so the API and the pages agree.
Amounts travel as decimal strings ("108.90"); whole numbers are accepted, floats are
refused because they are not exact.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any

from django.utils.translation import gettext as _
from ninja import Field
from pydantic import BeforeValidator

from clientela.activities.schemas import Moment
from clientela.core.api import Version
from clientela.core.api.pagination import PageParams
from clientela.core.api.schemas import InputSchema, OutputSchema, RecordId
from clientela.sales import money
from clientela.sales.api.catalogue import CurrencyCode
from clientela.sales.choices import OrderStatus
from clientela.sales.models import Order, OrderLine


def _decimal_text(value: Any) -> Any:
    if isinstance(value, bool | float):
        raise ValueError(_("Give the number as a decimal string such as “108.90”."))
    if isinstance(value, int):
        return str(value)
    return value


#: A decimal number sent as a string ("108.90"); the service checks its range.
DecimalText = Annotated[
    str,
    BeforeValidator(_decimal_text),
    Field(max_length=40, description='A decimal number as a string, e.g. "108.90".'),
]


class OrderLineIn(InputSchema):
    product_id: RecordId | None = Field(
        None, description="A catalogue product: its name, price and tax rate are the defaults."
    )
    description: str | None = Field(None, max_length=500, description="Free text.")
    quantity: DecimalText | None = Field(None, description='Defaults to "1".')
    unit: str | None = Field(
        None, max_length=20, description="What the quantity counts; defaults to the product's unit."
    )
    unit_price: DecimalText | None = Field(
        None,
        description="Required without a product, or when the product has no price in "
        "the order's currency.",
    )
    discount_percent: DecimalText | None = Field(None, description="0–100; defaults to 0.")
    tax_rate: DecimalText | None = Field(
        None, description="0–100; defaults to the product's rate, else 0."
    )


class OrderIn(InputSchema):
    external_id: str | None = Field(
        None,
        max_length=100,
        description="The order's id in your shop or ERP. Pushing the same external id "
        "again returns the order created the first time (200) instead of a new one.",
    )
    person_id: RecordId | None = None
    organization_id: RecordId | None = None
    deal_id: RecordId | None = None
    currency: CurrencyCode | None = Field(None, description="ISO 4217, e.g. EUR.")
    status: OrderStatus | None = Field(None, description="Defaults to open.")
    ordered_at: Moment | None = Field(None, description="Defaults to now.")
    lines: list[OrderLineIn] | None = Field(None, max_length=200)
    total: DecimalText | None = Field(
        None, description="Optional check: refused (422) unless the lines add up to it."
    )
    notes: str | None = Field(None, max_length=10000)
    owner_id: RecordId | None = Field(None, description="Defaults to you.")


class OrderPatch(InputSchema):
    status: OrderStatus | None = Field(
        None, description="open → fulfilled or cancelled; fulfilled → cancelled."
    )
    version: Version | None = Field(None, description="The version you read (or If-Match).")


class OrderListParams(PageParams):
    person_id: RecordId | None = None
    organization_id: RecordId | None = None
    status: OrderStatus | None = None


class OrderLineOut(OutputSchema):
    id: int
    position: int
    product_id: int | None
    description: str
    quantity: str
    unit: str
    unit_price: str
    discount_percent: str
    tax_rate: str
    subtotal: str
    tax: str
    total: str


class OrderOut(OutputSchema):
    id: int
    number: str
    external_id: str
    person_id: int | None
    organization_id: int | None
    deal_id: int | None
    quote_id: int | None
    status: str
    currency: str
    ordered_at: datetime.datetime
    fulfilled_at: datetime.datetime | None
    cancelled_at: datetime.datetime | None
    lines: list[OrderLineOut]
    subtotal: str
    tax_total: str
    total: str
    notes: str
    owner_id: int
    team_id: int
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime


def _amount(value: Any, currency: str) -> str:
    return str(money.money_str(value, currency))


def _number(value: Any) -> str:
    """A quantity or percentage without trailing zeros ("2", "2.5", "19")."""
    return format(value.normalize(), "f")


def _price(value: Any, currency: str) -> str:
    """A unit price with the currency's decimals, or more when it has them ("0.125")."""
    rounded = money.quantize(value, currency)
    return str(rounded) if rounded == value else _number(value)


def line_out(line: OrderLine, currency: str) -> OrderLineOut:
    return OrderLineOut(
        id=line.pk,
        position=line.position,
        product_id=line.product_id,
        description=line.description,
        quantity=_number(line.quantity),
        unit=line.unit,
        unit_price=_price(line.unit_price, currency),
        discount_percent=_number(line.discount_percent),
        tax_rate=_number(line.tax_rate),
        subtotal=_amount(line.subtotal, currency),
        tax=_amount(line.tax, currency),
        total=_amount(line.total, currency),
    )


def order_out(order: Order) -> OrderOut:
    """``order`` with its lines prefetched (``lines``)."""
    return OrderOut(
        id=order.pk,
        number=order.number,
        external_id=order.external_id,
        person_id=order.person_id,
        organization_id=order.organization_id,
        deal_id=order.deal_id,
        quote_id=order.quote_id,
        status=order.status,
        currency=order.currency,
        ordered_at=order.ordered_at,
        fulfilled_at=order.fulfilled_at,
        cancelled_at=order.cancelled_at,
        lines=[line_out(line, order.currency) for line in order.lines.all()],
        subtotal=_amount(order.subtotal, order.currency),
        tax_total=_amount(order.tax_total, order.currency),
        total=_amount(order.total, order.currency),
        notes=order.notes,
        owner_id=order.owner_id,
        team_id=order.team_id,
        version=order.version,
        created_at=order.created_at,
        updated_at=order.updated_at,
    )
