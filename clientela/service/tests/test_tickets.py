"""Tickets through their services: numbering, transitions, complaints, assignment,
merging, bulk changes and who may see or change what."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from clientela.core.errors import NotFound
from clientela.service.choices import AssignmentMode, TicketStatus, TicketType
from clientela.service.models import AgentStatus, Category, Ticket
from clientela.service.selectors.tickets import ticket_by_number, ticket_get, ticket_list
from clientela.service.services import tickets as services
from clientela.service.services.conversation import ticket_reply
from clientela.service.tests.helpers import make_queue

pytestmark = pytest.mark.django_db


def _ticket(actor: Any, **data: Any) -> Ticket:
    body: Any = {"subject": "Printer on fire", **data}
    return services.ticket_create(actor=actor, data=body)


def test_numbers_have_no_gaps_even_when_a_create_fails(admin: Any) -> None:
    first = _ticket(admin)
    with pytest.raises(ValidationError):
        _ticket(admin, priority="whenever")
    second = _ticket(admin)
    assert second.number == first.number + 1
    assert second.label == f"T-{second.number}"


def test_a_status_moves_only_along_the_allowed_transitions(admin: Any) -> None:
    ticket = _ticket(admin)
    solved = services.ticket_set_status(actor=admin, ticket=ticket, status=TicketStatus.SOLVED)
    assert solved.solved_at is not None
    closed = services.ticket_set_status(actor=admin, ticket=solved, status=TicketStatus.CLOSED)
    with pytest.raises(ValidationError) as refused:
        services.ticket_set_status(actor=admin, ticket=closed, status=TicketStatus.OPEN)
    assert "cannot go from" in str(refused.value)
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.CLOSED


def test_a_new_ticket_cannot_start_solved(admin: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        _ticket(admin, status=TicketStatus.SOLVED)
    assert "status" in refused.value.message_dict
    assert not Ticket.objects.exists()


def test_a_complaint_is_solved_only_with_its_resolution(admin: Any) -> None:
    cause = Category.objects.create(kind="root_cause", name="Courier")
    complaint = _ticket(admin, type=TicketType.COMPLAINT)
    with pytest.raises(ValidationError) as refused:
        services.ticket_set_status(actor=admin, ticket=complaint, status=TicketStatus.SOLVED)
    assert "resolution" in refused.value.message_dict
    done = services.ticket_update(
        actor=admin,
        ticket=complaint,
        data={
            "status": TicketStatus.SOLVED,
            "resolution": "Sent a new one",
            "root_cause_id": cause.pk,
            "compensation": "20.00",
            "compensation_currency": "EUR",
            "customer_agreed": True,
        },
    )
    assert (done.status, str(done.compensation), done.root_cause) == ("solved", "20.00", cause)


def test_compensation_needs_a_currency_and_a_sane_amount(admin: Any) -> None:
    complaint = _ticket(admin, type=TicketType.COMPLAINT)
    with pytest.raises(ValidationError) as refused:
        services.ticket_update(
            actor=admin, ticket=complaint, data={"compensation": "-5", "compensation_currency": ""}
        )
    assert {"compensation"} <= set(refused.value.message_dict)


def test_round_robin_follows_the_weights_and_skips_agents_away(
    admin: Any, rep_north: Any, rep_north2: Any, manager_north: Any
) -> None:
    queue = make_queue(
        agents=[rep_north, rep_north2],
        assignment=AssignmentMode.ROUND_ROBIN,
        weights={rep_north2.pk: 2},
    )
    got = [_ticket(admin, queue_id=queue.pk).assignee for _n in range(6)]
    assert got.count(rep_north2) == 4
    assert got.count(rep_north) == 2
    AgentStatus.objects.create(user=rep_north2, away=True)
    assert {_ticket(admin, queue_id=queue.pk).assignee for _n in range(3)} == {rep_north}


def test_least_open_assignment_and_the_maximum_load(
    admin: Any, rep_north: Any, rep_north2: Any
) -> None:
    queue = make_queue(
        agents=[rep_north, rep_north2],
        assignment=AssignmentMode.LEAST_OPEN,
        max_open_per_agent=2,
    )
    _ticket(admin, queue_id=queue.pk, assignee_id=rep_north.pk)
    assert _ticket(admin, queue_id=queue.pk).assignee == rep_north2
    assert _ticket(admin, queue_id=queue.pk).assignee in (rep_north, rep_north2)
    _ticket(admin, queue_id=queue.pk)
    # Both agents hold two open tickets: the next one waits for someone.
    assert _ticket(admin, queue_id=queue.pk).assignee is None


def test_an_assignee_must_be_an_agent_of_the_queue(
    admin: Any, rep_north: Any, rep_south: Any
) -> None:
    queue = make_queue(agents=[rep_north])
    with pytest.raises(ValidationError) as refused:
        _ticket(admin, queue_id=queue.pk, assignee_id=rep_south.pk)
    assert "assignee_id" in refused.value.message_dict


def test_agents_of_a_queue_work_its_tickets_and_reps_read_their_customers(
    admin: Any, rep_south: Any, person_factory: Any
) -> None:
    customer = person_factory(rep_south)
    north_desk = make_queue("North desk", team="North", agents=[rep_south])
    in_queue = _ticket(admin, queue_id=north_desk.pk)
    about_customer = _ticket(admin, person_id=customer.pk)
    other = _ticket(admin)
    assert {in_queue.team.name, about_customer.team.name, other.team.name} == {"North"}
    # rep_south is an agent of the North desk: sees and changes its ticket.
    assert ticket_get(user=rep_south, pk=in_queue.pk) == in_queue
    services.ticket_update(actor=rep_south, ticket=in_queue, data={"priority": "high"})
    # They see their customer's ticket but may not change it.
    assert ticket_get(user=rep_south, pk=about_customer.pk) == about_customer
    with pytest.raises(NotFound):
        services.ticket_update(actor=rep_south, ticket=about_customer, data={"priority": "high"})
    with pytest.raises(NotFound):
        ticket_reply(actor=rep_south, ticket=about_customer, body="Hi")
    # …and nothing else of the North team.
    with pytest.raises(NotFound):
        ticket_get(user=rep_south, pk=other.pk)
    assert set(ticket_list(user=rep_south)) == {in_queue, about_customer}


def test_merging_moves_the_messages_and_the_old_number_leads_to_the_new(admin: Any) -> None:
    duplicate, kept = _ticket(admin), _ticket(admin)
    ticket_reply(actor=admin, ticket=duplicate, body="A note", public=False)
    services.ticket_merge(actor=admin, ticket=duplicate, into=kept)
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.merged_into) == (TicketStatus.CLOSED, kept)
    assert kept.messages.count() == 1
    assert ticket_by_number(user=admin, number=duplicate.number) == kept
    with pytest.raises(ValidationError):
        ticket_reply(actor=admin, ticket=duplicate, body="Too late")
    with pytest.raises(ValidationError):
        services.ticket_merge(actor=admin, ticket=kept, into=kept)


def test_bulk_changes_go_through_the_service_all_or_nothing(admin: Any, rep_north: Any) -> None:
    a, b = _ticket(admin), _ticket(admin)
    closed = services.ticket_set_status(actor=admin, ticket=_ticket(admin), status="closed")
    assert (
        services.tickets_bulk_update(
            actor=admin, ticket_ids=[a.pk, b.pk], data={"priority": "urgent"}
        )
        == 2
    )
    assert set(Ticket.objects.filter(pk__in=[a.pk, b.pk]).values_list("priority", flat=True)) == {
        "urgent"
    }
    with pytest.raises(ValidationError):
        services.tickets_bulk_update(
            actor=admin, ticket_ids=[a.pk, closed.pk], data={"status": TicketStatus.OPEN}
        )
    assert Ticket.objects.get(pk=a.pk).status == TicketStatus.NEW
    wrong: Any = {"subject": "x"}
    with pytest.raises(ValidationError):
        services.tickets_bulk_update(actor=admin, ticket_ids=[a.pk], data=wrong)
