"""The export side of a kind's declaration (``RecordKind.export_columns`` and
``export_rows``): what each app says about its records, so ``integrations.exports``
can write CSV, XLSX and JSON for every exportable kind without knowing one.

* ``ExportColumn``: one column of the tabular formats, its cell read from a record as
  the API shows it;
* ``ExportRows``: how the records are read: the list page's query string parsed into
  the list's filters, and the scoped list selector (so an export holds only what the
  user may see, in the list's order), each row written as the API's response body;
* ``join_lines`` / ``join_tags`` / ``custom_text``: how multi-valued details fit in one
  spreadsheet cell (``integrations.exports.cells`` reads them back on import).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy
from pydantic_core import to_jsonable_python

#: A record as the API shows it (its JSON body), plus ``NAMES`` for the tables.
Record = dict[str, Any]
Errors = dict[str, list[str]]

#: Key of a tabular record's readable names (``ExportRows.names``): the API gives ids
#: (``owner_id``, ``stage_id``), a spreadsheet wants the owner's and the stage's names.
NAMES = "names"


@dataclass(frozen=True)
class ExportColumn:
    """One column of a tabular export: a stable ``key`` (what an import maps), the
    translated header, and the cell's value from the record."""

    key: str
    label: Any
    value: Callable[[Record], Any]


def verbose_name(model: type[models.Model], name: str) -> Any:
    """A model field's (translated) verbose name."""
    return model._meta.get_field(name).verbose_name  # type: ignore[union-attr]


def field_column(
    model: type[models.Model], name: str, value: Callable[[Record], Any] | None = None
) -> ExportColumn:
    """The column of a model field, headed by its verbose name; its cell is the API's
    value of the same name unless ``value`` says otherwise."""
    return ExportColumn(name, verbose_name(model, name), value or (lambda r: r[name]))


ID_COLUMN = ExportColumn("id", gettext_lazy("id"), lambda r: r["id"])


@dataclass(frozen=True)
class ExportRows:
    """How an export reads a kind's records; each is written as the kind's API body
    (``RecordKind.api_out``), or as ``body(record)`` where that body is more than the
    record (links made from the request, conflicts looked up per page): the record's
    plain values (``plain_body``) under the keys the columns read.

    ``select(user=…, filters=…)`` is the scoped list selector (or a variant that
    prefetches what the body needs, so a chunk is a fixed number of queries);
    ``names(record)``, if given, the readable names the tabular columns show beside the
    API's ids (the owner's, the stage's…); ``parse(params) -> (filters, errors)`` reads
    a list page's query string as the list does, when the kind declares no ``filters``
    (``core.filters``) that do."""

    select: Callable[..., QuerySet[Any]]
    names: Callable[[Any], dict[str, str]] | None = None
    parse: Callable[[Mapping[str, Any]], tuple[Any, Errors]] | None = None
    body: Callable[[Any], Record] | None = None


def plain_body(obj: models.Model, fields: Iterable[str], **more: Any) -> Record:
    """A record's ``id``, ``fields`` and ``more`` as the API's JSON would show them
    (ISO 8601 moments, decimals as text): an ``ExportRows.body``."""
    values = {"id": obj.pk, **{name: getattr(obj, name) for name in fields}, **more}
    body: Record = to_jsonable_python(values)
    return body


def ids(related: Any) -> list[int]:
    """The ids of a prefetched many-to-many relation, in order."""
    return sorted(obj.pk for obj in related.all())


def name_of(record: Record, key: str) -> str:
    """A readable name ``ExportRows.names`` gave the record ("" when none)."""
    name: str = record.get(NAMES, {}).get(key, "")
    return name


def name_column(key: str, label: Any) -> ExportColumn:
    """A column of one of the readable names ``ExportRows.names`` gives."""
    return ExportColumn(key, label, lambda r: name_of(r, key))


def text_of(obj: Any) -> str:
    """A related record's name for a ``names`` cell ("" for none)."""
    return "" if obj is None else str(obj)


def username(user: Any) -> str:
    return "" if user is None else str(user.username)


def names(related: Any) -> str:
    """The names of a prefetched many-to-many relation, one per line, by id."""
    return join_lines([str(obj)] for obj in sorted(related.all(), key=lambda obj: obj.pk))


def join_lines(rows: Iterable[Iterable[Any]]) -> str:
    """Rows of values as one cell: one CSV line per row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in rows:
        writer.writerow(["" if v is None else str(v) for v in row])
    return buffer.getvalue().rstrip("\n")


def join_tags(names: Iterable[str]) -> str:
    quoted = []
    for name in names:
        if any(c in name for c in ',;"\n') or name != name.strip():
            name = '"' + name.replace('"', '""') + '"'
        quoted.append(name)
    return ", ".join(quoted)


def custom_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
