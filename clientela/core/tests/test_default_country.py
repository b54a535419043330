"""The default country (issue 12 item 2): the company profile's, else
``CLIENTELA_DEFAULT_PHONE_REGION``, else the country of the company's language (es → ES,
en → US); phone numbers without a country code are read in the record's country first,
then in it."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from clientela.core import company
from clientela.core.normalize import normalize_phone


@pytest.mark.parametrize(("language", "country"), [("es", "ES"), ("en", "US")])
def test_the_language_gives_the_country_when_nothing_else_does(
    settings: Any, language: str, country: str
) -> None:
    settings.LANGUAGE_CODE = language
    settings.CLIENTELA_DEFAULT_PHONE_REGION = ""
    assert company.default_country() == country
    assert company.fallback_country() == country


def test_a_spanish_installation_reads_spanish_numbers(settings: Any) -> None:
    settings.LANGUAGE_CODE = "es"
    settings.CLIENTELA_DEFAULT_PHONE_REGION = ""
    assert normalize_phone("612 345 678") == "+34612345678"


def test_the_company_language_counts_before_the_installations(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"
    settings.CLIENTELA_DEFAULT_PHONE_REGION = ""
    company.remember_profile(company.Profile(language="es"), seconds=float("inf"))
    assert company.default_country() == "ES"


def test_the_setting_then_the_profile_win_over_the_language(settings: Any) -> None:
    settings.LANGUAGE_CODE = "es"
    settings.CLIENTELA_DEFAULT_PHONE_REGION = "MX"
    assert company.default_country() == "MX"
    company.remember_profile(company.Profile(country="fr"), seconds=float("inf"))
    assert company.default_country() == "FR"
    assert company.fallback_country() == "MX"


def test_the_records_country_first_then_the_default(settings: Any) -> None:
    settings.CLIENTELA_DEFAULT_PHONE_REGION = "ES"
    # Valid in France (the record's country): read there.
    assert normalize_phone("06 98 76 54 32", "FR") == "+33698765432"
    # Not a number of Mexico (the record's country): the company's Spain reads it.
    assert normalize_phone("612 345 678", "MX") == "+34612345678"
    with pytest.raises(ValidationError, match=r"in Spain \(\+34\).*add the country code"):
        normalize_phone("12 34")
    # A number with its country code that is not real gets no advice on the code.
    with pytest.raises(ValidationError) as refused:
        normalize_phone("+34 12 34")
    assert refused.value.messages == ["“+34 12 34” is not a valid phone number."]
