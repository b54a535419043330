"""A row is never lost for an optional cell.

The services refuse a record with any bad value (a form must say what to fix); an import
of ten years of customers must instead keep the customer and report the cell. So the
runner asks the services (``contacts.bulk.*_check``), and for a refused row:

- ``leave_out`` drops what the services refused, cell by cell (the bad e-mail of two,
  the address with an unknown country, the over-long job title, the custom value that is
  not a number), each checked alone with the services' own cleaners, and reports it;
- ``identify`` gives a person without a name the name of what identifies them (their
  organization, e-mail or phone), as Google Contacts shows such a contact;

then asks the services again. What is finally written passed the services' checks as it
is: every rule they enforce holds for imported rows. Only a row with nothing to
identify the record (no name, e-mail, phone or organization) fails, and a row whose
refusal names no value that could be left out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from clientela.contacts import details as d
from clientela.contacts.models import Person
from clientela.integrations.imports.convert import Converted, Issue

#: How many times a row is checked again after leaving cells out (each round leaves out
#: what the last one refused; a name left out is replaced in the next).
ROUNDS = 3
_NAME_LENGTH = Person._meta.get_field("last_name").max_length or 100


def _email_text(item: d.EmailInput) -> str:
    return str(item.address)


def _phone_text(item: d.PhoneInput) -> str:
    return str(item.number)


def _address_text(item: d.AddressInput) -> str:
    parts = (item.street, item.postal_code, item.city, item.region, item.country)
    return ", ".join(str(p) for p in parts if p)


def _relationship_text(item: d.RelationshipInput) -> str:
    return f"{item.kind} {item.since or ''}".strip()


#: A list's cleaner for one item, and how the item reads in the report.
_LISTS: dict[str, tuple[Callable[[Any], Any], Callable[[Any], str]]] = {
    "emails": (lambda item: d.clean_emails([item]), _email_text),
    "phones": (lambda item: d.clean_phones([item], None), _phone_text),
    "addresses": (lambda item: d.clean_addresses([item]), _address_text),
    "relationships": (lambda item: d.clean_relationships([item]), _relationship_text),
}
#: Error keys that name a list of the data.
_LIST_KEYS = {"email": "emails", "phone": "phones", "country": "addresses"}


def identify(item: Converted) -> str:
    """ "" when the person has a name, or got one from what identifies them (noted);
    else why the row fails."""
    data = item.data
    if str(data.get("first_name") or "").strip() or str(data.get("last_name") or "").strip():
        return ""
    # Only values the services will keep (a bad e-mail is left out, so it names nobody).
    candidates = [name for name, _title in item.organizations]
    candidates += [_email_text(e) for e in data.get("emails", []) if _usable("emails", e)]
    candidates += [_phone_text(p) for p in data.get("phones", []) if _usable("phones", p)]
    name = next((c.strip() for c in candidates if c.strip()), "")
    if not name:
        return _("Nothing identifies this row: no name, e-mail, phone or organization.")
    data.pop("first_name", None)
    data["last_name"] = name[:_NAME_LENGTH]
    item.notes.append(
        Issue("", name[:300], _("No name: shown as “%(name)s”.") % {"name": data["last_name"]})
    )
    return ""


def _usable(key: str, value: Any) -> bool:
    try:
        _LISTS[key][0](value)
    except ValidationError:
        return False
    return True


def _leave_out_items(data: dict[str, Any], key: str) -> list[tuple[str, str, str]]:
    """The items of a list the services refuse on their own; (key, text, message) each.
    A list refused as a whole (too many entries) keeps its first ``MAX_ITEMS``."""
    clean, text = _LISTS[key]
    items = list(data.get(key) or [])
    kept, dropped = [], []
    for value in items:
        try:
            clean(value)
        except ValidationError as exc:
            dropped.append((key, text(value), " ".join(exc.messages)))
            continue
        kept.append(value)
    if not dropped and len(kept) > d.MAX_ITEMS:
        message = _("At most %(n)s entries.") % {"n": d.MAX_ITEMS}
        dropped = [(key, text(v), message) for v in kept[d.MAX_ITEMS :]]
        kept = kept[: d.MAX_ITEMS]
    if kept:
        d._one_primary(kept)
        data[key] = kept
    else:
        data.pop(key, None)
    return dropped


def leave_out(item: Converted, errors: dict[str, list[str]]) -> list[tuple[str, str, str]] | None:
    """Drop from the row what ``errors`` (the services' refusal) name: a list of
    (error key, value as written, message), or None when a refused key is nothing the
    row could go without."""
    data = item.data
    dropped: list[tuple[str, str, str]] = []
    for key, messages in errors.items():
        base, _dot, sub = key.partition(".")
        base = _LIST_KEYS.get(base, base)
        message = " ".join(messages)
        if base in _LISTS and data.get(base):
            dropped += _leave_out_items(data, base)
        elif base == "tags" and data.get("tags"):
            long = [t for t in data["tags"] if len(t.strip()) > 50]
            data["tags"] = [t for t in data["tags"] if len(t.strip()) <= 50]
            dropped += [("tags", t, message) for t in long]
        elif base == "memberships" and item.organizations:
            # The only thing of a membership the check can refuse is its job title.
            titles = [t for _n, t in item.organizations if len(t or "") > 100]
            item.organizations = [
                (n, t if len(t or "") <= 100 else "") for n, t in item.organizations
            ]
            data.pop("memberships", None)
            dropped += [("memberships", t, message) for t in titles]
        elif base == "custom" and sub and sub in (data.get("custom") or {}):
            dropped.append((key, str(data["custom"].pop(sub)), message))
        elif (base in data and base not in ("first_name", "last_name")) or (
            base in ("first_name", "last_name") and len(str(data.get(base) or "")) > _NAME_LENGTH
        ):
            dropped.append((key, str(data.pop(base)), message))
        else:
            return None
    return dropped or None
