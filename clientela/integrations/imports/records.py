"""A record's data as the import needs it: what a row changes on the record it matched
(``update_data``), the record's data before an update, kept as JSON for the undo
(``record_data`` and back, ``data_from_json``), and a row of the dry run's preview
(``preview_of``). The record's details are read through the contacts selectors
(``record_details``); the records themselves come from ``person_get`` /
``organization_get``, which scoped them."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from clientela.contacts import selectors as contacts_selectors
from clientela.contacts import services
from clientela.contacts.documents import ORGANIZATION_SCALARS, PERSON_SCALARS
from clientela.contacts.models import Organization, Person
from clientela.integrations.imports.convert import Converted

#: Row values merged into the record's instead of replacing them.
_MERGED = ("emails", "phones", "tags", "memberships", "addresses", "relationships")


def update_data(
    record: Person | Organization,
    data: dict[str, Any],
    current: Mapping[str, list[Any]] | None = None,
) -> dict[str, Any]:
    """What a row changes on the record it matched: the values it has (an empty cell
    keeps the record's value), e-mails, phones, tags and organizations added to the
    record's, the address only if the record has none. ``current``: the record's
    details, tags and memberships as ``record_details`` gives them, when read already."""
    out: dict[str, Any] = {
        key: value
        for key, value in data.items()
        if key not in _MERGED and value not in (None, "", {}, [])
    }
    if current is None:
        current = contacts_selectors.record_details(record)
    for key, attr in (("emails", "address"), ("phones", "number")):
        if data.get(key):
            have = {getattr(i, attr).casefold() for i in current[key]}
            added = [i for i in data[key] if getattr(i, attr).casefold() not in have]
            for item in added:
                item.is_primary = False
            if added:
                out[key] = current[key] + added
    if data.get("addresses") and not current["addresses"]:
        out["addresses"] = data["addresses"]
    if data.get("relationships"):
        kinds = {r.kind for r in current["relationships"]}
        out["relationships"] = current["relationships"] + [
            r for r in data["relationships"] if r.kind not in kinds
        ]
    if data.get("tags"):
        out["tags"] = sorted(set(current["tags"]) | set(data["tags"]))
    if data.get("memberships") and isinstance(record, Person):
        memberships = _added_memberships(current["memberships"], data["memberships"])
        if memberships:
            out["memberships"] = memberships
    return out


def _added_memberships(
    have: list[Any], wanted: list[services.MembershipInput]
) -> list[services.MembershipInput]:
    """The person's memberships with the row's new organizations after them (none of
    them primary), or [] when the row adds none."""
    have_orgs = {m.organization_id for m in have}
    new = [m for m in wanted if m.organization_id not in have_orgs]
    if not new:
        return []
    return [
        services.MembershipInput(m.organization_id, m.job_title, m.is_primary) for m in have
    ] + [services.MembershipInput(m.organization_id, m.job_title, False) for m in new]


def record_data(
    record: Person | Organization, current: Mapping[str, list[Any]] | None = None
) -> dict[str, Any]:
    """A record's editable data as JSON, what the undo of an update gives back to the
    update service (``data_from_json``); ``current`` as for ``update_data``."""
    scalars = PERSON_SCALARS if isinstance(record, Person) else ORGANIZATION_SCALARS
    out: dict[str, Any] = {name: getattr(record, name) for name in scalars}
    if current is None:
        current = contacts_selectors.record_details(record)
    out["emails"] = [[e.address, e.kind, e.is_primary] for e in current["emails"]]
    out["phones"] = [[p.number, p.kind, p.is_primary, p.verified] for p in current["phones"]]
    out["addresses"] = [
        [a.country, a.kind, a.street, a.city, a.region, a.postal_code, a.is_primary]
        for a in current["addresses"]
    ]
    out["relationships"] = [
        [r.kind, r.since.isoformat() if r.since else None] for r in current["relationships"]
    ]
    out["tags"] = current["tags"]
    out["custom"] = dict(record.custom)
    if isinstance(record, Person):
        out["birthday"] = str(record.birthday) if record.birthday else None
        out["memberships"] = [
            [m.organization_id, m.job_title, m.is_primary] for m in current["memberships"]
        ]
    return out


def data_from_json(raw: dict[str, Any], *, people: bool) -> dict[str, Any]:
    """``record_data`` read back into service input."""
    out = {k: v for k, v in raw.items() if k not in ("emails", "phones", "addresses")}
    out["emails"] = [services.EmailInput(*e) for e in raw.get("emails", [])]
    out["phones"] = [services.PhoneInput(*p) for p in raw.get("phones", [])]
    out["addresses"] = [services.AddressInput(*a) for a in raw.get("addresses", [])]
    out["relationships"] = [
        services.RelationshipInput(k, datetime.date.fromisoformat(s) if s else None)
        for k, s in raw.get("relationships", [])
    ]
    # Values the record had are valid as they were; custom keys replace the whole dict.
    custom = raw.get("custom", {})
    out["custom"] = custom
    if people:
        out["birthday"] = raw.get("birthday") or None  # "1985-05-21" or "--05-21"
        out["memberships"] = [services.MembershipInput(*m) for m in raw.get("memberships", [])]
    return out


def preview_of(
    number: int, record: Person | Organization, item: Converted, *, updated: bool = False
) -> dict[str, Any]:
    """One row of the dry run's preview, as it will be saved."""
    if isinstance(record, Person):
        name = record.full_name
        extra = ", ".join(n for n, _t in item.organizations)
        birthday = str(record.birthday) if record.birthday else ""
    else:
        name, extra, birthday = record.name, record.website, ""
    return {
        "row": number,
        "action": "update" if updated else "create",
        "record_id": record.pk if updated else None,
        "name": name,
        "email": record.email,
        "phone": record.phone,
        "city": record.city,
        "country": record.country,
        "organization": extra,
        "birthday": birthday,
        "tags": ", ".join(item.data.get("tags") or []),
    }
