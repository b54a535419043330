"""Domain events (issue 16 item 1): what happened to a CRM record, named and versioned.

This package is the contract between the apps that emit events and those that react
to them (automation's rules and webhooks):

- each app declares the events it emits with ``register_event_type`` (a name such as
  ``deal.won``, a version, a description and the JSON schema of ``data``), in its
  ``AppConfig.ready()``; ``event_types()`` is the catalogue (``/api/v1/events``);
- a service that changes a record emits within its transaction (the outbox, written
  in the same transaction as the change, so a crash after commit loses nothing);
- the worker dispatches each stored event, in order per record, to every registered
  subscriber (``register_subscriber``): a handler that takes an ``Event``; a handler's
  writes commit together with the mark that it got the event, so each subscriber
  gets each event once even if the worker is killed mid-dispatch.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class EventType:
    name: str  # "<kind>.<what happened>", e.g. "deal.stage_changed"
    description: Any  # lazy translated text
    schema: Mapping[str, Any]  # JSON schema of Event.data
    version: int = 1
    resource: str = ""  # the permission resource of the record, e.g. "sales.deal"


@dataclass(frozen=True)
class Event:
    id: str  # a UUID, stable across redeliveries (a webhook's webhook-id)
    type: str
    version: int
    occurred_at: datetime.datetime
    resource: str  # e.g. "contacts.person"
    record_id: int | None
    data: Mapping[str, Any]  # the record as the API shows it (plus what the type adds)
    # who acted (user id), the interface, and the rules whose changes this event
    # carries (automation's loop protection); empty when a person acted directly
    actor_id: int | None = None
    interface: str = ""
    chain: tuple[str, ...] = field(default=())


_event_types: dict[str, EventType] = {}


def register_event_type(event_type: EventType) -> EventType:
    known = _event_types.get(event_type.name)
    if known is not None and known != event_type:
        raise ImproperlyConfigured(f"Event type {event_type.name!r} registered twice.")
    _event_types[event_type.name] = event_type
    return event_type


def event_types() -> list[EventType]:
    return sorted(_event_types.values(), key=lambda t: t.name)


def event_type(name: str) -> EventType | None:
    return _event_types.get(name)


@dataclass(frozen=True)
class Subscriber:
    key: str  # stored with each delivery mark: never rename one that has run
    handle: Callable[[Event], None]
    # the event types it wants (None: all); a webhook subscriber takes all and
    # matches its subscriptions itself
    events: frozenset[str] | None = None


_subscribers: dict[str, Subscriber] = {}


def register_subscriber(subscriber: Subscriber) -> None:
    _subscribers[subscriber.key] = subscriber


def subscribers_for(event_type_name: str) -> list[Subscriber]:
    return [
        s
        for s in sorted(_subscribers.values(), key=lambda s: s.key)
        if s.events is None or event_type_name in s.events
    ]
