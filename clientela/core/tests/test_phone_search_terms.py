"""``phone_search_terms`` splits E.164 digits without parsing; it must give what the
parser gives for every region's example numbers (Italy's leading zero included)."""

from __future__ import annotations

import phonenumbers
import pytest

from clientela.core.normalize import phone_search_terms

TYPES = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE)
EXAMPLES = sorted(
    {
        phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
        for region in phonenumbers.SUPPORTED_REGIONS
        for kind in TYPES
        if (example := phonenumbers.example_number_for_type(region, kind)) is not None
    }
)


def _parsed_terms(e164: str) -> list[str]:
    parsed = phonenumbers.parse(e164, None)
    national = str(parsed.national_number)
    return [f"{parsed.country_code}{national}", national]


def test_split_matches_the_parser_for_every_region() -> None:
    assert len(EXAMPLES) > 400
    mismatches = [e for e in EXAMPLES if phone_search_terms(e) != _parsed_terms(e)]
    assert mismatches == []


@pytest.mark.parametrize(
    ("e164", "terms"),
    [
        ("+34612345678", ["34612345678", "612345678"]),
        ("+390612345678", ["39612345678", "612345678"]),
    ],
)
def test_known_numbers(e164: str, terms: list[str]) -> None:
    assert phone_search_terms(e164) == terms
