"""Shared steps of the catalogue and quote tests (not a test module)."""

from __future__ import annotations

from typing import Any, Unpack

from clientela.sales.models import Product, Quote
from clientela.sales.services.catalogue import ProductData, product_create
from clientela.sales.services.quotes import QuoteData, quote_create


def make_product(admin: Any, **data: Unpack[ProductData]) -> Product:
    data.setdefault("sku", f"SKU-{Product.objects.count() + 1}")
    data.setdefault("name", "Chair")
    data.setdefault("unit_price", "100.00")
    data.setdefault("currency", "EUR")
    data.setdefault("tax_rate", "21")
    return product_create(actor=admin, data=data)


def make_quote(actor: Any, person: Any = None, **data: Unpack[QuoteData]) -> Quote:
    if person is not None:
        data.setdefault("person_id", person.pk)
    data.setdefault("currency", "EUR")
    data.setdefault(
        "lines",
        [
            {"description": "Desk", "quantity": "2", "unit_price": "50.00", "tax_rate": "21"},
            {"description": "Lamp", "quantity": "1", "unit_price": "8.90", "tax_rate": "0"},
        ],
    )
    return quote_create(actor=actor, data=data)
