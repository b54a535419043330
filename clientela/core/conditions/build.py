"""Building blocks for registering fields: the ``q`` of a plain column, of a choice of
ids, of tags, of a value in the record's ``custom`` JSON, and of "the record is among
these" subqueries, and the fields every CRM record has (owner, team, created), so an
app writes only what is its own."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.db.models import DecimalField, Model, Q, QuerySet
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.db.models.lookups import Exact, GreaterThan, LessThan
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.core.choices import CustomFieldType
from clientela.core.conditions.fields import (
    ConditionField,
    FieldQ,
    FieldSource,
    FieldType,
)
from clientela.core.custom_fields import canonical_number, definitions
from clientela.core.models import Tag, Team, User

NOTHING = Q(pk__in=[])

#: ``carrying(ids)``: the records with one of the tags ``ids``; ``carrying(None)``:
#: those with any tag.
Carrying = Callable[[list[int] | None], Q]


def day_start(day: datetime.date) -> datetime.datetime:
    """Midnight starting ``day`` in the current time zone, aware."""
    return timezone.make_aware(
        datetime.datetime.combine(day, datetime.time.min), timezone.get_current_timezone()
    )


def column_q(column: str, *, empty: Any = "", moment: bool = False) -> FieldQ:
    """The ``q`` of a column of the resource's own table (or one reached by a join the
    caller names, "organization__city"): ``empty`` is what "not filled in" is stored as
    ("" for text, None for nullable columns); ``moment`` for a date-time column, whose
    days (``before``/``after`` a date) are the current time zone's."""

    def q(user: Any, op: str, value: Any) -> Q:
        if op == "exists":
            blank = Q(**{f"{column}__isnull": True}) if empty is None else Q(**{column: empty})
            return ~blank if value else blank
        if op in ("before", "after") and moment:
            if op == "before":
                return Q(**{f"{column}__lt": day_start(value)})
            return Q(**{f"{column}__gte": day_start(value + datetime.timedelta(days=1))})
        lookups = {
            "eq": "exact",
            "ne": "exact",
            "in": "in",
            "contains": "icontains",
            "gt": "gt",
            "lt": "lt",
            "before": "lt",
            "after": "gt",
        }
        found = Q(**{f"{column}__{lookups[op]}": value})
        return ~found if op == "ne" else found

    return q


def in_subquery(rows: Callable[[Any, str, Any], QuerySet[Any] | None], key: str = "pk") -> FieldQ:
    """The ``q`` of "the record is among ``rows(user, op, value)``", a queryset of
    ids (``.values("person_id")``); None from ``rows`` means nobody."""

    def q(user: Any, op: str, value: Any) -> Q:
        found = rows(user, op, value)
        return NOTHING if found is None else Q(**{f"{key}__in": found})

    return q


def id_q(column: str) -> FieldQ:
    """A choice of ids (owner, team, stage): the value is the id as text."""

    def q(user: Any, op: str, value: Any) -> Q:
        if op == "exists":
            return Q(**{f"{column}__isnull": not value})
        ids = [int(v) for v in (value if op == "in" else [value])]
        found = Q(**{f"{column}__in": ids})
        return ~found if op == "ne" else found

    return q


def user_choices() -> list[tuple[str, Any]]:
    return [(str(u.pk), str(u)) for u in User.objects.filter(is_active=True).order_by("pk")]


def team_choices() -> list[tuple[str, Any]]:
    return [(str(t.pk), t.name) for t in Team.objects.order_by("name")]


def tag_choices() -> list[tuple[str, Any]]:
    return [(t.name, t.name) for t in Tag.objects.order_by("name")[:500]]


# --- tags -------------------------------------------------------------------------------


def tags_q(carrying: Carrying) -> FieldQ:
    """``contains``: has the tag; ``ne``: has not; ``in``: has one of them; ``exists``:
    has any tag. Tag names match whatever their case; ``carrying`` says how the records
    hold their tags."""

    def q(user: Any, op: str, value: Any) -> Q:
        if op == "exists":
            found = carrying(None)
            return found if value else ~found
        named = NOTHING
        for name in value if op == "in" else [value]:
            named |= Q(name__iexact=name)
        ids = list(Tag.objects.filter(named).values_list("pk", flat=True))
        found = carrying(ids) if ids else NOTHING
        return ~found if op == "ne" else found

    return q


