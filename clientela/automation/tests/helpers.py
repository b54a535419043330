"""Shared set-up of the webhook tests: sample event types in the catalogue (the apps'
own arrive with the events layer; these are removed again after each test), receivers
on loopback allowed, short timeouts, and a subscription to a loopback server."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from clientela.automation.models import WebhookSubscription
from clientela.automation.services.subscriptions import webhook_create
from clientela.core import events
from clientela.core.events import Event, EventType

SAMPLE_TYPES = (
    EventType("hooktest.created", "A test record was created", {"type": "object"}),
    EventType("hooktest.updated", "A test record was changed", {"type": "object"}),
    EventType("othertest.done", "Something else happened", {"type": "object"}),
)


@pytest.fixture
def sample_events() -> Iterator[None]:
    added = [t for t in SAMPLE_TYPES if events.event_type(t.name) is None]
    for event_type in added:
        events.register_event_type(event_type)
    try:
        yield
    finally:
        for event_type in added:
            events._event_types.pop(event_type.name, None)


@pytest.fixture
def loopback(settings: Any) -> None:
    """Receivers on loopback over http (as the tests' servers are), short timeouts."""
    settings.CLIENTELA_WEBHOOKS_ALLOW_PRIVATE = True
    settings.CLIENTELA_WEBHOOKS_ALLOW_HTTP = True
    settings.CLIENTELA_WEBHOOKS_TIMEOUT = 0.5
    settings.CLIENTELA_WEBHOOKS_CONNECT_TIMEOUT = 0.5


def subscribe(admin: Any, url: str, events_: list[str] | None = None) -> WebhookSubscription:
    return webhook_create(
        actor=admin,
        data={"url": url, "events": events_ or ["hooktest.created"], "description": "test"},
    )


def event(
    type_: str = "hooktest.created",
    data: dict[str, Any] | None = None,
    *,
    id_: str = "evt_1",
    at: datetime.datetime | None = None,
) -> Event:
    return Event(
        id=id_,
        type=type_,
        version=1,
        occurred_at=at or timezone.now(),
        resource="contacts.person",
        record_id=1,
        data=data or {"id": 1, "first_name": "Ana"},
    )
