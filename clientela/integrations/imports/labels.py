"""The kind of a detail as other programs' columns say it.

Google Contacts: each ``Phone 1 - Value`` / ``E-mail 1 - Value`` / ``Website 1 - Value``
column, and each address (``Address 1 - Street``, ``- City``…), has a ``- Label``
(older exports: ``- Type``) column beside it saying Mobile, Work, Home or a label of the
user's own; a label of the user's own ("Tienda", "Casa de verano") gives the kind
"other", and the import's report names the label. Outlook: the address columns come in
groups, ``Business …``, ``Home …`` and ``Other …`` (``… del trabajo``, ``… del
domicilio``, ``Otra …`` in Spanish), each street in up to three columns (``Business
Street 2``, ``Business Street 3``), joined with ", "."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from clientela.core.normalize import fold

_GOOGLE_VALUE = re.compile(
    r"^(e-mail|phone|website|correo electronico|telefono|sitio web) (\d+) - (value|valor)$",
    re.IGNORECASE,
)
#: Google's address columns: ``Address 1 - City`` (``Dirección 1 - Ciudad``).
_GOOGLE_ADDRESS = re.compile(r"^(address|direccion) (\d+) - ", re.IGNORECASE)
_GOOGLE_LABEL_WORDS = ("label", "type", "etiqueta", "tipo")
_WORK_HOME = {
    "work": "work",
    "business": "work",
    "trabajo": "work",
    "home": "home",
    "casa": "home",
    "particular": "home",
}
_OTHER = {"other": "other", "otro": "other", "otra": "other"}
#: Folded labels (English and Spanish, as Google writes them) -> kind.
PHONE_LABELS = {
    **_WORK_HOME,
    **_OTHER,
    "mobile": "mobile",
    "cell": "mobile",
    "movil": "mobile",
    "celular": "mobile",
    "work mobile": "mobile",
    "movil del trabajo": "mobile",
    "iphone": "mobile",
    "fax": "fax",
    "work fax": "fax",
    "home fax": "fax",
    "main": "work",
    "principal": "work",
    "pager": "other",
    "google voice": "other",
}
EMAIL_LABELS = {**_WORK_HOME, **_OTHER, "home": "personal", "casa": "personal"}
EMAIL_LABELS.update(personal="personal", particular="personal", business="work")
ADDRESS_LABELS = {
    **_WORK_HOME,
    **_OTHER,
    "billing": "billing",
    "facturacion": "billing",
    "shipping": "shipping",
    "envio": "shipping",
}


def _label_column(folded: list[str], prefix: str) -> int | None:
    """Google's ``<prefix>Label`` (or ``- Type``, ``- Etiqueta``…) column, if any."""
    for word in _GOOGLE_LABEL_WORDS:
        if prefix + word in folded:
            return folded.index(prefix + word)
    return None


def label_columns(headers: list[str], mapping: list[str]) -> dict[int, int]:
    """Google's value columns mapped to the plain e-mail, phone or website (a column
    mapped to "work phone" keeps that kind) and the label column of each, by index."""
    folded = [fold(h).strip() for h in headers]
    found: dict[int, int] = {}
    for index, header in enumerate(folded):
        if mapping[index] not in ("email", "phone", "website"):
            continue
        match = _GOOGLE_VALUE.match(header)
        if match and (label := _label_column(folded, f"{match[1]} {match[2]} - ")) is not None:
            found[index] = label
    return found


def _folded_label(cells: list[str], index: int | None) -> str:
    if index is None or index >= len(cells):
        return ""
    return fold(cells[index]).strip().removeprefix("* ").strip()


def label_kind(cells: list[str], index: int | None, labels: dict[str, str], kind: str) -> str:
    """The kind the label cell at ``index`` gives ("* Work" is Google's own Work),
    ``kind`` when there is none or it is empty, "other" for a label of the user's own."""
    label = _folded_label(cells, index)
    if not label:
        return kind
    if "fax" in label and "fax" in labels.values():
        return "fax"
    return labels.get(label, "other")


