"""``/orders``: list, push (idempotent on ``external_id``), read, change the status,
delete. Thin like the other routers: reads through ``selectors.orders`` (another
team's order is a 404), writes through ``services.orders``."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Body, Query, Router, Status

from clientela.core.api import (
    CHANGE_ERRORS,
    CREATE_ERRORS,
    DETAIL_ERRORS,
    LIST_ERRORS,
    CursorPage,
    api_user,
    expected_version,
    idempotent,
    paginate,
    refuse_unknown_params,
    require_scope,
    set_etag,
)
from clientela.core.api.schemas import RecordId
from clientela.sales.api.orders_schemas import (
    OrderIn,
    OrderListParams,
    OrderOut,
    OrderPatch,
    VersionIn,
    order_out,
)
from clientela.sales.models import Order
from clientela.sales.selectors import orders as selectors
from clientela.sales.services import orders as services

router = Router(tags=["orders"])

READ, WRITE = "sales:read", "sales:write"


def _with_lines(qs: QuerySet[Order]) -> QuerySet[Order]:
    return qs.prefetch_related("lines")


def _order(request: HttpRequest, order_id: int) -> Order:
    return selectors.order_detail(api_user(request), order_id)


@router.get(
    "/orders",
    response={200: CursorPage[OrderOut], **LIST_ERRORS},
    description="Newest first. Filter by `person_id`, `organization_id` and `status`.",
)
@require_scope(READ)
def list_orders(request: HttpRequest, params: Query[OrderListParams]) -> Any:
    refuse_unknown_params(request, OrderListParams)
    filters = selectors.OrderFilters(
        person_id=params.person_id,
        organization_id=params.organization_id,
        status=params.status or "",
    )
    qs = selectors.order_list(api_user(request), filters)
    page = paginate(_with_lines(qs), limit=params.limit, cursor=params.cursor)
    return {"items": [order_out(o) for o in page.items], "next_cursor": page.next_cursor}


@router.post(
    "/orders",
    response={201: OrderOut, 200: OrderOut, **CREATE_ERRORS},
    description="Push an order (e.g. from a web shop). 201 with the new order; 200 with "
    "the existing one when an order with this `external_id` was pushed before, so a "
    "retry never creates a second order.",
)
@require_scope(WRITE)
@idempotent
def create_order(request: HttpRequest, payload: OrderIn) -> Status[OrderOut]:
    data: dict[str, Any] = payload.model_dump(exclude_unset=True)
    if data.get("lines") is not None:
        data["lines"] = [{k: v for k, v in line.items() if v is not None} for line in data["lines"]]
    order, created = services.order_create(
        actor=api_user(request), data=cast(services.OrderData, data)
    )
    return Status(201 if created else 200, order_out(_order(request, order.pk)))


@router.get("/orders/{order_id}", response={200: OrderOut, **DETAIL_ERRORS})
@require_scope(READ)
def get_order(request: HttpRequest, order_id: RecordId, response: HttpResponse) -> OrderOut:
    order = _order(request, order_id)
    set_etag(response, order.version)
    return order_out(order)


@router.patch("/orders/{order_id}", response={200: OrderOut, **CHANGE_ERRORS})
@require_scope(WRITE)
def update_order(
    request: HttpRequest, order_id: RecordId, payload: OrderPatch, response: HttpResponse
) -> OrderOut:
    """Change the status: `fulfilled` or `cancelled` (a cancelled order is final). Send
    the version you read in `If-Match` (or `version`): 412 if it changed meanwhile."""
    version = expected_version(request, payload.version)
    order = _order(request, order_id)
    if payload.status is not None:
        services.order_set_status(
            actor=api_user(request),
            order=order,
            status=str(payload.status),
            expected_version=version,
        )
        order = _order(request, order_id)
    set_etag(response, order.version)
    return order_out(order)


@router.delete("/orders/{order_id}", response={204: None, **CHANGE_ERRORS})
@require_scope(WRITE)
def delete_order(
    request: HttpRequest, order_id: RecordId, payload: Body[VersionIn | None] = None
) -> Status[None]:
    """Moves the order to the trash (an admin can restore it)."""
    version = expected_version(request, payload.version if payload else None)
    order = selectors.order_get(api_user(request), order_id)
    services.order_trash(actor=api_user(request), order=order, expected_version=version)
    return Status(204, None)
