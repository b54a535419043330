"""The registry of condition fields: what a condition tree (``core.conditions.tree``)
may test on a kind of record, registered by the app that owns the data.

A field is a key ("city", "custom.size", "purchases.product"), a label, the resource
whose records it picks ("contacts.person"), a value type, the operators it allows and
``q(user, op, value) -> Q``: a filter on the resource's own rows (its fields, or its
``pk`` in a subquery) that counts only what ``user`` may see. ``value`` arrives already
checked and converted for the type (``values.clean_value``). Fields whose set depends
on data (one per custom field) come from a ``FieldSource``, asked each time.

Marketing's segments use it for people and organizations; automation's rules later use
it on any kind (issue 16), so nothing here knows a domain.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q

#: The operators a condition may use, exactly these.
OPS = ("eq", "ne", "in", "contains", "gt", "lt", "before", "after", "exists")


class FieldType:
    """The kinds of value a field takes; each decides how a value is checked
    (``values.clean_value``) and which operators a field allows by default."""

    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    CHOICE = "choice"
    TAGS = "tags"
    BOOL = "bool"
    #: An amount and a number of days (``{"amount": "500", "days": 180}``): "spent more
    #: than 500 in the last 180 days".
    AMOUNT_DAYS = "amount_days"

    ALL = (TEXT, NUMBER, DATE, CHOICE, TAGS, BOOL, AMOUNT_DAYS)


DEFAULT_OPS: dict[str, tuple[str, ...]] = {
    FieldType.TEXT: ("eq", "ne", "in", "contains", "exists"),
    FieldType.NUMBER: ("eq", "ne", "gt", "lt", "exists"),
    FieldType.DATE: ("before", "after", "exists"),
    FieldType.CHOICE: ("eq", "ne", "in", "exists"),
    FieldType.TAGS: ("contains", "ne", "in", "exists"),
    FieldType.BOOL: ("eq",),
    FieldType.AMOUNT_DAYS: ("gt", "lt"),
}

#: (user, op, value) -> a filter on the resource's rows.
FieldQ = Callable[[Any, str, Any], Q]


@dataclass(frozen=True, kw_only=True)
class ConditionField:
    """One thing a condition can test on records of ``resource``."""

    key: str
    label: Any
    resource: str
    type: str
    q: FieldQ
    #: The operators allowed (a subset of ``OPS``); empty: the type's defaults.
    ops: tuple[str, ...] = ()
    #: For choice (and tag) fields, the values offered as (value, label). A choice
    #: field's value must be one of them; a tag field's need not (a tag may come later).
    choices: Callable[[], Sequence[tuple[str, Any]]] | None = None
    #: The heading the editor lists the field under ("Person", "Purchases").
    group: Any = ""
    #: A line under the value input (what the value means).
    help: Any = ""
    order: int = 100

    def __post_init__(self) -> None:
        if self.type not in FieldType.ALL:
            raise ImproperlyConfigured(f"Condition field {self.key!r}: unknown type {self.type!r}")
        unknown = set(self.ops) - set(OPS)
        if unknown:
            raise ImproperlyConfigured(f"Condition field {self.key!r}: unknown ops {unknown}")

    @property
    def allowed_ops(self) -> tuple[str, ...]:
        return self.ops or DEFAULT_OPS[self.type]

    def choice_list(self) -> list[tuple[str, str]]:
        return [(str(v), str(label)) for v, label in (self.choices() if self.choices else [])]


@dataclass(frozen=True)
class FieldSource:
    """Fields that exist as the data says (one per custom field): ``fields()`` lists
    them when asked; their keys start with ``prefix``."""

    resource: str
    prefix: str
    fields: Callable[[], list[ConditionField]] = field(compare=False)


_fields: dict[str, dict[str, ConditionField]] = defaultdict(dict)
_sources: dict[str, dict[str, FieldSource]] = defaultdict(dict)


def register_condition_field(condition_field: ConditionField) -> None:
    """Offer ``condition_field`` on its resource (in the owning app's ``ready()``);
    registering a key again replaces it."""
    _fields[condition_field.resource][condition_field.key] = condition_field


def register_field_source(source: FieldSource) -> None:
    _sources[source.resource][source.prefix] = source


def condition_fields(resource: str) -> list[ConditionField]:
    """Every field offered on ``resource``: the registered ones and those of its
    sources, by group order then key."""
    found = dict(_fields.get(resource, {}))
    for source in _sources.get(resource, {}).values():
        found.update({f.key: f for f in source.fields()})
    return sorted(found.values(), key=lambda f: (f.order, str(f.group), f.key))


def condition_field(resource: str, key: str) -> ConditionField | None:
    """The field ``key`` of ``resource``, or None."""
    registered = _fields.get(resource, {}).get(key)
    if registered is not None:
        return registered
    for prefix, source in _sources.get(resource, {}).items():
        if key.startswith(prefix):
            return next((f for f in source.fields() if f.key == key), None)
    return None


def condition_resources() -> list[str]:
    """The resources something registered condition fields on."""
    return sorted(set(_fields) | set(_sources))
