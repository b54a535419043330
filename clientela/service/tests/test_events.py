"""The ticket changes made outside ``ticket_update`` emit their domain events too: the
customer's message that reopens a ticket, an agent's reply that sets a status, the SLA
pass's escalation (priority raised, ticket reassigned), the reassignment of unanswered
tickets and a merge; each in the change's transaction (a pass that fails half-way
leaves no event)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from clientela.core.models import OutboxEvent
from clientela.service.choices import TicketStatus
from clientela.service.models import Ticket
from clientela.service.services import assignment, escalation
from clientela.service.services import tickets as services
from clientela.service.services.conversation import ticket_customer_message, ticket_reply
from clientela.service.tests.helpers import round_the_clock_desk

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)


def _events(ticket: Ticket) -> list[OutboxEvent]:
    return list(OutboxEvent.objects.filter(resource=Ticket.RESOURCE, record_id=ticket.pk))


def _new_events(ticket: Ticket, seen: int) -> list[tuple[str, Any]]:
    """The (type, changed fields or from→to) of the ticket's events after the first
    ``seen``, oldest first."""
    rows = sorted(_events(ticket), key=lambda e: e.pk)[seen:]
    return [
        (
            e.type,
            e.data.get("changed_fields") or (e.data.get("from_status"), e.data.get("to_status"))
            if e.type != "ticket.closed"
            else None,
        )
        for e in rows
    ]


@pytest.fixture
def desk(manager_north: Any, rep_north: Any, rep_north2: Any) -> Any:
    return round_the_clock_desk(
        [rep_north, rep_north2],
        manager_north,
        breach_raises_priority=True,
        breach_reassigns=True,
    )


def _running(admin: Any, queue: Any, assignee: Any) -> Ticket:
    ticket = services.ticket_create(
        actor=admin, data={"subject": "Q", "queue_id": queue.pk, "assignee_id": assignee.pk}
    )
    Ticket.objects.filter(pk=ticket.pk).update(sla_running_since=T0, sla_elapsed=0, assigned_at=T0)
    return Ticket.objects.get(pk=ticket.pk)


def test_the_customer_reopening_a_solved_ticket(admin: Any, person_factory: Any) -> None:
    customer = person_factory(admin, first_name="Lucía", email="lucia@example.com")
    ticket = services.ticket_create(actor=admin, data={"subject": "Q", "person_id": customer.pk})
    solved = services.ticket_set_status(actor=admin, ticket=ticket, status=TicketStatus.SOLVED)
    seen = len(_events(ticket))
    ticket_customer_message(ticket=solved, body="Still broken", person=customer)
    assert _new_events(ticket, seen) == [
        ("ticket.updated", ["status"]),
        ("ticket.status_changed", ("solved", "open")),
    ]
    reopened = OutboxEvent.objects.filter(type="ticket.status_changed").latest("id")
    assert (reopened.data["status"], reopened.actor_id) == ("open", None)
    # A message on an open ticket changes no status: no event.
    ticket_customer_message(ticket=solved, body="Hello?", person=customer)
    assert len(_new_events(ticket, seen)) == 2


def test_an_agents_reply_that_sets_a_status(admin: Any) -> None:
    ticket = services.ticket_create(actor=admin, data={"subject": "Q"})
    seen = len(_events(ticket))
    ticket_reply(
        actor=admin, ticket=ticket, body="Waiting for them", public=False, status="pending"
    )
    assert _new_events(ticket, seen) == [
        ("ticket.updated", ["status"]),
        ("ticket.status_changed", ("new", "pending")),
    ]


def test_the_sla_pass_escalating_a_breach(
    admin: Any, desk: Any, rep_north: Any, rep_north2: Any
) -> None:
    ticket = _running(admin, desk, rep_north)
    seen = len(_events(ticket))
    escalation.sla_sweep(now=T0 + datetime.timedelta(minutes=80))  # a warning only
    assert _new_events(ticket, seen) == []
    escalation.sla_sweep(now=T0 + datetime.timedelta(minutes=100))
    [(kind, changed)] = _new_events(ticket, seen)
    assert (kind, changed) == ("ticket.updated", ["assignee_id", "priority"])
    event = OutboxEvent.objects.filter(type="ticket.updated").latest("id")
    assert (event.data["priority"], event.data["assignee_id"]) == ("high", rep_north2.pk)
    assert event.actor_id is None


def test_a_failed_pass_leaves_no_event(
    admin: Any, desk: Any, rep_north: Any, monkeypatch: Any
) -> None:
    ticket = _running(admin, desk, rep_north)
    seen = len(_events(ticket))

    def down(**kwargs: Any) -> None:
        raise ConnectionError("the worker died here")

    monkeypatch.setattr(escalation, "notifications_send", down)
    with pytest.raises(ConnectionError):
        escalation.sla_sweep(now=T0 + datetime.timedelta(minutes=100))
    assert _new_events(ticket, seen) == []
    assert Ticket.objects.get(pk=ticket.pk).priority == "normal"


def test_an_unanswered_ticket_reassigned(
    admin: Any, desk: Any, rep_north: Any, rep_north2: Any
) -> None:
    desk.reassign_after_minutes = 30
    desk.save()
    ticket = _running(admin, desk, rep_north)
    seen = len(_events(ticket))
    assert assignment.reassign_unanswered(now=T0 + datetime.timedelta(minutes=31)) == 1
    assert _new_events(ticket, seen) == [("ticket.updated", ["assignee_id"])]
    event = OutboxEvent.objects.filter(type="ticket.updated").latest("id")
    assert event.data["assignee_id"] == rep_north2.pk


def test_a_merged_ticket_is_closed(admin: Any) -> None:
    duplicate = services.ticket_create(actor=admin, data={"subject": "Twice"})
    kept = services.ticket_create(actor=admin, data={"subject": "Once"})
    seen = len(_events(duplicate))
    services.ticket_merge(actor=admin, ticket=duplicate, into=kept)
    assert _new_events(duplicate, seen) == [
        ("ticket.updated", ["merged_into_id", "status"]),
        ("ticket.status_changed", ("new", "closed")),
        ("ticket.closed", None),
    ]
