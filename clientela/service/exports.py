"""The exports of tickets and knowledge-base articles (``RecordKind.export_columns`` /
``export_rows``, see ``core.exports``): read through the kind's scoped list selector
with the list's filters and order, each row the API's body of the record. Internal
notes are never exported (the ticket's body has none)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from clientela.core.exports import (
    ID_COLUMN,
    ExportColumn,
    ExportRows,
    field_column,
    name_column,
    text_of,
    username,
)
from clientela.service.models import Article, Ticket
from clientela.service.selectors.articles import article_list
from clientela.service.selectors.tickets import ticket_list

TICKET_COLUMNS = (
    ID_COLUMN,
    ExportColumn("number", gettext_lazy("number"), lambda r: r["number"]),
    *(field_column(Ticket, name) for name in ("subject", "type", "status", "priority", "channel")),
    name_column("queue", gettext_lazy("queue")),
    name_column("assignee", gettext_lazy("assignee")),
    name_column("person", gettext_lazy("customer")),
    name_column("organization", gettext_lazy("organization")),
    name_column("category", gettext_lazy("category")),
    *(
        field_column(Ticket, name)
        for name in (
            "sla_state",
            "first_response_due_at",
            "first_responded_at",
            "resolution_due_at",
            "solved_at",
            "created_at",
            "updated_at",
        )
    ),
)

TICKET_ROWS = ExportRows(
    select=ticket_list,
    names=lambda t: {
        "queue": text_of(t.queue),
        "assignee": username(t.assignee),
        "person": text_of(t.person),
        "organization": text_of(t.organization),
        "category": text_of(t.category),
    },
)

ARTICLE_COLUMNS = (
    ID_COLUMN,
    *(field_column(Article, name) for name in ("title", "slug", "language", "status")),
    name_column("category", gettext_lazy("category")),
    name_column("author", gettext_lazy("author")),
    *(
        field_column(Article, name)
        for name in (
            "helpful_count",
            "not_helpful_count",
            "published_at",
            "created_at",
            "updated_at",
            "body",
        )
    ),
)

ARTICLE_ROWS = ExportRows(
    select=article_list,
    names=lambda a: {"category": text_of(a.category), "author": username(a.owner)},
)
