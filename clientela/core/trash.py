"""The trash: one list of every kind's deleted records, read through the registry.

Every registered kind with a trash and a restore service (``RecordKind.trash`` and
``restore``) has its deleted records here. A user sees what they deleted themselves
and may still see and edit (``core.services.may_restore``), or what the kind's
``trash_scope`` gives them (products: a manager's own deletions); an admin sees
everything.

The list is one ``UNION ALL`` of the kinds' trashed rows (each narrowed, searched and
filtered in its own indexed query) ordered by ``deleted_at``: the page reads only the
(kind, id, deleted_at) of its rows, then each kind on the page loads its records in one
query, so a page costs 2 + (kinds on the page) queries whatever the trash holds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from django.db.models import CharField, Q, QuerySet, Value

from clientela.core.errors import NotFound
from clientela.core.kinds import RecordKind, parse_id, record_kind, record_kinds
from clientela.core.models import CRMRecord, Trashable
from clientela.core.permissions import can, restrict
from clientela.core.services import may_restore, trash_cutoff


def trash_kinds() -> list[RecordKind]:
    """The kinds whose deleted records can come back (a trash and a restore service)."""
    return [k for k in record_kinds() if k.trash is not None and k.restore is not None]


def trash_kind(resource: str) -> RecordKind:
    """The trash kind named ``resource``; ``KeyError`` for any other name."""
    kind = record_kind(resource)
    if kind.trash is None or kind.restore is None:
        raise KeyError(resource)
    return kind


@dataclass(frozen=True)
class TrashFilters:
    """What the trash page narrows to: a search in the records' names, one kind, the
    user who deleted (admins only; others see only their own deletions)."""

    query: str = ""
    resource: str = ""
    deleted_by: int | None = None


def _name_q(kind: RecordKind, query: str) -> Q:
    """Every word of ``query`` in one of the kind's name fields."""
    found = Q()
    for word in query.split()[:8]:
        any_field = Q()
        for name in kind.name_fields:
            any_field |= Q(**{f"{name}__icontains": word})
        found &= any_field
    return found


def kind_trash(*, user: Any, kind: RecordKind, query: str = "") -> QuerySet[Any]:
    """The deleted records of one kind ``user`` may bring back, still within the
    retention, newest first."""
    model: Any = kind.model
    qs: QuerySet[Any] = model._default_manager.filter(
        deleted_at__isnull=False, deleted_at__gte=trash_cutoff()
    )
    if not getattr(user, "is_admin", False):
        if kind.trash_scope is not None:
            qs = kind.trash_scope(user, qs)
        elif not can(user, "update", kind.resource):
            return qs.none()
        else:
            qs = restrict(qs.filter(deleted_by=user), user, kind.resource)
    if kind.trash_filter is not None:
        qs = kind.trash_filter(qs)
    if query and kind.name_fields:
        qs = qs.filter(_name_q(kind, query))
    elif query:
        qs = qs.none()
    return qs.order_by("-deleted_at", "-pk")


def trash_rows(*, user: Any, filters: TrashFilters) -> QuerySet[Any] | list[dict[str, Any]]:
    """One row per deleted record (``resource``, ``pk``, ``deleted_at``), every kind
    together, newest first."""
    parts = []
    for kind in trash_kinds():
        if filters.resource and kind.resource != filters.resource:
            continue
        qs = kind_trash(user=user, kind=kind, query=filters.query)
        if filters.deleted_by is not None and getattr(user, "is_admin", False):
            qs = qs.filter(deleted_by_id=filters.deleted_by)
        parts.append(
            qs.order_by()
            .annotate(kind_key=Value(kind.resource, output_field=CharField()))
            .values("kind_key", "pk", "deleted_at")
        )
    if not parts:
        return []
    first, *rest = parts
    union: QuerySet[Any] = first.union(*rest, all=True) if rest else first
    return union.order_by("-deleted_at", "-pk")


def may_bring_back(user: Any, kind: RecordKind, record: Trashable) -> bool:
    """Whether ``user`` may restore ``record`` of ``kind`` (the Undo of its delete):
    ``core.services.may_restore``, or the kind's own ``trash_scope``."""
    if kind.restore is None:
        return False
    if kind.trash_scope is None:
        return may_restore(user, cast(CRMRecord, record))
    if getattr(user, "is_admin", False):
        return True
    model: Any = kind.model
    return bool(kind.trash_scope(user, model._default_manager.filter(pk=record.pk)).exists())


@dataclass(frozen=True)
class TrashEntry:
    """One deleted record on the trash page."""

    kind: RecordKind
    record: Trashable


def trash_entries(rows: Sequence[dict[str, Any]]) -> list[TrashEntry]:
    """The records of one page of ``trash_rows``, in the page's order: one query per
    kind on the page."""
    ids: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        ids[row["kind_key"]].append(row["pk"])
    loaded: dict[tuple[str, int], Trashable] = {}
    for resource, pks in ids.items():
        model: Any = record_kind(resource).model
        # The owner shown beside the record, where the kind has one (products do not).
        joins = ["owner", "deleted_by"] if issubclass(model, CRMRecord) else ["deleted_by"]
        for record in model._default_manager.filter(pk__in=pks).select_related(*joins):
            loaded[resource, record.pk] = record
    entries = []
    for row in rows:
        record = loaded.get((row["kind_key"], row["pk"]))
        if record is not None:
            entries.append(TrashEntry(kind=record_kind(row["kind_key"]), record=record))
    return entries


def trash_item(*, user: Any, resource: str, pk: Any) -> tuple[RecordKind, Trashable]:
    """One deleted record ``user`` may bring back or purge, or ``NotFound``."""
    try:
        kind = trash_kind(resource)
    except KeyError:
        raise NotFound() from None
    record = kind_trash(user=user, kind=kind).filter(pk=parse_id(pk)).first()
    if record is None:
        raise NotFound()
    return kind, record
