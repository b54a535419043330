"""What an import column can become (``Target``) and a first guess of the mapping from the
file's header names, so a Clientela export, Google Contacts, Outlook, HubSpot or
Salesforce file (in English or Spanish) needs no manual mapping.

A header is normalised (case, accents, punctuation and Google's ``1``/``2`` numbering
ignored), then looked up in the synonym lists of the kind; an unknown header is matched
with rapidfuzz (ratio ≥ 90) against the same synonyms. A target that takes one column
goes to the first column that claims it; ``full_name`` is dropped when first or last
name columns are there too (Google's old export has all three).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.utils.translation import gettext_lazy as _
from rapidfuzz import fuzz, process

from clientela.core.custom_fields import definitions
from clientela.core.kinds import RecordKind, record_kinds
from clientela.integrations.imports.consents import consent_columns
from clientela.integrations.imports.labels import first_of_each_address, outlook_emails
from clientela.integrations.imports.order_columns import (
    ORDER_IGNORED,
    ORDER_SIGNS,
    ORDER_TARGETS,
    ORDERS,
)
from clientela.integrations.imports.synonyms import (
    IGNORED,
    IGNORED_BY_KIND,
    ORGANIZATIONS,
    PEOPLE,
    SHARED,
)

FUZZY_CUTOFF = 90


@dataclass(frozen=True)
class Target:
    """A field an import column can fill: ``key`` is what the converter reads."""

    key: str
    label: Any
    multiple: bool = False


_CONTACT_DETAILS = [
    Target("email", _("E-mail (work)"), True),
    Target("email_personal", _("E-mail (personal)"), True),
    Target("email_other", _("E-mail (other)"), True),
    Target("phone", _("Phone"), True),
    Target("phone_mobile", _("Mobile phone"), True),
    Target("phone_work", _("Work phone"), True),
    Target("phone_home", _("Home phone"), True),
    Target("phone_fax", _("Fax"), True),
    Target("phone_other", _("Other phone"), True),
    # Several columns each: Outlook's business, home and other addresses (grouped by
    # the header's first word, ``labels.address_groups``).
    Target("street", _("Street"), True),
    Target("city", _("City"), True),
    Target("region", _("Region / state"), True),
    Target("postal_code", _("Postal code"), True),
    Target("country", _("Country"), True),
]
_EXPORT_DETAILS = [
    Target("emails", _("E-mails (Clientela export)")),
    Target("phones", _("Phones (Clientela export)")),
    Target("addresses", _("Addresses (Clientela export)")),
    Target("relationships", _("Relationships (Clientela export)")),
]

PEOPLE_TARGETS = [
    Target("first_name", _("First name")),
    Target("last_name", _("Last name")),
    Target("full_name", _("Full name (split into first and last)")),
    *_CONTACT_DETAILS,
    Target("organization", _("Organization (name)")),
    Target("job_title", _("Job title")),
    Target("birthday", _("Birthday")),
    Target("notes", _("Notes"), True),
    Target("tags", _("Tags"), True),
    Target("external_id", _("External id")),
    Target("preferred_language", _("Preferred language")),
    Target("preferred_channel", _("Preferred channel")),
    Target("owner", _("Owner (username)")),
    Target("website", _("Website (kept in the notes)"), True),
    *_EXPORT_DETAILS,
    Target("organizations", _("Organizations (Clientela export)")),
]
ORGANIZATION_TARGETS = [
    Target("name", _("Name")),
    Target("website", _("Website")),
    Target("industry", _("Industry")),
    *_CONTACT_DETAILS,
    Target("notes", _("Notes"), True),
    Target("tags", _("Tags"), True),
    Target("external_id", _("External id")),
    Target("owner", _("Owner (username)")),
    *_EXPORT_DETAILS,
]
TARGETS: dict[str, list[Target]] = {
    "people": PEOPLE_TARGETS,
    "organizations": ORGANIZATION_TARGETS,
    "orders": [Target(key, label, multiple) for key, label, multiple in ORDER_TARGETS],
}


def import_kinds() -> list[RecordKind]:
    """The registered kinds an import can create (``RecordKind.importable``), by the
    path that names them here ("people")."""
    return [k for k in record_kinds() if k.importable and k.path in TARGETS]


def import_kind(key: str) -> RecordKind:
    """The importable kind named ``key`` ("people"); ``KeyError`` for any other."""
    for kind in import_kinds():
        if kind.path == key:
            return kind
    raise KeyError(key)


def targets_for(kind: str, *, consent: bool = True) -> list[Target]:
    """The fixed targets of ``kind``; for people one ``consent:<purpose>:<channel>`` per
    active consent purpose and channel (``imports.consents``; ``consent=False`` leaves
    them out, for a user who may not import consent); then one ``cf:<key>`` per custom
    field."""
    if kind == "orders":
        return list(TARGETS[kind])
    custom = [Target(f"cf:{f.key}", f.label) for f in definitions(import_kind(kind).resource)]
    consents = []
    if kind == "people" and consent:
        consents = [Target(key, label) for key, label in consent_columns()]
    return [*TARGETS[kind], *consents, *custom]


def normalise(header: str) -> str:
    """Casefolded, without accents, punctuation or standalone numbers, single spaces."""
    text = unicodedata.normalize("NFKD", header.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[^a-z0-9]+", " ", text)
    text = re.sub(r"\b\d+\b", " ", text)
    return " ".join(text.split())


@cache
def _synonyms(kind: str) -> dict[str, str]:
    """Normalised header → target key for ``kind`` (kind-specific names win)."""
    table: dict[str, str] = {}
    if kind == "orders":
        # An order file's names mean other things than a contacts file's ("Name" is
        # Shopify's order number): the orders' own tables alone.
        for key, names in ORDERS.items():
            for name in [key, *names]:
                table.setdefault(normalise(name), key)
        for name in ORDER_IGNORED:
            table[normalise(name)] = ""
        return table
    own = PEOPLE if kind == "people" else ORGANIZATIONS
    keys = {t.key for t in TARGETS[kind]}
    for source in (own, SHARED):
        for key, names in source.items():
            if key not in keys:
                continue
            for name in [key, *names]:
                table.setdefault(normalise(name), key)
    for name in [*IGNORED, *IGNORED_BY_KIND[kind]]:
        table[normalise(name)] = ""
    return table


#: Synonyms that other files use for something else (Outlook's "Title" is "Mr."; HubSpot
#: has both "Company Domain Name" and "Website URL"): a column named so loses its target
#: to any other column that claims it by a stronger name.
_WEAK = {normalise(n) for n in ("title", "company domain name", "domain", "primary phone")}


def _guess_one(header: str, kind: str) -> tuple[str, int]:
    """The target key of one header ("" for none) and how sure the guess is (3 exact,
    2 exact but weak, 1 fuzzy)."""
    if header.strip().startswith("cf_"):  # a custom field column of Clientela's export
        return "cf:" + header.strip()[3:], 3
    name = normalise(header)
    if not name:
        return "", 0
    synonyms = _synonyms(kind)
    if name in synonyms:
        return synonyms[name], 2 if name in _WEAK else 3
    match = process.extractOne(name, synonyms.keys(), scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
    return (synonyms[match[0]], 1) if match else ("", 0)


def guess_mapping(headers: list[str], kind: str) -> list[str]:
    """For each column a target key of ``kind`` or ``""`` (ignore the column)."""
    single = {t.key for t in TARGETS[kind] if not t.multiple}
    guesses = [_guess_one(header, kind) for header in headers]
    best: dict[str, tuple[int, int]] = {}  # single target -> (score, column) of its winner
    for column, (key, score) in enumerate(guesses):
        if key in single and score > best.get(key, (0, 0))[0]:
            best[key] = (score, column)
    mapping = [
        key if key not in single or best[key][1] == column else ""
        for column, (key, _score) in enumerate(guesses)
    ]
    if kind == "orders":
        if "customer_first_name" in best or "customer_last_name" in best:
            mapping = ["" if key == "customer_name" else key for key in mapping]
        return mapping
    if "first_name" in best or "last_name" in best:
        mapping = ["" if key == "full_name" else key for key in mapping]
    return outlook_emails(headers, first_of_each_address(headers, mapping))


def guess_kind(headers: list[str]) -> str:
    """``orders`` when two columns say order lines (a quantity, a SKU, a price…);
    else ``people`` when a column holds a person's name, else ``organizations``.

    "Name" / "Nombre" alone is ambiguous (Clientela's organization export has it): with a
    last name, a job title or a birthday it is a person; with an industry or a website
    and none of those, a company.
    """
    orders = _synonyms("orders")
    signs = {orders.get(normalise(h), "") for h in headers if normalise(h) != "name"}
    if len(signs & ORDER_SIGNS) >= 2:
        return "orders"
    people = _synonyms("people")
    found = {people.get(normalise(h), "") for h in headers}
    if found & {"last_name", "job_title", "birthday"}:
        return "people"
    organizations = {_synonyms("organizations").get(normalise(h), "") for h in headers}
    if organizations & {"industry", "website"}:
        return "organizations"
    return "people" if found & {"first_name", "full_name"} else "organizations"
