"""The worker's SLA pass: each running ticket's state brought up to date, its assignee
warned once a target is 80 % spent, and on a breach the queue's manager told (and, as
the policy says, the priority raised a step or the ticket given to another agent).

Each warning and each escalation happens exactly once, whatever the worker does: the
ticket is re-read under a lock, its ``*_warned_at`` / ``*_breached_at`` stamp is checked,
and the stamp, the notification and any change are written in one transaction. A
worker killed mid-pass leaves either all of one ticket's escalation or none of it, and
the next pass picks up where it stopped.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from clientela.activities.services.notifications import notifications_send
from clientela.core.audit import record_audit
from clientela.core.choices import AuditAction
from clientela.core.memo import memo_scope
from clientela.service.calendars import calendar_of
from clientela.service.choices import OPEN_STATUSES, PRIORITY_ORDER, SlaState
from clientela.service.models import Queue, SlaPolicy, Ticket
from clientela.service.services import assignment, sla
from clientela.service.services.tickets import ticket_changed, ticket_snapshot


@dataclass
class SweepResult:
    checked: int = 0
    warned: int = 0
    breached: int = 0
    reassigned: int = 0


#: The clocks of a ticket: its name (the stamps' prefix), due field and done field.
CLOCKS = (
    ("first_response", "first_response_due_at", "first_responded_at"),
    ("resolution", "resolution_due_at", "solved_at"),
)


def sla_sweep(*, now: datetime.datetime | None = None) -> SweepResult:
    """One pass over the tickets whose clock runs (and those just breached)."""
    now = now or timezone.now()
    result = SweepResult()
    running = Ticket.objects.filter(
        deleted_at__isnull=True,
        status__in_constants=OPEN_STATUSES,
        sla_policy__isnull=False,
        sla_running_since__isnull=False,
    ).values_list("pk", flat=True)
    with memo_scope():  # the settings and targets, read once for the pass
        for pk in list(running.iterator(chunk_size=2000)):
            result.checked += 1
            warned, breached = _sweep_one(pk, now)
            result.warned += warned
            result.breached += breached
    result.reassigned = assignment.reassign_unanswered(now=now)
    return result


@transaction.atomic
def _sweep_one(pk: int, now: datetime.datetime) -> tuple[int, int]:
    ticket = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("sla_policy__calendar", "queue", "assignee")
        .filter(pk=pk, sla_running_since__isnull=False)
        .first()
    )
    if ticket is None or ticket.sla_policy is None:
        return 0, 0
    target = sla._target(ticket)
    if target is None:
        return 0, 0
    calendar = calendar_of(ticket.sla_policy.calendar)
    spent = sla._elapsed(ticket, calendar, now)
    ratio = float(sla.desk_settings().warn_ratio)
    warned = breached = 0
    changed: list[str] = []
    before: dict[str, Any] | None = None  # the snapshot, taken before an escalation
    for name, _due_field, done_field in CLOCKS:
        if getattr(ticket, done_field) is not None:
            continue
        goal = (
            target.first_response_minutes if name == "first_response" else target.resolution_minutes
        ) * 60
        if spent >= goal and getattr(ticket, f"{name}_breached_at") is None:
            setattr(ticket, f"{name}_breached_at", now)
            if before is None and _escalates(ticket.sla_policy):
                before = ticket_snapshot(ticket)
            changed += [f"{name}_breached_at", *_escalate(ticket, name)]
            breached += 1
        elif spent >= ratio * goal and getattr(ticket, f"{name}_warned_at") is None:
            setattr(ticket, f"{name}_warned_at", now)
            changed.append(f"{name}_warned_at")
            _warn(ticket, name)
            warned += 1
    state = sla.state_of(ticket, target, calendar, now)
    if state != ticket.sla_state:
        ticket.sla_state = state
        changed.append("sla_state")
    if changed:
        ticket.save(update_fields=sorted(set(changed)))
    if before is not None:
        ticket_changed(None, ticket, before)
    return warned, breached


def _escalates(policy: SlaPolicy) -> bool:
    """Whether a breach under ``policy`` changes the ticket (not only tells people)."""
    return policy.breach_raises_priority or policy.breach_reassigns


def _what(name: str) -> str:
    return _("first response") if name == "first_response" else _("resolution")


def _url(ticket: Ticket) -> str:
    return reverse("service:ticket-detail", args=[ticket.pk])


def _warn(ticket: Ticket, name: str) -> None:
    """Tell the assignee (in their language) that a target is nearly spent."""
    if ticket.assignee is None:
        return
    with override(ticket.assignee.language or None):
        notifications_send(
            users=[ticket.assignee],
            title=_("%(ticket)s: the %(what)s is due soon")
            % {"ticket": ticket.label, "what": _what(name)},
            body=ticket.subject,
            url=_url(ticket),
        )


def _escalate(ticket: Ticket, name: str) -> list[str]:
    """A breach: the queue's manager told; the priority raised a step or the ticket
    given to another agent when the policy says so. Returns the fields changed."""
    policy = ticket.sla_policy
    assert policy is not None
    changed: list[str] = []
    changes: dict[str, list[Any]] = {}
    if policy.breach_raises_priority and ticket.priority != PRIORITY_ORDER[-1]:
        higher = PRIORITY_ORDER[PRIORITY_ORDER.index(ticket.priority) + 1]
        changes["priority"] = [ticket.priority, str(higher)]
        ticket.priority = higher
        changed.append("priority")
    if policy.breach_reassigns and ticket.queue is not None:
        exclude = {ticket.assignee_id} if ticket.assignee_id else set()
        locked = Queue.objects.select_for_update().get(pk=ticket.queue.pk)
        agent = assignment.pick_agent(locked, exclude=exclude)
        if agent is not None:
            changes["assignee"] = [str(ticket.assignee or ""), str(agent)]
            ticket.assignee, ticket.owner, ticket.assigned_at = agent, agent, timezone.now()
            changed += ["assignee", "owner", "assigned_at"]
    if changes:
        ticket.version += 1
        changed += ["version", "updated_at"]
        record_audit(actor=None, instance=ticket, action=AuditAction.UPDATE, changes=changes)
    told = [u for u in (ticket.queue.manager if ticket.queue else None, ticket.assignee) if u]
    for user in told:
        with override(user.language or None):
            notifications_send(
                users=[user],
                title=_("%(ticket)s: the %(what)s target was missed")
                % {"ticket": ticket.label, "what": _what(name)},
                body=ticket.subject,
                url=_url(ticket),
            )
    return changed


__all__ = ["SlaState", "SweepResult", "sla_sweep"]
