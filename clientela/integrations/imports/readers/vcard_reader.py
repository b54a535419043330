"""vCard 2.1/3.0/4.0: split on ``BEGIN:VCARD``/``END:VCARD`` lines here, each card
parsed by vobject, so memory holds one contact. The table has fixed headers that are the
column keys of Clientela's own export (``VCARD_PEOPLE_HEADERS``, or
``VCARD_ORGANIZATION_HEADERS`` when the first card is ``KIND:org``), multi-valued cells
in the formats of ``exports/cells.py``. ``PHOTO``, ``LOGO``, ``SOUND`` and ``KEY`` are
dropped while reading (they can be megabytes of base64 and Clientela has nowhere to keep
them)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import vobject
from django.utils.translation import gettext as _

from clientela.integrations.exports.cells import join_lines, join_tags
from clientela.integrations.imports.readers.base import (
    REPLACEMENT,
    ImportFileError,
    Row,
    Table,
    limited_count,
    no_data_error,
    undecodable,
)

VCARD_PEOPLE_HEADERS = [
    "id",
    "first_name",
    "last_name",
    "emails",
    "phones",
    "addresses",
    "organizations",
    "job_title",
    "birthday",
    "notes",
    "tags",
    "website",
    "external_id",
    "preferred_language",
    "preferred_channel",
    "owner",
    "relationships",
]
VCARD_ORGANIZATION_HEADERS = [
    "id",
    "name",
    "website",
    "emails",
    "phones",
    "addresses",
    "notes",
    "tags",
    "external_id",
    "owner",
    "relationships",
]


_SKIPPED_PROPERTIES = ("PHOTO", "LOGO", "SOUND", "KEY")
_CONTENT_LINE = re.compile(r"^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)?[;:]")
_DATE = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})(T.*)?$")
_NO_YEAR = re.compile(r"^--(\d{2})-?(\d{2})$")


def _property_name(line: str) -> str:
    name = re.split(r"[;:]", line, maxsplit=1)[0]
    return name.rsplit(".", 1)[-1].upper()


@dataclass
class _Card:
    number: int
    lines: list[tuple[int, str]] = field(default_factory=list)
    flagged: bool = False
    ended: bool = True


class VcardTable(Table):
    format = "vcf"

    def __init__(self, path: Path, headers: list[str], encoding: str) -> None:
        super().__init__(path, headers)
        self.file_encoding = encoding
        self.organizations = headers is VCARD_ORGANIZATION_HEADERS

    @classmethod
    def open(cls, path: Path, encoding: str) -> VcardTable:
        with open(path, encoding=encoding, errors="replace") as stream:
            for number, line in enumerate(stream, start=1):
                if not line.strip():
                    continue
                if line.strip().upper() != "BEGIN:VCARD":
                    raise ImportFileError(
                        _(
                            "Line %(line)s: a vCard file starts with BEGIN:VCARD, this one "
                            "does not. Export the contacts again as vCard (.vcf)."
                        )
                        % {"line": number},
                        line=number,
                    )
                break
        table = cls(path, VCARD_PEOPLE_HEADERS, encoding)
        first = next(table._cards(), None)
        if first is None:
            raise no_data_error()
        if any(re.match(r"^KIND:\s*org", text, re.I) for _n, text in first.lines):
            table = cls(path, VCARD_ORGANIZATION_HEADERS, encoding)
        return table

    def _cards(self) -> Iterator[_Card]:
        """Each contact's physical lines, with the big binary properties left out."""
        card: _Card | None = None
        skipping = False
        with open(self.path, encoding=self.file_encoding, errors="replace") as stream:
            for number, raw in enumerate(stream, start=1):
                line = raw.rstrip("\r\n")
                marker = line.strip().upper()
                if marker == "BEGIN:VCARD":
                    if card is not None:
                        card.ended = False
                        yield card
                    card, skipping = _Card(number), False
                    continue
                if card is None:
                    continue  # text between contacts
                if marker == "END:VCARD":
                    yield card
                    card = None
                    continue
                if skipping and (not line.strip() or line[:1] in " \t"):
                    continue
                skipping = _property_name(line) in _SKIPPED_PROPERTIES
                if skipping:
                    continue
                if REPLACEMENT in line:
                    card.flagged = True
                card.lines.append((number, line))
        if card is not None:
            card.ended = False
            yield card

    def count_rows(self) -> int:
        with open(self.path, encoding=self.file_encoding, errors="replace") as stream:
            return limited_count(line for line in stream if line.strip().upper() == "BEGIN:VCARD")

    def rows(self, start: int = 0) -> Iterator[Row]:
        for index, card in enumerate(self._cards()):
            if index >= start:
                yield self._row(card)

    def _row(self, card: _Card) -> Row:
        empty = [""] * len(self.headers)
        if not card.ended:
            message = _("This contact has no END:VCARD line; it is skipped.")
            return Row(card.number, empty, [(None, message)])
        logical: list[str] = []
        for number, line in card.lines:
            if line[:1] in " \t" and logical:
                logical[-1] += line[1:]
            elif (
                logical
                and logical[-1].endswith("=")
                and "QUOTED-PRINTABLE" in (logical[-1].split(":", 1)[0].upper())
            ):
                logical[-1] = logical[-1][:-1] + line  # quoted-printable soft line break
            elif not line.strip():
                continue
            elif not _CONTENT_LINE.match(line):
                message = _(
                    "Line %(line)s: this line of the contact cannot be read (a long line "
                    "folded without a leading space?); the contact is skipped. Fix the line "
                    "or export the contact again."
                ) % {"line": number}
                return Row(card.number, empty, [(None, message)])
            else:
                logical.append(line)

        text = "\r\n".join(["BEGIN:VCARD", *logical, "END:VCARD"]) + "\r\n"
        try:
            parsed = vobject.readOne(text, allowQP=True)
            values, cell_problems = _card_values(parsed, organizations=self.organizations)
        except Exception as error:  # vobject raises many kinds on a malformed card
            message = _("This contact cannot be read (%(error)s); it is skipped.") % {
                "error": error
            }
            return Row(card.number, empty, [(None, message)])
        problems: list[tuple[int | None, str]] = [
            (self.headers.index(key), message) for key, message in cell_problems
        ]
        if card.flagged:
            problems.append((None, undecodable(self.file_encoding)))
        return Row(card.number, [values.get(h, "") for h in self.headers], problems)


