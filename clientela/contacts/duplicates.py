"""The duplicate finder: likely duplicate pairs of people or of organizations.

Comparing every record with every other is quadratic (5·10⁹ pairs at 100,000 people),
so the finder compares only records that share a *block*, and within a large block only
neighbours in name order (the "sorted neighbourhood" method):

* exact blocks: the same normalized e-mail (the record's primary ``email`` column and
  its ``EmailAddress`` rows), the same E.164 phone (``phone`` and ``PhoneNumber`` rows),
  for organizations the same web site domain;
* fuzzy blocks: the first 3 letters of the folded last name (organization: of the
  folded name) with the folded city; the same birthday; and one sorted-neighbourhood
  pass over all records ordered by their name tokens (sorted, so "Smith John" and
  "John Smith" sit side by side).

Each candidate pair is scored once with ``rapidfuzz`` (``token_sort_ratio`` of the
folded names, so swapped first/last names still match) plus the evidence the two
records share (e-mail, phone, birthday, city, organization). The score is 0..1; the
reasons are stored as codes (``{"code": "name", "pct": 94}``) and turned into words in
the reader's language by ``reason_texts``.

Records are read with ``values_list`` (no model instance per row) through the same
visibility filter as every selector (``visible_to(user)``); without a user
the finder runs as the system over every live record (the background scan, whose stored
results are filtered by each viewer's scope when shown, see ``selectors``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rapidfuzz import fuzz
from rapidfuzz.distance import Indel

from clientela.contacts.models import (
    DuplicateDismissal,
    DuplicateKind,
    EmailAddress,
    Membership,
    Organization,
    Person,
    PhoneNumber,
)
from clientela.core.kinds import RecordKind, record_kinds
from clientela.core.normalize import fold

#: Pairs below this score are not reported (nor stored by a scan).
FLOOR = 0.6
#: What the page and the CLI show unless asked otherwise.
DEFAULT_MIN_SCORE = 0.7
#: Neighbours each record is compared with inside a block (and in the global pass).
WINDOW = 8

# Weights of the score (see ``_score``): a perfect name match alone is 0.65, below
# the default minimum: it takes one more piece of evidence (city, birthday,
# organization…), since two people may well share a name.
NAME_WEIGHT = 0.65
EVIDENCE = {
    "same_email": 0.3,
    "same_phone": 0.25,
    "same_website": 0.2,
    "same_birthday": 0.2,
    "same_city": 0.15,
    "same_organization": 0.1,
}
#: Two different birthdays make a pair less likely to be one person (but dates are
#: often typed wrong, so not by much).
BIRTHDAY_DIFFERS = -0.1
#: A shared e-mail or phone makes a pair likely whatever the names say: floors.
EMAIL_FLOOR, PHONE_FLOOR = 0.8, 0.6
#: Names less alike than this (0..1) make a pair only with a shared e-mail or phone.
NAME_MIN = 0.6
#: Cities this similar (a typo: "Papdstow" / "Padstow") count as nearly the same.
CITY_SIMILAR = 0.85


_SPACES = re.compile(r"[^\w]+", re.UNICODE)
#: Legal forms and filler words that say nothing about which organization it is.
ORG_STOPWORDS = frozenset(
    "the inc incorporated ltd limited llc llp plc co corp corporation company gmbh ag sa "
    "sas sl slu srl spa bv nv oy ab as sarl cia y and de del la los las".split()
)


def mergeable_kinds() -> dict[str, RecordKind]:
    """The registered kinds the finder compares (``RecordKind.mergeable``), by their
    ``DuplicateKind`` (the kind's singular URL name: "person")."""
    return {
        k.url_prefix: k
        for k in record_kinds()
        if k.mergeable and k.url_prefix in DuplicateKind.values
    }


def model_of(kind: str) -> type[Person] | type[Organization]:
    """The model of ``kind`` (a ``DuplicateKind``)."""
    model = mergeable_kinds()[kind].model
    assert issubclass(model, Person | Organization)
    return model


def parse_kind(raw: str) -> str:
    """ "people"/"person" -> ``DuplicateKind.PERSON``, likewise organizations."""
    name = (raw or "").strip().lower()
    for key, kind in mergeable_kinds().items():
        if name in (key, kind.path):
            return DuplicateKind(key)
    raise ValueError(_("Unknown kind “%(kind)s”: use people or organizations.") % {"kind": raw})


@dataclass(frozen=True)
class Pair:
    """A likely duplicate: ``a < b``, score 0..1, reasons as codes (``reason_texts``)."""

    a: int
    b: int
    score: float
    reasons: list[dict[str, Any]]

    def as_json(self) -> dict[str, Any]:
        return {
            "a": self.a,
            "b": self.b,
            "score": self.score,
            "reasons": reason_texts(self.reasons),
        }


@dataclass(slots=True)
class _Record:
    pk: int
    name: str  # folded, tokens sorted: what the names are compared on
    block: str  # folded last name (organization: name without legal form)
    city: str
    birthday: str = ""  # YYYYMMDD (0000MMDD without the year), "" when unknown
    emails: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)
    sites: set[str] = field(default_factory=set)
    orgs: set[int] = field(default_factory=set)


