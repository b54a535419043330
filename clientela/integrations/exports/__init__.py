"""Exports of every exportable kind of record (``RecordKind.exportable``): CSV, XLSX and
JSON, and vCard 4.0 for people and organizations; one writer module per format, all
streamed (a generator of ``str`` or ``bytes`` chunks reading the records in chunks
through the kind's scoped list selector), so any number of records exports in constant
memory and an export holds only what the user may see.

``FORMATS[key].write(KINDS[path], user=…, filters=parse_filters(kind, params)[0])`` is
all an interface needs (the web view, the ``clientela export`` command).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from clientela.contacts.models import Organization, Person
from clientela.core.kinds import RecordKind
from clientela.integrations.exports.csv_writer import write_csv
from clientela.integrations.exports.json_writer import write_json
from clientela.integrations.exports.records import KINDS, parse_filters
from clientela.integrations.exports.vcard_writer import write_vcard
from clientela.integrations.exports.xlsx_writer import write_xlsx


@dataclass(frozen=True)
class ExportFormat:
    key: str
    label: Any
    extension: str
    content_type: str
    icon: str
    binary: bool
    write: Callable[..., Iterator[str] | Iterator[bytes]]
    #: The resources the format can hold (empty: every exportable kind).
    only: frozenset[str] = frozenset()

    def offers(self, kind: RecordKind) -> bool:
        return kind.exportable and (not self.only or kind.resource in self.only)


FORMATS: dict[str, ExportFormat] = {
    f.key: f
    for f in (
        ExportFormat(
            "csv", _("CSV"), "csv", "text/csv; charset=utf-8", "bi-filetype-csv", False, write_csv
        ),
        ExportFormat(
            "xlsx",
            _("Excel (XLSX)"),
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "bi-file-earmark-spreadsheet",
            True,
            write_xlsx,
        ),
        ExportFormat(
            "vcf",
            _("vCard"),
            "vcf",
            "text/vcard; charset=utf-8",
            "bi-person-vcard",
            False,
            write_vcard,
            only=frozenset({Person.RESOURCE, Organization.RESOURCE}),
        ),
        ExportFormat(
            "json", _("JSON"), "json", "application/json", "bi-filetype-json", False, write_json
        ),
    )
}


def formats_for(kind: RecordKind) -> list[ExportFormat]:
    """The formats ``kind`` can be exported in, in menu order."""
    return [f for f in FORMATS.values() if f.offers(kind)]


__all__ = ["FORMATS", "KINDS", "ExportFormat", "formats_for", "parse_filters"]