def _text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return " ".join(_text(v) for v in value if _text(v))
    return str(value or "").strip()


def _types(prop: Any, labels: dict[str, str]) -> set[str]:
    """The lowercased TYPE values (``TYPE=a,b``, repeated ``TYPE=``, 2.1 bare
    parameters), ``pref`` when preferred, and words of an iOS ``X-ABLabel``."""
    found: set[str] = set()
    for value in prop.params.get("TYPE", []):
        found.update(v.strip().strip('"').lower() for v in value.split(","))
    found.update(p.lower() for p in prop.singletonparams)
    if prop.params.get("PREF"):
        found.add("pref")
    label = labels.get(prop.group or "", "")
    found.update(re.findall(r"[a-z]+", label.lower()))
    return found


def _ordered(props: list[Any], labels: dict[str, str]) -> list[tuple[Any, set[str]]]:
    typed = [(p, _types(p, labels)) for p in props]
    return sorted(typed, key=lambda pt: "pref" not in pt[1])


def _email_kind(types: set[str]) -> str:
    if "work" in types:
        return "work"
    if types & {"home", "personal"}:
        return "personal"
    return "other"


def _phone_kind(types: set[str]) -> str:
    if "fax" in types:
        return "fax"
    if types & {"cell", "mobile", "iphone", "movil", "móvil"}:
        return "mobile"
    if "work" in types:
        return "work"
    if "home" in types:
        return "home"
    return "other"


def _phone_number(value: str) -> str:
    if value.lower().startswith("tel:"):
        value = value[4:]
        number, _sep, rest = value.partition(";")
        extension = re.search(r"ext=([^;]+)", rest)
        return f"{number} ext. {extension.group(1)}" if extension else number
    return value


def _unquoted(text: str) -> str:
    """A category as written, without the quotes some phones put around it (a quote
    inside or at one end is part of the name)."""
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1].strip()
    return text


def _birthday(value: str, omit_year: str | None = None) -> tuple[str, str | None]:
    """The ISO date of a BDAY (``--MM-DD`` without the year), or "" with the problem.
    Apple writes a birthday without a year as ``X-APPLE-OMIT-YEAR=1604:1604-12-24``."""
    text = value.strip()
    if match := _NO_YEAR.match(text):
        return f"--{match.group(1)}-{match.group(2)}", None  # vCard 4's --MMDD, vCard 3's --MM-DD
    match = _DATE.match(text)
    if match:
        year, month, day = (int(g) for g in match.groups()[:3])
        if omit_year and omit_year.strip() == match.group(1):
            return f"--{month:02d}-{day:02d}", None
        try:
            return datetime.date(year, month, day).isoformat(), None
        except ValueError:
            return "", _("The birthday %(value)s is not a valid date.") % {"value": text}
    return text, None  # another form: the converter parses (or rejects) it


