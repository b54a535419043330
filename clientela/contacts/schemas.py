"""Request and response bodies of the contacts API (``/people``, ``/organizations``).

Input schemas check types and lengths; everything else (valid e-mail, phone, country,
custom fields, permissions) is the services' job, so the API and the pages agree.
Every input field is optional here: on create a service reports what is missing, on
update only the fields sent change (``model_dump(exclude_unset=True)``).
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any, Literal

from django.utils.translation import gettext as _
from ninja import Field
from pydantic import BeforeValidator

from clientela.contacts.birthdays import Birthday
from clientela.contacts.choices import AddressKind, Channel, EmailKind, PhoneKind, RelationshipKind
from clientela.core.api.pagination import PageParams
from clientela.core.api.schemas import (
    CountryCode,
    CountryCodeOrBlank,
    Flag,
    InputSchema,
    IsoDate,
    OutputSchema,
    RecordId,
    TeamRef,
    UserRef,
    Version,
    json_time,
)
from clientela.core.choices import Language
from clientela.core.db import json_value

MAX_DETAILS = 20
TagName = Annotated[str, Field(min_length=1, max_length=50)]
CustomValue = str | int | float | bool | None

#: How the API writes a birthday (``contacts.birthdays``): ISO 8601's full date, or its
#: form without the year (``--05-21``, as Google Contacts and vCard write it).
BIRTHDAY_PATTERN = r"^(\d{4}|-)-\d{2}-\d{2}$"
_BIRTHDAY_DOC = "A date (YYYY-MM-DD), or month and day without the year (--MM-DD, e.g. --05-21)."


def _birthday_text(value: Any) -> Any:
    # Read here so that "--13-40" gets a message saying what is wrong, not pydantic's
    # "should match pattern"; the pattern is in the document for clients.
    if not isinstance(value, str):
        raise ValueError(_("Enter a birthday as YYYY-MM-DD, or --MM-DD without the year."))
    return Birthday.parse(value).isoformat()


BirthdayText = Annotated[
    str,
    BeforeValidator(_birthday_text),
    Field(
        description=_BIRTHDAY_DOC,
        examples=["1985-05-21", "--05-21"],
        json_schema_extra={"pattern": BIRTHDAY_PATTERN},
    ),
]


# --- nested details -------------------------------------------------------------------


class EmailIn(InputSchema):
    address: str = Field(max_length=254)
    kind: EmailKind = EmailKind.WORK
    is_primary: Flag = False


class PhoneIn(InputSchema):
    number: str = Field(max_length=50, description="Any common format; stored as E.164.")
    kind: PhoneKind = PhoneKind.MOBILE
    is_primary: Flag = False


class AddressIn(InputSchema):
    country: CountryCode = Field(description="ISO 3166 code, e.g. ES.")
    kind: AddressKind = AddressKind.WORK
    street: str = Field("", max_length=200)
    city: str = Field("", max_length=100)
    region: str = Field("", max_length=100)
    postal_code: str = Field("", max_length=20)
    is_primary: Flag = False


class RelationshipIn(InputSchema):
    kind: RelationshipKind
    since: IsoDate | None = None


class MembershipIn(InputSchema):
    organization_id: RecordId
    job_title: str = Field("", max_length=100)
    is_primary: Flag = False


class EmailOut(OutputSchema):
    address: str
    kind: str
    is_primary: bool


class PhoneOut(OutputSchema):
    number: str = Field(description="E.164 when verified; as typed when not.")
    kind: str
    is_primary: bool
    verified: bool = Field(
        True,
        description="False for a number an import kept as typed because no country reads "
        "it as a real number; sending it back unchanged keeps it.",
    )


class AddressOut(OutputSchema):
    kind: str
    street: str
    city: str
    region: str
    postal_code: str
    country: str
    is_primary: bool


class RelationshipOut(OutputSchema):
    kind: str
    since: datetime.date | None


class MembershipOut(OutputSchema):
    organization_id: int
    organization_name: str
    job_title: str
    is_primary: bool


# --- records --------------------------------------------------------------------------


class RecordIn(InputSchema):
    owner_id: RecordId | None = Field(None, description="Defaults to you.")
    team_id: RecordId | None = Field(None, description="Defaults to the owner's team.")
    external_id: str | None = Field(None, max_length=100)
    notes: str | None = Field(None, max_length=10000)
    email: str | None = Field(
        None, max_length=254, description="The primary e-mail; null or empty removes it."
    )
    phone: str | None = Field(
        None, max_length=50, description="The primary phone; null or empty removes it."
    )
    emails: list[EmailIn] = Field(
        default_factory=list, max_length=MAX_DETAILS, description="Replaces all e-mails."
    )
    phones: list[PhoneIn] = Field(
        default_factory=list, max_length=MAX_DETAILS, description="Replaces all phones."
    )
    addresses: list[AddressIn] = Field(
        default_factory=list, max_length=MAX_DETAILS, description="Replaces all addresses."
    )
    relationships: list[RelationshipIn] = Field(default_factory=list, max_length=MAX_DETAILS)
    tags: list[TagName] = Field(default_factory=list, max_length=50, description="Tag names.")
    custom: dict[Annotated[str, Field(max_length=50)], CustomValue] = Field(
        default_factory=dict, description="Custom field values by key; null clears one."
    )


class PersonIn(RecordIn):
    first_name: str | None = Field(None, max_length=100)
    last_name: str | None = Field(None, max_length=100)
    birthday: BirthdayText | None = None
    preferred_language: Language | None = None
    preferred_channel: Channel | Literal[""] | None = None
    organizations: list[MembershipIn] = Field(
        default_factory=list, max_length=50, description="Replaces all memberships."
    )


class PersonPatch(PersonIn):
    version: Version | None = Field(None, description="The version you read (or If-Match).")


class OrganizationIn(RecordIn):
    name: str | None = Field(None, max_length=200)
    website: str | None = Field(None, max_length=300)
    industry: str | None = Field(None, max_length=100)
    city: str | None = Field(None, max_length=100, description="City of the primary address.")
    country: CountryCodeOrBlank | None = Field(
        None, description="ISO 3166 code of the primary address, e.g. ES."
    )


class OrganizationPatch(OrganizationIn):
    version: Version | None = Field(None, description="The version you read (or If-Match).")


class RecordOut(OutputSchema):
    id: int
    version: int
    owner: UserRef
    team: TeamRef
    external_id: str
    notes: str
    email: str
    phone: str
    city: str
    country: str
    tags: list[str]
    custom: dict[str, Any]
    relationships: list[RelationshipOut]
    emails: list[EmailOut]
    phones: list[PhoneOut]
    addresses: list[AddressOut]
    created_at: datetime.datetime
    updated_at: datetime.datetime


class PersonOut(RecordOut):
    first_name: str
    last_name: str
    full_name: str
    birthday: Annotated[
        str | None,
        Field(description=_BIRTHDAY_DOC, json_schema_extra={"pattern": BIRTHDAY_PATTERN}),
    ]
    preferred_language: str
    preferred_channel: str
    organizations: list[MembershipOut]


class OrganizationOut(RecordOut):
    name: str
    website: str
    industry: str


class ContactListParams(PageParams):
    q: str | None = Field(
        None, max_length=200, description="Search names, e-mails, phones, organizations, cities."
    )
    tag: RecordId | None = Field(None, description="Tag id.")
    role: RelationshipKind | None = Field(None, description="Relationship, e.g. customer.")
    owner: RecordId | None = Field(None, description="Owner's user id.")
    team: RecordId | None = Field(None, description="Team id.")
    country: CountryCode | None = Field(None, description="ISO 3166 code, e.g. ES.")
    city: str | None = Field(None, max_length=100)
    sort: str = Field(
        "name", pattern=r"^-?[a-z_]{1,30}$", description="A column, or -column to descend."
    )


# --- building responses from records with their details folded in ---------------------


def _primary_first(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """E-mails, phones and addresses in their models' order: the primary one, then by id."""
    return sorted(rows, key=lambda row: (not row["is_primary"], row["id"]))


