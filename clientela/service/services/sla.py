"""The SLA clocks of tickets: which policy applies, when the first response and the
resolution are due in business time, and what each status does to the clocks.

The arithmetic is ``service.sla.clock`` (pure); this module keeps a ticket's clock in
its columns: ``sla_elapsed`` business seconds counted up to ``sla_running_since`` (None
while paused or stopped). Due times are recomputed whenever the clock starts, pauses,
resumes, stops or the target changes (queue or priority), and stored, so queues sort
by ``next_due_at`` with an index. A paused ticket keeps the due times last computed
(the page shows them struck through) and has no ``next_due_at``.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from clientela.core.memo import memoized
from clientela.service.calendars import calendar_of
from clientela.service.choices import SlaBehaviour, SlaState
from clientela.service.models import ServiceSettings, SlaPolicy, SlaTarget, Ticket
from clientela.service.sla import calendars as clock


def _active_policies() -> list[SlaPolicy]:
    return list(
        SlaPolicy.objects.filter(active=True).select_related("calendar").order_by("position", "pk")
    )


def policy_for(ticket: Ticket) -> SlaPolicy | None:
    """The first active policy (by position) made for the ticket's organization or one
    of its customer's tags; else its queue's policy; else the first policy without a
    condition. The active policies are few: read in one query (once per
    ``memo_scope``) and chosen from here."""
    policies = memoized("service.sla_policies", _active_policies)
    tags: set[int] = set()
    if ticket.person_id is not None and any(p.customer_tag_id for p in policies):
        tags = set(ticket.person.tags.values_list("pk", flat=True))  # type: ignore[union-attr]
    for policy in policies:
        if policy.organization_id is not None and policy.organization_id == ticket.organization_id:
            return policy
        if policy.customer_tag_id is not None and policy.customer_tag_id in tags:
            return policy
    queue_policy = ticket.queue.sla_policy_id if ticket.queue is not None else None
    for policy in policies:
        if queue_policy is not None and policy.pk == queue_policy:
            return policy
    return next(
        (p for p in policies if p.organization_id is None and p.customer_tag_id is None), None
    )


def _target(ticket: Ticket) -> SlaTarget | None:
    if ticket.sla_policy_id is None:
        return None
    key = ("service.sla_target", ticket.sla_policy_id, ticket.priority)
    return memoized(
        key,
        lambda: SlaTarget.objects.filter(
            policy_id=ticket.sla_policy_id, priority=ticket.priority
        ).first(),
    )


def desk_settings() -> ServiceSettings:
    """The desk's settings (read once per ``memo_scope``)."""
    return memoized("service.settings", ServiceSettings.load)


def _behaviour(status: str) -> str:
    return desk_settings().behaviour(status)


def _elapsed(ticket: Ticket, calendar: clock.Calendar, now: datetime.datetime) -> float:
    """Business seconds on the clock at ``now``."""
    spent = float(ticket.sla_elapsed)
    if ticket.sla_running_since is not None:
        spent += clock.business_time_between(
            calendar, ticket.sla_running_since, now
        ).total_seconds()
    return spent


def _due(
    calendar: clock.Calendar, start: datetime.datetime, spent: float, minutes: int
) -> datetime.datetime:
    left = max(minutes * 60 - spent, 0.0)
    return clock.add_business_time(calendar, start, datetime.timedelta(seconds=left))


def recompute(ticket: Ticket, now: datetime.datetime) -> None:
    """The due times, ``next_due_at`` and ``sla_state`` from the clock (not saved)."""
    target = _target(ticket)
    if target is None:
        ticket.first_response_due_at = ticket.resolution_due_at = ticket.next_due_at = None
        ticket.sla_state = SlaState.NONE
        return
    calendar = calendar_of(ticket.sla_policy.calendar)  # type: ignore[union-attr]
    running = ticket.sla_running_since is not None
    if running:
        start = ticket.sla_running_since
        assert start is not None
        spent = float(ticket.sla_elapsed)
        if ticket.first_responded_at is None:
            ticket.first_response_due_at = _due(
                calendar, start, spent, target.first_response_minutes
            )
        ticket.resolution_due_at = _due(calendar, start, spent, target.resolution_minutes)
    pending = [
        due
        for due, done in (
            (ticket.first_response_due_at, ticket.first_responded_at),
            (ticket.resolution_due_at, ticket.solved_at),
        )
        if due is not None and done is None
    ]
    ticket.next_due_at = min(pending) if running and pending else None
    ticket.sla_state = state_of(ticket, target, calendar, now)


def _late(due: datetime.datetime | None, done: datetime.datetime | None) -> bool:
    return due is not None and done is not None and done > due


def state_of(
    ticket: Ticket, target: SlaTarget, calendar: clock.Calendar, now: datetime.datetime
) -> str:
    """Met or breached once solved; else breached (a target passed, even if paused
    since), paused, warning (past the warning share of a target) or ok."""
    responded_late = _late(ticket.first_response_due_at, ticket.first_responded_at)
    if ticket.solved_at is not None:
        late = responded_late or _late(ticket.resolution_due_at, ticket.solved_at)
        return SlaState.BREACHED if late else SlaState.MET
    if responded_late:
        return SlaState.BREACHED
    spent = _elapsed(ticket, calendar, now)
    goals = [target.resolution_minutes * 60]
    if ticket.first_responded_at is None:
        goals.append(target.first_response_minutes * 60)
    if any(spent >= goal for goal in goals):
        return SlaState.BREACHED
    if ticket.sla_running_since is None:
        return SlaState.PAUSED
    ratio = float(desk_settings().warn_ratio or Decimal("0.8"))
    if any(spent >= ratio * goal for goal in goals):
        return SlaState.WARNING
    return SlaState.OK


def ticket_started(ticket: Ticket, *, now: datetime.datetime) -> None:
    """A new ticket: its policy, and the clock running unless its status pauses it."""
    ticket.sla_policy = policy_for(ticket)
    ticket.sla_elapsed = 0
    ticket.sla_running_since = now if _behaviour(ticket.status) == SlaBehaviour.RUNNING else None
    recompute(ticket, now)


def ticket_changed(
    ticket: Ticket, *, before_status: str, retarget: bool, now: datetime.datetime
) -> None:
    """After a change: pause, resume or stop the clock as the new status says; pick
    the policy again when the queue or the priority changed (time spent is kept)."""
    if retarget:
        ticket.sla_policy = policy_for(ticket)
    behaviour = _behaviour(ticket.status)
    running = ticket.sla_running_since is not None
    if running and behaviour != SlaBehaviour.RUNNING:
        _stop_running(ticket, now)
    elif not running and behaviour == SlaBehaviour.RUNNING and before_status != ticket.status:
        ticket.sla_running_since = now
    recompute(ticket, now)


def _stop_running(ticket: Ticket, now: datetime.datetime) -> None:
    policy = ticket.sla_policy
    if policy is not None and ticket.sla_running_since is not None:
        calendar = calendar_of(policy.calendar)
        spent = clock.business_time_between(calendar, ticket.sla_running_since, now)
        ticket.sla_elapsed += int(spent.total_seconds())
    ticket.sla_running_since = None


def ticket_first_response(ticket: Ticket, *, now: datetime.datetime) -> None:
    """The first public reply of an agent: the first-response clock is met (or not)."""
    if ticket.first_responded_at is None:
        ticket.first_responded_at = now
        recompute(ticket, now)
