"""The exports of people and organizations (``RecordKind.export_columns`` /
``export_rows``, see ``core.exports``): their records read from the ``*_with_details``
selectors, whose rows carry their e-mails, phones, addresses, tags… as JSON (one query
per chunk, whatever a record holds), and the columns of the tabular formats, in which
every detail fits a cell so an export can be re-imported without loss.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

from clientela.contacts.selectors import (
    organization_list_with_details,
    person_list_with_details,
)
from clientela.core.exports import (
    ID_COLUMN,
    ExportColumn,
    ExportRows,
    Record,
    join_lines,
    join_tags,
)


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


_SHARED_HEAD = [
    ExportColumn("email", gettext_lazy("e-mail"), lambda r: r["email"]),
    ExportColumn("phone", gettext_lazy("phone"), lambda r: r["phone"]),
    ExportColumn("city", gettext_lazy("city"), lambda r: r["city"]),
    ExportColumn("country", gettext_lazy("country"), lambda r: r["country"]),
]
_SHARED_OWNERSHIP = [
    ExportColumn("tags", gettext_lazy("tags"), lambda r: join_tags(r["tags"])),
    ExportColumn("owner", gettext_lazy("owner"), lambda r: r["owner"]["username"]),
    ExportColumn("team", gettext_lazy("team"), lambda r: r["team"]["name"]),
    ExportColumn("external_id", gettext_lazy("external id"), lambda r: r["external_id"]),
]
_SHARED_DETAILS = [
    ExportColumn("notes", gettext_lazy("notes"), lambda r: r["notes"]),
    ExportColumn("emails", gettext_lazy("e-mails"), _emails),
    ExportColumn("phones", gettext_lazy("phones"), _phones),
    ExportColumn("addresses", gettext_lazy("addresses"), _addresses),
    ExportColumn("relationships", gettext_lazy("relationships"), _relationships),
]

#: The first twelve are the columns of the first CSV export, in the same order.
PERSON_COLUMNS = (
    ID_COLUMN,
    ExportColumn("first_name", gettext_lazy("first name"), lambda r: r["first_name"]),
    ExportColumn("last_name", gettext_lazy("last name"), lambda r: r["last_name"]),
    *_SHARED_HEAD,
    # "1985-05-21", or Google Contacts' "--05-21" without the year.
    ExportColumn("birthday", gettext_lazy("birthday"), lambda r: _date(r["birthday"])),
    *_SHARED_OWNERSHIP,
    ExportColumn(
        "preferred_language", gettext_lazy("preferred language"), lambda r: r["preferred_language"]
    ),
    ExportColumn(
        "preferred_channel", gettext_lazy("preferred channel"), lambda r: r["preferred_channel"]
    ),
    *_SHARED_DETAILS,
    ExportColumn("organizations", gettext_lazy("organizations"), _organizations),
)

ORGANIZATION_COLUMNS = (
    ID_COLUMN,
    ExportColumn("name", gettext_lazy("name"), lambda r: r["name"]),
    ExportColumn("website", gettext_lazy("website"), lambda r: r["website"]),
    *_SHARED_HEAD,
    *_SHARED_OWNERSHIP,
    ExportColumn("industry", gettext_lazy("industry"), lambda r: r["industry"]),
    *_SHARED_DETAILS,
)


PERSON_ROWS = ExportRows(select=person_list_with_details)
ORGANIZATION_ROWS = ExportRows(select=organization_list_with_details)