def _tokens(text: str) -> list[str]:
    return [t for t in _SPACES.split(fold(text)) if t and t != "_"]


def _domain(url: str) -> str:
    raw = (url or "").strip().lower()
    if not raw:
        return ""
    host = urlsplit(raw if "//" in raw else f"//{raw}").hostname or ""
    return host.removeprefix("www.")


# --- reading the records -----------------------------------------------------------------


def _visible(kind: str, user: Any | None) -> QuerySet[Any]:
    model = model_of(kind)
    qs = model.objects.alive()
    return qs if user is None else qs.visible_to(user)


def _read_people(qs: QuerySet[Person]) -> dict[int, _Record]:
    records: dict[int, _Record] = {}
    rows = qs.order_by().values_list(
        "id", "first_name", "last_name", "email", "phone", "city", "birthday_md", "birthday_year"
    )
    for pk, first, last, email, phone, city, month_day, year in rows.iterator(chunk_size=5000):
        last_tokens = _tokens(last)
        name_tokens = _tokens(first) + last_tokens
        if not name_tokens and not email and not phone:
            continue
        rec = _Record(
            pk=pk,
            name=" ".join(sorted(name_tokens)),
            block="".join(last_tokens) or "".join(name_tokens),
            city=" ".join(_tokens(city)),
            birthday=f"{year or 0:04d}{month_day:04d}" if month_day else "",
        )
        if email:
            rec.emails.add(email.strip().lower())
        if phone:
            rec.phones.add(phone.strip())
        records[pk] = rec
    ids = qs.order_by().values("id")
    for pk, address in EmailAddress.objects.filter(person__in=ids).values_list(
        "person_id", "address"
    ):
        if pk in records:
            records[pk].emails.add(address.strip().lower())
    for pk, number in PhoneNumber.objects.filter(person__in=ids).values_list("person_id", "number"):
        if pk in records:
            records[pk].phones.add(number.strip())
    memberships = Membership.objects.filter(person__in=ids, organization__deleted_at__isnull=True)
    for pk, org in memberships.values_list("person_id", "organization_id"):
        if pk in records:
            records[pk].orgs.add(org)
    return records


def _read_organizations(qs: QuerySet[Organization]) -> dict[int, _Record]:
    records: dict[int, _Record] = {}
    rows = qs.order_by().values_list("id", "name", "email", "phone", "city", "website")
    for pk, name, email, phone, city, website in rows.iterator(chunk_size=5000):
        tokens = _tokens(name.replace(".", ""))  # "S.L." is the legal form "sl"
        core = [t for t in tokens if t not in ORG_STOPWORDS] or tokens
        rec = _Record(
            pk=pk, name=" ".join(sorted(core)), block="".join(core), city=" ".join(_tokens(city))
        )
        if email:
            rec.emails.add(email.strip().lower())
        if phone:
            rec.phones.add(phone.strip())
        if domain := _domain(website):
            rec.sites.add(domain)
        records[pk] = rec
    ids = qs.order_by().values("id")
    for pk, address in EmailAddress.objects.filter(organization__in=ids).values_list(
        "organization_id", "address"
    ):
        if pk in records:
            records[pk].emails.add(address.strip().lower())
    for pk, number in PhoneNumber.objects.filter(organization__in=ids).values_list(
        "organization_id", "number"
    ):
        if pk in records:
            records[pk].phones.add(number.strip())
    return records


def dismissed_pairs(kind: str) -> set[tuple[int, int]]:
    return set(DuplicateDismissal.objects.filter(kind=kind).values_list("a_id", "b_id"))


# --- blocking ----------------------------------------------------------------------------


