"""Reads of the service desk's settings. Queues are read by anyone who may read
tickets (pickers and filters need them); everything else, and a queue's agents and
weights for editing, by admins only (``NotFound`` for anyone else)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, QuerySet

from clientela.core.errors import NotFound
from clientela.core.kinds import parse_id
from clientela.core.permissions import require
from clientela.core.services.config import require_admin
from clientela.service.choices import CategoryKind
from clientela.service.models import (
    AgentStatus,
    BusinessCalendar,
    Category,
    Queue,
    QueueMember,
    ServiceSettings,
    SlaPolicy,
    Ticket,
)


def queue_list(*, user: Any) -> QuerySet[Queue]:
    """Every queue, with its agents (and weights), for users who may read tickets."""
    require(user, "read", Ticket.RESOURCE)
    members = QueueMember.objects.select_related("user").order_by("user_id")
    return Queue.objects.select_related("team", "manager", "sla_policy").prefetch_related(
        Prefetch("memberships", queryset=members)
    )


def _get(qs: QuerySet[Any], pk: Any) -> Any:
    found = qs.filter(pk=parse_id(pk)).first()
    if found is None:
        raise NotFound()
    return found


def queue_admin_list(*, user: Any) -> QuerySet[Queue]:
    require_admin(user)
    return queue_list(user=user).annotate(ticket_count=Count("tickets", distinct=True))


def queue_get(*, user: Any, pk: Any) -> Queue:
    """A queue to change (admins)."""
    return _get(queue_admin_list(user=user), pk)  # type: ignore[no-any-return]


def category_list(*, user: Any, kind: str | None = None) -> QuerySet[Category]:
    require_admin(user)
    qs = Category.objects.all()
    return qs.filter(kind=kind) if kind in CategoryKind.values else qs


def category_get(*, user: Any, pk: Any) -> Category:
    return _get(category_list(user=user), pk)  # type: ignore[no-any-return]


def calendar_list(*, user: Any) -> QuerySet[BusinessCalendar]:
    require_admin(user)
    return BusinessCalendar.objects.annotate(policy_count=Count("policies"))


def calendar_get(*, user: Any, pk: Any) -> BusinessCalendar:
    return _get(calendar_list(user=user), pk)  # type: ignore[no-any-return]


def sla_policy_list(*, user: Any) -> QuerySet[SlaPolicy]:
    require_admin(user)
    return SlaPolicy.objects.select_related(
        "calendar", "organization", "customer_tag"
    ).prefetch_related("targets")


def sla_policy_get(*, user: Any, pk: Any) -> SlaPolicy:
    return _get(sla_policy_list(user=user), pk)  # type: ignore[no-any-return]


def service_settings(*, user: Any) -> ServiceSettings:
    require_admin(user)
    return ServiceSettings.load()


def agent_status(user: Any) -> dict[str, bool] | None:
    """For an agent of a queue, whether they are marked away (None for anyone else)."""
    if getattr(user, "pk", None) is None:
        return None
    if not QueueMember.objects.filter(user_id=user.pk).exists():
        return None
    status = AgentStatus.objects.filter(user_id=user.pk).first()
    return {"away": bool(status and status.away)}
