"""What sales adds to a person's or an organization's timeline (``activities``), through
``core.registry.register_timeline_source`` in ``apps.py``: a deal's stage changes (its
opening on a first stage, each move, won and lost) and orders. Both read only what the
user may see of deals and orders (``deals_for``, ``orders_for``), each in one query on
an index: a stage change by its deal (``deal_id``), an order by its person, or by its
organization and its people's ids (``activities.timeline.either_of``)."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from clientela.activities.timeline import about, of_customer
from clientela.contacts.models import Organization, Person
from clientela.core.registry import TimelineBefore, TimelineFilters, TimelineSource
from clientela.sales.models import Deal, DealStageChange, Order
from clientela.sales.selectors.deals import deals_for
from clientela.sales.selectors.orders import orders_for

Rows = list[tuple[datetime.datetime, Any]]


def deal_stage_entries(
    *,
    user: Any,
    person: Person | None,
    organization: Organization | None,
    before: TimelineBefore,
    limit: int,
    filters: TimelineFilters,
) -> Rows:
    """The stage changes of the visible deals about the person (or the organization and
    its people); ``actor_id`` keeps the moves that user made."""
    deals = deals_for(user).filter(about(Deal, person, organization)).values("pk")
    changes = DealStageChange.objects.filter(before.q("entered_at"), deal_id__in=deals)
    if filters.actor_id is not None:
        changes = changes.filter(actor_id=filters.actor_id)
    rows = changes.select_related("deal", "stage", "from_stage", "actor").order_by(
        "-entered_at", "-id"
    )[:limit]
    return [(change.entered_at, change) for change in rows]


def order_entries(
    *,
    user: Any,
    person: Person | None,
    organization: Organization | None,
    before: TimelineBefore,
    limit: int,
    filters: TimelineFilters,
) -> Rows:
    """The visible orders of the person, or of the organization and its people, when
    they were placed; ``actor_id`` keeps that user's orders."""
    of_them = of_customer(Order, person, organization)
    orders = orders_for(user).filter(of_them, before.q("ordered_at"))
    if filters.actor_id is not None:
        orders = orders.filter(owner_id=filters.actor_id)
    rows = orders.order_by("-ordered_at", "-id")[:limit]
    return [(order.ordered_at, order) for order in rows]


SOURCES = (
    TimelineSource(
        key="deal-stage",
        label=_("Deal stage change"),
        icon="bi-kanban",
        entries=deal_stage_entries,
        template="sales/deals/_timeline_stage.html",
        filter_label=_("Deal stage changes"),
        order=40,
    ),
    TimelineSource(
        key="order",
        label=_("Order"),
        icon="bi-bag-check",
        entries=order_entries,
        template="sales/orders/_timeline_order.html",
        filter_label=_("Orders"),
        order=50,
    ),
)