def _blocks(records: dict[int, _Record]) -> Iterator[list[_Record]]:
    """Every block of records worth comparing (see the module docstring)."""
    keyed: dict[tuple[str, str], list[_Record]] = defaultdict(list)
    for rec in records.values():
        for email in rec.emails:
            keyed[("e", email)].append(rec)
        for phone in rec.phones:
            keyed[("p", phone)].append(rec)
        for site in rec.sites:
            keyed[("w", site)].append(rec)
        if rec.block:
            keyed[("n", f"{rec.block[:3]}|{rec.city}")].append(rec)
        if rec.birthday:
            keyed[("b", rec.birthday)].append(rec)
    for members in keyed.values():
        if len(members) > 1:
            yield members
    # The global sorted-neighbourhood pass: a typo in the first 3 letters, or another
    # city, still leaves the names next to each other in this order.
    yield list(records.values())


def _candidates(records: dict[int, _Record]) -> Iterator[tuple[_Record, _Record]]:
    """Pairs within ``WINDOW`` of each other in name order inside each block (every
    pair of a block of up to ``WINDOW + 1`` records)."""
    for block in _blocks(records):
        block.sort(key=lambda r: (r.name, r.pk))
        size = len(block)
        for i in range(size - 1):
            first = block[i]
            for j in range(i + 1, min(i + 1 + WINDOW, size)):
                yield first, block[j]


# --- scoring -----------------------------------------------------------------------------


def _name_similarity(x: str, y: str) -> float:
    """``token_sort_ratio`` of the folded names (0..1); when one name is only part of
    the other ("Morrison" / "Grace Morrison"), 0.9 of ``token_set_ratio``."""
    if not x or not y:
        return 0.0
    similarity = Indel.normalized_similarity(x, y)
    if similarity < 0.9 and x.count(" ") != y.count(" "):
        similarity = max(similarity, 0.9 * fuzz.token_set_ratio(x, y) / 100)
    return similarity


def _birthdays(a: str, b: str) -> str:
    """ "same", "close" (one typo: one digit, or day and month swapped) or "differ"
    for two ``YYYYMMDD`` dates; month and day alone when either has no year (0000)."""
    if a[:4] == "0000" or b[:4] == "0000":
        a, b = "0000" + a[4:], "0000" + b[4:]
    if a == b:
        return "same"
    if sum(1 for i, j in zip(a, b, strict=True) if i != j) == 1 or (
        a[:4] == b[:4] and a[4:6] == b[6:8] and a[6:8] == b[4:6]
    ):
        return "close"
    return "differ"


def _shares_contact(x: _Record, y: _Record) -> bool:
    return (
        not x.emails.isdisjoint(y.emails)
        or not x.phones.isdisjoint(y.phones)
        or (bool(x.sites) and not x.sites.isdisjoint(y.sites))
    )


def _birthday_evidence(x: _Record, y: _Record, reasons: list[dict[str, Any]]) -> float:
    """What the two birthdays say (a different one counts against the pair)."""
    if not (x.birthday and y.birthday):
        return 0.0
    birthdays = _birthdays(x.birthday, y.birthday)
    if birthdays == "same":
        reasons.append({"code": "same_birthday"})
        return EVIDENCE["same_birthday"]
    if birthdays == "close":
        reasons.append({"code": "similar_birthday"})
        return EVIDENCE["same_birthday"] / 2
    return BIRTHDAY_DIFFERS


def _city_evidence(
    x: _Record, y: _Record, city_weight: dict[str, float], reasons: list[dict[str, Any]]
) -> float:
    """What the two cities say: the same one (weighted by how common it is) or a close
    spelling of it."""
    if x.city and x.city == y.city:
        reasons.append({"code": "same_city"})
        return EVIDENCE["same_city"] * city_weight.get(x.city, 1.0)
    if x.city and y.city and Indel.normalized_similarity(x.city, y.city) >= CITY_SIMILAR:
        reasons.append({"code": "similar_city"})
        return EVIDENCE["same_city"] * 0.8
    return 0.0


