"""``GET /api/v1/events``: the catalogue of domain events, each with its version,
description and the JSON schema of its ``data`` (what a webhook delivery or a rule's
trigger receives). Scope ``automation:read``."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from clientela.core.api.auth import require_scope
from clientela.core.api.schemas import error_responses, json_answer
from clientela.core.events import event_types


class EventTypeOut(Schema):
    name: str
    version: int
    description: str
    resource: str
    #: The JSON schema of the event's ``data``.
    schema_: dict[str, Any] = Field(alias="schema")


class EventCatalogueOut(Schema):
    items: list[EventTypeOut]


router = Router(tags=["events"])


@router.get("/events", response={200: EventCatalogueOut, **error_responses(401, 403, 422)})
@require_scope("automation:read")
def list_events(request: HttpRequest) -> Any:
    """Every event type Clientela emits, by name, with the JSON schema of its data."""
    return json_answer({"items": catalogue()})


def catalogue() -> list[dict[str, Any]]:
    """The catalogue as JSON values, in name order (the API's and the docs' source)."""
    return [
        {
            "name": t.name,
            "version": t.version,
            "description": str(t.description),
            "resource": t.resource,
            "schema": dict(t.schema),
        }
        for t in event_types()
    ]
