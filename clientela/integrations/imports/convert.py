"""From a row of text cells to the data the contacts services take.

The converter only *reads* text: it splits names, parses dates in the formats
spreadsheets write, turns country names (English or Spanish) into ISO codes, gathers
the e-mail and phone columns, and reads Clientela's own multi-valued export cells back.
Whether the result is a valid person (a real e-mail, a possible phone, a name) is the
services' call (``contacts.bulk``), so an import validates exactly like the form and the
API. Problems the converter finds itself (a date it cannot read) are row issues with the
column and the value, like the services' ones once ``column_of`` has named the column.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from babel import Locale
from django.utils.translation import gettext as _

from clientela.contacts.choices import EmailKind, PhoneKind
from clientela.contacts.details import AddressInput, EmailInput, PhoneInput, RelationshipInput
from clientela.core.choices import Language
from clientela.core.company import default_country
from clientela.core.normalize import fold, read_phone
from clientela.integrations.exports.cells import split_lines, split_tags, unneutralize
from clientela.integrations.imports import consents
from clientela.integrations.imports.dates import (
    ZERO_DATE,
    parse_birthday,
    parse_date,
)
from clientela.integrations.imports.labels import (
    ADDRESS_LABELS,
    EMAIL_LABELS,
    PHONE_LABELS,
    address_groups,
    label_columns,
    label_kind,
    own_label,
)


@dataclass
class Issue:
    """What is wrong with a row: the column (header text, "" for the whole row), the
    value as written and a message for the user."""

    column: str
    value: str
    message: str
    #: The mapping target the cell was read for ("" for the whole row).
    target: str = ""


@dataclass
class Converted:
    """A row read into service data. ``organizations`` are (name, job title) pairs the
    runner turns into memberships once it knows the organizations' ids."""

    number: int
    data: dict[str, Any]
    issues: list[Issue] = field(default_factory=list)
    #: What was left out or assumed without failing the row (a birthday without a year).
    notes: list[Issue] = field(default_factory=list)
    #: Cells whose value could not be used (an unknown country, a date that does not
    #: exist): reported and left out, the rest of the row imported.
    left_out: list[Issue] = field(default_factory=list)
    organizations: list[tuple[str, str]] = field(default_factory=list)
    #: The consent cells that say yes or no: target key ("consent:newsletter:email") ->
    #: granted (``imports.consents``), recorded once the person is written.
    consents: dict[str, bool] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.issues


_EMAIL_KINDS = {
    "email": EmailKind.WORK,
    "email_personal": EmailKind.PERSONAL,
    "email_other": EmailKind.OTHER,
}
_PHONE_KINDS = {
    "phone": PhoneKind.MOBILE,
    "phone_mobile": PhoneKind.MOBILE,
    "phone_work": PhoneKind.WORK,
    "phone_home": PhoneKind.HOME,
    "phone_fax": PhoneKind.FAX,
    "phone_other": PhoneKind.OTHER,
}
_ADDRESS_PARTS = ("street", "city", "region", "postal_code", "country")
_SCALARS = {
    "people": (
        "first_name",
        "last_name",
        "notes",
        "external_id",
        "preferred_language",
        "preferred_channel",
    ),
    "organizations": ("name", "website", "industry", "notes", "external_id"),
}
#: Google Contacts joins several values of one cell with " ::: ".
_GOOGLE_SEPARATOR = " ::: "
#: Google Contacts marks its system groups ("* myContacts", "* starred") with "* ".
_GOOGLE_SYSTEM_LABEL = "* "

# --- countries and names --------------------------------------------------------------------


@cache
def _countries() -> dict[str, str]:
    """Folded country names (English and Spanish, and the codes) -> ISO 3166 code."""
    names: dict[str, str] = {}
    for code in ("en", "es"):
        for key, name in Locale.parse(code).territories.items():
            if len(key) == 2 and key.isalpha():
                names[fold(name)] = key
                names[key.lower()] = key
    aliases = {
        "usa": "US",
        "u.s.a.": "US",
        "u.s.": "US",
        "united states of america": "US",
        "eeuu": "US",
        "ee. uu.": "US",
        "ee.uu.": "US",
        "uk": "GB",
        "england": "GB",
        "great britain": "GB",
        "inglaterra": "GB",
        "holland": "NL",
    }
    names.update(aliases)
    return names


