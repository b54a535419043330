"""The exchange rate as the currencies page shows it: its significant decimals only, in
the reader's language."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from clientela.sales.templatetags.sales_money import rate


@pytest.mark.parametrize(
    ("value", "en", "es"),
    [
        (Decimal("0.6600000000"), "0.66", "0,66"),
        (Decimal("1.0000000000"), "1", "1"),
        (Decimal("1234.5678901234"), "1234.5678901234", "1234,5678901234"),
        (Decimal("0.0000000001"), "0.0000000001", "0,0000000001"),
    ],
)
def test_rate_keeps_only_significant_decimals(value: Decimal, en: str, es: str) -> None:
    with translation.override("en"):
        assert rate(value) == en
    with translation.override("es"):
        assert rate(value) == es


def test_no_rate_is_blank() -> None:
    assert rate(None) == ""
    assert rate("") == ""
