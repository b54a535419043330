"""Every write to organizations and people: one function per use case, one transaction,
validation of the whole input before anything is saved, the audit entry, the search
index. Pages, the API, the CLI and the importer all call these.

Create and update take a partial mapping (``PersonData``/``OrganizationData``): keys
present are set, keys absent stay as they are. Nested lists (``emails``, ``phones``,
``addresses``, ``relationships``, ``memberships``, ``tags``) replace the whole list;
the flat ``email``/``phone`` replace (or, when empty, remove) the primary entry only.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any, NamedTuple, TypedDict, cast

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from clientela.contacts import details as d
from clientela.contacts.birthdays import Birthday
from clientela.contacts.documents import (
    ORGANIZATION_SCALARS,
    PERSON_SCALARS,
    record_snapshot,
    search_document,
)
from clientela.contacts.models import Membership, Organization, Person
from clientela.contacts.selectors import merged_into
from clientela.core import search
from clientela.core.company import default_language
from clientela.core.models import Tag, Team, User
from clientela.core.normalize import normalize_phone
from clientela.core.permissions import visibility_q
from clientela.core.services import (
    RecordWrites,
    clean_tags_and_custom,
    record_restore,
    record_trash,
)
from clientela.core.validation import assign_owner_team, clean_text

EmailInput = d.EmailInput
PhoneInput = d.PhoneInput
AddressInput = d.AddressInput
RelationshipInput = d.RelationshipInput


@dataclass
class MembershipInput:
    organization_id: int
    job_title: str = ""
    is_primary: bool = False


class _RecordData(TypedDict, total=False):
    notes: str
    external_id: str
    owner: User
    team: Team
    email: str | None
    phone: str | None
    emails: list[d.EmailInput]
    phones: list[d.PhoneInput]
    addresses: list[d.AddressInput]
    relationships: list[d.RelationshipInput]
    tags: list[str]
    custom: dict[str, Any]


class PersonData(_RecordData, total=False):
    first_name: str
    last_name: str
    #: A date, a ``Birthday`` (without a year, too) or its text (``--05-21``).
    birthday: Birthday | datetime.date | str | None
    preferred_language: str
    preferred_channel: str
    memberships: list[MembershipInput]


class OrganizationData(_RecordData, total=False):
    name: str
    website: str
    industry: str
    city: str
    country: str


# --- shared steps ---------------------------------------------------------------------


def _assign_owner_team(
    actor: User, record: Person | Organization, data: _RecordData, errors: dict[str, list[str]]
) -> None:
    creating = record.pk is None
    if not creating and "owner" not in data and "team" not in data:
        return
    owner = data.get("owner") or (None if creating else record.owner)
    # A new owner brings their team unless a team is given too.
    team = data.get("team") or (None if "owner" in data or creating else record.team)
    assigned = assign_owner_team(actor, record.RESOURCE, owner, errors, team=team)
    if assigned is not None:
        record.owner, record.team = assigned


def _with_flat_phone(
    phones: list[Any], data: _RecordData, region: str | None, errors: dict[str, list[str]]
) -> list[Any]:
    """``phones`` with the flat ``phone`` as the primary number (read in the primary
    address's country), unchanged when that number is not valid."""
    flat = data.get("phone")
    if flat:
        try:
            flat = normalize_phone(flat, region)
        except ValidationError as exc:
            errors["phone"] = exc.messages
            flat = None
    if "phone" in errors:
        return phones
    return _set_primary(phones, flat, "number", d.PhoneInput, replace="phones" not in data)


def _clean_details(
    record: Person | Organization,
    data: _RecordData,
    errors: dict[str, list[str]],
    current: dict[str, list[Any]] | None = None,
) -> dict[str, list[Any]] | None:
    """The record's new details (None for "unchanged"), flat e-mail/phone applied;
    ``current`` are the record's details when the caller has read them already."""
    touched = {"emails", "phones", "addresses", "relationships", "email", "phone"} & set(data)
    if isinstance(record, Organization) and ("city" in data or "country" in data):
        touched.add("addresses")
    if not touched:
        return None
    if current is None:
        current = (
            d.current_details(record)
            if record.pk
            else {"emails": [], "phones": [], "addresses": [], "relationships": []}
        )
    result: dict[str, list[Any]] = dict(current)
    try:
        result["addresses"] = d.clean_addresses(data.get("addresses", current["addresses"]))
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if isinstance(record, Organization) and ("city" in data or "country" in data):
        _apply_flat_location(result, cast(OrganizationData, data), errors)
    region = next((a.country for a in result["addresses"] if a.is_primary), None)
    emails = list(data.get("emails", current["emails"]))
    if "email" in data:
        emails = _set_primary(
            emails, data.get("email"), "address", d.EmailInput, replace="emails" not in data
        )
    phones = list(data.get("phones", current["phones"]))
    if "phone" in data:
        phones = _with_flat_phone(phones, data, region, errors)
    try:
        result["emails"] = d.clean_emails(emails)
    except ValidationError as exc:
        key = "email" if "email" in data and "emails" not in data else "emails"
        errors[key] = exc.message_dict["emails"]
    # A number already kept unverified, sent back as it is, stays so (a form re-sends
    # every phone; editing the name must not ask to fix the number first).
    kept = frozenset(p.number for p in current["phones"] if not p.verified)
    try:
        result["phones"] = d.clean_phones(phones, region, kept=kept)
    except ValidationError as exc:
        errors.setdefault("phones", exc.message_dict["phones"])
    try:
        result["relationships"] = d.clean_relationships(
            data.get("relationships", current["relationships"])
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    return result


def _set_primary(
    items: list[Any], value: str | None, attr: str, factory: Any, *, replace: bool = True
) -> list[Any]:
    """Make ``value`` the primary entry. It takes the place (and kind) of the current
    primary, as editing the one e-mail field of a form should, unless ``replace`` is
    False (the caller sent the full list too). None/"" removes the current primary."""
    if not value:
        return [i for i in items if not i.is_primary]
    old = next((i for i in items if i.is_primary), None) if replace else None
    rest = [i for i in items if i is not old and _differs(getattr(i, attr), value)]
    for item in rest:
        item.is_primary = False
    kind = {"kind": old.kind} if old is not None else {}
    return [factory(value, is_primary=True, **kind), *rest]


def _differs(a: Any, b: Any) -> bool:
    """Whether two entries are different addresses or numbers (case-insensitively)."""
    if isinstance(a, str) and isinstance(b, str):
        return a.strip().casefold() != b.strip().casefold()
    return bool(a != b)


def _apply_flat_location(
    result: dict[str, list[Any]], data: OrganizationData, errors: dict[str, list[str]]
) -> None:
    addresses: list[d.AddressInput] = result["addresses"]
    primary = next((a for a in addresses if a.is_primary), None)
    city = (data.get("city", primary.city if primary else "") or "").strip()
    country = (data.get("country", primary.country if primary else "") or "").strip().upper()
    if not country:
        if city:
            errors["country"] = [_("Give the country of the city.")]
        elif primary is not None:
            # Clearing both flat fields clears the location they show, as an empty
            # flat e-mail removes the primary e-mail.
            result["addresses"] = [a for a in addresses if a is not primary]
            d._one_primary(result["addresses"])
        return
    new = d.AddressInput(country=country, city=city, is_primary=True)
    if primary is not None:
        new = d.AddressInput(**{**primary.__dict__, "country": country, "city": city})
    try:
        cleaned = d.clean_addresses([new])
    except ValidationError as exc:
        errors["country"] = exc.message_dict["addresses"]
        return
    others = [a for a in addresses if a is not primary]
    result["addresses"] = [cleaned[0], *others]


def _denormalize(record: Person | Organization, details: dict[str, list[Any]] | None) -> None:
    if details is None:
        return
    email = next((e.address for e in details["emails"] if e.is_primary), "")
    phone = next((p.number for p in details["phones"] if p.is_primary), "")
    address = next((a for a in details["addresses"] if a.is_primary), None)
    record.email, record.phone = email, phone
    record.city = address.city if address else ""
    record.country = address.country if address else ""


def _save_details(
    record: Person | Organization, details: dict[str, list[Any]] | None, *, new: bool
) -> None:
    """Write ``details`` over the record's (a new record has none to remove)."""
    if details is None:
        return
    d.replace_emails(record, details["emails"], new=new)
    d.replace_phones(record, details["phones"], new=new)
    d.replace_addresses(record, details["addresses"], new=new)
    d.replace_relationships(record, details["relationships"], new=new)


class _Written(NamedTuple):
    """What the create of a record has just written (details in the order the tables
    give them back, tag names, a person's (organization, job title) pairs): the search
    entry and the audit snapshot that follow in the same call use it instead of reading
    it back."""

    details: dict[str, list[Any]]
    tags: list[str]
    memberships: list[tuple[str, str]]


def _remember_written(
    record: Person | Organization, details: dict[str, list[Any]] | None, tags: list[Tag] | None
) -> None:
    details = details or {key: [] for key in ("emails", "phones", "addresses", "relationships")}
    primary_first = {
        key: sorted(details[key], key=lambda item: not item.is_primary)
        for key in ("emails", "phones", "addresses")
    }
    by_kind = sorted(details["relationships"], key=lambda item: item.kind)
    record.__dict__["_written"] = _Written(
        {**primary_first, "relationships": by_kind}, [t.name for t in tags or []], []
    )


def _written(record: Person | Organization, *, forget: bool = False) -> _Written | None:
    if forget:
        return record.__dict__.pop("_written", None)  # type: ignore[no-any-return]
    return record.__dict__.get("_written")


def _details_of(
    record: Person | Organization, forget: bool
) -> tuple[dict[str, list[Any]], list[str], list[tuple[str, str]] | None]:
    written = _written(record, forget=forget)
    if written is not None:
        return written.details, written.tags, written.memberships
    return d.current_details(record), [t.name for t in record.tags.all()], None


def _clean_scalars(
    record: Person | Organization,
    data: _RecordData,
    names: tuple[str, ...],
    errors: dict[str, list[str]],
) -> None:
    for name, value in clean_text(type(record), data, names, errors).items():
        setattr(record, name, value)


def _full_clean(
    record: Person | Organization, errors: dict[str, list[str]], *, constraints: bool = True
) -> None:
    """The model's own checks; its constraints (a person's birthday) only where the
    data could break them: Django checks each one with a query."""
    try:
        record.full_clean(
            exclude=["owner", "team", "email", "phone"], validate_constraints=constraints
        )
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, messages)


# --- people ---------------------------------------------------------------------------


def person_snapshot(person: Person) -> dict[str, Any]:
    details, tags, memberships = _details_of(person, forget=True)
    if memberships is None:
        memberships = [
            (m.organization.name, m.job_title)
            for m in person.memberships.select_related("organization")
        ]
    return record_snapshot(person, details, tags, memberships)


def _clean_memberships(
    actor: User, items: list[MembershipInput], errors: dict[str, list[str]]
) -> list[MembershipInput]:
    if any(type(m.organization_id) is not int for m in items):
        errors["memberships"] = [_("An organization id is a whole number.")]
        return []
    ids = [m.organization_id for m in items]
    q = visibility_q(actor, Organization.RESOURCE)
    visible: set[int] = set()
    if q is not None:
        visible = set(
            Organization.objects.filter(q, pk__in=ids, deleted_at__isnull=True).values_list(
                "pk", flat=True
            )
        )
    unknown = [str(i) for i in ids if i not in visible]
    if unknown:
        errors["memberships"] = [
            _("Unknown organization id(s): %(ids)s.") % {"ids": ", ".join(unknown)}
        ]
        return []
    by_org: dict[int, MembershipInput] = {}
    for item in items:
        if len(item.job_title or "") > 100:
            errors["memberships"] = [_("A job title has at most 100 characters.")]
            return []
        by_org[item.organization_id] = item
    cleaned = list(by_org.values())
    d._one_primary(cleaned)
    return cleaned


def _clean_person_fields(person: Person, data: PersonData, errors: dict[str, list[str]]) -> None:
    """The birthday and the name rule, shared with ``bulk`` (the importer)."""
    if "birthday" in data:
        try:
            person.birthday = d.clean_birthday(data["birthday"])
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if not person.first_name and not person.last_name and "first_name" not in errors:
        errors["last_name"] = [_("Enter a first or a last name.")]
    if not person.preferred_language:
        person.preferred_language = default_language()


def _save_person(actor: User, person: Person, data: PersonData) -> None:
    errors: dict[str, list[str]] = {}
    _clean_scalars(person, data, PERSON_SCALARS, errors)
    _clean_person_fields(person, data, errors)
    _assign_owner_team(actor, person, data, errors)
    details = _clean_details(person, data, errors)
    memberships = (
        _clean_memberships(actor, data["memberships"], errors) if "memberships" in data else None
    )
    tags = clean_tags_and_custom(person, Person.RESOURCE, data, errors)
    _denormalize(person, details)
    _full_clean(person, errors, constraints="birthday" in data)
    if errors:
        raise ValidationError(errors)
    new = person.pk is None
    person.save()
    _save_details(person, details, new=new)
    if new and not memberships:
        _remember_written(person, details, tags)
    if memberships is not None:
        person.memberships.all().delete()
        Membership.objects.bulk_create(
            [
                Membership(
                    person=person,
                    organization_id=m.organization_id,
                    job_title=(m.job_title or "").strip(),
                    is_primary=m.is_primary,
                )
                for m in memberships
            ]
        )
    if tags is not None:
        person.tags.set(tags)
    person_reindex(person)


def _detail_values(record: Person | Organization) -> dict[str, list[str]]:
    """The e-mails, phones and cities the search entry holds."""
    written = _written(record)
    if written is not None:
        details = written.details
        return {
            "emails": [e.address for e in details["emails"]],
            "phones": [p.number for p in details["phones"]],
            "cities": [a.city for a in details["addresses"]],
        }
    return {
        "emails": list(record.emailaddresss.values_list("address", flat=True)),
        "phones": list(record.phonenumbers.values_list("number", flat=True)),
        "cities": list(record.addresss.values_list("city", flat=True)),
    }


def person_reindex(person: Person) -> None:
    written = _written(person)
    organizations = (
        [name for name, _job in written.memberships]
        if written is not None
        else list(person.organizations.values_list("name", flat=True))
    )
    document = search_document(person, **_detail_values(person), organizations=organizations)
    search.index_record(**document)


_PEOPLE = RecordWrites(apply=_save_person, snapshot=person_snapshot)


def person_create(*, actor: User, data: PersonData) -> Person:
    return _PEOPLE.create(actor, Person(preferred_language=default_language()), data)


def person_update(
    *, actor: User, person: Person, data: PersonData, expected_version: int | None = None
) -> Person:
    return _PEOPLE.update(actor, person, data, expected_version)


def person_trash(*, actor: User, person: Person, expected_version: int | None = None) -> None:
    record_trash(actor=actor, record=person, expected_version=expected_version)


def _refuse_merged(kind: str, record: Person | Organization) -> None:
    """A record merged into another stays in the trash while the merge stands:
    restoring it alone would bring the duplicate back (undo the merge instead)."""
    if merged_into(kind, record.pk) is not None:
        raise ValidationError(
            _("This record was merged into another; undo the merge to get it back.")
        )


def person_restore(*, actor: User, person: Person) -> None:
    _refuse_merged("person", person)
    record_restore(actor=actor, record=person, reindex=person_reindex)


# --- organizations --------------------------------------------------------------------


def organization_snapshot(org: Organization) -> dict[str, Any]:
    details, tags, _memberships = _details_of(org, forget=True)
    return record_snapshot(org, details, tags)


def _save_organization(actor: User, org: Organization, data: OrganizationData) -> None:
    errors: dict[str, list[str]] = {}
    _clean_scalars(org, data, ORGANIZATION_SCALARS, errors)
    if not org.name and "name" not in errors:
        errors["name"] = [_("Enter the organization's name.")]
    _assign_owner_team(actor, org, data, errors)
    details = _clean_details(org, data, errors)
    tags = clean_tags_and_custom(org, Organization.RESOURCE, data, errors)
    _denormalize(org, details)
    _full_clean(org, errors)
    if errors:
        raise ValidationError(errors)
    new = org.pk is None
    org.save()
    _save_details(org, details, new=new)
    if new:
        _remember_written(org, details, tags)
    if tags is not None:
        org.tags.set(tags)
    organization_reindex(org)


def organization_reindex(org: Organization) -> None:
    search.index_record(**search_document(org, **_detail_values(org)))


def _change_organization(actor: User, org: Organization, data: OrganizationData) -> None:
    name = org.name
    _save_organization(actor, org, data)
    if org.name != name:
        # Its members are found by the organization's name too.
        for person in Person.objects.filter(memberships__organization=org):
            person_reindex(person)


_ORGANIZATIONS = RecordWrites(
    apply=_change_organization, apply_new=_save_organization, snapshot=organization_snapshot
)


def organization_create(*, actor: User, data: OrganizationData) -> Organization:
    return _ORGANIZATIONS.create(actor, Organization(), data)


def organization_update(
    *,
    actor: User,
    organization: Organization,
    data: OrganizationData,
    expected_version: int | None = None,
) -> Organization:
    return _ORGANIZATIONS.update(actor, organization, data, expected_version)


def organization_trash(
    *, actor: User, organization: Organization, expected_version: int | None = None
) -> None:
    record_trash(actor=actor, record=organization, expected_version=expected_version)


def organization_restore(*, actor: User, organization: Organization) -> None:
    _refuse_merged("organization", organization)
    record_restore(actor=actor, record=organization, reindex=organization_reindex)


__all__ = [
    "AddressInput",
    "EmailInput",
    "MembershipInput",
    "OrganizationData",
    "PersonData",
    "PhoneInput",
    "RelationshipInput",
    "organization_create",
    "organization_restore",
    "organization_trash",
    "organization_update",
    "person_create",
    "person_restore",
    "person_trash",
    "person_update",
]
