"""E-mail and phone normalization and the text folding search relies on."""

from __future__ import annotations

from typing import Any

import phonenumbers
import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from clientela.core.normalize import (
    fold,
    format_phone,
    normalize_email,
    normalize_phone,
    phone_search_terms,
    read_phone,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Nora@Example.COM", "nora@example.com"),
        ("  ana.garcia+crm@sub.example.es \t", "ana.garcia+crm@sub.example.es"),
        ("o'brien@example.ie", "o'brien@example.ie"),
    ],
)
def test_email_is_trimmed_and_lower_cased(raw: str, expected: str) -> None:
    assert normalize_email(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        None,
        "nora",
        "nora@",
        "@example.com",
        "nora@@example.com",
        "nora example@example.com",
        "nora@example",
        "<script>@example.com",
        "a" * 250 + "@example.com",
    ],
)
def test_bad_email_is_rejected(raw: Any) -> None:
    with pytest.raises(ValidationError):
        normalize_email(raw)


@pytest.mark.parametrize("raw", [5, 3.2, ["a@example.com"], {"a": 1}, True])
def test_email_of_wrong_type_is_a_validation_error_not_a_crash(raw: Any) -> None:
    with pytest.raises(ValidationError):
        normalize_email(raw)


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("+34 612 34 56 78", None, "+34612345678"),
        ("612 34 56 78", "ES", "+34612345678"),
        ("(415) 555-0123", None, "+14155550123"),
        ("415.555.0123", "US", "+14155550123"),
        ("+1 415-555-0123", "GB", "+14155550123"),
        ("0044 20 7946 0958", None, "+442079460958"),
        ("0044 20 7946 0958", "ES", "+442079460958"),
        ("020 7946 0958", "GB", "+442079460958"),
        ("+44 (0)20 7946 0958", None, "+442079460958"),
        ("55 1234 5678", "MX", "+525512345678"),
        ("011 44 20 7946 0958", "US", "+442079460958"),
    ],
)
def test_phone_becomes_e164_from_many_formats_and_regions(
    raw: str, region: str | None, expected: str
) -> None:
    assert normalize_phone(raw, region) == expected


@override_settings(CLIENTELA_DEFAULT_PHONE_REGION="ES")
def test_phone_without_country_code_uses_the_configured_default_region() -> None:
    assert normalize_phone("612 34 56 78") == "+34612345678"


@pytest.mark.parametrize(
    "raw",
    ["", "  ", None, "abc", "123", "+1 555", "(415) 555-012", "+999 1234 5678", "1" * 60],
)
def test_bad_phone_is_rejected(raw: Any) -> None:
    with pytest.raises(ValidationError):
        normalize_phone(raw)


@pytest.mark.parametrize("raw", [4155550123, 1.5, ["+14155550123"], True])
def test_phone_of_wrong_type_is_a_validation_error_not_a_crash(raw: Any) -> None:
    with pytest.raises(ValidationError):
        normalize_phone(raw)


@pytest.mark.parametrize(
    ("raw", "region"),
    [
        ("612 34 56 78", "ES"),
        ("+34 612 34 56 78", "US"),
        ("0044 20 7946 0958", "ES"),
        ("(415) 555-0123", None),
        ("612 34 56 78", "GB"),
        ("123", "ES"),
        ("", None),
        ("1" * 60, None),
        (None, "ES"),
        (4155550123, "US"),
    ],
)
def test_read_phone_answers_as_normalize_phone_without_raising(raw: Any, region: Any) -> None:
    try:
        expected: str | None = normalize_phone(raw, region)
    except ValidationError:
        expected = None
    assert read_phone(raw, region) == expected
    assert read_phone(raw, region) == expected  # the remembered answer too


@pytest.mark.parametrize("region", ["US", "ES", "GB", "MX", "AR", "CO", "DE", "FR"])
def test_example_numbers_of_every_region_round_trip(region: str) -> None:
    example = phonenumbers.example_number(region)
    assert example is not None
    e164 = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
    national = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL)
    assert normalize_phone(e164) == e164
    assert normalize_phone(national, region) == e164


def test_format_phone_shows_the_international_format() -> None:
    assert format_phone("+14155550123") == "+1 415-555-0123"
    assert format_phone("not a number") == "not a number"


def test_phone_search_terms_hold_full_and_national_digits() -> None:
    assert phone_search_terms("+34612345678") == ["34612345678", "612345678"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("José", "jose"), ("GARCÍA", "garcia"), ("Müller", "muller"), ("Straße", "strasse")],
)
def test_fold_strips_accents_and_case(text: str, expected: str) -> None:
    assert fold(text) == expected


@pytest.mark.parametrize(
    ("raw", "folded"),
    [("Ølsen", "olsen"), ("Æther", "aether"), ("Łódź", "lodz"), ("Straße", "strasse")],
)
def test_fold_simplifies_letters_without_combining_accents(raw: str, folded: str) -> None:
    assert fold(raw) == folded