def tag_links(model: type[Model]) -> Carrying:
    """``carrying`` of a kind whose tags are its ``tags`` many-to-many: the record's id
    among the link table's rows of those tags (one subquery, on its tag index)."""
    relation = model._meta.get_field("tags")
    through = relation.remote_field.through  # type: ignore[union-attr]
    column = relation.m2m_field_name()  # type: ignore[union-attr]

    def carrying(ids: list[int] | None) -> Q:
        links = through.objects.all() if ids is None else through.objects.filter(tag_id__in=ids)
        return Q(pk__in=links.values(column))

    return carrying


# --- what every CRM record has -----------------------------------------------------------


def record_fields(
    resource: str, group: Any, *, tags: Carrying | None = None, **extra: Any
) -> list[ConditionField]:
    """Owner, team and creation day of ``resource``'s records (``core.models.CRMRecord``),
    and their tags when ``tags`` says how they hold them; ``extra`` (``order``…) goes to
    each field."""

    def f(key: str, label: Any, kind: str, q: FieldQ, **more: Any) -> ConditionField:
        return ConditionField(
            key=key, label=label, resource=resource, type=kind, q=q, group=group, **extra, **more
        )

    found = [
        f("owner", _("Owner"), FieldType.CHOICE, id_q("owner_id"), choices=user_choices),
        f("team", _("Team"), FieldType.CHOICE, id_q("team_id"), choices=team_choices),
        f("created_at", _("Created"), FieldType.DATE, column_q("created_at", moment=True)),
    ]
    if tags is not None:
        found.append(f("tags", _("Tags"), FieldType.TAGS, tags_q(tags), choices=tag_choices))
    return found


# --- custom fields ----------------------------------------------------------------------

_TYPES: dict[str, str] = {
    CustomFieldType.TEXT: FieldType.TEXT,
    CustomFieldType.NUMBER: FieldType.NUMBER,
    CustomFieldType.DATE: FieldType.DATE,
    CustomFieldType.CHOICE: FieldType.CHOICE,
    CustomFieldType.BOOLEAN: FieldType.BOOL,
}


def custom_q(key: str, field_type: str, prefix: str = "") -> FieldQ:
    """The ``q`` of custom field ``key`` (values in the record's ``custom`` JSON, as
    ``core.custom_fields`` stores them: numbers and dates as canonical text)."""
    path = f"{prefix}custom__{key}"

    def q(user: Any, op: str, value: Any) -> Q:
        if op == "exists":
            found = Q(**{f"{prefix}custom__has_key": key})
            return found if value else ~found
        text = KT(path)
        if field_type == CustomFieldType.NUMBER and op in ("gt", "lt"):
            number = Cast(text, DecimalField(max_digits=30, decimal_places=10))
            return Q(GreaterThan(number, value) if op == "gt" else LessThan(number, value))
        if op in ("before", "after"):
            day = value.isoformat()
            return Q(LessThan(text, day) if op == "before" else GreaterThan(text, day))
        stored = _stored(field_type, value)
        if op == "in":
            return Q(**{f"{path}__in": [_stored(field_type, v) for v in value]})
        if op == "contains":
            return Q(**{f"{path}__icontains": stored})
        if field_type == CustomFieldType.BOOLEAN:
            found = Q(**{path: stored})
        else:
            found = Q(Exact(text, stored))
        # A record without the value differs from it too (NOT on a missing key is NULL).
        return ~found | ~Q(**{f"{prefix}custom__has_key": key}) if op == "ne" else found

    return q


def _stored(field_type: str, value: Any) -> Any:
    if field_type == CustomFieldType.NUMBER:
        return canonical_number(value)
    return value


def custom_field_source(resource: str, *, group: Any = None, prefix: str = "") -> FieldSource:
    """A field ``custom.<key>`` per custom field admins defined on ``resource``
    (``prefix`` reaches them through a relation, e.g. "organizations__")."""

    def fields() -> list[ConditionField]:
        found = []
        for definition in definitions(resource):
            kind = _TYPES.get(definition.field_type, FieldType.TEXT)
            choices = [(str(c), str(c)) for c in definition.choices]
            found.append(
                ConditionField(
                    key=f"custom.{definition.key}",
                    label=definition.label,
                    resource=resource,
                    type=kind,
                    ops=("eq",) if kind == FieldType.BOOL else (),
                    q=custom_q(definition.key, definition.field_type, prefix),
                    choices=(lambda c=choices: c) if kind == FieldType.CHOICE else None,  # type: ignore[misc]
                    group=group or _("Custom fields"),
                    order=50,
                )
            )
        return found

    return FieldSource(resource, "custom.", fields)