def own_label(cells: list[str], index: int | None, labels: dict[str, str]) -> str:
    """The label at ``index`` as the user wrote it when it is one of their own (no kind
    of Clientela's names it: it became "other"), else ""."""
    label = _folded_label(cells, index)
    if not label or label in labels or ("fax" in label and "fax" in labels.values()):
        return ""
    return cells[index].strip().removeprefix("* ").strip() if index is not None else ""


_ADDRESS_TARGETS = ("street", "city", "region", "postal_code", "country")
#: Folded header words -> the kind of the address its group is.
_ADDRESS_WORDS = {
    "business": "work",
    "work": "work",
    "trabajo": "work",
    "mailing": "work",
    "home": "home",
    "domicilio": "home",
    "particular": "home",
    "billing": "billing",
    "facturacion": "billing",
    "shipping": "shipping",
    "envio": "shipping",
    "other": "other",
    "otra": "other",
    "otro": "other",
}


@dataclass
class AddressGroup:
    """The columns of one address of a row: its kind as the headers say it ("" when
    they do not), each part's column (a street may span several: Outlook's ``Business
    Street 2`` and ``3``) and Google's label column, whose cell gives the kind."""

    kind: str
    parts: dict[str, list[int]] = field(default_factory=dict)
    label: int | None = None


def _group_key(header: str) -> str:
    """Which address of a row a column belongs to: Google's number ("address 2"), else
    the kind its header names ("home")."""
    if match := _GOOGLE_ADDRESS.match(fold(header).strip()):
        return f"#{match.group(2)}"
    return address_kind(header)


#: A street's second and third lines (Outlook's ``Business Street 2``, ``Calle del
#: trabajo 3``): joined to the street, not a second address.
_STREET_LINE = re.compile(r"\b[23]\s*$")


def _continues(target: str, header: str) -> bool:
    return target == "street" and bool(_STREET_LINE.search(header))


def address_groups(headers: list[str], mapping: list[str]) -> list[AddressGroup]:
    """The addresses a row's columns hold, in the file's order (the first is the
    primary): Outlook's business, home and other addresses, Google's ``Address 1``,
    ``Address 2``…, or the one address of a simple file."""
    folded = [fold(h).strip() for h in headers]
    groups: dict[str, AddressGroup] = {}
    for index, target in enumerate(mapping):
        if target not in _ADDRESS_TARGETS:
            continue
        key = _group_key(headers[index])
        group = groups.setdefault(key, AddressGroup(address_kind(headers[index])))
        if target not in group.parts or _continues(target, headers[index]):
            group.parts.setdefault(target, []).append(index)
        if key.startswith("#") and group.label is None:
            group.label = _label_column(folded, folded[index].split(" - ", 1)[0] + " - ")
    return list(groups.values())


def address_kind(header: str) -> str:
    """The kind of address a column's header names ("Home City": home), "" for none."""
    words = re.findall(r"\w+", fold(header))
    return next((_ADDRESS_WORDS[w] for w in words if w in _ADDRESS_WORDS), "")


def first_of_each_address(headers: list[str], mapping: list[str]) -> list[str]:
    """``mapping`` with one column per part of each address ("City" and "Ciudad" are
    one city), a street's second and third lines kept ("Business Street 2")."""
    seen: set[tuple[str, str]] = set()
    result = []
    for header, target in zip(headers, mapping, strict=True):
        key = (target, _group_key(header))
        if target in _ADDRESS_TARGETS and key in seen and not _continues(target, header):
            target = ""
        seen.add(key)
        result.append(target)
    return result


#: Outlook's second and third e-mails (``E-mail 2 Address``, ``Dirección del correo
#: electrónico 3``), which carry no kind.
_OUTLOOK_MORE_EMAILS = re.compile(
    r"^(e-?mail [23] address|direccion del correo electronico [23])$", re.IGNORECASE
)


def outlook_emails(headers: list[str], mapping: list[str]) -> list[str]:
    """``mapping`` with Outlook's second and third e-mails "other" (its first is
    "work", as every plain e-mail column): Outlook does not say what they are."""
    return [
        "email_other"
        if target == "email" and _OUTLOOK_MORE_EMAILS.match(fold(header).strip())
        else target
        for header, target in zip(headers, mapping, strict=True)
    ]
