"""Normalizers shared by every module that stores contact data: e-mail addresses,
phone numbers (E.164 via ``phonenumbers``) and text folded for search."""

from __future__ import annotations

import re
import unicodedata

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

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

    ``region`` (ISO 3166 alpha-2, e.g. the record's country) is used for numbers
    written without a country code; without one, the company's default country
    (``core.company.default_country``: the profile's, else
    ``CLIENTELA_DEFAULT_PHONE_REGION``).
    """
    if raw is not None and not isinstance(raw, str):
        raise ValidationError(_("Enter a phone number as text."))
    value = (raw or "").strip()
    if not value:
        raise ValidationError(_("Enter a phone number."))
    if len(value) > 50:
        raise ValidationError(_("“%(value)s” is not a phone number."), params={"value": raw})
    if not region:
        # core.company reads the profile model, which this leaf module must not import
        # at load time (the company module imports it).
        from clientela.core.company import default_country  # noqa: PLC0415

        region = default_country()
    default = region.upper()
    parsed = _parse_phone(value, default)
    if parsed is None and value.startswith("00"):
        # "00" is the international prefix almost everywhere outside North America, so
        # "0044 20 …" means +44 even when the default region (US) dials out with 011.
        parsed = _parse_phone("+" + value[2:], default)
    if parsed is None:
        raise ValidationError(_("“%(value)s” is not a valid phone number."), params={"value": raw})
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _parse_phone(value: str, region: str) -> phonenumbers.PhoneNumber | None:
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
        return [re.sub(r"\D", "", e164)]
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
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.casefold().translate(_LATIN_LETTERS)
