"""What the ticket page shows of its customer: recent interactions, open deals and
orders, each through the owning app's scoped selectors."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from clientela.activities.selectors import interactions_visible
from clientela.sales.selectors.deals import deals_of_contact
from clientela.sales.selectors.orders import orders_for
from clientela.service.models import Ticket

LIMIT = 5


@dataclass
class CustomerContext:
    interactions: list[Any] = field(default_factory=list)
    deals: list[Any] = field(default_factory=list)
    orders: list[Any] = field(default_factory=list)
    tickets: list[Any] = field(default_factory=list)


def customer_context(*, user: Any, ticket: Ticket) -> CustomerContext:
    from clientela.service.selectors.tickets import tickets_visible  # noqa: PLC0415

    person, organization = ticket.person, ticket.organization
    context = CustomerContext()
    if person is None and organization is None:
        return context
    interactions = interactions_visible(user)
    orders = orders_for(user)
    others = tickets_visible(user).exclude(pk=ticket.pk)
    if person is not None:
        interactions = interactions.filter(people=person)
        orders = orders.filter(person=person)
        others = others.filter(person=person)
    else:
        interactions = interactions.filter(organization=organization)
        orders = orders.filter(organization=organization)
        others = others.filter(organization=organization)
    context.interactions = list(interactions.order_by("-occurred_at", "-id")[:LIMIT])
    context.deals = [
        d
        for d in deals_of_contact(user=user, person=person, organization=organization, limit=LIMIT)
        if d.closed_at is None
    ]
    context.orders = list(orders.order_by("-ordered_at", "-id")[:LIMIT])
    context.tickets = list(others.order_by("-created_at", "-id")[:LIMIT])
    return context
