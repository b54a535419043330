"""Streaming CSV export of a list view (with its filters), through the scoped selectors
so an export holds exactly what the user may see. Cells that a spreadsheet would run
as a formula are neutralized (OWASP "CSV injection")."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import Any

from django.utils.translation import gettext as _

from clientela.contacts.filters import ContactFilters
from clientela.contacts.selectors import organization_list, person_list

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 2000


def neutralize(value: Any) -> str:
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def _tags(record: Any) -> str:
    return ", ".join(t.name for t in record.tags.all())


def person_rows(*, user: Any, filters: ContactFilters) -> Iterator[list[str]]:
    yield [
        _("id"),
        _("first name"),
        _("last name"),
        _("e-mail"),
        _("phone"),
        _("city"),
        _("country"),
        _("birthday"),
        _("tags"),
        _("owner"),
        _("team"),
        _("external id"),
    ]
    for p in person_list(user=user, filters=filters).iterator(chunk_size=CHUNK):
        yield [
            neutralize(v)
            for v in (
                p.pk,
                p.first_name,
                p.last_name,
                p.email,
                p.phone,
                p.city,
                p.country,
                p.birthday.isoformat() if p.birthday else "",
                _tags(p),
                p.owner.username,
                p.team.name,
                p.external_id,
            )
        ]


def organization_rows(*, user: Any, filters: ContactFilters) -> Iterator[list[str]]:
    yield [
        _("id"),
        _("name"),
        _("website"),
        _("e-mail"),
        _("phone"),
        _("city"),
        _("country"),
        _("tags"),
        _("owner"),
        _("team"),
        _("external id"),
    ]
    for o in organization_list(user=user, filters=filters).iterator(chunk_size=CHUNK):
        yield [
            neutralize(v)
            for v in (
                o.pk,
                o.name,
                o.website,
                o.email,
                o.phone,
                o.city,
                o.country,
                _tags(o),
                o.owner.username,
                o.team.name,
                o.external_id,
            )
        ]


class _Echo:
    """A file-like object whose write returns the line, for streaming csv.writer."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[list[str]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # a BOM, so spreadsheet programs read UTF-8 as UTF-8
    for row in rows:
        yield writer.writerow(row)
