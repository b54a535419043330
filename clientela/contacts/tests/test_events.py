"""The importer's bulk writes emit the same events as the one-record services: one
``person.created`` per new person (its data rendered as the API shows it by the
worker, before it hands the event out), ``person.updated`` with the changed fields,
``person.deleted`` when an import is undone."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from clientela.contacts import bulk, bulk_updates
from clientela.contacts.models import Person
from clientela.core import events
from clientela.core.events import Event, Subscriber, register_subscriber
from clientela.core.events.dispatch import dispatch_pending
from clientela.core.models import OutboxEvent
from clientela.core.testing.api import Api

pytestmark = pytest.mark.django_db


def _written(admin: Any, n: int) -> list[Any]:
    checked = bulk.people_check(
        actor=admin, items=[{"first_name": f"P{i}", "last_name": "Bulk"} for i in range(n)]
    )
    assert all(isinstance(c, bulk.Checked) for c in checked)
    return bulk.people_write(actor=admin, checked=checked)  # type: ignore[arg-type]


@pytest.fixture
def got() -> Iterator[list[Event]]:
    received: list[Event] = []
    register_subscriber(Subscriber("test.imported", received.append, frozenset({"person.created"})))
    yield received
    events._subscribers.pop("test.imported", None)


def test_each_imported_person_is_one_created_event_as_the_api_shows_it(
    admin: Any, got: list[Event]
) -> None:
    people = _written(admin, 3)
    written = OutboxEvent.objects.filter(type="person.created")
    assert {r.record_id: r.render_later for r in written} == {p.pk: True for p in people}
    dispatch_pending()
    rows = {r.record_id: r for r in OutboxEvent.objects.filter(type="person.created")}
    api = Api(admin)
    for person in people:
        shown = api.get(f"/api/v1/people/{person.pk}").json()
        assert rows[person.pk].data == shown
        assert rows[person.pk].actor_id == admin.pk
    assert {e.record_id: dict(e.data) for e in got} == {pk: r.data for pk, r in rows.items()}


def test_a_bulk_update_names_the_changed_fields(admin: Any) -> None:
    [person] = _written(admin, 1)
    bulk_updates.update_many(
        actor=admin, model=Person, items=[(person.pk, {"first_name": "Changed"})]
    )
    row = OutboxEvent.objects.get(type="person.updated", record_id=person.pk)
    assert row.data["changed_fields"] == ["first_name"]
    assert row.data["first_name"] == "Changed"


def test_undoing_an_import_emits_deleted_with_the_record_as_it_was(admin: Any) -> None:
    people = _written(admin, 2)
    bulk.records_trash_many(actor=admin, model=Person, versions={p.pk: p.version for p in people})
    rows = OutboxEvent.objects.filter(type="person.deleted")
    assert {r.record_id for r in rows} == {p.pk for p in people}
    assert {r.data["last_name"] for r in rows} == {"Bulk"}
