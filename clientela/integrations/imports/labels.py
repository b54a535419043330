"""The kind of a detail as other programs' columns say it.

Google Contacts: each ``Phone 1 - Value`` / ``E-mail 1 - Value`` column has a ``- Label``
(older exports: ``- Type``) column beside it saying Mobile, Work, Home or a label of the
user's own. Outlook: the address columns come in groups, ``Business …``, ``Home …`` and
``Other …`` (``… del trabajo``, ``… del domicilio``, ``Otra …`` in Spanish)."""

from __future__ import annotations

import re

from clientela.core.normalize import fold

_GOOGLE_VALUE = re.compile(
    r"^(e-mail|phone|correo electronico|telefono) (\d+) - (value|valor)$", re.IGNORECASE
)
_GOOGLE_LABEL_WORDS = ("label", "type", "etiqueta", "tipo")
#: Folded labels (English and Spanish, as Google writes them) -> kind.
PHONE_LABELS = {
    "mobile": "mobile",
    "cell": "mobile",
    "movil": "mobile",
    "celular": "mobile",
    "work": "work",
    "business": "work",
    "trabajo": "work",
    "home": "home",
    "casa": "home",
    "particular": "home",
    "fax": "fax",
    "work fax": "fax",
    "home fax": "fax",
}
EMAIL_LABELS = {
    "work": "work",
    "trabajo": "work",
    "home": "personal",
    "casa": "personal",
    "personal": "personal",
    "particular": "personal",
}


def label_columns(headers: list[str], mapping: list[str]) -> dict[int, int]:
    """Google's value columns mapped to the plain e-mail or phone (a column mapped to
    "work phone" keeps that kind) and the label column of each, by index."""
    folded = [fold(h).strip() for h in headers]
    found: dict[int, int] = {}
    for index, header in enumerate(folded):
        if mapping[index] not in ("email", "phone"):
            continue
        if match := _GOOGLE_VALUE.match(header):
            prefix = f"{match.group(1)} {match.group(2)} - "
            for word in _GOOGLE_LABEL_WORDS:
                if prefix + word in folded:
                    found[index] = folded.index(prefix + word)
                    break
    return found


def label_kind(cells: list[str], index: int | None, labels: dict[str, str], kind: str) -> str:
    """The kind the label cell at ``index`` gives ("* Work" is Google's own Work),
    ``kind`` when there is none or it is empty, "other" for a label of the user's own."""
    if index is None:
        return kind
    label = fold(cells[index]).strip().removeprefix("* ").strip()
    if not label:
        return kind
    if "fax" in label and "fax" in labels.values():
        return "fax"
    return labels.get(label, "other")


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


def address_groups(headers: list[str], mapping: list[str]) -> list[tuple[str, dict[str, int]]]:
    """The addresses of a row when several columns fill the same part of one (Outlook's
    business, home and other addresses): (kind, part -> column) each, in the file's
    order (the first is the primary); [] for a file of one address."""
    if not any(mapping.count(target) > 1 for target in _ADDRESS_TARGETS):
        return []
    groups: dict[str, dict[str, int]] = {}
    for index, target in enumerate(mapping):
        if target in _ADDRESS_TARGETS:
            groups.setdefault(address_kind(headers[index]), {}).setdefault(target, index)
    return list(groups.items())


def address_kind(header: str) -> str:
    """The kind of address a column's header names ("Home City": home), "" for none."""
    words = re.findall(r"\w+", fold(header))
    return next((_ADDRESS_WORDS[w] for w in words if w in _ADDRESS_WORDS), "")


def first_of_each_address(headers: list[str], mapping: list[str]) -> list[str]:
    """``mapping`` with one column per part of each address ("City" and "Ciudad" are
    one city; "Business Street 2" is not a second business street)."""
    seen: set[tuple[str, str]] = set()
    result = []
    for header, target in zip(headers, mapping, strict=True):
        key = (target, address_kind(header))
        if target in _ADDRESS_TARGETS and key in seen:
            target = ""
        seen.add(key)
        result.append(target)
    return result
