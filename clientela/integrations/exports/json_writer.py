"""JSON: one array of objects, each a record exactly as the API shows it
(``GET /api/v1/people/{id}``), written one record at a time."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from clientela.contacts.filters import ContactFilters
from clientela.integrations.exports.records import ExportKind


def write_json(
    kind: ExportKind, *, user: Any, filters: ContactFilters | None = None
) -> Iterator[str]:
    yield "["
    separator = "\n"
    for record in kind.records(user=user, filters=filters):
        yield separator + json.dumps(record, ensure_ascii=False)
        separator = ",\n"
    yield "\n]\n"
