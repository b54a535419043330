"""Normalizers shared by every module that stores contact data: e-mail addresses,
phone numbers (E.164 via ``phonenumbers``) and text folded for search."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django_countries import countries

#: The longest address SMTP allows (RFC 5321) and the width of every e-mail column.
MAX_EMAIL_LENGTH = 254


def normalize_email(raw: str) -> str:
    """Trim and lower-case an address, then validate it."""
    if raw is not None and not isinstance(raw, str):
        raise ValidationError(_("Enter an e-mail address as text."))
    value = (raw or "").strip().lower()
    if not value:
        raise ValidationError(_("Enter an e-mail address."))
    if len(value) > MAX_EMAIL_LENGTH:
        # Django's validator allows up to 320 characters, more than the column holds.
        raise ValidationError(
            _("An e-mail address has at most %(n)s characters.") % {"n": MAX_EMAIL_LENGTH}
        )
    try:
        validate_email(value)
    except ValidationError:
        raise ValidationError(
            _("“%(value)s” is not a valid e-mail address."), params={"value": raw}
        ) from None
    return value


def normalize_phone(raw: str, region: str | None = None) -> str:
    """Parse a phone number written in any common format into E.164 (+14155550123).

    A number written without a country code is read in ``region`` (ISO 3166 alpha-2:
    the record's address country), then in the company's default country
    (``core.company.default_country``: the profile's, else
    ``CLIENTELA_DEFAULT_PHONE_REGION``, else the country of the installation's
    language); the first that reads it as a real number wins. A refused number's
    message says how to write it (the country code, e.g. +34).
    """
    if raw is not None and not isinstance(raw, str):
        raise ValidationError(_("Enter a phone number as text."))
    value = (raw or "").strip()
    if not value:
        raise ValidationError(_("Enter a phone number."))
    if len(value) > 50:
        raise ValidationError(_("“%(value)s” is not a phone number."), params={"value": raw})
    number, regions = _lookup(value, region)
    if number is None:
        raise ValidationError(_phone_refusal(value, regions[0] if regions else ""))
    return number


def read_phone(raw: object, region: str | None = None) -> str | None:
    """``normalize_phone``'s answer, or None where it refuses, without the exception:
    for callers that try several readings (the importer tries the row's country, then
    the import's). An exception caught there is not free: Django's ``ValidationError``
    refers to itself, so its traceback, and every frame up the stack with the rows
    being imported, lived on until the garbage collector's next round."""
    if not isinstance(raw, str):
        return None
    value = raw.strip()
    if not value or len(value) > 50:
        return None
    if value[0] == "+":
        # Read before (the services check what the importer read): no regions needed.
        known: str | None = _READ.get((value, ()), _UNKNOWN)
        if known is not _UNKNOWN:
            return known
    return _lookup(value, region)[0]


def _lookup(value: str, region: str | None) -> tuple[str | None, tuple[str, ...]]:
    """``value`` (stripped, at most 50 characters) in E.164 or None, and the regions it
    was read in, remembered (``_READ``)."""
    # core.company reads the profile model, which this leaf module must not import at
    # load time (the company module imports it).
    from clientela.core.company import default_country  # noqa: PLC0415

    fallback = default_country()
    regions = tuple(dict.fromkeys(r.upper() for r in (region, fallback) if r))
    # A number with its country code reads the same in every region.
    key = (value, () if value.startswith("+") else regions)
    if key in _READ:
        return _READ[key], regions
    number = _read_phone(value, regions)
    if len(_READ) >= _READ_SIZE:
        _READ.clear()
    _READ[key] = number
    if number is not None:
        _READ[(number, ())] = number  # what it gives reads as itself
    return number, regions


#: Numbers already read (text and regions -> E.164, or None for refused), so a number
#: is parsed once per import however often it is checked (the importer reads it, the
#: services check what it read), and a file's repeated numbers once. Bounded: cleared
#: when full.
_READ: dict[tuple[str, tuple[str, ...]], str | None] = {}
_READ_SIZE = 100_000
_UNKNOWN: Any = object()


def _read_phone(value: str, regions: tuple[str, ...]) -> str | None:
    """``value`` in E.164, read in the first of ``regions`` that reads it as a real
    number (a number with its country code needs none), or None."""
    for candidate in regions or (None,):
        parsed = _parse_phone(value, candidate)
        if parsed is None and value.startswith("00"):
            # "00" is the international prefix almost everywhere outside North America,
            # so "0044 20 …" means +44 even when the region (US) dials out with 011.
            parsed = _parse_phone("+" + value[2:], candidate)
        if parsed is not None:
            return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return None


def _phone_refusal(value: str, region: str) -> str:
    """Why a number was refused, with what to do: a number without a country code was
    read as one of ``region``; one with it is simply not a real number."""
    code = phonenumbers.country_code_for_region(region) if region else 0
    if value.startswith(("+", "00")) or not code:
        return _("“%(value)s” is not a valid phone number.") % {"value": value}
    return _(
        "“%(value)s” is not a valid phone number in %(country)s (+%(code)s), where numbers "
        "without a country code are read; add the country code, e.g. +34 612 345 678."
    ) % {"value": value, "country": countries.name(region) or region, "code": code}


def _parse_phone(value: str, region: str | None) -> phonenumbers.PhoneNumber | None:
    """The parsed number if it is a valid one, else None."""
    try:
        parsed = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed) or not phonenumbers.is_valid_number(parsed):
        return None
    return parsed


def format_phone(e164: str) -> str:
    """E.164 to the international display format (+1 415-555-0123)."""
    try:
        parsed = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def phone_search_terms(e164: str) -> list[str]:
    """Digit strings under which a phone should be found: the full international
    digits and the national significant number (what people type locally)."""
    if e164.startswith("+") and e164[1:].isdigit():
        # Country calling codes are prefix-free, so the E.164 digits split in one way
        # only; the same answer as parsing (the national number drops leading zeros, as
        # ``national_number`` does), a tenth of the time (imports index thousands).
        digits = e164[1:]
        for size in (1, 2, 3):
            if int(digits[:size]) in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
                national = str(int(digits[size:] or "0"))
                return [f"{digits[:size]}{national}", national]
    try:
        parsed = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        # A number kept as typed (unverified): found by its digits, and by them without
        # the leading zeros of a national prefix ("06 12…" by "612…" too).
        digits = re.sub(r"\D", "", e164)
        return list(dict.fromkeys(t for t in (digits, digits.lstrip("0")) if t))
    national = str(parsed.national_number)
    return [f"{parsed.country_code}{national}", national]


_NON_WORD = re.compile(r"[^\w@.+-]+", re.UNICODE)


# Letters that carry no combining accent to strip, spelled as people type them.
_LATIN_LETTERS = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"}
)


def fold(text: str) -> str:
    """Lower-case and strip accents so "José" and "jose" (and "Ølsen"/"olsen") compare
    equal."""
    if not text:
        return ""
    if text.isascii():
        return text.lower()  # nothing to decompose or translate; casefold is lower here
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.casefold().translate(_LATIN_LETTERS)
