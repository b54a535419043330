"""CSV: the tabular columns (``records.table_rows``), UTF-8 with a BOM so
spreadsheet programs read it as UTF-8; every cell a spreadsheet would run as a formula
is neutralized (``cells.neutralize``)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from clientela.core.kinds import RecordKind
from clientela.integrations.exports.cells import neutralize
from clientela.integrations.exports.records import table_rows


class _Echo:
    """A file-like object whose write returns the line, for streaming csv.writer."""

    def write(self, value: str) -> str:
        return value


def write_csv(
    kind: RecordKind, *, user: Any, filters: Any = None, bom: bool = True
) -> Iterator[str]:
    writer = csv.writer(_Echo())
    if bom:
        yield "\ufeff"
    for row in table_rows(kind, user=user, filters=filters):
        yield writer.writerow([neutralize(v) for v in row])
