"""The ticket list's filters and sorts, declared on ``core.filters``; the selectors
apply them (pages, API and exports parse the same declaration)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clientela.core.choices import Language
from clientela.core.filters import ChoiceParam, Errors, IdParam, ListFilters, Sorts, TextParam
from clientela.service.choices import (
    ArticleStatus,
    SlaState,
    TicketPriority,
    TicketStatus,
    TicketType,
)

#: ``status=active``: every status that still needs work (the default of the queues).
ACTIVE = "active"
STATUS_CHOICES = [(ACTIVE, gettext_lazy("Still to do")), *TicketStatus.choices]
#: ``assignee=me`` / ``assignee=none``, besides a user id.
ME, NOBODY = "me", "none"


@dataclass
class TicketFilters(ListFilters):
    FIELDS: ClassVar[Mapping[str, forms.Field]] = {
        "q": TextParam(limit=200),
        "status": ChoiceParam(STATUS_CHOICES, message=gettext_lazy("Unknown status “%(value)s”.")),
        "priority": ChoiceParam(
            TicketPriority.choices, message=gettext_lazy("Unknown priority “%(value)s”.")
        ),
        "type": ChoiceParam(TicketType.choices, message=gettext_lazy("Unknown type “%(value)s”.")),
        "sla_state": ChoiceParam(
            SlaState.choices, message=gettext_lazy("Unknown SLA state “%(value)s”.")
        ),
        "queue_id": IdParam(),
        "category_id": IdParam(),
        "person_id": IdParam(),
        "organization_id": IdParam(),
        "tag": IdParam(),
    }
    SORTS: ClassVar[Sorts] = {
        "due": ("next_due_at", "id"),
        "number": ("number", "id"),
        "created": ("created_at", "id"),
        "updated": ("updated_at", "id"),
        "priority": ("priority_rank", "id"),
        "status": ("status", "id"),
        "subject": ("subject", "id"),
        "last_message": ("last_message_at", "id"),
    }
    DEFAULT_SORT = "due"

    q: str = ""
    status: str = ""
    priority: str = ""
    type: str = ""
    sla_state: str = ""
    queue_id: int | None = None
    category_id: int | None = None
    person_id: int | None = None
    organization_id: int | None = None
    tag: int | None = None
    #: A user id, or None with ``assignee_mode`` "me" or "none".
    assignee_id: int | None = None
    assignee_mode: str = ""
    sort: str = "due"
    descending: bool = False

    def clean(self, params: Mapping[str, Any], errors: Errors, **context: Any) -> None:
        """``assignee`` (pages) or ``assignee_id`` (API): a user id, "me" or "none"."""
        key = "assignee" if params.get("assignee") else "assignee_id"
        raw = str(params.get(key) or "").strip().lower()
        if not raw:
            return
        if raw in (ME, NOBODY):
            self.assignee_mode = raw
            return
        try:
            self.assignee_id = IdParam().clean(raw)
        except forms.ValidationError:
            errors[key] = [_("Give the assignee as a user id, “me” or “none”.")]


@dataclass
class ArticleFilters(ListFilters):
    """The knowledge base's list: words, status, language, category."""

    FIELDS: ClassVar[Mapping[str, forms.Field]] = {
        "q": TextParam(limit=200),
        "status": ChoiceParam(
            ArticleStatus.choices, message=gettext_lazy("Unknown status “%(value)s”.")
        ),
        "language": ChoiceParam(
            Language.choices, message=gettext_lazy("Unknown language “%(value)s”.")
        ),
        "category_id": IdParam(),
    }
    SORTS: ClassVar[Sorts] = {
        "title": ("title", "id"),
        "updated": ("updated_at", "id"),
        "created": ("created_at", "id"),
        "helpful": ("helpful_count", "id"),
    }
    DEFAULT_SORT = "title"

    q: str = ""
    status: str = ""
    language: str = ""
    category_id: int | None = None
    sort: str = "title"
    descending: bool = False
