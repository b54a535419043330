"""Shared set-ups of the service tests: a queue with agents, a Spanish business
calendar with an SLA policy."""

from __future__ import annotations

from typing import Any

from clientela.core.models import Team
from clientela.service.choices import AssignmentMode, TicketPriority
from clientela.service.models import BusinessCalendar, Queue, QueueMember, SlaPolicy, SlaTarget

#: Monday–Thursday 9–14 and 16–19, Friday 8–15 (minutes after local midnight).
SPANISH_HOURS = [
    [[540, 840], [960, 1140]],
    [[540, 840], [960, 1140]],
    [[540, 840], [960, 1140]],
    [[540, 840], [960, 1140]],
    [[480, 900]],
    [],
    [],
]


def make_queue(
    name: str = "Support",
    *,
    team: str = "North",
    agents: list[Any] | None = None,
    assignment: str = AssignmentMode.MANUAL,
    weights: dict[int, int] | None = None,
    **extra: Any,
) -> Queue:
    queue = Queue.objects.create(
        name=name,
        team=Team.objects.get_or_create(name=team)[0],
        assignment=assignment,
        **extra,
    )
    for agent in agents or []:
        QueueMember.objects.create(queue=queue, user=agent, weight=(weights or {}).get(agent.pk, 1))
    return queue


def make_policy(
    name: str = "Standard",
    *,
    first_response: int = 120,
    resolution: int = 960,
    hours: list[Any] | None = None,
    country: str = "ES",
    subdivision: str = "MD",
    **extra: Any,
) -> SlaPolicy:
    calendar = BusinessCalendar.objects.create(
        name=f"{name} calendar",
        time_zone="Europe/Madrid",
        hours=hours or SPANISH_HOURS,
        country=country,
        subdivision=subdivision,
    )
    policy = SlaPolicy.objects.create(name=name, calendar=calendar, **extra)
    for priority in TicketPriority.values:
        SlaTarget.objects.create(
            policy=policy,
            priority=priority,
            first_response_minutes=first_response,
            resolution_minutes=resolution,
        )
    return policy


def round_the_clock_desk(agents: list[Any], manager: Any, **policy: Any) -> Queue:
    """A round-robin queue whose SLA policy (first response in 100 minutes, resolution
    in 1,000) runs on a calendar that works around the clock, so business time is
    real time whatever day a test runs; ``policy`` adds the breach actions."""
    return make_queue(
        agents=agents,
        manager=manager,
        sla_policy=make_policy(
            "Round the clock",
            first_response=100,
            resolution=1000,
            hours=[[[0, 1440]] for _day in range(7)],
            country="",
            subdivision="",
            **policy,
        ),
        assignment=AssignmentMode.ROUND_ROBIN,
    )
