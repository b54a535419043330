"""The worker's SLA pass: a warning at 80 %, an escalation on breach, each exactly once
even when a pass fails half-way; states kept up to date; unanswered tickets reassigned.
On a calendar that works around the clock, so business time is real time and the
figures hold whatever day the tests run."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from clientela.activities.models import Notification
from clientela.service.choices import SlaState
from clientela.service.models import Ticket
from clientela.service.services import assignment, escalation
from clientela.service.services import tickets as services
from clientela.service.tests.helpers import round_the_clock_desk

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)


def _running_ticket(admin: Any, queue: Any, assignee: Any) -> Ticket:
    ticket = services.ticket_create(
        actor=admin, data={"subject": "Q", "queue_id": queue.pk, "assignee_id": assignee.pk}
    )
    Ticket.objects.filter(pk=ticket.pk).update(sla_running_since=T0, sla_elapsed=0)
    return Ticket.objects.get(pk=ticket.pk)


def at(*, minutes: int) -> datetime.datetime:
    return T0 + datetime.timedelta(minutes=minutes)


def _titles(user: Any) -> list[str]:
    return list(Notification.objects.filter(user=user).values_list("title", flat=True))


@pytest.fixture
def desk(manager_north: Any, rep_north: Any, rep_north2: Any) -> Any:
    return round_the_clock_desk([rep_north, rep_north2], manager_north, breach_raises_priority=True)


def test_warned_at_80_percent_and_escalated_on_breach_each_once(
    admin: Any, desk: Any, rep_north: Any, manager_north: Any
) -> None:
    ticket = _running_ticket(admin, desk, rep_north)
    assert escalation.sla_sweep(now=at(minutes=79)).warned == 0
    first = escalation.sla_sweep(now=at(minutes=80))
    assert (first.warned, first.breached) == (1, 0)
    assert escalation.sla_sweep(now=at(minutes=90)).warned == 0
    assert _titles(rep_north) == [f"{ticket.label}: the first response is due soon"]
    assert Ticket.objects.get(pk=ticket.pk).sla_state == SlaState.WARNING
    breach = escalation.sla_sweep(now=at(minutes=100))
    assert breach.breached == 1
    assert escalation.sla_sweep(now=at(minutes=101)).breached == 0
    missed = f"{ticket.label}: the first response target was missed"
    assert _titles(manager_north) == [missed]
    after = Ticket.objects.get(pk=ticket.pk)
    assert (after.priority, after.sla_state) == ("high", SlaState.BREACHED)
    assert after.first_response_breached_at == at(minutes=100)


def test_a_pass_that_fails_half_way_leaves_nothing_half_done(
    admin: Any, desk: Any, rep_north: Any, monkeypatch: Any
) -> None:
    ticket = _running_ticket(admin, desk, rep_north)
    now = T0 + datetime.timedelta(minutes=85)

    def down(**kwargs: Any) -> None:
        raise ConnectionError("the worker died here")

    monkeypatch.setattr(escalation, "notifications_send", down)
    with pytest.raises(ConnectionError):
        escalation.sla_sweep(now=now)
    assert Ticket.objects.get(pk=ticket.pk).first_response_warned_at is None
    monkeypatch.undo()
    assert escalation.sla_sweep(now=now).warned == 1
    assert len(_titles(rep_north)) == 1


def test_an_unanswered_ticket_goes_to_another_agent(
    admin: Any, desk: Any, rep_north: Any, rep_north2: Any
) -> None:
    desk.reassign_after_minutes = 30
    desk.save()
    ticket = _running_ticket(admin, desk, rep_north)
    Ticket.objects.filter(pk=ticket.pk).update(assigned_at=T0)
    assert assignment.reassign_unanswered(now=T0 + datetime.timedelta(minutes=29)) == 0
    assert assignment.reassign_unanswered(now=T0 + datetime.timedelta(minutes=31)) == 1
    assert Ticket.objects.get(pk=ticket.pk).assignee == rep_north2
    # The new assignment starts a new wait.
    assert assignment.reassign_unanswered(now=T0 + datetime.timedelta(minutes=32)) == 0
