"""Template filters for money: ``{{ amount|money:currency }}`` formats an amount in the
reader's language ("€1,234.50", "1234,50 €")."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from clientela.sales import money as m

register = template.Library()


@register.filter
def money(amount: Any, currency: str) -> str:
    if amount is None or amount == "" or not currency:
        return ""
    return m.money_text(Decimal(amount), currency)
