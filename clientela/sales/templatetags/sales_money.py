"""Template filters for money: ``{{ amount|money:currency }}`` formats an amount in the
reader's language ("€1,234.50", "1234,50 €")."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.template.defaultfilters import floatformat

from clientela.sales import money as m

register = template.Library()


@register.filter
def money(amount: Any, currency: str) -> str:
    if amount is None or amount == "" or not currency:
        return ""
    return m.money_text(Decimal(amount), currency)


@register.filter
def rate(value: Any) -> str:
    """An exchange rate with its significant decimals only ("0.66", not "0.6600000000"),
    in the reader's language."""
    if value is None or value == "":
        return ""
    exponent = Decimal(value).normalize().as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return floatformat(value, places)
