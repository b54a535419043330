"""Every kind that registered its events (``core.events.records``) emits them through
its own services: created, updated (naming the changed fields as the API does),
deleted and restored, each with the record as ``GET /api/v1/<kind>/{id}`` shows it
and valid against its type's schema."""

from __future__ import annotations

from typing import Any

import jsonschema_rs
import pytest

from clientela.core.events import event_type
from clientela.core.events.records import record_events
from clientela.core.models import OutboxEvent
from clientela.core.testing.kinds import kind_factories, unique_label
from clientela.core.testing.matrix import api_for, api_url

pytestmark = pytest.mark.django_db

KINDS = [
    "contacts.person",
    "contacts.organization",
    "activities.interaction",
    "activities.task",
    "activities.appointment",
    "sales.lead",
    "sales.deal",
    "sales.quote",
    "sales.order",
    "service.ticket",
]


def _rows(resource: str, pk: int, name: str) -> list[OutboxEvent]:
    return list(OutboxEvent.objects.filter(resource=resource, record_id=pk, type=name))


def _valid(row: OutboxEvent) -> None:
    known = event_type(row.type)
    assert known is not None
    jsonschema_rs.validate(dict(known.schema), row.data)


@pytest.mark.parametrize("resource", KINDS)
def test_a_kind_s_services_emit_its_events(resource: str, admin: Any) -> None:
    spec = record_events(resource)
    assert spec is not None, f"{resource} registers no events"
    factory = kind_factories()[resource]
    kind = factory.kind
    record = factory.make(admin, unique_label())
    api = api_for(kind, admin)

    [created] = _rows(resource, record.pk, spec.name("created"))
    shown = api.get(api_url(kind, record.pk))
    assert shown.status_code == 200
    assert created.data == shown.json()
    _valid(created)

    if factory.change:
        kind.update_record(
            actor=admin, record=kind.get(user=admin, pk=record.pk), data=factory.change
        )
        [updated] = _rows(resource, record.pk, spec.name("updated"))
        properties = updated.data.keys()
        assert updated.data["changed_fields"], updated.data
        assert set(updated.data["changed_fields"]) <= set(properties), updated.data[
            "changed_fields"
        ]
        assert set(updated.data["previous"]) == set(updated.data["changed_fields"])
        assert updated.data == {
            **api.get(api_url(kind, record.pk)).json(),
            "changed_fields": updated.data["changed_fields"],
            "previous": updated.data["previous"],
        }
        _valid(updated)

    fresh = kind.get(user=admin, pk=record.pk)
    kind.trash_record(actor=admin, record=fresh)
    [deleted] = _rows(resource, record.pk, spec.name("deleted"))
    assert deleted.data["id"] == record.pk
    _valid(deleted)

    trashed = kind.model._default_manager.get(pk=record.pk)
    kind.restore_record(actor=admin, record=trashed)
    [restored] = _rows(resource, record.pk, spec.name("restored"))
    _valid(restored)
    # in the order they happened
    ids = list(
        OutboxEvent.objects.filter(resource=resource, record_id=record.pk).values_list(
            "type", flat=True
        )
    )
    assert ids[0] == spec.name("created")
    assert ids[-2:] == [spec.name("deleted"), spec.name("restored")]
