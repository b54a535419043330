"""Money: ``Decimal`` amounts with an ISO 4217 currency, never floats.

Currency codes and their minor units come from Babel's copy of the CLDR/ISO 4217 data
(so ``JPY`` has no decimals and ``KWD`` three). Amounts are stored with three decimal
places (enough for every currency) and rounded to the currency's own precision, half
up, wherever a price is computed: per line first, then summed, so the printed lines
always add up to the printed total.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache

from babel.core import get_global
from babel.numbers import format_currency, get_currency_precision, get_territory_currencies
from django.utils.translation import get_language, to_locale

ZERO = Decimal("0")
HUNDRED = Decimal("100")
#: Digits and decimal places of every stored amount (``DecimalField``).
MAX_DIGITS = 18
DECIMAL_PLACES = 3
#: The largest amount a field holds: 15 digits before the point.
MAX_AMOUNT = Decimal("999999999999999")


@cache
def currencies() -> frozenset[str]:
    """The ISO 4217 codes some country uses as tender today (not historic ones like
    ``ESP``, nor test and metal codes like ``XXX`` and ``XAU``)."""
    today = datetime.datetime.now(tz=datetime.UTC).date()
    found: set[str] = set()
    for territory in get_global("territory_currencies"):
        found.update(get_territory_currencies(territory, today))
    return frozenset(found)


def is_currency(code: str) -> bool:
    return code in currencies()


def currency_choices() -> list[tuple[str, str]]:
    return [(code, code) for code in sorted(currencies())]


@cache
def exponent(currency: str) -> int:
    """Minor-unit digits of ``currency`` (2 for EUR, 0 for JPY, 3 for KWD)."""
    return int(get_currency_precision(currency))


def quantize(amount: Decimal, currency: str) -> Decimal:
    """``amount`` rounded half up to the currency's minor unit."""
    return amount.quantize(Decimal(1).scaleb(-exponent(currency)), rounding=ROUND_HALF_UP)


def money_str(amount: Decimal | None, currency: str) -> str | None:
    """The API's form of an amount: a decimal string with the currency's own number of
    decimals (``"108.90"``, ``"1500"`` for JPY)."""
    if amount is None:
        return None
    return str(quantize(amount, currency))


def parse_decimal(raw: object) -> Decimal | None:
    """``raw`` (a string, int or Decimal) as a finite Decimal, or None if it is not one.
    Floats are refused on purpose: they are not exact."""
    if isinstance(raw, bool | float):
        return None
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def format_money(amount: Decimal, currency: str, language: str = "en") -> str:
    """``amount`` for people to read, in ``language``'s conventions ("€1,234.50",
    "1234,50 €")."""
    return str(format_currency(quantize(amount, currency), currency, locale=language))


def money_text(amount: Decimal | None, currency: str) -> str:
    """``amount`` for the reader of the page, in the active language: the one style of
    every amount a page shows ("$185,700.00"; "185.700,00 US$" in Spanish), "" when
    there is none."""
    if amount is None or not currency:
        return ""
    return format_money(amount, currency, to_locale(get_language() or "en"))


@dataclass(frozen=True)
class LineAmounts:
    subtotal: Decimal  # quantity × unit price − discount, rounded
    tax: Decimal  # subtotal × tax rate, rounded
    total: Decimal


def line_amounts(
    *,
    quantity: Decimal,
    unit_price: Decimal,
    discount_percent: Decimal,
    tax_rate: Decimal,
    currency: str,
) -> LineAmounts:
    """One line's amounts, each rounded to the currency."""
    gross = quantity * unit_price
    subtotal = quantize(gross - gross * discount_percent / HUNDRED, currency)
    tax = quantize(subtotal * tax_rate / HUNDRED, currency)
    return LineAmounts(subtotal=subtotal, tax=tax, total=subtotal + tax)


@dataclass(frozen=True)
class Totals:
    subtotal: Decimal
    tax_total: Decimal
    total: Decimal


def sum_lines(lines: Iterable[LineAmounts]) -> Totals:
    subtotal = tax = ZERO
    for line in lines:
        subtotal += line.subtotal
        tax += line.tax
    return Totals(subtotal=subtotal, tax_total=tax, total=subtotal + tax)
