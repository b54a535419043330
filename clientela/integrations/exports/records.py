"""What every export format reads: the records of a list (through the contacts
selectors, so only what the user may see, with the list's filters and order), one at a
time as the API shows them, and the columns of the tabular formats (CSV, XLSX).

Records are read with ``.iterator(chunk_size=CHUNK)`` from the ``*_with_details``
selectors, whose rows carry their e-mails, phones, addresses, tags… as JSON (one query
per chunk, whatever a record holds), so an export of any size runs in constant memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy

from clientela.contacts.filters import ContactFilters
from clientela.contacts.models import Organization, Person
from clientela.contacts.schemas import organization_out, person_out
from clientela.contacts.selectors import (
    organization_list_with_details,
    person_list_with_details,
)
from clientela.core.custom_fields import definitions
from clientela.integrations.exports.cells import custom_text, join_lines, join_tags

CHUNK = 2000

Record = dict[str, Any]


@dataclass(frozen=True)
class Column:
    """One column of a tabular export: a stable ``key`` (what an import maps), the
    translated header, and the cell's text from the record (as the API shows it)."""

    key: str
    label: Any
    value: Callable[[Record], Any]


def _date(value: Any) -> str:
    return value or ""


def _emails(r: Record) -> str:
    return join_lines((e["address"], e["kind"]) for e in r["emails"])


def _phones(r: Record) -> str:
    return join_lines((p["number"], p["kind"]) for p in r["phones"])


def _addresses(r: Record) -> str:
    return join_lines(
        (a["street"], a["postal_code"], a["city"], a["region"], a["country"], a["kind"])
        for a in r["addresses"]
    )


def _relationships(r: Record) -> str:
    return join_lines((x["kind"], x["since"] or "") for x in r["relationships"])


def _organizations(r: Record) -> str:
    return join_lines((m["organization_name"], m["job_title"]) for m in r["organizations"])


_ID = Column("id", gettext_lazy("id"), lambda r: r["id"])
_SHARED_HEAD = [
    Column("email", gettext_lazy("e-mail"), lambda r: r["email"]),
    Column("phone", gettext_lazy("phone"), lambda r: r["phone"]),
    Column("city", gettext_lazy("city"), lambda r: r["city"]),
    Column("country", gettext_lazy("country"), lambda r: r["country"]),
]
_SHARED_OWNERSHIP = [
    Column("tags", gettext_lazy("tags"), lambda r: join_tags(r["tags"])),
    Column("owner", gettext_lazy("owner"), lambda r: r["owner"]["username"]),
    Column("team", gettext_lazy("team"), lambda r: r["team"]["name"]),
    Column("external_id", gettext_lazy("external id"), lambda r: r["external_id"]),
]
_SHARED_DETAILS = [
    Column("notes", gettext_lazy("notes"), lambda r: r["notes"]),
    Column("emails", gettext_lazy("e-mails"), _emails),
    Column("phones", gettext_lazy("phones"), _phones),
    Column("addresses", gettext_lazy("addresses"), _addresses),
    Column("relationships", gettext_lazy("relationships"), _relationships),
]

#: The first twelve are the columns of the first CSV export, in the same order.
PERSON_COLUMNS = [
    _ID,
    Column("first_name", gettext_lazy("first name"), lambda r: r["first_name"]),
    Column("last_name", gettext_lazy("last name"), lambda r: r["last_name"]),
    *_SHARED_HEAD,
    Column("birthday", gettext_lazy("birthday"), lambda r: _date(r["birthday"])),
    *_SHARED_OWNERSHIP,
    Column(
        "preferred_language", gettext_lazy("preferred language"), lambda r: r["preferred_language"]
    ),
    Column(
        "preferred_channel", gettext_lazy("preferred channel"), lambda r: r["preferred_channel"]
    ),
    *_SHARED_DETAILS,
    Column("organizations", gettext_lazy("organizations"), _organizations),
]

ORGANIZATION_COLUMNS = [
    _ID,
    Column("name", gettext_lazy("name"), lambda r: r["name"]),
    Column("website", gettext_lazy("website"), lambda r: r["website"]),
    *_SHARED_HEAD,
    *_SHARED_OWNERSHIP,
    Column("industry", gettext_lazy("industry"), lambda r: r["industry"]),
    *_SHARED_DETAILS,
]


@dataclass(frozen=True)
class ExportKind:
    """A kind of record that can be exported: ``key`` is its name in URLs and on the
    command line (``people``)."""

    key: str
    resource: str
    label: Any
    list_selector: Callable[..., Any]
    to_api: Callable[[Any], Any]
    columns: list[Column]

    def records(self, *, user: Any, filters: ContactFilters | None = None) -> Iterator[Record]:
        """The visible records matching ``filters``, in the list's order, each as the
        API's JSON body."""
        rows = self.list_selector(user=user, filters=filters)
        for row in rows.iterator(chunk_size=CHUNK):
            yield self.to_api(row).model_dump(mode="json")

    def table_columns(self) -> list[Column]:
        """The fixed columns, then one ``cf_<key>`` column per custom field."""
        custom = [
            Column(f"cf_{f.key}", f"cf_{f.key}", _custom_getter(f.key))
            for f in definitions(self.resource)
        ]
        return [*self.columns, *custom]

    def table_rows(
        self, *, user: Any, filters: ContactFilters | None = None
    ) -> Iterator[list[Any]]:
        """The header (translated labels), then one row of cell values per record."""
        columns = self.table_columns()
        yield [str(c.label) for c in columns]
        for record in self.records(user=user, filters=filters):
            yield [c.value(record) for c in columns]


def _custom_getter(key: str) -> Callable[[Record], str]:
    return lambda r: custom_text(r["custom"].get(key))


PEOPLE = ExportKind(
    key="people",
    resource=Person.RESOURCE,
    label=gettext_lazy("People"),
    list_selector=person_list_with_details,
    to_api=person_out,
    columns=PERSON_COLUMNS,
)
ORGANIZATIONS = ExportKind(
    key="organizations",
    resource=Organization.RESOURCE,
    label=gettext_lazy("Organizations"),
    list_selector=organization_list_with_details,
    to_api=organization_out,
    columns=ORGANIZATION_COLUMNS,
)
KINDS = {k.key: k for k in (PEOPLE, ORGANIZATIONS)}
