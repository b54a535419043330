"""The condition tree: ``{"all": [leaf or group, …]}`` or ``{"any": […]}``, where a
leaf is ``{"field": "city", "op": "eq", "value": "Madrid"}``, parsed against the
fields registered for a resource and compiled to one ``Q`` (subqueries inside).

``parse_conditions`` checks everything at once and raises ``ConditionError`` at the
first problem, with the path to it ("all[1].field") and a translated message, so a page
shows it beside the part and the API answers 422 naming ``rules.all[1].field``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.core.conditions.fields import OPS, ConditionField, condition_field
from clientela.core.conditions.values import DateValue, ValueProblem, clean_value, value_json

#: Groups inside groups, the top one counting as the first level.
MAX_DEPTH = 5
#: Conditions (leaves) in a whole tree.
MAX_LEAVES = 50
GROUPS = ("all", "any")


class ConditionError(Exception):
    """A bad condition tree: ``path`` is where ("all[1].value", "" for the whole
    tree), ``message`` what is wrong, in the user's language."""

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}" if path else message)


@dataclass(frozen=True)
class Leaf:
    field: ConditionField
    op: str
    value: Any

    def to_json(self) -> dict[str, Any]:
        return {"field": self.field.key, "op": self.op, "value": value_json(self.value)}


@dataclass(frozen=True)
class Group:
    """``all`` (every part holds) or ``any`` (at least one does)."""

    kind: str
    parts: tuple[Leaf | Group, ...]

    def to_json(self) -> dict[str, Any]:
        return {self.kind: [p.to_json() for p in self.parts]}

    def leaves(self) -> list[Leaf]:
        found: list[Leaf] = []
        for part in self.parts:
            found.extend(part.leaves() if isinstance(part, Group) else [part])
        return found


#: A parsed tree is its top group.
Condition = Group


def _join(path: str, step: str) -> str:
    return f"{path}.{step}" if path and not step.startswith("[") else f"{path}{step}"


class _Parser:
    def __init__(self, resource: str) -> None:
        self.resource = resource
        self.leaves = 0

    def group(self, data: Any, path: str, depth: int) -> Group:
        if not isinstance(data, dict) or len(data) != 1 or next(iter(data)) not in GROUPS:
            raise ConditionError(path, _('Expected a group: {"all": […]} or {"any": […]}.'))
        kind, parts = next(iter(data.items()))
        here = _join(path, kind)
        if depth > MAX_DEPTH:
            raise ConditionError(here, _("Groups nest at most %(n)s deep.") % {"n": MAX_DEPTH})
        if not isinstance(parts, list):
            raise ConditionError(here, _("Expected a list of conditions."))
        if not parts and depth > 1:
            raise ConditionError(here, _("Add a condition to this group, or remove it."))
        return Group(kind, tuple(self.part(p, f"{here}[{n}]", depth) for n, p in enumerate(parts)))

    def part(self, data: Any, path: str, depth: int) -> Leaf | Group:
        if isinstance(data, dict) and len(data) == 1 and next(iter(data)) in GROUPS:
            return self.group(data, path, depth + 1)
        return self.leaf(data, path)

    def leaf(self, data: Any, path: str) -> Leaf:
        if not isinstance(data, dict) or "field" not in data:
            raise ConditionError(path, _("Expected a condition with a field, or a group."))
        extra = sorted(set(data) - {"field", "op", "value"})
        if extra:
            raise ConditionError(_join(path, str(extra[0])[:30]), _("Unknown key."))
        self.leaves += 1
        if self.leaves > MAX_LEAVES:
            raise ConditionError(path, _("At most %(n)s conditions.") % {"n": MAX_LEAVES})
        key = data["field"]
        found = condition_field(self.resource, key) if isinstance(key, str) else None
        if found is None:
            raise ConditionError(
                _join(path, "field"), _("Unknown field “%(key)s”.") % {"key": str(key)[:50]}
            )
        op = data.get("op")
        if op not in OPS or op not in found.allowed_ops:
            raise ConditionError(
                _join(path, "op"),
                _("Choose one of: %(ops)s.") % {"ops": ", ".join(found.allowed_ops)},
            )
        try:
            value = clean_value(found, op, data.get("value"))
        except ValueProblem as problem:
            raise ConditionError(_join(path, "value"), str(problem)) from None
        return Leaf(found, op, value)


def parse_conditions(resource: str, data: Any) -> Condition:
    """The tree ``data`` (decoded JSON) checked against the fields of ``resource``;
    ``ConditionError`` at the first problem. ``{"all": []}`` picks every record."""
    return _Parser(resource).group(data, "", 1)


def _resolved(value: Any, today: datetime.date) -> Any:
    if isinstance(value, DateValue):
        return value.resolve(today)
    if isinstance(value, list):
        return [_resolved(v, today) for v in value]
    return value


def _compile(user: Any, part: Leaf | Group, today: datetime.date) -> Q:
    if isinstance(part, Leaf):
        return part.field.q(user, part.op, _resolved(part.value, today))
    if not part.parts:
        return Q() if part.kind == "all" else Q(pk__in=[])
    compiled = [_compile(user, p, today) for p in part.parts]
    combined = compiled[0]
    for q in compiled[1:]:
        combined = combined & q if part.kind == "all" else combined | q
    return combined


def compile_conditions(user: Any, resource: str, condition: Condition) -> Q:
    """One filter on ``resource``'s rows for the whole tree; relative dates ("-30d")
    count from today in the current time zone. Scope the queryset it filters to what
    ``user`` may see (the fields scope only what they read from other kinds)."""
    del resource  # the fields were bound to it when parsed
    return _compile(user, condition, timezone.localdate())