def country_code(text: str) -> str | None:
    """The ISO code of a country written as a code or a name (English or Spanish)."""
    return _countries().get(fold(text.strip()).strip())


def split_full_name(text: str) -> tuple[str, str]:
    """ "Ana García López" -> ("Ana", "García López"); "García, Ana" -> ("Ana", "García")."""
    value = " ".join(text.split())
    if "," in value:
        last, _sep, first = value.partition(",")
        return first.strip(), last.strip()
    first, _sep, last = value.partition(" ")
    return (first, last) if last else ("", first)


def _unknown_country() -> str:
    return _("Unknown country; use its name or ISO code (ES, US…).")


def _kept_as_typed() -> str:
    return _(
        "Kept as typed, not verified: no country reads it as a real number "
        "(add the country code, e.g. +34)."
    )


def _values(cell: str) -> list[str]:
    return [v.strip() for v in cell.split(_GOOGLE_SEPARATOR) if v.strip()]


# --- the converter ----------------------------------------------------------------------------


class Converter:
    """Reads rows of one file for one kind with one mapping (a target key per column).
    ``date_order`` is "dmy"/"mdy" (see ``date_order``); ``languages`` maps folded
    language names to codes; ``neutralized``: the file is a CSV, whose cells that start
    like a formula may have a ``'`` before them."""

    def __init__(
        self,
        *,
        kind: str,
        headers: list[str],
        mapping: list[str],
        order: str = "dmy",
        owners: dict[str, Any] | None = None,
        country: str = "",
        neutralized: bool = True,
    ) -> None:
        self.kind = kind
        #: A cell as the user wrote it: a CSV's cells were neutralized by the program
        #: that wrote it (``'=1+1``), an XLSX's or a vCard's never are.
        self.plain: Callable[[str], str] = unneutralize if neutralized else str
        self.headers = headers
        self.mapping = mapping
        self.order = order
        self.owners = owners or {}
        #: The country of rows that name none (their addresses and local numbers).
        self.country = country
        self.default_country = country or default_country()
        #: Google's e-mail/phone value columns -> their label columns.
        self.labels = label_columns(headers, mapping)
        self.address_groups = address_groups(headers, mapping)
        self.columns: dict[str, list[int]] = defaultdict(list)
        for index, target in enumerate(mapping):
            if target:
                self.columns[target].append(index)

    def column_of(self, key: str, cells: list[str] | None = None, message: str = "") -> str:
        """The header a service error key (``emails``, ``phone``, ``custom.size``…) came
        from, "" when no single column did. With the row's ``cells`` and the error
        ``message``, the column holding the value the message quotes wins (a file has
        several phone columns; the error is about one of them)."""
        indexes = self.column_indexes(key)
        if cells is not None and len(indexes) > 1:
            quoted = re.findall(r"“(.+?)”", message)
            filled = [i for i in indexes if i < len(cells) and cells[i].strip()]
            for index in filled:
                if any(q in cells[index] for q in quoted):
                    return self.headers[index]
            if filled:
                return self.headers[filled[0]]
        return self.headers[indexes[0]] if indexes else ""

    def column_indexes(self, key: str) -> list[int]:
        """The columns a service error key may have come from, most likely first."""
        base = key.split(".", 1)[0]
        candidates = {
            "email": [*_EMAIL_KINDS, "emails"],
            "emails": [*_EMAIL_KINDS, "emails"],
            "phone": [*_PHONE_KINDS, "phones"],
            "phones": [*_PHONE_KINDS, "phones"],
            "addresses": [*_ADDRESS_PARTS, "addresses"],
            "country": ["country", "addresses"],
            "last_name": ["last_name", "full_name", "first_name"],
            "first_name": ["first_name", "full_name"],
            "name": ["name"],
            "memberships": ["organization", "organizations", "job_title"],
            "custom": [f"cf:{key.split('.', 1)[1]}"] if "." in key else [],
        }.get(base, [base])
        return [i for target in candidates for i in self.columns.get(target, [])]

    def convert(self, number: int, cells: list[str]) -> Converted:
        out = Converted(number=number, data={})
        get = self._getter(cells)
        data = out.data
        for name in _SCALARS[self.kind]:
            if self.columns.get(name):
                data[name] = get(name)
        if self.kind == "people":
            self._names(out, get)
            self._birthday(out, cells)
            self._organizations(out, cells, get)
            if websites := self._websites(cells):
                data["notes"] = "\n".join(x for x in (data.get("notes", ""), *websites) if x)
            if language := data.get("preferred_language"):
                data["preferred_language"] = self._language(out, language)
            self._consents(out, cells)
        notes = [self.plain(cells[i]) for i in self.columns.get("notes", []) if cells[i]]
        if len(notes) > 1:
            data["notes"] = "\n\n".join(notes)
        self._address(out, get, cells)
        self._contacts(out, cells)
        self._tags(out, cells)
        self._owner(out, get)
        self._custom(out, cells)
        for name in ("relationships",):
            if self.columns.get(name) and get(name):
                data[name] = [
                    RelationshipInput(
                        kind=r[0], since=self._date(out, name, r[1]) if len(r) > 1 else None
                    )
                    for r in split_lines(get(name))
                ]
        _leave_out(out)
        return out

    # --- pieces ------------------------------------------------------------------------------

    def _getter(self, cells: list[str]) -> Any:
        def get(target: str) -> str:
            indexes = self.columns.get(target)
            return self.plain(cells[indexes[0]]) if indexes else ""

        return get

    def _issue(self, out: Converted, target: str, value: str, message: str) -> None:
        """A cell that cannot be used: left out (``_leave_out``), the row kept."""
        indexes = self.columns.get(target)
        column = self.headers[indexes[0]] if indexes else ""
        out.left_out.append(Issue(column, value[:300], message, target=target))

    def _names(self, out: Converted, get: Any) -> None:
        full = get("full_name")
        if full and not get("first_name") and not get("last_name"):
            out.data["first_name"], out.data["last_name"] = split_full_name(full)

    def _date(self, out: Converted, target: str, text: str) -> datetime.date | None:
        if not text.strip() or ZERO_DATE.match(text.strip()):
            return None
        try:
            return parse_date(text, self.order)
        except ValueError as exc:
            self._issue(out, target, text, str(exc))
            return None

    def _note(self, out: Converted, target: str, value: str, message: str) -> None:
        indexes = self.columns.get(target)
        column = self.headers[indexes[0]] if indexes else ""
        out.notes.append(Issue(column=column, value=value[:300], message=message))

    def _birthday(self, out: Converted, cells: list[str]) -> None:
        if self.columns.get("birthday"):
            text = self.plain(cells[self.columns["birthday"][0]])
            if not text.strip() or ZERO_DATE.match(text.strip()):
                return
            try:
                out.data["birthday"] = parse_birthday(text, self.order)
            except ValueError as exc:
                self._issue(out, "birthday", text, str(exc))

    def _language(self, out: Converted, text: str) -> str:
        folded = fold(text.strip())
        for code, label in Language.choices:
            if folded in (code, fold(str(label))) or folded[:2] == code:
                return code
        self._issue(
            out,
            "preferred_language",
            text,
            _("Unknown language; use one of: %(codes)s.")
            % {"codes": ", ".join(c for c, _label in Language.choices)},
        )
        return ""

    def _labelled(
        self, out: Converted, cells: list[str], index: int | None, labels: dict[str, str], kind: str
    ) -> str:
        """The kind a label cell gives; a label of the user's own is "other", noted."""
        if label := own_label(cells, index, labels):
            message = _("Label of your own “%(label)s”: imported as Other.") % {"label": label}
            out.notes.append(Issue(self.headers[index or 0], label[:300], message))
        return label_kind(cells, index, labels, kind)

    def _websites(self, cells: list[str]) -> list[str]:
        """A person's web pages, for the notes ("Blog: https://…" with Google's label)."""
        found = []
        for index in self.columns.get("website", []):
            label = own_label(cells, self.labels.get(index), {})
            found += [f"{label}: {v}" if label else v for v in _values(self.plain(cells[index]))]
        return found

    def _contacts(self, out: Converted, cells: list[str]) -> None:
        emails: list[EmailInput] = []
        phones: list[PhoneInput] = []
        # Clientela's own export cells first: they carry each value's kind, and the
        # export's single "e-mail"/"phone" columns repeat the primary one.
        self._export_contacts(cells, emails, phones)
        for target, email_kind in _EMAIL_KINDS.items():
            for index in self.columns.get(target, []):
                kind = self._labelled(out, cells, self.labels.get(index), EMAIL_LABELS, email_kind)
                emails += [EmailInput(v, kind) for v in _values(self.plain(cells[index]))]
        for target, phone_kind in _PHONE_KINDS.items():
            if target == "phone" and self.kind == "organizations":
                phone_kind = PhoneKind.WORK  # a company's "Phone" is its main line
            for index in self.columns.get(target, []):
                kind = self._labelled(out, cells, self.labels.get(index), PHONE_LABELS, phone_kind)
                phones += [PhoneInput(v, kind) for v in _values(self.plain(cells[index]))]
        if emails:
            out.data["emails"] = _first_primary(_unique(emails, "address"))
        if phones:
            out.data["phones"] = _first_primary(_unique(phones, "number"))
            self._read_phones(out, out.data["phones"], cells)

    def _read_phones(self, out: Converted, phones: list[PhoneInput], cells: list[str]) -> None:
        """Each number in E.164, read in the row's address country, else the import's,
        else the company's; one that none of them reads is kept as typed, unverified
        (the services keep it so), and the row says so."""
        countries = [a.country for a in out.data.get("addresses", []) if a.is_primary]
        regions = [r for r in (*countries, self.country, self.default_country) if r]
        for phone in phones:
            for region in dict.fromkeys(regions):
                if (number := read_phone(phone.number, region)) is not None:
                    phone.number = number
                    break
            else:
                phone.verified = False
                indexes = [i for t in (*_PHONE_KINDS, "phones") for i in self.columns.get(t, [])]
                column = next((self.headers[i] for i in indexes if phone.number in cells[i]), "")
                out.notes.append(Issue(column, phone.number[:300], _kept_as_typed(), "phones"))

    def _export_contacts(
        self, cells: list[str], emails: list[EmailInput], phones: list[PhoneInput]
    ) -> None:
        for index in self.columns.get("emails", []):
            emails += [
                EmailInput(r[0], r[1]) if len(r) > 1 else EmailInput(r[0])
                for r in split_lines(self.plain(cells[index]))
            ]
        for index in self.columns.get("phones", []):
            phones += [
                PhoneInput(r[0], r[1]) if len(r) > 1 else PhoneInput(r[0])
                for r in split_lines(self.plain(cells[index]))
            ]

    def _address(self, out: Converted, get: Any, cells: list[str]) -> None:
        addresses: list[AddressInput] = []
        # Clientela's export: the "city"/"country" columns repeat the primary address of
        # the complete "addresses" cell, which alone is read.
        exported = bool(self.columns.get("addresses") and get("addresses"))
        for group in [] if exported else self.address_groups:
            parts = {
                n: ", ".join(v for i in indexes if (v := self.plain(cells[i]).strip()))
                for n, indexes in group.parts.items()
            }
            first = {n: indexes[0] for n, indexes in group.parts.items()}
            address = self._one_address(out, {n: parts.get(n, "") for n in _ADDRESS_PARTS}, first)
            if address is not None:
                kind = group.kind or address.kind
                address.kind = self._labelled(out, cells, group.label, ADDRESS_LABELS, kind)
                addresses.append(address)
        if self.columns.get("addresses") and get("addresses"):
            for row in split_lines(get("addresses")):
                street, postal, city, region, country, kind = (row + [""] * 6)[:6]
                addresses.append(
                    AddressInput(
                        country=country_code(country) or country,
                        kind=kind or "work",
                        street=street,
                        city=city,
                        region=region,
                        postal_code=postal,
                    )
                )
        if addresses:
            out.data["addresses"] = _first_primary(addresses)

    def _one_address(
        self, out: Converted, parts: dict[str, str], indexes: dict[str, int]
    ) -> AddressInput | None:
        """One address of the row; None if empty or its country unknown (left out)."""
        if not any(parts.values()):
            return None
        raw_country = parts.pop("country")
        code = country_code(raw_country) if raw_country else ""
        if code is None:
            column = self.headers[indexes["country"]]
            out.left_out.append(Issue(column, raw_country[:300], _unknown_country(), "country"))
            return None
        if not code and any(parts.values()):
            # No country given: an address needs one, so the import's country (or the
            # company's default country) is taken; the row says so.
            code = self.default_country
            column = self.headers[indexes.get("city", indexes.get("street", 0))]
            message = _("No country given: %(code)s assumed.") % {"code": code}
            out.notes.append(Issue(column, (parts["city"] or parts["street"])[:300], message))
        street, city, region, postal = (
            parts[k] for k in ("street", "city", "region", "postal_code")
        )
        return AddressInput(code, street=street, city=city, region=region, postal_code=postal)

    def _organizations(self, out: Converted, cells: list[str], get: Any) -> None:
        name, title = get("organization"), get("job_title")
        if name:
            out.organizations.append((name, title))
        if self.columns.get("organizations") and get("organizations"):
            for row in split_lines(get("organizations")):
                out.organizations.append((row[0], row[1] if len(row) > 1 else ""))

    def _tags(self, out: Converted, cells: list[str]) -> None:
        names: list[str] = []
        for index in self.columns.get("tags", []):
            for value in _values(self.plain(cells[index])):
                if value.startswith(_GOOGLE_SYSTEM_LABEL):
                    # Google's own groups ("* myContacts", "* starred"): not the user's tags.
                    continue
                names += split_tags(value, separator=";" if _semicolons(value) else ",")
        if names:
            seen: dict[str, str] = {}
            for tag in names:
                seen.setdefault(tag.strip().casefold(), tag.strip())
            out.data["tags"] = list(seen.values())

    def _owner(self, out: Converted, get: Any) -> None:
        username = get("owner").strip()
        if not username:
            return
        user = self.owners.get(username.casefold())
        if user is None:
            self._issue(
                out, "owner", username, _("No active user with this name, login or e-mail.")
            )
        else:
            out.data["owner"] = user

    def _consents(self, out: Converted, cells: list[str]) -> None:
        for target, indexes in self.columns.items():
            if consents.is_consent(target):
                text = self.plain(cells[indexes[0]])
                try:
                    value = consents.read_cell(text)
                except ValueError:
                    self._issue(out, target, text, str(consents.NOT_YES_OR_NO % {"value": text}))
                    continue
                if value is not None:
                    out.consents[target] = value

    def _custom(self, out: Converted, cells: list[str]) -> None:
        custom = {}
        for target, indexes in self.columns.items():
            if target.startswith("cf:"):
                text = self.plain(cells[indexes[0]])
                if text:
                    custom[target[3:]] = _custom_value(text)
        if custom:
            out.data["custom"] = custom


