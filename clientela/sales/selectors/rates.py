"""Exchange rates and conversion to the company's base currency.

Rates are the company's configuration, not CRM records: everyone may read them.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal

from clientela.sales import money
from clientela.sales.models import ExchangeRate, SalesSettings


class MissingRate(LookupError):
    """No exchange rate for a currency on or before a day."""

    def __init__(self, currency: str, day: datetime.date) -> None:
        super().__init__(f"no exchange rate for {currency} on {day}")
        self.currency = currency
        self.day = day


def base_currency() -> str:
    return SalesSettings.load().base_currency


def rate_on(currency: str, day: datetime.date, *, base: str | None = None) -> Decimal:
    """How many base-currency units one unit of ``currency`` is worth on ``day``: the
    newest rate valid from that day or before. Raises ``MissingRate``."""
    if currency == (base or base_currency()):
        return Decimal(1)
    rate = (
        ExchangeRate.objects.filter(currency=currency, valid_from__lte=day)
        .order_by("-valid_from")
        .values_list("rate", flat=True)
        .first()
    )
    if rate is None:
        raise MissingRate(currency, day)
    return rate


def rates_on(currencies: Iterable[str], day: datetime.date) -> tuple[str, dict[str, Decimal]]:
    """The base currency and the rate of each of ``currencies`` on ``day``; currencies
    without a rate are left out (callers report them)."""
    base = base_currency()
    found: dict[str, Decimal] = {}
    for code in set(currencies):
        try:
            found[code] = rate_on(code, day, base=base)
        except MissingRate:
            continue
    return base, found


def to_base(amounts: Mapping[str, Decimal], day: datetime.date) -> tuple[Decimal, str, list[str]]:
    """Sum ``{currency: amount}`` in the base currency at ``day``'s rates: (total,
    base currency, currencies left out for want of a rate)."""
    base, rates = rates_on(amounts, day)
    total = Decimal(0)
    missing: list[str] = []
    for code, amount in amounts.items():
        if code in rates:
            total += amount * rates[code]
        else:
            missing.append(code)
    return money.quantize(total, base), base, sorted(missing)
