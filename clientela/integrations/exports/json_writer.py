"""JSON: one array of objects, each a record exactly as the API shows it
(``GET /api/v1/people/{id}``, ``/api/v1/deals/{id}``…), written one record at a time."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from clientela.core.kinds import RecordKind
from clientela.integrations.exports.records import records


def write_json(kind: RecordKind, *, user: Any, filters: Any = None) -> Iterator[str]:
    yield "["
    separator = "\n"
    for record in records(kind, user=user, filters=filters):
        yield separator + json.dumps(record, ensure_ascii=False)
        separator = ",\n"
    yield "\n]\n"
