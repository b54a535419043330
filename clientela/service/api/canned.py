"""What ``core.api.records`` needs to serve ``/canned-answers`` (list with ``q``,
``language`` and ``queue_id``, create, retrieve, patch, delete) from the kind's
declaration in ``service.kinds``: read by anyone who may read tickets (the active
answers), changed by admins and managers (403 for the others, who can read them)."""

from __future__ import annotations

import datetime
from typing import Annotated

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field

from clientela.core.api import PageParams, api_user
from clientela.core.api.schemas import Flag, InputSchema, OutputSchema, RecordId, omissible
from clientela.core.choices import Language
from clientela.service.models import CannedAnswer
from clientela.service.selectors import canned as selectors
from clientela.service.services.canned import MERGE_FIELDS

#: A language code, or "" for every language.
LANGUAGE = f"^({'|'.join(Language.values)})?$"
_FIELDS = ", ".join(f"`{{{{ {name} }}}}`" for name in MERGE_FIELDS)


class CannedAnswerIn(InputSchema):
    title: Annotated[str, Field(max_length=100)] = omissible("Required on create.")
    body: Annotated[str, Field(max_length=10000)] = omissible(
        f"Required on create. Plain text with the merge fields {_FIELDS} and nothing else "
        "of a template (422 on `body` otherwise)."
    )
    language: str = Field(
        default_factory=str,
        max_length=5,
        pattern=LANGUAGE,
        description="en or es; empty (the default) for every language.",
    )
    queue_id: RecordId | None = Field(None, description="null: offered in every queue.")
    active: Flag = omissible("Only active answers are offered on tickets (default true).")


class CannedAnswerOut(OutputSchema):
    id: int
    title: str
    body: str
    language: str
    queue_id: int | None
    active: bool
    created_at: datetime.datetime
    updated_at: datetime.datetime


class CannedAnswerListParams(PageParams):
    q: str | None = Field(None, max_length=200, description="Words of the title or text.")
    language: str | None = Field(
        None,
        max_length=5,
        pattern=LANGUAGE,
        description="The answers offered in this language: in it, or for every language.",
    )
    queue_id: RecordId | None = Field(
        None, description="The answers offered in this queue: for it, or for every queue."
    )


def canned_answer_out(answer: CannedAnswer) -> CannedAnswerOut:
    return CannedAnswerOut(
        id=answer.pk,
        title=answer.title,
        body=answer.body,
        language=answer.language,
        queue_id=answer.queue_id,
        active=answer.active,
        created_at=answer.created_at,
        updated_at=answer.updated_at,
    )


def canned_answers_query(
    request: HttpRequest, params: CannedAnswerListParams
) -> QuerySet[CannedAnswer]:
    return selectors.canned_answer_list(
        user=api_user(request),
        q=(params.q or "").strip(),
        language=params.language,
        queue_id=params.queue_id,
    )


CANNED_DOCS = {
    "list": "The answers by title: the active ones for anyone who may read tickets, every "
    "one for admins and managers. Filters: `q` (title or text), `language`, `queue_id` "
    "(what a ticket in that language or queue offers).",
    "create": "A new answer (admins and managers; 403 for anyone else).",
    "get": "One answer (an inactive one: admins and managers only).",
    "update": "Change what the body names (admins and managers).",
    "delete": "Delete an answer for good; deactivate it to keep it (admins and managers).",
}
