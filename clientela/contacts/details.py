"""Validation and saving of the contact details people and organizations share:
e-mails, phones, addresses and relationship roles. Used only by ``services``.

Each ``clean_*`` function validates a whole list before anything is written and
raises one ``ValidationError`` keyed by the input field; each ``replace_*`` writes
the cleaned list for one record.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries

from clientela.contacts.birthdays import MIN_YEAR, Birthday
from clientela.contacts.choices import AddressKind, EmailKind, PhoneKind, RelationshipKind
from clientela.contacts.models import (
    Address,
    EmailAddress,
    Organization,
    Person,
    PhoneNumber,
    Relationship,
)
from clientela.core.choices import values_of
from clientela.core.normalize import normalize_email, normalize_phone, read_phone

MAX_ITEMS = 20


@dataclass
class EmailInput:
    address: str
    kind: str = EmailKind.WORK
    is_primary: bool = False


@dataclass
class PhoneInput:
    number: str
    kind: str = PhoneKind.MOBILE
    is_primary: bool = False
    #: False: keep the number as typed, unverified (an import's number that no country
    #: reads; see ``clean_unverified_phone``). Pages and the API always send True.
    verified: bool = True


@dataclass
class AddressInput:
    country: str
    kind: str = AddressKind.WORK
    street: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    is_primary: bool = False


@dataclass
class RelationshipInput:
    kind: str
    since: datetime.date | None = None


#: What ``_check_kind`` calls each kind of detail (translated only when it refuses one).
_EMAIL_TYPE = gettext_lazy("e-mail type")
_PHONE_TYPE = gettext_lazy("phone type")
_ADDRESS_TYPE = gettext_lazy("address type")


def _check_kind(value: str, choices: Any, field: Any) -> None:
    if value not in values_of(choices):
        raise ValidationError(
            _("“%(value)s” is not a valid %(field)s; choose one of: %(choices)s.")
            % {"value": value, "field": field, "choices": ", ".join(choices.values)}
        )


def _one_primary(items: list[Any]) -> None:
    """Exactly one item is primary: the first flagged one, else the first."""
    if not items:
        return
    flagged = [i for i in items if i.is_primary]
    chosen = flagged[0] if flagged else items[0]
    for item in items:
        item.is_primary = item is chosen


def _too_many(items: list[Any], field: str) -> None:
    if len(items) > MAX_ITEMS:
        raise ValidationError({field: [_("At most %(n)s entries.") % {"n": MAX_ITEMS}]})


def clean_emails(items: list[EmailInput]) -> list[EmailInput]:
    _too_many(items, "emails")
    cleaned: list[EmailInput] = []
    errors: list[str] = []
    seen: set[str] = set()
    for item in items:
        try:
            address = normalize_email(item.address)
            _check_kind(item.kind, EmailKind, _EMAIL_TYPE)
        except ValidationError as exc:
            errors.extend(exc.messages)
            continue
        if address in seen:
            continue
        seen.add(address)
        cleaned.append(EmailInput(address, item.kind, item.is_primary))
    if errors:
        raise ValidationError({"emails": errors})
    _one_primary(cleaned)
    return cleaned


#: The longest number kept as typed (the column's width; ``normalize_phone``'s limit).
MAX_TYPED_PHONE = 50


def clean_unverified_phone(raw: str) -> str:
    """A number kept as typed: spaces tidied, at most ``MAX_TYPED_PHONE`` characters and
    with digits in it (else it is no phone number at all)."""
    value = " ".join(str(raw or "").split())
    if not any(ch.isdigit() for ch in value) or len(value) > MAX_TYPED_PHONE:
        raise ValidationError(_("“%(value)s” is not a phone number.") % {"value": raw})
    return value


def clean_phones(
    items: list[PhoneInput], region: str | None, *, kept: frozenset[str] = frozenset()
) -> list[PhoneInput]:
    """Numbers normalized to E.164; an item marked ``verified=False`` (an import's), or
    one of ``kept`` (the record's unverified numbers, sent back unchanged by a form), is
    kept as typed and unverified when it does not normalize."""
    _too_many(items, "phones")
    cleaned: list[PhoneInput] = []
    errors: list[str] = []
    seen: set[str] = set()
    for item in items:
        verified = True
        try:
            _check_kind(item.kind, PhoneKind, _PHONE_TYPE)
            # No exception caught for a number kept as typed (see ``read_phone``).
            number = read_phone(item.number, region)
            if number is None:
                if item.verified and item.number not in kept:
                    number = normalize_phone(item.number, region)  # raises the refusal
                else:
                    number, verified = clean_unverified_phone(item.number), False
        except ValidationError as exc:
            errors.extend(exc.messages)
            continue
        if number in seen:
            continue
        seen.add(number)
        cleaned.append(PhoneInput(number, item.kind, item.is_primary, verified))
    if errors:
        raise ValidationError({"phones": errors})
    _one_primary(cleaned)
    return cleaned


@functools.cache
def _country_codes() -> frozenset[str]:
    """The ISO codes ``django_countries`` knows (its ``in`` asks the active language
    for every address; the codes are the same in all)."""
    return frozenset(countries.countries)


def clean_addresses(items: list[AddressInput]) -> list[AddressInput]:
    _too_many(items, "addresses")
    errors: list[str] = []
    cleaned: list[AddressInput] = []
    limits = {"street": 200, "city": 100, "region": 100, "postal_code": 20}
    for item in items:
        texts = (item.country, item.kind, *(getattr(item, k) for k in limits))
        if not all(isinstance(v, str) or v is None for v in texts):
            errors.append(_("Address fields are text."))
            continue
        country = (item.country or "").strip().upper()
        if not country:
            errors.append(_("Every address needs a country."))
            continue
        if country not in _country_codes():
            errors.append(
                _("“%(value)s” is not a country code (use e.g. ES, US, MX).")
                % {"value": item.country}
            )
            continue
        try:
            _check_kind(item.kind, AddressKind, _ADDRESS_TYPE)
        except ValidationError as exc:
            errors.extend(exc.messages)
            continue
        values = {k: (getattr(item, k) or "").strip() for k in limits}
        too_long = [k for k, n in limits.items() if len(values[k]) > n]
        if too_long:
            errors.append(_("Address field “%(field)s” is too long.") % {"field": too_long[0]})
            continue
        cleaned.append(
            AddressInput(country=country, kind=item.kind, is_primary=item.is_primary, **values)
        )
    if errors:
        raise ValidationError({"addresses": errors})
    _one_primary(cleaned)
    return cleaned


def clean_relationships(items: list[RelationshipInput]) -> list[RelationshipInput]:
    errors: list[str] = []
    by_kind: dict[str, RelationshipInput] = {}
    if not items:
        return []
    today = timezone.localdate()
    for item in items:
        try:
            _check_kind(item.kind, RelationshipKind, _("relationship"))
        except ValidationError as exc:
            errors.extend(exc.messages)
            continue
        if item.since is not None and (
            not isinstance(item.since, datetime.date)
            or not (datetime.date(1800, 1, 1) <= item.since <= today)
        ):
            errors.append(_("“Since” must be a past date after 1800."))
            continue
        by_kind[item.kind] = item
    if errors:
        raise ValidationError({"relationships": errors})
    return list(by_kind.values())


def _maybe_future(day: datetime.date) -> bool:
    """Whether ``day`` is after today where the user is. Every time zone's date is at
    most a day behind UTC's: a day before that is past everywhere, known without asking
    for the user's time zone (a tenth of checking an imported person)."""
    if day < datetime.datetime.now(datetime.UTC).date() - datetime.timedelta(days=1):
        return False
    return day > timezone.localdate()


def clean_birthday(value: Birthday | datetime.date | str | None) -> Birthday | None:
    """A birthday from a date, a ``Birthday`` or its text (``1985-05-21``, ``--05-21``);
    the year, when given, from 1900 and the date not after today."""
    if isinstance(value, datetime.datetime):
        raise ValidationError({"birthday": [_("Enter a date.")]})
    if value is not None and not isinstance(value, Birthday | datetime.date | str):
        raise ValidationError({"birthday": [_("Enter a date.")]})
    try:
        birthday = Birthday.of(value)
    except ValueError as exc:
        raise ValidationError({"birthday": [str(exc)]}) from None
    if birthday is None or birthday.year is None:
        return birthday
    born = birthday.as_date()
    if birthday.year < MIN_YEAR or (born is not None and _maybe_future(born)):
        raise ValidationError({"birthday": [_("Enter a birthday between 1900 and today.")]})
    return birthday


def _owner_kw(record: Person | Organization) -> dict[str, Any]:
    return {"person": record} if isinstance(record, Person) else {"organization": record}


def replace_emails(
    record: Person | Organization, items: list[EmailInput], *, new: bool = False
) -> None:
    kw = _owner_kw(record)
    if not new:
        EmailAddress.objects.filter(**kw).delete()
    EmailAddress.objects.bulk_create(
        [EmailAddress(address=i.address, kind=i.kind, is_primary=i.is_primary, **kw) for i in items]
    )


def replace_phones(
    record: Person | Organization, items: list[PhoneInput], *, new: bool = False
) -> None:
    kw = _owner_kw(record)
    if not new:
        PhoneNumber.objects.filter(**kw).delete()
    PhoneNumber.objects.bulk_create(
        [
            PhoneNumber(
                number=i.number, kind=i.kind, is_primary=i.is_primary, verified=i.verified, **kw
            )
            for i in items
        ]
    )


def replace_addresses(
    record: Person | Organization, items: list[AddressInput], *, new: bool = False
) -> None:
    kw = _owner_kw(record)
    if not new:
        Address.objects.filter(**kw).delete()
    Address.objects.bulk_create(
        [
            Address(
                kind=i.kind,
                street=i.street,
                city=i.city,
                region=i.region,
                postal_code=i.postal_code,
                country=i.country,
                is_primary=i.is_primary,
                **kw,
            )
            for i in items
        ]
    )


def replace_relationships(
    record: Person | Organization, items: list[RelationshipInput], *, new: bool = False
) -> None:
    kw = _owner_kw(record)
    if not new:
        Relationship.objects.filter(**kw).delete()
    Relationship.objects.bulk_create(
        [Relationship(kind=i.kind, since=i.since, **kw) for i in items]
    )


def current_details(record: Person | Organization) -> dict[str, list[Any]]:
    """The record's details as input objects (what an update starts from)."""
    kw = _owner_kw(record)
    return {
        key: as_inputs(key, model.objects.filter(**kw))
        for key, model in (
            ("emails", EmailAddress),
            ("phones", PhoneNumber),
            ("addresses", Address),
            ("relationships", Relationship),
        )
    }


def as_inputs(key: str, rows: Iterable[Any]) -> list[Any]:
    """Detail rows of one kind (``emails``, ``phones``, ``addresses`` or
    ``relationships``) as the services' input objects."""
    if key == "emails":
        return [EmailInput(e.address, e.kind, e.is_primary) for e in rows]
    if key == "phones":
        return [PhoneInput(p.number, p.kind, p.is_primary, p.verified) for p in rows]
    if key == "addresses":
        return [
            AddressInput(
                country=a.country,
                kind=a.kind,
                street=a.street,
                city=a.city,
                region=a.region,
                postal_code=a.postal_code,
                is_primary=a.is_primary,
            )
            for a in rows
        ]
    return [RelationshipInput(r.kind, r.since) for r in rows]