class _Properties:
    """A parsed card's properties by upper-case name, and the iOS labels of its groups."""

    def __init__(self, card: Any) -> None:
        self.by_name: dict[str, list[Any]] = {}
        self.labels: dict[str, str] = {}
        for prop in card.getChildren():
            self.by_name.setdefault(prop.name.upper(), []).append(prop)
            if prop.name.upper() == "X-ABLABEL" and prop.group:
                self.labels[prop.group] = str(prop.value)

    def all(self, name: str) -> list[Any]:
        return self.by_name.get(name, [])

    def ordered(self, name: str) -> list[tuple[Any, set[str]]]:
        """The properties of ``name`` with their types, the preferred ones first."""
        return _ordered(self.all(name), self.labels)

    def first(self, name: str) -> str:
        props = self.ordered(name)
        return _text(props[0][0].value) if props else ""


def _addresses(props: _Properties) -> str:
    addresses = []
    for prop, types in props.ordered("ADR"):
        a = prop.value
        street = ", ".join(s for s in (_text(a.box), _text(a.extended), _text(a.street)) if s)
        kind = _text(prop.params.get("X-KIND", [""])[0]).lower()
        kind = kind or ("work" if "work" in types else "home" if "home" in types else "other")
        parts = (street, _text(a.code), _text(a.city), _text(a.region), _text(a.country))
        if any(parts):
            addresses.append((*parts, kind))
    return join_lines(addresses)


def _tags(props: _Properties) -> str:
    tags: list[str] = []
    for prop in props.all("CATEGORIES"):
        raw = prop.value if isinstance(prop.value, list) else str(prop.value).split(",")
        tags += [tag for tag in (_unquoted(t) for t in raw) if tag]
    return join_tags(tags)


def _card_values(card: Any, *, organizations: bool) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """A parsed vCard as the cells of Clientela's export columns, and cell problems."""
    props = _Properties(card)
    first = props.first
    values: dict[str, str] = {}
    values["emails"] = join_lines(
        (_text(p.value), _email_kind(t)) for p, t in props.ordered("EMAIL") if _text(p.value)
    )
    values["phones"] = join_lines(
        (_phone_number(_text(p.value)), _phone_kind(t))
        for p, t in props.ordered("TEL")
        if _text(p.value)
    )
    values["addresses"] = _addresses(props)
    values["tags"] = _tags(props)
    values["notes"] = "\n\n".join(_text(p.value) for p in props.all("NOTE") if p.value)
    values["website"] = first("URL")
    values["id"] = first("X-CLIENTELA-ID")
    values["owner"] = first("X-CLIENTELA-OWNER")
    values["preferred_channel"] = first("X-CLIENTELA-CHANNEL")
    values["preferred_language"] = first("LANG")
    # Clientela's own UID is derived from its id: only another program's UID is an
    # external id.
    values["external_id"] = first("X-CLIENTELA-EXTERNAL-ID") or (
        "" if values["id"] else first("UID")
    )
    values["relationships"] = join_lines(
        [part.replace("\\;", ";") for part in re.split(r"(?<!\\);", str(p.value))]
        for p in props.all("X-CLIENTELA-RELATIONSHIP")
    )
    org_names = [
        (_text(p.value[0] if isinstance(p.value, list) else p.value))
        for p, _t in props.ordered("ORG")
    ]
    org_names = [n for n in org_names if n]
    if organizations:
        values["name"] = first("FN") or (org_names[0] if org_names else "")
        return values, []
    return values, _person_values(values, props, org_names)


def _person_values(
    values: dict[str, str], props: _Properties, org_names: list[str]
) -> list[tuple[str, str]]:
    """Adds a person's name, organizations, job title and birthday to ``values``;
    returns the cell problems."""
    first = props.first
    name = props.by_name.get("N", [None])[0]
    given = _text([name.value.given, name.value.additional]) if name else ""
    family = _text(name.value.family) if name else ""
    if not (given or family):
        words = first("FN").split()  # no N: the last word is taken as the family name
        given, family = (" ".join(words[:-1]), words[-1]) if len(words) > 1 else (first("FN"), "")
    values["first_name"], values["last_name"] = given, family
    title = first("TITLE")
    if org_names:
        values["organizations"] = join_lines(
            [(org_names[0], title), *((n, "") for n in org_names[1:])]
        )
    else:
        values["job_title"] = title
    problems: list[tuple[str, str]] = []
    bday = first("BDAY")
    if bday:
        omit = props.ordered("BDAY")[0][0].params.get("X-APPLE-OMIT-YEAR", [None])[0]
        values["birthday"], problem = _birthday(bday, omit)
        if problem:
            problems.append(("birthday", problem))
    return problems
