"""What every export format reads, from the kind's declaration (``RecordKind.export_rows``
and ``export_columns``, see ``core.exports``): the records of a list (through the kind's
scoped list selector, so only what the user may see, with the list's filters and
order), one at a time as the API shows them, and the columns of the tabular formats.

Records are read with ``.iterator(chunk_size=CHUNK)`` (the selector's prefetches run
per chunk), so an export of any size runs in constant memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, cast

from pydantic import BaseModel

from clientela.core.custom_fields import definitions
from clientela.core.exports import NAMES, Errors, ExportColumn, Record, custom_text
from clientela.core.kinds import RecordKind, record_kinds

CHUNK = 2000


class _ExportKinds(Mapping[str, RecordKind]):
    """The exportable kinds by their path (``people``: ``/export/people.csv``, the
    command's argument), read from the registry when asked, so the apps' ``ready()``
    may register in any order."""

    def _kinds(self) -> dict[str, RecordKind]:
        return {k.path: k for k in record_kinds() if k.exportable}

    def __getitem__(self, key: str) -> RecordKind:
        return self._kinds()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._kinds())

    def __len__(self) -> int:
        return len(self._kinds())


KINDS: Mapping[str, RecordKind] = _ExportKinds()


def parse_filters(kind: RecordKind, params: Mapping[str, Any]) -> tuple[Any, Errors]:
    """A list page's query string as the kind's list filters, and the bad values."""
    assert kind.export_rows is not None, f"{kind.resource} is not exportable"
    if kind.export_rows.parse is not None:
        return kind.export_rows.parse(params)
    # The kind's ``core.filters.ListFilters``; contacts' sort keys depend on the kind.
    assert kind.filters is not None, f"{kind.resource} declares no list filters"
    parsed: tuple[Any, Errors] = kind.filters.from_params(params, resource=kind.resource)
    return parsed


def records(
    kind: RecordKind, *, user: Any, filters: Any = None, tabular: bool = False
) -> Iterator[Record]:
    """The visible records matching ``filters``, in the list's order, each as the
    API's JSON body (or the kind's ``ExportRows.body``), with the readable names of
    ``ExportRows.names`` for a ``tabular`` export (nothing is read before the first one
    is asked for)."""
    source, to_api = kind.export_rows, kind.api_out
    assert kind.exportable, f"{kind.resource} is not exportable"
    assert source is not None
    body = source.body or (lambda row: _json_body(cast(Any, to_api)(row)))
    names = source.names if tabular else None
    for row in source.select(user=user, filters=filters).iterator(chunk_size=CHUNK):
        record: Record = body(row)
        if names is not None:
            record[NAMES] = names(row)
        yield record


def _json_body(out: Any) -> Record:
    """What a kind's ``api_out`` gives as JSON values: a schema object dumped, or the
    plain values some kinds give already (contacts' ``person_data``)."""
    return cast(Record, out.model_dump(mode="json") if isinstance(out, BaseModel) else out)


def table_columns(kind: RecordKind) -> list[ExportColumn]:
    """The kind's columns, then one ``cf_<key>`` column per custom field."""
    custom = (
        [
            ExportColumn(f"cf_{f.key}", f"cf_{f.key}", _custom_getter(f.key))
            for f in definitions(kind.resource)
        ]
        if kind.custom_fields
        else []
    )
    return [*(kind.export_columns or ()), *custom]


def table_rows(kind: RecordKind, *, user: Any, filters: Any = None) -> Iterator[list[Any]]:
    """The header (translated labels), then one row of cell values per record."""
    columns = table_columns(kind)
    yield [str(c.label) for c in columns]
    for record in records(kind, user=user, filters=filters, tabular=True):
        yield [c.value(record) for c in columns]


def _custom_getter(key: str) -> Callable[[Record], str]:
    return lambda r: custom_text(r["custom"].get(key))
