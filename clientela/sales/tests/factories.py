"""Test data of the sales kinds for the generic tests in ``core.testing``.

Quotes and orders need a customer the actor may see: an organization of the actor's,
named after the label, so the header search finds the document by its customer.
Orders have no create service of their own in the kind's declaration: they come from
a quote or a web shop's push (``order_create``), which the factory uses. Products are
the company's catalogue, not owned records: readable by everyone signed in, kept by
admins and managers (``managers``)."""

from __future__ import annotations

from typing import Any

from clientela.contacts.services import organization_create
from clientela.core.testing.kinds import KindFactory, register_kind_factory
from clientela.sales.models import Deal, Lead, Order, Pipeline, Quote
from clientela.sales.services import catalogue, deals, leads, orders, quotes
from clientela.sales.tests.deal_helpers import make_pipeline

LINES = [{"description": "Desk", "quantity": "2", "unit_price": "50.00", "tax_rate": "21"}]


def _customer(actor: Any, label: str) -> int:
    return organization_create(actor=actor, data={"name": label}).pk


def _pipeline_id() -> int:
    pipeline = Pipeline.objects.order_by("position", "pk").first() or make_pipeline()
    return pipeline.pk


def _deal_body(actor: Any, label: str) -> dict[str, Any]:
    return {"title": label, "amount": "1000.00", "currency": "USD", "pipeline_id": _pipeline_id()}


def _quote_body(actor: Any, label: str) -> dict[str, Any]:
    return {"organization_id": _customer(actor, label), "currency": "EUR", "lines": LINES}


def _order(owner: Any, label: str) -> Order:
    data = {"organization_id": _customer(owner, label), "currency": "EUR", "lines": LINES}
    order, _created = orders.order_create(actor=owner, data=data | {"external_id": label})  # type: ignore[arg-type]
    return order


def _product_body(actor: Any, label: str) -> dict[str, Any]:
    return {"sku": label, "name": label, "unit_price": "100.00", "currency": "EUR"}


LEADS = register_kind_factory(
    KindFactory(
        resource=Lead.RESOURCE,
        make=lambda owner, label: leads.lead_create(actor=owner, data={"last_name": label}),
        api_body=lambda actor, label: {"last_name": label},
        change={"company": "Renamed"},
        required_field="last_name",
    )
)

DEALS = register_kind_factory(
    KindFactory(
        resource=Deal.RESOURCE,
        make=lambda owner, label: deals.deal_create(actor=owner, data=_deal_body(owner, label)),  # type: ignore[arg-type]
        api_body=_deal_body,
        change={"title": "Renamed"},
        required_field="title",
    )
)

QUOTES = register_kind_factory(
    KindFactory(
        resource=Quote.RESOURCE,
        make=lambda owner, label: quotes.quote_create(actor=owner, data=_quote_body(owner, label)),  # type: ignore[arg-type]
        api_body=_quote_body,
        change={"notes": "Renamed"},
        required_field="person_id",
        # The quotes API has no owner_id: a new quote is its creator's.
        owner_key=None,
    )
)

ORDERS = register_kind_factory(KindFactory(resource=Order.RESOURCE, make=_order))

PRODUCTS = register_kind_factory(
    KindFactory(
        resource="sales.product",
        make=lambda owner, label: catalogue.product_create(
            actor=owner,
            data=_product_body(owner, label),  # type: ignore[arg-type]
        ),
        api_body=_product_body,
        change={"name": "Renamed"},
        required_field="sku",
        owner_key=None,
        managers=("admin", "manager"),
    )
)
