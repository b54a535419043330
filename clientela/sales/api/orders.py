"""What ``core.api.records`` needs to serve ``/orders`` from the kind's declaration in
``sales.kinds``: list, push (idempotent on ``external_id``), read, change the status,
delete. Thin like the other routers: reads through ``selectors.orders`` (another
team's order is a 404), writes through ``services.orders``."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest

from clientela.core.api import api_user
from clientela.sales.api.orders_schemas import OrderIn, OrderListParams, OrderPatch
from clientela.sales.filters import OrderFilters
from clientela.sales.models import Order
from clientela.sales.selectors import orders as selectors
from clientela.sales.services import orders as services

#: The descriptions of the generic operations in the OpenAPI document.
ORDER_DOCS = {
    "list": "Newest first. Filter by `person_id`, `organization_id` and `status`.",
    "create": "Push an order (e.g. from a web shop). 201 with the new order; 200 with "
    "the existing one when an order with this `external_id` was pushed before, so a "
    "retry never creates a second order.",
    "update": "Change the status: `fulfilled` or `cancelled` (a cancelled order is final). "
    "Send\nthe version you read in `If-Match` (or `version`): 412 if it changed meanwhile.",
    "delete": "Moves the order to the trash (whoever deleted it, or an admin, can restore it).",
}


def orders_query(request: HttpRequest, params: OrderListParams) -> QuerySet[Order]:
    filters = OrderFilters(
        person_id=params.person_id,
        organization_id=params.organization_id,
        status=params.status or "",
    )
    return selectors.order_list(api_user(request), filters).prefetch_related("lines")


def order_data(payload: OrderIn) -> dict[str, Any]:
    """The order pushed, as the service's input (a line's null fields are left out, so
    they take their defaults)."""
    data: dict[str, Any] = payload.model_dump(exclude_unset=True)
    if data.get("lines") is not None:
        data["lines"] = [{k: v for k, v in line.items() if v is not None} for line in data["lines"]]
    return data


def order_api_update(
    *, actor: Any, record: Order, payload: OrderPatch, expected_version: int | None
) -> None:
    """A change of an order is a change of its status (the lines are what was sold)."""
    if payload.status is not None:
        services.order_set_status(
            actor=actor, order=record, status=str(payload.status), expected_version=expected_version
        )
