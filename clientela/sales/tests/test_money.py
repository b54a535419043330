"""Money: rounding to each currency's minor unit (half up), lines that add up to the
document total, API strings and parsing that refuses floats."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clientela.sales import money

D = Decimal


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("1.005", "EUR", "1.01"),  # half up, not banker's rounding
        ("1.015", "EUR", "1.02"),
        ("2.675", "USD", "2.68"),
        ("1.004", "EUR", "1.00"),
        ("1500.5", "JPY", "1501"),  # no minor unit
        ("1499.4", "JPY", "1499"),
        ("2.5", "JPY", "3"),
        ("1.0005", "KWD", "1.001"),  # three decimals
        ("1.0004", "KWD", "1.000"),
    ],
)
def test_quantize_rounds_half_up_to_the_currency(amount: str, currency: str, expected: str) -> None:
    assert str(money.quantize(D(amount), currency)) == expected


def test_exponents_and_api_strings() -> None:
    assert (money.exponent("EUR"), money.exponent("JPY"), money.exponent("KWD")) == (2, 0, 3)
    assert money.money_str(D("108.9"), "EUR") == "108.90"
    assert money.money_str(D("1500.000"), "JPY") == "1500"
    assert money.money_str(D("2.5"), "KWD") == "2.500"
    assert money.money_str(None, "EUR") is None


def test_currency_codes_are_current_iso_tender() -> None:
    assert money.is_currency("EUR")
    assert money.is_currency("MXN")
    assert not money.is_currency("ESP")  # the peseta is history
    assert not money.is_currency("XXX")
    assert not money.is_currency("eur")


def test_parse_decimal_refuses_floats_and_garbage() -> None:
    assert money.parse_decimal("12.50") == D("12.50")
    assert money.parse_decimal(3) == D(3)
    assert money.parse_decimal(1.1) is None
    assert money.parse_decimal(True) is None
    assert money.parse_decimal("abc") is None
    assert money.parse_decimal("NaN") is None
    assert money.parse_decimal("Infinity") is None


def test_line_amounts_round_each_step() -> None:
    line = money.line_amounts(
        quantity=D("3"),
        unit_price=D("19.99"),
        discount_percent=D("10"),
        tax_rate=D("21"),
        currency="EUR",
    )
    # 59.97 - 5.997 = 53.973 -> 53.97; tax 11.3337 -> 11.33
    assert (line.subtotal, line.tax, line.total) == (D("53.97"), D("11.33"), D("65.30"))


def test_jpy_and_kwd_lines() -> None:
    yen = money.line_amounts(
        quantity=D("3"),
        unit_price=D("333"),
        discount_percent=D("5"),
        tax_rate=D("10"),
        currency="JPY",
    )
    assert (yen.subtotal, yen.tax, yen.total) == (D("949"), D("95"), D("1044"))
    dinar = money.line_amounts(
        quantity=D("1"),
        unit_price=D("1.2345"),
        discount_percent=D("0"),
        tax_rate=D("5"),
        currency="KWD",
    )
    assert (dinar.subtotal, dinar.tax) == (D("1.235"), D("0.062"))


def test_format_money_speaks_the_language() -> None:
    assert money.format_money(D("1234.5"), "EUR", "en") == "€1,234.50"
    spanish = money.format_money(D("1234.5"), "EUR", "es")
    assert "1234,50" in spanish.replace("\xa0", "").replace(".", "")
    assert "€" in spanish
    assert money.format_money(D("1500"), "JPY", "en") == "¥1,500"


amounts = st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False)
quantities = st.decimals(min_value=D("0.001"), max_value=1000, places=3, allow_nan=False)
percents = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False)


@settings(deadline=None)  # CI machines are busy: no timing in this test
@given(
    st.lists(st.tuples(quantities, amounts, percents, percents), min_size=1, max_size=8),
    st.sampled_from(["EUR", "JPY", "KWD", "USD"]),
)
def test_printed_lines_always_add_up_to_the_total(
    lines: list[tuple[D, D, D, D]], currency: str
) -> None:
    computed = [
        money.line_amounts(
            quantity=q, unit_price=p, discount_percent=d, tax_rate=t, currency=currency
        )
        for q, p, d, t in lines
    ]
    totals = money.sum_lines(computed)
    assert totals.subtotal == sum((line.subtotal for line in computed), D(0))
    assert totals.tax_total == sum((line.tax for line in computed), D(0))
    assert totals.total == totals.subtotal + totals.tax_total
    for line in computed:  # every printed amount already has the currency's precision
        assert money.quantize(line.total, currency) == line.total
