"""vCard 4.0 (RFC 6350): one card per record, written here rather than with a library
(``vobject`` writes only 3.0).

Text values are escaped (``\\``, ``,``, ``;`` and line breaks, section 3.4), lines end
in CRLF and are folded at 75 octets without splitting a UTF-8 character (3.2).
Organizations are cards with ``KIND:org``. What vCard has no property for (the
Clientela id, external id, owner, team, relationships, custom fields, preferred
channel) goes in ``X-CLIENTELA-*`` properties, and an address kind vCard has no
``TYPE`` for (billing, shipping, other) in an ``X-KIND`` parameter, so a re-import
loses nothing. E-mail kinds: work = ``TYPE=work``, personal = ``TYPE=home``, other =
no type; phones: mobile = ``cell``, work, home, fax, other = ``voice`` alone.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Iterator
from typing import Any

from clientela.contacts.models import Person
from clientela.core.exports import Record, custom_text
from clientela.core.kinds import RecordKind
from clientela.integrations.exports.records import records

MAX_OCTETS = 75
#: Stable ``UID`` values: a UUID derived from the record's kind and id.
UID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:clientela:contacts")

_EMAIL_TYPES = {"work": "work", "personal": "home"}
_PHONE_TYPES = {
    "mobile": "cell,voice",
    "work": "work,voice",
    "home": "home,voice",
    "fax": "fax",
    "other": "voice",
}
_ADDRESS_TYPES = {"work": "work", "home": "home"}


def escape(value: Any) -> str:
    """A text value (or one component of a structured value) escaped per RFC 6350."""
    text = "" if value is None else str(value)
    text = text.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")
    return text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def fold(line: str) -> str:
    """A content line ending in CRLF, folded so no physical line passes 75 octets."""
    data = line.encode("utf-8")
    if len(data) <= MAX_OCTETS:
        return line + "\r\n"
    parts: list[bytes] = []
    start, limit = 0, MAX_OCTETS
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:  # inside a character
            end -= 1
        parts.append(data[start:end])
        start, limit = end, MAX_OCTETS - 1  # a continuation line starts with a space
    return "\r\n ".join(p.decode("utf-8") for p in parts) + "\r\n"


def _line(name: str, text: str, /, **params: str | None) -> str:
    """A content line ``NAME;PARAM=…:text`` (``x_key`` becomes ``X-KEY``), folded."""
    head = name + "".join(f";{k.upper().replace('_', '-')}={v}" for k, v in params.items() if v)
    return fold(f"{head}:{text}")


def _structured(*components: Any) -> str:
    return ";".join(escape(c) for c in components)


def _pref(items: Iterable[dict[str, Any]]) -> Iterator[tuple[dict[str, Any], str | None]]:
    for item in items:
        yield item, ("1" if item.get("is_primary") else None)


def _bday(value: str | None) -> str | None:
    """vCard 4's BDAY: ``19850521``, or ``--0521`` without the year (RFC 6350 4.3.1)."""
    if not value:
        return None
    if value.startswith("--"):
        return "--" + value[2:].replace("-", "")
    return datetime.date.fromisoformat(value).strftime("%Y%m%d")


def _rev(value: str) -> str:
    stamp = datetime.datetime.fromisoformat(value).astimezone(datetime.UTC)
    return stamp.strftime("%Y%m%dT%H%M%SZ")


def card(kind: RecordKind, record: Record) -> str:
    """One record as a vCard 4.0."""
    person = kind.resource == Person.RESOURCE
    return "".join(
        [
            "BEGIN:VCARD\r\n",
            "VERSION:4.0\r\n",
            *(_person_lines(record) if person else _organization_lines(record)),
            *_contact_lines(record),
            *_clientela_lines(kind, record, person=person),
            "END:VCARD\r\n",
        ]
    )


def _person_lines(record: Record) -> Iterator[str]:
    """A person's name, birthday, language and organizations (the primary one's job title)."""
    full = " ".join(p for p in (record["first_name"], record["last_name"]) if p)
    yield _line("FN", escape(full or record["email"] or record["id"]))
    yield _line("N", _structured(record["last_name"], record["first_name"], "", "", ""))
    if bday := _bday(record["birthday"]):
        yield _line("BDAY", bday)
    if record["preferred_language"]:
        yield _line("LANG", escape(record["preferred_language"]), pref="1")
    for membership, pref in _pref(record["organizations"]):
        yield _line("ORG", _structured(membership["organization_name"]), pref=pref)
        if pref and membership["job_title"]:
            yield _line("TITLE", escape(membership["job_title"]))


def _organization_lines(record: Record) -> Iterator[str]:
    yield _line("KIND", "org")
    yield _line("FN", escape(record["name"]))
    yield _line("ORG", _structured(record["name"]))
    if record["website"]:
        yield _line("URL", escape(record["website"]))


def _contact_lines(record: Record) -> Iterator[str]:
    """E-mails, phones and addresses, the primary ones preferred."""
    for email, pref in _pref(record["emails"]):
        kind_type = _EMAIL_TYPES.get(email["kind"])
        yield _line("EMAIL", escape(email["address"]), type=kind_type, pref=pref)
    for phone, pref in _pref(record["phones"]):
        yield _line(
            "TEL",
            "tel:" + phone["number"],
            value="uri",
            type=_PHONE_TYPES.get(phone["kind"], "voice"),
            pref=pref,
        )
    for address, pref in _pref(record["addresses"]):
        value = _structured(
            "",
            "",
            address["street"],
            address["city"],
            address["region"],
            address["postal_code"],
            address["country"],
        )
        kind_type = _ADDRESS_TYPES.get(address["kind"])
        # Billing, shipping…: vCard has no TYPE for them; X-KIND keeps them for a re-import.
        extra = None if kind_type else address["kind"]
        yield _line("ADR", value, type=kind_type, pref=pref, x_kind=extra)


def _clientela_lines(kind: RecordKind, record: Record, *, person: bool) -> Iterator[str]:
    """Tags, notes, identity and what only Clientela reads back (X-CLIENTELA-…)."""
    if record["tags"]:
        yield _line("CATEGORIES", ",".join(escape(t) for t in record["tags"]))
    if record["notes"]:
        yield _line("NOTE", escape(record["notes"]))
    uid = uuid.uuid5(UID_NAMESPACE, f"{kind.resource}:{record['id']}")
    yield _line("UID", f"urn:uuid:{uid}")
    yield _line("REV", _rev(record["updated_at"]))
    yield _line("X-CLIENTELA-ID", str(record["id"]))
    if record["external_id"]:
        yield _line("X-CLIENTELA-EXTERNAL-ID", escape(record["external_id"]))
    yield _line("X-CLIENTELA-OWNER", escape(record["owner"]["username"]))
    yield _line("X-CLIENTELA-TEAM", escape(record["team"]["name"]))
    if person and record["preferred_channel"]:
        yield _line("X-CLIENTELA-CHANNEL", escape(record["preferred_channel"]))
    for relationship in record["relationships"]:
        since = relationship["since"] or ""
        yield _line("X-CLIENTELA-RELATIONSHIP", _structured(relationship["kind"], since))
    for key, value in sorted(record["custom"].items()):
        if value not in (None, ""):
            yield _line("X-CLIENTELA-CUSTOM", escape(custom_text(value)), x_key=key)


def write_vcard(kind: RecordKind, *, user: Any, filters: Any = None) -> Iterator[str]:
    for record in records(kind, user=user, filters=filters):
        yield card(kind, record)
