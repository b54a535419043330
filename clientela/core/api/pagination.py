"""Keyset ("cursor") pagination for any ordered queryset.

A page is ``WHERE (sort columns…, id) come after the last row's values ORDER BY … LIMIT
n+1``: the database seeks instead of counting past earlier rows, pages stay correct
while records are added or removed, and the cost of page 500 is that of page 1.

The cursor carries the last row's sort values and the ordering they belong to, signed
with the secret key: opaque to clients, and a tampered cursor is refused rather than
turned into a query. NULLs sort as the smallest value on every database (SQLite and
PostgreSQL disagree by default), which the keyset condition mirrors.
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core import signing
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db.models import F, Field, Model, Q, QuerySet
from django.db.models.expressions import OrderBy
from django.utils.translation import gettext as _
from ninja import Field as SchemaField
from ninja import Schema

M = TypeVar("M", bound=Model)

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
_SALT = "clientela.api.cursor"
#: What ``_encode`` writes (Django's ``signing.dumps``: URL-safe base64, a "." in front
#: when compressed, the timestamp and the signature after a ":" each). ASCII with two
#: colons, so a cursor percent-encodes to its own length plus 4 bytes.
CURSOR_PATTERN = r"^[A-Za-z0-9_.-]+(?::[A-Za-z0-9_-]+){2}$"


class PageParams(Schema):
    limit: int = SchemaField(
        DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Records per page (at most 200)."
    )
    cursor: str | None = SchemaField(
        None,
        max_length=2000,
        pattern=CURSOR_PATTERN,
        description="The `next_cursor` of the previous page.",
    )


@dataclass(frozen=True)
class Page(Generic[M]):
    items: list[M]
    next_cursor: str | None


@dataclass(frozen=True)
class _Column:
    name: str  # ORM path, e.g. "owner__username"
    descending: bool
    field: Field[Any, Any]
    nullable: bool

    @property
    def spec(self) -> str:
        return f"-{self.name}" if self.descending else self.name

    def order_by(self) -> OrderBy | str:
        if not self.nullable:
            return self.spec
        if self.descending:
            return F(self.name).desc(nulls_last=True)
        return F(self.name).asc(nulls_first=True)

    def equal(self, value: Any) -> Q:
        if value is None:
            return Q(**{f"{self.name}__isnull": True})
        return Q(**{self.name: value})

    def after(self, value: Any) -> Q | None:
        """Rows that come after ``value`` in this column's order (None: no row can)."""
        if self.descending:
            if value is None:
                return None
            q = Q(**{f"{self.name}__lt": value})
            return q | Q(**{f"{self.name}__isnull": True}) if self.nullable else q
        if value is None:
            return Q(**{f"{self.name}__isnull": False})
        return Q(**{f"{self.name}__gt": value})

    def bound(self, value: Any) -> Q | None:
        """A redundant range on the leading column that lets the database seek in its
        index instead of testing the OR-ed condition on every row."""
        if value is None or (self.descending and self.nullable):
            return None
        return Q(**{f"{self.name}__lte" if self.descending else f"{self.name}__gte": value})


def _resolve_field(model: type[Model], path: str) -> tuple[Field[Any, Any], bool]:
    """The field at the end of ``path`` and whether any step of it may be NULL."""
    nullable = False
    field: Any = None
    current: Any = model
    for part in path.split("__"):
        field = current._meta.get_field("id" if part == "pk" else part)
        nullable = nullable or bool(getattr(field, "null", False))
        if field.is_relation:
            current = field.related_model
    if field.is_relation:  # "owner" alone orders by the owner's id
        field = field.target_field
    return field, nullable


def _columns(qs: QuerySet[Any]) -> list[_Column]:
    ordering = list(qs.query.order_by) or list(qs.model._meta.ordering)
    columns: list[_Column] = []
    for item in ordering:
        if not isinstance(item, str):
            raise ImproperlyConfigured("Cursor pagination needs orderings by column name.")
        name = item.lstrip("-")
        field, nullable = _resolve_field(qs.model, name)
        columns.append(_Column(name, item.startswith("-"), field, nullable))
    pk = qs.model._meta.pk
    assert pk is not None
    if not columns or columns[-1].field != pk:
        # The primary key breaks ties, so every row has exactly one place.
        descending = columns[-1].descending if columns else False
        columns.append(_Column(pk.name, descending, pk, False))
    return columns


def _value(row: Model, path: str) -> Any:
    value: Any = row
    for part in path.split("__"):
        if value is None:
            return None
        value = getattr(value, part)
    return value.pk if isinstance(value, Model) else value


def _to_json(value: Any) -> Any:
    if isinstance(value, datetime.date | datetime.time):  # datetime is a date too
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    return value


def _encode(columns: list[_Column], row: Model) -> str:
    payload = {
        "o": [c.spec for c in columns],
        "v": [_to_json(_value(row, c.name)) for c in columns],
    }
    return signing.dumps(payload, salt=_SALT, compress=True)


def _invalid_cursor() -> ValidationError:
    return ValidationError(
        {"cursor": [_("This cursor is not valid; start again from the first page.")]}
    )


def _decode(columns: list[_Column], cursor: str) -> list[Any]:
    try:
        payload = signing.loads(cursor, salt=_SALT)
    except signing.BadSignature:
        raise _invalid_cursor() from None
    if payload.get("o") != [c.spec for c in columns]:
        raise ValidationError(
            {
                "cursor": [
                    _("This cursor belongs to another sort order; start again from the first page.")
                ]
            }
        )
    values = payload.get("v")
    if not isinstance(values, list) or len(values) != len(columns):
        raise _invalid_cursor()
    try:
        return [
            None if v is None else c.field.to_python(v)
            for c, v in zip(columns, values, strict=True)
        ]
    except (ValidationError, TypeError, ValueError):
        raise _invalid_cursor() from None


def _after(columns: list[_Column], values: list[Any]) -> Q:
    """(c1, c2, …, id) > (v1, v2, …, vn) in the order's own sense, as nested
    ``c1 > v1 OR (c1 = v1 AND (c2 > v2 OR …))`` because directions and NULLs differ
    per column and not every database compares row values."""
    condition: Q | None = None
    for column, value in reversed(list(zip(columns, values, strict=True))):
        after = column.after(value)
        tail = column.equal(value) & condition if condition is not None else None
        if after is None and tail is None:
            condition = Q(pk__in=[])
        elif after is None:
            condition = tail
        elif tail is None:
            condition = after
        else:
            condition = after | tail
    assert condition is not None
    bound = columns[0].bound(values[0])
    return condition & bound if bound is not None else condition


def paginate(qs: QuerySet[M], *, limit: int, cursor: str | None = None) -> Page[M]:
    """One page of ``qs`` (which must be ordered) after ``cursor``. Runs the same
    queries whatever ``limit`` is: one for the rows plus the querysets' prefetches."""
    columns = _columns(qs)
    qs = qs.order_by(*[c.order_by() for c in columns])
    if cursor:
        qs = qs.filter(_after(columns, _decode(columns, cursor)))
    rows = list(qs[: limit + 1])
    if len(rows) <= limit:
        return Page(rows, None)
    items = rows[:limit]
    return Page(items, _encode(columns, items[-1]))