#: The data key a left-out cell's target fills.
_TARGET_KEYS = {"country": "addresses", "birthday": "birthday"}


def _leave_out(out: Converted) -> None:
    """Drop what the left-out cells would have set, so that an update keeps the value
    the record has (a date that could not be read is not a date removed)."""
    for issue in out.left_out:
        key = _TARGET_KEYS.get(issue.target, issue.target)
        if key in out.data and out.data[key] in (None, "", []):
            del out.data[key]


def _semicolons(value: str) -> bool:
    """Outlook separates categories with ";" ("Clientes;VIP"); our exports and the
    others with ",". A ";" inside a tag of our own export is quoted, so outside quotes
    it separates."""
    outside = re.sub(r'"[^"]*"', "", value)
    return ";" in outside and "," not in outside


def _custom_value(text: str) -> Any:
    """Exports write yes/no fields as "yes"/"no"; the custom field cleaner reads the
    rest from text."""
    return {"yes": True, "no": False, "sí": True, "si": True}.get(text.strip().lower(), text)


def _unique(items: list[Any], attr: str) -> list[Any]:
    seen: set[str] = set()
    result = []
    for item in items:
        key = getattr(item, attr).strip().casefold()
        if key not in seen:
            seen.add(key)
            result.append(item)
    return result


def _first_primary(items: list[Any]) -> list[Any]:
    for position, item in enumerate(items):
        item.is_primary = position == 0
    return items
