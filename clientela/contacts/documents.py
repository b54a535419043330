"""What the audit and the header search see of a person or an organization, built from
values in hand: the one-record services read them back from the database, ``bulk``
(the importer) passes the values it has just checked, and both write the same audit
entries and search entries."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from clientela.contacts.models import Organization, Person
from clientela.core.normalize import phone_search_terms

PERSON_SCALARS = (
    "first_name",
    "last_name",
    "preferred_language",
    "preferred_channel",
    "notes",
    "external_id",
)
ORGANIZATION_SCALARS = ("name", "website", "industry", "notes", "external_id")


def record_snapshot(
    record: Person | Organization,
    details: Mapping[str, Sequence[Any]],
    tags: Iterable[str],
    memberships: Iterable[tuple[str, str]] = (),
) -> dict[str, Any]:
    """The audited values of ``record`` with its ``details`` (``details.current_details``
    shape), tag names and, for a person, (organization name, job title) pairs."""
    scalars = PERSON_SCALARS if isinstance(record, Person) else ORGANIZATION_SCALARS
    snap: dict[str, Any] = {name: getattr(record, name) for name in scalars}
    snap.update(
        {
            "emails": [e.address + (" *" if e.is_primary else "") for e in details["emails"]],
            "phones": [p.number + (" *" if p.is_primary else "") for p in details["phones"]],
            "addresses": [
                ", ".join(x for x in (a.street, a.postal_code, a.city, a.region, a.country) if x)
                for a in details["addresses"]
            ],
            "relationships": [
                r.kind + (f" ({r.since.isoformat()})" if r.since else "")
                for r in details["relationships"]
            ],
            "tags": sorted(tags),
            "custom": dict(record.custom),
            "owner": str(record.owner),
            "team": str(record.team),
        }
    )
    if isinstance(record, Person):
        birthday = record.birthday
        snap["birthday"] = birthday.isoformat() if birthday else None
        snap["organizations"] = [
            name + (f" ({job_title})" if job_title else "") for name, job_title in memberships
        ]
    return snap


def search_document(
    record: Person | Organization,
    *,
    emails: Sequence[str],
    phones: Sequence[str],
    cities: Sequence[str],
    organizations: Sequence[str] = (),
) -> dict[str, Any]:
    """The keyword arguments of ``search.index_record``/``search.entry`` for ``record``:
    found by its names, e-mails, phone digits, cities and (a person) organizations."""
    phone_terms = [t for p in phones for t in phone_search_terms(p)]
    head: dict[str, Any] = {
        "resource": record.RESOURCE,
        "object_id": record.pk,
        "owner_id": record.owner_id,
        "team_id": record.team_id,
    }
    if isinstance(record, Person):
        first_org = organizations[0] if organizations else ""
        return {
            **head,
            "title": record.full_name,
            "subtitle": ", ".join(x for x in (record.email, first_org, record.city) if x),
            "parts": [
                record.first_name,
                record.last_name,
                *emails,
                *phone_terms,
                *organizations,
                *cities,
            ],
        }
    return {
        **head,
        "title": record.name,
        "subtitle": ", ".join(x for x in (record.city, record.country) if x),
        "parts": [record.name, record.website, *emails, *phone_terms, *cities],
    }
