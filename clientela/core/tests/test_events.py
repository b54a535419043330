"""The outbox and its dispatch (``core.events``): events written in the changing
transaction, handed to every subscriber once, in order per record, failures retried
with back-off without holding up other records, old events pruned; the rule chain
carried into events; the catalogue's API."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import jsonschema_rs
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from clientela.contacts.details import EmailInput
from clientela.contacts.services import person_update
from clientela.core import events as ev
from clientela.core.context import acting_rule, current_chain
from clientela.core.events import Event, Subscriber, register_subscriber
from clientela.core.events.dispatch import dispatch_pending, prune, retry_after
from clientela.core.events.outbox import emit
from clientela.core.events.records import SYSTEM_READER, record_events, render
from clientela.core.models import EventDelivery, OutboxEvent
from clientela.core.testing.api import Api

pytestmark = pytest.mark.django_db


@pytest.fixture
def got() -> Iterator[list[Event]]:
    """A subscriber that keeps what it gets (registered for the test only)."""
    received: list[Event] = []
    register_subscriber(Subscriber("test.keep", received.append))
    yield received
    ev._subscribers.pop("test.keep", None)


def test_a_person_created_is_one_outbox_row_with_the_api_s_rendering(
    rep_north: Any, person_factory: Any, got: list[Event]
) -> None:
    person = person_factory(rep_north, first_name="Ana", emails=[EmailInput("ana@example.com")])
    row = OutboxEvent.objects.get(type="person.created")
    assert (row.resource, row.record_id, row.actor_id) == (
        "contacts.person",
        person.pk,
        rep_north.pk,
    )
    api = Api(rep_north).get(f"/api/v1/people/{person.pk}").json()
    assert row.data == api
    assert row.dispatched_at is None


def test_an_update_names_the_changed_fields_as_the_api_does(
    rep_north: Any, person_factory: Any
) -> None:
    person = person_factory(rep_north, first_name="Ana")
    person_update(
        actor=rep_north, person=person, data={"first_name": "Anna", "last_name": person.last_name}
    )
    row = OutboxEvent.objects.get(type="person.updated")
    assert row.data["changed_fields"] == ["first_name"]
    assert row.data["first_name"] == "Anna"


def test_a_rolled_back_change_leaves_no_event(rep_north: Any, person_factory: Any) -> None:
    written: list[bool] = []

    def change_then_fail() -> None:
        with transaction.atomic():
            person_factory(rep_north)
            written.append(OutboxEvent.objects.filter(type="person.created").exists())
            raise RuntimeError("undone")

    with pytest.raises(RuntimeError):
        change_then_fail()
    assert written == [True]
    assert not OutboxEvent.objects.exists()


def test_an_unchanged_update_emits_nothing(rep_north: Any, person_factory: Any) -> None:
    person = person_factory(rep_north, first_name="Ana")
    person_update(actor=rep_north, person=person, data={"first_name": "Ana"})
    assert not OutboxEvent.objects.filter(type="person.updated").exists()


def test_each_subscriber_gets_each_event_once_in_order(
    rep_north: Any, person_factory: Any, got: list[Event]
) -> None:
    person = person_factory(rep_north, first_name="A")
    for name in ["B", "C"]:
        person = person_update(actor=rep_north, person=person, data={"first_name": name})
    dispatch_pending()
    dispatch_pending()
    mine = [e for e in got if e.record_id == person.pk]
    assert [e.type for e in mine] == ["person.created", "person.updated", "person.updated"]
    assert [e.data["first_name"] for e in mine] == ["A", "B", "C"]
    assert EventDelivery.objects.filter(subscriber="test.keep").count() == 3
    assert not OutboxEvent.objects.filter(dispatched_at__isnull=True).exists()


def test_a_failing_handler_blocks_only_the_later_events_of_its_record(
    rep_north: Any, person_factory: Any, got: list[Event]
) -> None:
    bad, good = person_factory(rep_north, first_name="Bad"), person_factory(rep_north)
    calls: list[str] = []

    def flaky(event: Event) -> None:
        calls.append(event.type)
        if event.record_id == bad.pk and len([c for c in calls if c]) < 3:
            raise ValueError("receiver down")

    register_subscriber(Subscriber("test.flaky", flaky))
    try:
        person_update(actor=rep_north, person=bad, data={"first_name": "Worse"})
        done = dispatch_pending()
        assert done.failed == 1
        mark = EventDelivery.objects.get(subscriber="test.flaky", delivered_at__isnull=True)
        assert mark.attempts == 1
        assert "receiver down" in mark.last_error
        assert mark.next_attempt_at is not None
        assert mark.next_attempt_at > timezone.now()
        # the other record went through; the bad one's update waits behind its creation
        flaky_got = EventDelivery.objects.filter(
            subscriber="test.flaky", delivered_at__isnull=False
        )
        assert set(flaky_got.values_list("event__record_id", flat=True)) == {good.pk}
        # the other subscriber was not held up at all
        assert {e.record_id for e in got} == {bad.pk, good.pk}
        # once the wait is over, the retry succeeds and the order holds
        EventDelivery.objects.filter(pk=mark.pk).update(next_attempt_at=timezone.now())
        dispatch_pending()
        order = list(
            EventDelivery.objects.filter(subscriber="test.flaky", event__record_id=bad.pk)
            .order_by("delivered_at", "event_id")
            .values_list("event__type", flat=True)
        )
        assert order == ["person.created", "person.updated"]
    finally:
        ev._subscribers.pop("test.flaky", None)


def test_retries_back_off_to_an_hour() -> None:
    assert retry_after(1) == datetime.timedelta(seconds=30)
    assert retry_after(2) == datetime.timedelta(minutes=1)
    assert retry_after(20) == datetime.timedelta(hours=1)


def test_a_handler_s_writes_and_its_mark_commit_together(
    rep_north: Any, person_factory: Any
) -> None:
    person = person_factory(rep_north)

    def writes_then_fails(event: Event) -> None:
        OutboxEvent.objects.filter(pk=-1).update(type="never")  # a write
        emit("person.updated", resource="contacts.person", record_id=person.pk, data={"x": 1})
        raise ValueError("after writing")

    register_subscriber(Subscriber("test.half", writes_then_fails, frozenset({"person.created"})))
    try:
        dispatch_pending()
    finally:
        ev._subscribers.pop("test.half", None)
    # the event the handler wrote was undone with its failure
    assert not OutboxEvent.objects.filter(type="person.updated").exists()
    assert not EventDelivery.objects.filter(subscriber="test.half", delivered_at__isnull=False)


def test_dispatched_events_are_pruned_after_the_retention(
    rep_north: Any, person_factory: Any, settings: Any
) -> None:
    person_factory(rep_north)
    person_factory(rep_north)
    dispatch_pending()
    old = OutboxEvent.objects.order_by("id").first()
    assert old is not None
    OutboxEvent.objects.filter(pk=old.pk).update(
        dispatched_at=timezone.now() - datetime.timedelta(days=31)
    )
    settings.CLIENTELA_EVENTS_KEEP_DAYS = 30
    assert prune() == 1
    assert OutboxEvent.objects.count() == 1


def test_an_event_carries_the_chain_of_rules_acting(rep_north: Any, person_factory: Any) -> None:
    assert current_chain() == ()
    with acting_rule("7"), acting_rule("9"):
        assert current_chain() == ("7", "9")
        person_factory(rep_north)
    assert current_chain() == ()
    assert OutboxEvent.objects.get(type="person.created").chain == ["7", "9"]


def test_a_handler_runs_under_the_event_s_chain(rep_north: Any, person_factory: Any) -> None:
    seen: list[tuple[str, ...]] = []
    register_subscriber(Subscriber("test.chain", lambda e: seen.append(current_chain())))
    try:
        with acting_rule("3"):
            person_factory(rep_north)
        dispatch_pending()
    finally:
        ev._subscribers.pop("test.chain", None)
    assert seen == [("3",)]


def test_every_event_type_has_a_schema_its_samples_validate_against(
    rep_north: Any, person_factory: Any
) -> None:
    person = person_factory(rep_north, first_name="Ana", tags=["VIP"])
    spec = record_events("contacts.person")
    assert spec is not None
    data = render(spec, person.pk)
    for event_type in ev.event_types():
        validator = jsonschema_rs.validator_for(dict(event_type.schema))
        assert validator.is_valid({}) is False, f"{event_type.name} accepts anything"
    person_schema = dict(ev.event_type("person.updated").schema)  # type: ignore[union-attr]
    jsonschema_rs.validate(
        person_schema, {**data, "changed_fields": ["first_name"], "previous": {"first_name": "A"}}
    )
    with pytest.raises(jsonschema_rs.ValidationError):
        jsonschema_rs.validate(person_schema, data)  # changed_fields is required


def test_the_system_reader_sees_what_no_role_would(rep_south: Any, person_factory: Any) -> None:
    person = person_factory(rep_south)
    spec = record_events("contacts.person")
    assert spec is not None
    assert render(spec, person.pk)["id"] == person.pk
    assert SYSTEM_READER.pk is None


def test_the_catalogue_needs_the_automation_read_scope(rep_north: Any) -> None:
    refused = Api(rep_north).get("/api/v1/events")
    assert refused.status_code == 403
    answer = Api(rep_north, ("automation:read",)).get("/api/v1/events")
    assert answer.status_code == 200
    items = {i["name"]: i for i in answer.json()["items"]}
    assert {"person.created", "deal.won", "ticket.closed", "form.submitted"} <= set(items)
    assert items["deal.stage_changed"]["schema"]["properties"]["to_stage"]
    assert items["person.updated"]["version"] == 1


def test_an_unknown_event_type_is_refused() -> None:
    with pytest.raises(ImproperlyConfigured):
        emit("person.exploded", resource="contacts.person", record_id=1, data={})


def test_the_committed_event_catalogue_is_up_to_date() -> None:
    from clientela.core.events.docs import catalogue_markdown  # noqa: PLC0415
    from clientela.core.management.commands.event_catalogue import page_path  # noqa: PLC0415

    assert page_path().read_text(encoding="utf-8") == catalogue_markdown(), (
        "docs/events.md is out of date: run manage.py event_catalogue"
    )
