"""Duplicates on the way in: which record already there a row is.

Per chunk of rows (not per row), with a handful of indexed queries, against the live
records the importing user may see (so nothing invisible leaks and memory stays flat
whatever the size of the base or of the file):

* exact: the same external id (when the file has that column), the same normalized
  e-mail, the same E.164 phone;
* similar: blocked on the exact last name (people; organizations: the first word of the
  name) in the city of the row, or in the organization of the row, then scored with
  ``rapidfuzz`` on the folded full name; 90% or more is "similar".

Rows of the file are matched against each other too: each row created is remembered
for the rest of its chunk, and earlier chunks are already in the database.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from rapidfuzz.distance import Indel

from clientela.contacts import selectors
from clientela.contacts.duplicates import ORG_STOPWORDS as _ORG_STOPWORDS
from clientela.contacts.models import Organization, Person
from clientela.core.normalize import fold, normalize_email, read_phone

_WORDS = re.compile(r"[^\w]+", re.UNICODE)
#: Name similarity (0..1) from which a row is "similar" to a record in its city/org.
SIMILAR = 0.9
#: Organization names this similar match without a city to compare.
ALONE = 0.95


@dataclass(frozen=True)
class Match:
    record_id: int
    rule: str  # "exact" | "similar"
    reason: str  # for the user: "same e-mail", "name 94% similar, same city"


@dataclass
class Keys:
    """What a row is matched on, normalized."""

    external_id: str = ""
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    name: str = ""  # folded full name
    block: str = ""  # last name as written (people) / first word of the folded name (orgs)
    city: str = ""  # folded
    city_raw: str = ""  # as written
    organizations: set[str] = field(default_factory=set)  # folded names
    organization_names: list[str] = field(default_factory=list)  # as written


def _name_key(kind: str, data: dict[str, Any]) -> tuple[str, str]:
    if kind == "people":
        first, last = (data.get("first_name") or "").strip(), (data.get("last_name") or "").strip()
        return fold(f"{first} {last}".strip()), last
    name = fold((data.get("name") or "").strip())
    return name, _first_word(name)


def _first_word(folded: str) -> str:
    """The first word of a folded organization name that says which one it is ("the
    acme company" -> "acme")."""
    words = [w for w in _WORDS.split(folded) if w and w not in _ORG_STOPWORDS]
    return words[0] if words else ""


def keys_for(kind: str, data: dict[str, Any], organizations: Iterable[str] = ()) -> Keys:
    """The match keys of a row's data (invalid e-mails and phones are left out: the
    services report them)."""
    keys = Keys(external_id=(data.get("external_id") or "").strip())
    region = None
    for address in data.get("addresses") or []:
        if address.is_primary:
            region = address.country or None
            keys.city_raw = (address.city or "").strip()
            keys.city = fold(keys.city_raw)
    for email in data.get("emails") or []:
        try:
            keys.emails.append(normalize_email(email.address))
        except Exception:  # noqa: S112 -- reported by the service
            continue
    for phone in data.get("phones") or []:
        if (number := read_phone(phone.number, region)) is not None:
            keys.phones.append(number)
    keys.name, keys.block = _name_key(kind, data)
    keys.organization_names = [o.strip() for o in organizations if o and o.strip()]
    keys.organizations = {fold(o) for o in keys.organization_names}
    return keys


def keys_from_record(
    kind: str, record: Any, details: dict[str, list[Any]], organizations: Iterable[str] = ()
) -> Keys:
    """The match keys of a record the services have checked (e-mails and phones already
    normalized, so nothing is parsed twice)."""
    keys = Keys(external_id=(record.external_id or "").strip())
    keys.emails = [e.address for e in details["emails"]]
    keys.phones = [p.number for p in details["phones"]]
    keys.city_raw = (record.city or "").strip()
    keys.city = fold(keys.city_raw)
    if kind == "people":
        keys.name = fold(f"{record.first_name} {record.last_name}".strip())
        keys.block = (record.last_name or "").strip()
    else:
        keys.name = fold(record.name.strip())
        keys.block = _first_word(keys.name)
    keys.organization_names = [o.strip() for o in organizations if o and o.strip()]
    keys.organizations = {fold(o) for o in keys.organization_names}
    return keys


@dataclass
class _Known:
    pk: int
    name: str
    city: str
    organizations: set[str] = field(default_factory=set)


def _variants(text: str) -> set[str]:
    """The spellings a name or city is looked up under: as written and as a title
    ("MADRID", "madrid" -> "Madrid"). Records typed in other letter cases are missed by
    this block, not by the exact e-mail and phone matches; every extra spelling
    multiplies the (city, last name) pairs looked up per row."""
    return {text, text.title()}


class Matcher:
    """Matches the rows of one import (``prepare`` a chunk, then ``match`` each row,
    ``remember`` each record created)."""

    def __init__(self, *, kind: str, user: Any) -> None:
        self.kind = kind
        self.user = user
        self.model: type[Person] | type[Organization] = Person if kind == "people" else Organization
        self._reset()

    def _reset(self) -> None:
        if not hasattr(self, "_org_blocks"):
            self._org_blocks: dict[str, list[_Known]] = defaultdict(list)
            self._orgs_loaded = False
        self.by_external: dict[str, int] = {}
        self.by_email: dict[str, int] = {}
        self.by_phone: dict[str, int] = {}
        self.blocks: dict[str, list[_Known]] = defaultdict(list)

    def prepare(self, rows: list[Keys]) -> None:
        """Look up everything the rows of a chunk could match, in a few queries."""
        self._reset()
        candidates = selectors.match_candidates(
            user=self.user,
            model=self.model,
            external_ids={k.external_id for k in rows if k.external_id},
            emails={e for k in rows for e in k.emails},
            phones={p for k in rows for p in k.phones},
        )
        index = {"x": self.by_external, "e": self.by_email, "p": self.by_phone}
        for key, value, pk in candidates:
            index[key].setdefault(value, pk)
        self._prepare_blocks(rows)

    def _prepare_blocks(self, rows: list[Keys]) -> None:
        if self.kind == "organizations":
            self._load_organizations()
            return
        by_city: dict[str, set[str]] = defaultdict(set)
        for k in rows:
            if k.block and k.city_raw:
                for city in _variants(k.city_raw):
                    by_city[city] |= _variants(k.block)
        found = selectors.people_in_cities(user=self.user, last_names=by_city)
        members, member_of = selectors.people_in_organizations(
            user=self.user,
            last_names={v for k in rows if k.block and k.organizations for v in _variants(k.block)},
            organizations={o for k in rows for o in k.organization_names},
        )
        found += members
        by_org = {pk: {fold(name) for name in names} for pk, names in member_of.items()}
        seen: set[int] = set()
        for pk, first, last, city in found:
            if pk in seen:
                continue
            seen.add(pk)
            name = fold(f"{first} {last}".strip())
            self.blocks[fold(last)].append(
                _Known(pk, name, fold(city or ""), by_org.get(pk, set()))
            )

    def _load_organizations(self) -> None:
        """Organizations are few next to people: all the visible ones are read once per
        import and blocked on the first word of their name."""
        if self._orgs_loaded:
            self.blocks = self._org_blocks
            return
        for pk, name, city in selectors.organization_rows(user=self.user):
            folded = fold(name)
            self._org_blocks[_first_word(folded)].append(_Known(pk, folded, fold(city or "")))
        self._orgs_loaded = True
        self.blocks = self._org_blocks

    def match(self, keys: Keys) -> Match | None:
        exact = self._exact(keys)
        return exact if exact is not None else self._similar(keys)

    def _exact(self, keys: Keys) -> Match | None:
        """A record with the same external id, e-mail or phone."""
        if keys.external_id and keys.external_id in self.by_external:
            return Match(self.by_external[keys.external_id], "exact", _("same external id"))
        for email in keys.emails:
            if email in self.by_email:
                return Match(self.by_email[email], "exact", _("same e-mail"))
        for phone in keys.phones:
            if phone in self.by_phone:
                return Match(self.by_phone[phone], "exact", _("same phone"))
        return None

    def _similar(self, keys: Keys) -> Match | None:
        """The most similar name in the row's block that something else backs up."""
        if not keys.name or not keys.block:
            return None
        best: tuple[float, _Known, str] | None = None
        for known in self.blocks.get(fold(keys.block), []):
            similarity = Indel.normalized_similarity(keys.name, known.name)
            where = self._backed_by(keys, known, similarity)
            if where is None:
                continue
            if similarity >= SIMILAR and (best is None or similarity > best[0]):
                best = (similarity, known, where)
        if best is None:
            return None
        similarity, known, where = best
        return Match(
            known.pk,
            "similar",
            _("name %(pct)s%% similar, %(where)s") % {"pct": int(similarity * 100), "where": where},
        )

    def _backed_by(self, keys: Keys, known: _Known, similarity: float) -> str | None:
        """What besides the name says the row is ``known`` (None: nothing does)."""
        if keys.city and known.city == keys.city:
            return _("same city")
        if not keys.organizations.isdisjoint(known.organizations):
            return _("same organization")
        if self.kind == "organizations" and not (keys.city and known.city):
            # An organization's name says more than a person's: without a city on
            # both sides, a nearly equal name is enough.
            return _("no city to tell them apart") if similarity >= ALONE else None
        return None

    def remember(self, keys: Keys, record_id: int) -> None:
        """A record this chunk created, so later rows of the chunk match it."""
        if keys.external_id:
            self.by_external.setdefault(keys.external_id, record_id)
        for email in keys.emails:
            self.by_email.setdefault(email, record_id)
        for phone in keys.phones:
            self.by_phone.setdefault(phone, record_id)
        if keys.block and keys.name:
            self.blocks[fold(keys.block)].append(
                _Known(record_id, keys.name, keys.city, set(keys.organizations))
            )
