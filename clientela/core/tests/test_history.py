"""The pieces ``core.views.history`` reads stored audit values with: times in the
reader's zone, numbers and money in their locale, the ``custom`` dict split back into
fields, and what counts as internal."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone, translation

from clientela.core.models import CRMRecord, CustomField
from clientela.core.views import history


@pytest.mark.parametrize(
    ("language", "zone", "expected"),
    [
        ("en", "Europe/Madrid", "05/07/2024 12:30 a.m."),
        ("es", "Europe/Madrid", "07/05/2024 00:30"),
        ("en", "America/Bogota", "05/06/2024 5:30 p.m."),
    ],
)
def test_times_in_the_readers_zone_and_format(language: str, zone: str, expected: str) -> None:
    with translation.override(language), timezone.override(zone):
        assert history._datetime("2024-05-06T22:30:00+00:00") == expected
        # Stored without an offset means UTC.
        assert history._datetime("2024-05-06T22:30:00") == expected


def test_numbers_money_and_yes_no_in_the_readers_locale() -> None:
    with translation.override("es"):
        assert history._number("1234.50") == "1.234,50"
        assert str(history._money("1500", "JPY")).replace("\xa0", " ") == "1.500 JPY"
        assert history._money("12.5", "") == "12,5"
        assert history._yes_no("false") == "No"
        assert history._date("not a date") == "not a date"
    with translation.override("en"):
        assert history._money("1500", "JPY") == "¥1,500"
        assert history._money("x", "EUR") == "x"
        assert history._yes_no("true") == "Yes"


def test_the_custom_dict_is_split_back_by_the_keys_defined() -> None:
    fields: dict[str, Any] = {"note": CustomField(key="note"), "tier": CustomField(key="tier")}
    text = "note=call, x=later, tier=Gold"
    assert history._parse_custom(text, fields) == {"note": "call, x=later", "tier": "Gold"}
    assert history._parse_custom("a-b=1, c=2", {}) == {"a-b": "1", "c": "2"}
    assert history._parse_custom("", fields) == {}
    assert history._parse_custom("no key here", fields) is None


@pytest.mark.parametrize(
    ("key", "hidden"),
    [
        ("version", True),
        ("deleted_at", True),
        ("updated_at", True),
        ("owner_id", True),  # a relation's id column
        ("content_type_id", False),  # not a field of this model
        ("external_id", False),
        ("tax_id", False),
        ("due_at", False),
        ("status", False),
    ],
)
def test_what_is_internal(key: str, hidden: bool) -> None:
    assert history.hidden(CRMRecord, key) is hidden
