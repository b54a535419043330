"""Who gets a new ticket: per queue, by hand, round-robin (weighted: an agent of weight
2 appears twice in the cycle) or to the agent with the fewest open tickets; agents
marked away and those at the queue's maximum load are skipped. And the worker's
reassignment of tickets their assignee has not answered in time.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from clientela.core.audit import record_audit
from clientela.core.choices import AuditAction
from clientela.core.models import User
from clientela.service.choices import OPEN_STATUSES, AssignmentMode, TicketStatus
from clientela.service.models import AgentStatus, Queue, QueueMember, Ticket


def _open_counts(user_ids: list[int]) -> dict[int, int]:
    rows = (
        Ticket.objects.filter(
            assignee_id__in=user_ids, deleted_at__isnull=True, status__in_constants=OPEN_STATUSES
        )
        .values("assignee_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = {pk: 0 for pk in user_ids}
    counts.update({row["assignee_id"]: row["n"] for row in rows})
    return counts


def available_agents(queue: Queue, *, exclude: set[int] | None = None) -> list[QueueMember]:
    """The queue's agents who may take a ticket now: active, not away, under the
    queue's maximum of open tickets; in a stable order (by user id)."""
    now = timezone.now()
    away = AgentStatus.objects.filter(
        Q(away=True) & (Q(away_until__isnull=True) | Q(away_until__gt=now))
    )
    members = [
        m
        for m in queue.memberships.filter(user__is_active=True)
        .exclude(user_id__in=away.values("user_id"))
        .select_related("user")
        .order_by("user_id")
        if m.user_id not in (exclude or set())
    ]
    if queue.max_open_per_agent and members:
        counts = _open_counts([m.user_id for m in members])
        members = [m for m in members if counts[m.user_id] < queue.max_open_per_agent]
    return members


def pick_agent(queue: Queue, *, exclude: set[int] | None = None) -> User | None:
    """The agent the queue's rule gives the next ticket to (None: manual, or nobody
    available). Round-robin advances the queue's place in its cycle (the caller holds
    the queue's row lock)."""
    if queue.assignment == AssignmentMode.MANUAL:
        return None
    members = available_agents(queue, exclude=exclude)
    if not members:
        return None
    if queue.assignment == AssignmentMode.LEAST_OPEN:
        counts = _open_counts([m.user_id for m in members])
        return min(members, key=lambda m: (counts[m.user_id], m.user_id)).user
    cycle = _cycle(queue)
    allowed = {m.user_id: m.user for m in members}
    for step in range(1, len(cycle) + 1):
        position = (queue.rotation + step) % len(cycle)
        if cycle[position] in allowed:
            queue.rotation = position
            queue.save(update_fields=["rotation", "updated_at"])
            return allowed[cycle[position]]
    return None


def _cycle(queue: Queue) -> list[int]:
    """Every agent of the queue ``weight`` times, interleaved (1, 2, 1, 2, 2 for
    weights 2 and 3), so a heavy agent's tickets are spread over the cycle."""
    members = list(queue.memberships.order_by("user_id").values_list("user_id", "weight"))
    cycle: list[int] = []
    for round_ in range(max((w for _u, w in members), default=0)):
        cycle += [user for user, weight in members if weight > round_]
    return cycle


def assign_new(ticket: Ticket) -> User | None:
    """Give a new ticket of a queue to the agent its rule picks (no audit of its own:
    the ticket's creation records the assignee)."""
    if ticket.queue_id is None or ticket.assignee_id is not None:
        return None
    if ticket.queue is not None and ticket.queue.assignment == AssignmentMode.MANUAL:
        return None
    queue = Queue.objects.select_for_update().get(pk=ticket.queue_id)
    agent = pick_agent(queue)
    if agent is not None:
        ticket.assignee, ticket.owner = agent, agent
        ticket.assigned_at = timezone.now()
    return agent


def reassign_unanswered(*, now: datetime.datetime | None = None) -> int:
    """The worker's pass: tickets whose assignee has not answered within their queue's
    time go to another available agent (once per assignment: the new assignment starts
    a new wait). Returns how many moved."""
    now = now or timezone.now()
    moved = 0
    for queue in Queue.objects.filter(active=True, reassign_after_minutes__gt=0).exclude(
        assignment=AssignmentMode.MANUAL
    ):
        cutoff = now - datetime.timedelta(minutes=queue.reassign_after_minutes)
        waiting = Ticket.objects.filter(
            queue=queue,
            deleted_at__isnull=True,
            status__in=[TicketStatus.NEW, TicketStatus.OPEN],
            first_responded_at__isnull=True,
            assignee__isnull=False,
            assigned_at__lte=cutoff,
        ).values_list("pk", flat=True)
        for pk in list(waiting):
            moved += _reassign(pk, queue.pk, cutoff, now)
    return moved


@transaction.atomic
def _reassign(ticket_pk: int, queue_pk: int, cutoff: datetime.datetime, now: Any) -> int:
    ticket = (
        Ticket.objects.select_for_update(of=("self",))
        .filter(pk=ticket_pk, assigned_at__lte=cutoff, first_responded_at__isnull=True)
        .select_related("assignee")
        .first()
    )
    if ticket is None or ticket.assignee_id is None:
        return 0
    queue = Queue.objects.select_for_update().get(pk=queue_pk)
    agent = pick_agent(queue, exclude={ticket.assignee_id})
    if agent is None:
        return 0
    from clientela.service.services.tickets import (  # noqa: PLC0415  (tickets uses this module)
        ticket_changed,
        ticket_snapshot,
    )

    snapshot = ticket_snapshot(ticket)
    before = str(ticket.assignee)
    ticket.assignee, ticket.owner, ticket.assigned_at = agent, agent, now
    ticket.version += 1
    ticket.save(update_fields=["assignee", "owner", "assigned_at", "version", "updated_at"])
    ticket_changed(None, ticket, snapshot)
    record_audit(
        actor=None,
        instance=ticket,
        action=AuditAction.UPDATE,
        changes={"assignee": [before, str(agent)]},
    )
    return 1
