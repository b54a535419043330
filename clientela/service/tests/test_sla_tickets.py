"""The SLA clocks of tickets: the policy that applies, due times in business time on
a Spanish calendar with its holidays, pauses in the paused statuses, the first reply."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from clientela.service.calendars import calendar_of
from clientela.service.choices import SlaState, TicketStatus
from clientela.service.models import Ticket
from clientela.service.services import sla
from clientela.service.services import tickets as services
from clientela.service.services.conversation import ticket_reply
from clientela.service.sla.calendars import business_time_between
from clientela.service.tests.helpers import make_policy, make_queue

pytestmark = pytest.mark.django_db

MADRID = ZoneInfo("Europe/Madrid")


def _due(policy: Any, start: datetime.datetime) -> Ticket:
    ticket = Ticket(sla_policy=policy, priority="normal", status=TicketStatus.NEW)
    ticket.sla_elapsed, ticket.sla_running_since = 0, start
    sla.recompute(ticket, start)
    return ticket


def test_due_times_count_business_hours(admin: Any) -> None:
    policy = make_policy(first_response=120, resolution=960)
    ticket = _due(policy, datetime.datetime(2026, 11, 13, 14, 30, tzinfo=MADRID))
    # Friday 8–15: 30 minutes; Monday from 9:00: 90 more.
    assert ticket.first_response_due_at == datetime.datetime(2026, 11, 16, 10, 30, tzinfo=MADRID)
    # 16 hours: Friday 0.5, Monday 8 (9–14, 16–19), Tuesday 7.5.
    assert ticket.resolution_due_at == datetime.datetime(2026, 11, 17, 18, 30, tzinfo=MADRID)
    assert ticket.next_due_at == ticket.first_response_due_at
    assert ticket.sla_state == SlaState.OK


def test_due_times_skip_national_and_regional_holidays(admin: Any) -> None:
    policy = make_policy(first_response=120)
    ticket = _due(policy, datetime.datetime(2026, 12, 4, 14, 30, tzinfo=MADRID))
    # Monday 7 December is Madrid's (Constitution Day moved from Sunday), Tuesday 8 the
    # whole country's: the remaining 90 minutes fall on Wednesday.
    assert ticket.first_response_due_at == datetime.datetime(2026, 12, 9, 10, 30, tzinfo=MADRID)
    catalonia = make_policy("Barcelona", first_response=120, subdivision="CT")
    elsewhere = _due(catalonia, datetime.datetime(2026, 12, 4, 14, 30, tzinfo=MADRID))
    assert elsewhere.first_response_due_at == datetime.datetime(2026, 12, 7, 10, 30, tzinfo=MADRID)


def test_the_state_warns_at_80_percent_and_breaches_past_the_target(admin: Any) -> None:
    policy = make_policy(first_response=100, resolution=1000)
    start = datetime.datetime(2026, 12, 9, 9, 0, tzinfo=MADRID)
    ticket = Ticket(sla_policy=policy, priority="normal", status=TicketStatus.OPEN)
    ticket.sla_elapsed, ticket.sla_running_since = 0, start
    sla.recompute(ticket, start)
    target = sla._target(ticket)
    assert target is not None
    calendar = calendar_of(policy.calendar)
    states = {
        minutes: sla.state_of(ticket, target, calendar, start + datetime.timedelta(minutes=minutes))
        for minutes in (79, 80, 99, 100)
    }
    assert states == {
        79: SlaState.OK,
        80: SlaState.WARNING,
        99: SlaState.WARNING,
        100: SlaState.BREACHED,
    }


def test_a_pending_ticket_pauses_and_resumes_with_the_time_spent_kept(admin: Any) -> None:
    policy = make_policy()
    ticket = services.ticket_create(actor=admin, data={"subject": "Q"})
    assert ticket.sla_policy == policy
    assert ticket.sla_running_since is not None
    calendar = calendar_of(policy.calendar)
    spent = business_time_between(calendar, ticket.sla_running_since, ticket.first_response_due_at)  # type: ignore[arg-type]
    assert spent == datetime.timedelta(minutes=120)
    paused = services.ticket_set_status(actor=admin, ticket=ticket, status=TicketStatus.PENDING)
    assert (paused.sla_state, paused.sla_running_since, paused.next_due_at) == (
        SlaState.PAUSED,
        None,
        None,
    )
    resumed = services.ticket_set_status(actor=admin, ticket=paused, status=TicketStatus.OPEN)
    assert resumed.sla_running_since is not None
    left = business_time_between(calendar, resumed.sla_running_since, resumed.first_response_due_at)  # type: ignore[arg-type]
    assert left == datetime.timedelta(minutes=120) - datetime.timedelta(seconds=resumed.sla_elapsed)


def test_the_first_reply_meets_the_first_response_and_solving_stops_the_clock(
    admin: Any,
) -> None:
    make_policy()
    ticket = services.ticket_create(actor=admin, data={"subject": "Q"})
    ticket_reply(actor=admin, ticket=ticket, body="On it")
    ticket.refresh_from_db()
    assert ticket.first_responded_at is not None
    assert ticket.next_due_at == ticket.resolution_due_at
    solved = services.ticket_set_status(actor=admin, ticket=ticket, status=TicketStatus.SOLVED)
    assert (solved.sla_state, solved.next_due_at, solved.sla_running_since) == (
        SlaState.MET,
        None,
        None,
    )


def test_a_policy_for_the_organization_beats_the_queues_and_the_general_one(
    admin: Any, organization_factory: Any
) -> None:
    general = make_policy("General", position=1)
    for_queue = make_policy("Queue's", position=2, organization=None)
    vip = organization_factory(admin, name="VIP S.A.")
    for_vip = make_policy("VIP", position=3, organization=vip)
    queue = make_queue(sla_policy=for_queue)
    assert services.ticket_create(actor=admin, data={"subject": "a"}).sla_policy == general
    in_queue = services.ticket_create(actor=admin, data={"subject": "b", "queue_id": queue.pk})
    assert in_queue.sla_policy == for_queue
    from_vip = services.ticket_create(
        actor=admin, data={"subject": "c", "queue_id": queue.pk, "organization_id": vip.pk}
    )
    assert from_vip.sla_policy == for_vip


def test_without_a_policy_a_ticket_has_no_sla(admin: Any) -> None:
    ticket = services.ticket_create(actor=admin, data={"subject": "Q"})
    assert (ticket.sla_state, ticket.next_due_at, ticket.first_response_due_at) == (
        SlaState.NONE,
        None,
        None,
    )
