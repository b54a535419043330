"""``/analytics/purchase-cycles``: each visible customer's usual purchase cycle and
whether they are due to reorder, and each product's typical repurchase interval (issue
13, items 5 and 11). Same conventions as ``analytics.api``: scope ``analytics:read``,
an opaque cursor, unknown parameters refused with 422."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router

from clientela.analytics import selectors_cycles
from clientela.analytics.api import READ, ListParams, _page, _unknown
from clientela.core.api import api_user, error_responses, require_scope
from clientela.core.api.schemas import OutputSchema

router = Router(tags=["analytics"])


class CyclesParams(ListParams):
    due: bool | None = Field(
        None, description="true: only the customers due to reorder; false: only the others."
    )
    margin: float | None = Field(
        None,
        description="How far past the usual cycle a customer is due, as a share of the "
        "cycle (0.25 is 25 %, from 0 to 10); default: the snapshot's (0.25).",
    )
    mine: bool = Field(False, description="Only the customers the token's user owns.")


class CycleItemOut(OutputSchema):
    person_id: int | None
    organization_id: int | None
    name: str
    orders: int
    median_days: float
    last_order: datetime.date
    next_expected: datetime.date
    overdue_days: float
    due: bool


class CyclesOut(OutputSchema):
    items: list[CycleItemOut]
    next_cursor: str | None
    margin: float
    as_of: datetime.datetime | None


class ProductIntervalOut(OutputSchema):
    product_id: int
    name: str
    customers: int
    median_days: float


class ProductIntervalsOut(OutputSchema):
    items: list[ProductIntervalOut]
    next_cursor: str | None
    as_of: datetime.datetime | None


@router.get(
    "/analytics/purchase-cycles",
    response={200: CyclesOut, **error_responses(401, 403, 422)},
    description="Every visible customer with orders on at least three different days: "
    "the number of purchase days (`orders`), the median days between them, the last and "
    "the next expected order day, the days past that (`overdue_days`, negative: not yet) "
    "and whether that is more than `margin` of the cycle (`due`), from the latest "
    "snapshot; the most overdue for their own rhythm first. `due=true` is the list to "
    "work through.",
)
@require_scope(READ)
def get_purchase_cycles(request: HttpRequest, params: Query[CyclesParams]) -> Any:
    errors = _unknown(request, {"due", "margin", "mine", "limit", "cursor"})
    if errors:
        raise ValidationError(errors)
    margin = selectors_cycles.clean_margin(params.margin)
    rows = selectors_cycles.customer_cycles(
        api_user(request), due=params.due, margin=margin, mine=params.mine
    )
    page, next_cursor = _page(rows, params.cursor, params.limit)
    snapshot = selectors_cycles.current_snapshot()
    return CyclesOut(
        items=[
            CycleItemOut(
                person_id=row.person_id,
                organization_id=row.organization_id,
                name=row.name,
                orders=row.orders,
                median_days=row.median_days,
                last_order=row.last_order,
                next_expected=row.next_expected,
                overdue_days=row.overdue_days,
                due=row.is_due,
            )
            for row in page
        ],
        next_cursor=next_cursor,
        margin=selectors_cycles.snapshot_margin(snapshot) if margin is None else margin,
        as_of=snapshot.as_of if snapshot else None,
    )


@router.get(
    "/analytics/purchase-cycles/products",
    response={200: ProductIntervalsOut, **error_responses(401, 403, 422)},
    description="Each product's typical repurchase interval: the median, across the "
    "customers who bought it on at least two different days, of each one's median days "
    "between buying it; shortest first. Counts only the orders the token's user may see.",
)
@require_scope(READ)
def get_product_intervals(request: HttpRequest, params: Query[ListParams]) -> Any:
    errors = _unknown(request, {"limit", "cursor"})
    if errors:
        raise ValidationError(errors)
    result = selectors_cycles.product_intervals(api_user(request))
    page, next_cursor = _page(result.items, params.cursor, params.limit)
    return ProductIntervalsOut(
        items=[
            ProductIntervalOut(
                product_id=item.product_id,
                name=item.name,
                customers=item.customers,
                median_days=item.median_days,
            )
            for item in page
        ],
        next_cursor=next_cursor,
        as_of=result.snapshot.as_of if result.snapshot else None,
    )