def _record_data(record: Any) -> dict[str, Any]:
    """Everything both kinds share, from a record of ``selectors.*_with_details``: its
    relations arrive as JSON arrays in the record's own row, so a page of any size is
    one query. The values are as ``RecordOut`` writes them in JSON (see
    ``person_data``)."""
    relationships = sorted(json_value(record.relationship_rows), key=lambda r: r["kind"])
    return {
        "id": record.pk,
        "version": record.version,
        "owner": {"id": record.owner_id, "username": record.owner_username},
        "team": {"id": record.team_id, "name": record.team_name},
        "external_id": record.external_id,
        "notes": record.notes,
        "email": record.email,
        "phone": record.phone,
        "city": record.city,
        "country": record.country,
        "tags": sorted(json_value(record.tag_names)),
        "custom": dict(record.custom or {}),
        "relationships": [{"kind": r["kind"], "since": r["since"]} for r in relationships],
        "emails": [
            {"address": e["address"], "kind": e["kind"], "is_primary": bool(e["is_primary"])}
            for e in _primary_first(json_value(record.email_rows))
        ],
        "phones": [
            {
                "number": p["number"],
                "kind": p["kind"],
                "is_primary": bool(p["is_primary"]),
                "verified": bool(p.get("verified", True)),
            }
            for p in _primary_first(json_value(record.phone_rows))
        ],
        "addresses": [
            {
                "kind": a["kind"],
                "street": a["street"],
                "city": a["city"],
                "region": a["region"],
                "postal_code": a["postal_code"],
                "country": a["country"],
                "is_primary": bool(a["is_primary"]),
            }
            for a in _primary_first(json_value(record.address_rows))
        ],
        "created_at": json_time(record.created_at),
        "updated_at": json_time(record.updated_at),
    }