def _score(
    x: _Record, y: _Record, similarity: float, city_weight: dict[str, float]
) -> tuple[float, list[dict[str, Any]]]:
    """The pair's score and reasons, given the similarity of the names."""
    reasons: list[dict[str, Any]] = []
    evidence = 0.0
    same_email = not x.emails.isdisjoint(y.emails)
    same_phone = not x.phones.isdisjoint(y.phones)
    if same_email:
        reasons.append({"code": "same_email"})
        evidence += EVIDENCE["same_email"]
    if same_phone:
        reasons.append({"code": "same_phone"})
        evidence += EVIDENCE["same_phone"]
    if x.sites and not x.sites.isdisjoint(y.sites):
        reasons.append({"code": "same_website"})
        evidence += EVIDENCE["same_website"]
    if similarity >= 0.995:
        reasons.append({"code": "same_name"})
    elif similarity >= NAME_MIN:
        reasons.append({"code": "name", "pct": int(similarity * 100)})
    evidence += _birthday_evidence(x, y, reasons)
    evidence += _city_evidence(x, y, city_weight, reasons)
    if x.orgs and not x.orgs.isdisjoint(y.orgs):
        reasons.append({"code": "same_organization"})
        evidence += EVIDENCE["same_organization"]
    score = NAME_WEIGHT * similarity**2 + evidence
    if same_email:
        score = max(score, EMAIL_FLOOR + 0.2 * similarity)
    elif same_phone:
        score = max(score, PHONE_FLOOR + 0.2 * similarity)
    return round(min(1.0, max(0.0, score)), 3), reasons


def _city_weights(records: dict[int, _Record]) -> dict[str, float]:
    """How much sharing each city says: full for a city holding under 2% of the records,
    down to 0.3 for one holding 12% or more (two people in Madrid are not much alike)."""
    counts: dict[str, int] = defaultdict(int)
    for rec in records.values():
        if rec.city:
            counts[rec.city] += 1
    total = max(1, len(records))
    weights = {}
    for city, count in counts.items():
        share = count / total
        if share > 0.02 and count > 50:
            weights[city] = max(0.3, 1.0 - (share - 0.02) * 7)
    return weights


def find_in_records(
    records: dict[int, _Record],
    *,
    min_score: float = FLOOR,
    dismissed: set[tuple[int, int]] | None = None,
) -> list[Pair]:
    """Score the candidate pairs of ``records``; best first."""
    dismissed = dismissed or set()
    city_weight = _city_weights(records)
    seen: set[tuple[int, int]] = set()
    pairs: list[Pair] = []
    for x, y in _candidates(records):
        key = (x.pk, y.pk) if x.pk < y.pk else (y.pk, x.pk)
        if key in seen:
            continue
        seen.add(key)
        if key in dismissed:
            continue
        # Names less alike than NAME_MIN make a pair only with a shared e-mail/phone/site.
        similarity = _name_similarity(x.name, y.name)
        if similarity < NAME_MIN and not _shares_contact(x, y):
            continue
        score, reasons = _score(x, y, similarity, city_weight)
        if score >= min_score:
            pairs.append(Pair(a=key[0], b=key[1], score=score, reasons=reasons))
    pairs.sort(key=lambda p: (-p.score, p.a, p.b))
    return pairs


def read_records(kind: str, *, user: Any | None = None) -> dict[int, _Record]:
    """The comparable form of every live record of ``kind`` the user may see (every
    one for ``user=None``, the system)."""
    qs = _visible(kind, user)
    return _read_people(qs) if kind == DuplicateKind.PERSON else _read_organizations(qs)


def find_duplicates(kind: str, *, user: Any | None = None, min_score: float = FLOOR) -> list[Pair]:
    """Likely duplicate pairs among the records of ``kind`` (``DuplicateKind``) that
    ``user`` may see (all of them for ``user=None``), dismissed pairs left out, best
    first."""
    if not 0.0 <= min_score <= 1.0:
        raise ValueError(_("The minimum score must be between 0 and 1."))
    return find_in_records(
        read_records(kind, user=user), min_score=min_score, dismissed=dismissed_pairs(kind)
    )


# --- words -------------------------------------------------------------------------------


def reason_text(reason: dict[str, Any]) -> str:
    """One reason in the active language."""
    code = reason.get("code")
    if code == "name":
        return _("name %(pct)s%% similar") % {"pct": reason.get("pct", 0)}
    texts = {
        "same_email": _("same e-mail"),
        "same_phone": _("same phone"),
        "same_website": _("same website"),
        "same_name": _("same name"),
        "same_birthday": _("same birthday"),
        "similar_birthday": _("birthday one typo apart"),
        "same_city": _("same city"),
        "similar_city": _("similar city"),
        "same_organization": _("same organization"),
    }
    return texts.get(str(code), str(code))


def reason_texts(reasons: Iterable[dict[str, Any]]) -> list[str]:
    return [reason_text(r) for r in reasons]


def ordered(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


__all__: Sequence[str] = (
    "DEFAULT_MIN_SCORE",
    "Pair",
    "find_duplicates",
    "parse_kind",
    "read_records",
    "reason_texts",
)
