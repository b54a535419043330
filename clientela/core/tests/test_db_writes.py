"""``core.db.insert_rows`` / ``update_rows`` / ``insert_instances``: the importer's
writes, the same whether the statement goes to SQLite's own cursor (the fast way) or
through Django's (while queries are logged), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clientela.core.db import insert_instances, insert_rows, update_rows
from clientela.core.models import AuditEntry, Tag

pytestmark = pytest.mark.django_db

NAMES = ["content_type_id", "object_id", "object_repr", "action", "interface", "changes"]


def _rows(start: int, n: int) -> list[tuple[Any, ...]]:
    content_type = ContentType.objects.get_for_model(Tag).pk
    return [
        (content_type, i, f"Tag {i}", "create", "import", {"name": [None, f"Tag {i}"]})
        for i in range(start, start + n)
    ]


def _written(ids: list[int]) -> list[tuple[Any, ...]]:
    entries = AuditEntry.objects.filter(pk__in=ids).order_by("pk")
    return [(e.object_id, e.object_repr, e.changes, e.created_at) for e in entries]


def test_rows_written_alike_with_and_without_query_logging() -> None:
    at = datetime.datetime(2026, 12, 7, 8, 0, tzinfo=datetime.UTC)
    fast = insert_rows(
        AuditEntry, [*NAMES, "created_at"], [(*r, at) for r in _rows(0, 7)], returning=True, batch=3
    )
    with CaptureQueriesContext(connection) as logged:
        slow = insert_rows(
            AuditEntry, [*NAMES, "created_at"], [(*r, at) for r in _rows(0, 7)], returning=True
        )
    assert len(logged.captured_queries) == 1  # logged queries go through Django's cursor
    assert len(fast) == len(slow) == 7
    assert _written(fast) == _written(slow)
    assert _written(fast)[2] == (2, "Tag 2", {"name": [None, "Tag 2"]}, at)


def test_a_row_of_the_wrong_width_writes_nothing() -> None:
    rows: list[tuple[Any, ...]] = [*_rows(0, 2), ("too", "short")]
    with pytest.raises(ValueError, match="6 values"):
        insert_rows(AuditEntry, NAMES, rows)
    assert not AuditEntry.objects.filter(object_repr__startswith="Tag ").exists()


def test_update_rows_and_insert_instances() -> None:
    tags = [Tag(name="Alpha", color="red"), Tag(name="Beta", color="blue")]
    now = datetime.datetime(2026, 12, 7, 8, 0, tzinfo=datetime.UTC)
    for tag in tags:
        tag.created_at = tag.updated_at = now
    insert_instances(Tag, tags)
    assert all(t.pk and not t._state.adding for t in tags)
    update_rows(Tag, ["color"], [("green", tags[0].pk), ("white", tags[1].pk)])
    assert dict(Tag.objects.values_list("name", "color")) == {"Alpha": "green", "Beta": "white"}
    with pytest.raises(ValueError, match="2 values"):
        update_rows(Tag, ["color"], [("green",)])