def person_data(person: Any) -> dict[str, Any]:
    """A person of ``selectors.person_*_with_details`` as ``PersonOut`` in JSON: plain
    values in the schema's order, times written as the API writes them. A page of them
    goes out as it is (``core.api.records``: checking a hundred records against the
    schema cost a third of the page); one record is checked by ninja like any answer,
    and the tests check pages against ``PersonOut``."""
    memberships = sorted(
        json_value(person.membership_rows),
        key=lambda m: (not m["is_primary"], m["organization_name"]),
    )
    return {
        **_record_data(person),
        "first_name": person.first_name,
        "last_name": person.last_name,
        "full_name": person.full_name,
        "birthday": str(person.birthday) if person.birthday else None,
        "preferred_language": person.preferred_language,
        "preferred_channel": person.preferred_channel,
        "organizations": [
            {
                "organization_id": m["organization_id"],
                "organization_name": m["organization_name"],
                "job_title": m["job_title"],
                "is_primary": bool(m["is_primary"]),
            }
            for m in memberships
        ],
    }


def organization_data(org: Any) -> dict[str, Any]:
    """An organization as ``OrganizationOut`` in JSON (see ``person_data``)."""
    return {**_record_data(org), "name": org.name, "website": org.website, "industry": org.industry}


def person_out(person: Any) -> PersonOut:
    return PersonOut.model_validate(person_data(person))


def organization_out(org: Any) -> OrganizationOut:
    return OrganizationOut.model_validate(organization_data(org))


# --- merging duplicates ---------------------------------------------------------------

PickChoice = Literal["survivor", "other", "both"]


class MergeIn(InputSchema):
    other_id: RecordId = Field(description="The duplicate to merge into this record.")
    picks: dict[str, PickChoice] = Field(
        default_factory=dict,
        description="Which value the record kept gets, per field: `survivor` (default, or "
        "`other` when the record kept has none), `other`, or `both` for the lists (`emails`, "
        "`phones`, `addresses`, `relationships`, `tags`; their default). Fields: the scalar "
        "fields, those lists, and `custom.<key>` per custom field.",
    )
    version: Version | None = Field(None, description="The version of this record you read.")
    other_version: Version | None = Field(None, description="The version of the other you read.")


class MergeOut(OutputSchema):
    id: int
    kind: str
    survivor_id: int
    merged_id: int
    created_at: datetime.datetime
    undone_at: datetime.datetime | None


class PersonMergeOut(PersonOut):
    merge_id: int = Field(description="Send it to `POST /merges/{merge_id}/undo` to undo.")


class OrganizationMergeOut(OrganizationOut):
    merge_id: int = Field(description="Send it to `POST /merges/{merge_id}/undo` to undo.")


def merge_out(merge: Any) -> MergeOut:
    return MergeOut(
        id=merge.pk,
        kind=merge.kind,
        survivor_id=merge.survivor_id,
        merged_id=merge.merged_id,
        created_at=merge.created_at,
        undone_at=merge.undone_at,
    )
