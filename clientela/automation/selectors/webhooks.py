"""Reads of webhook subscriptions and their deliveries: admins only (``NotFound`` for
anyone else: the pages and endpoints do not exist for them)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from clientela.automation.filters import WebhookFilters
from clientela.automation.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from clientela.core.errors import NotFound
from clientela.core.kinds import parse_id
from clientela.core.services.config import require_admin


def webhook_list(
    *, user: Any, filters: WebhookFilters | None = None
) -> QuerySet[WebhookSubscription]:
    require_admin(user)
    qs = WebhookSubscription.objects.select_related("owner")
    if filters is None:
        return qs
    for word in filters.q.split():
        qs = qs.filter(Q(url__icontains=word) | Q(description__icontains=word))
    return qs.order_by(*filters.order_by())


def webhook_get(*, user: Any, pk: Any) -> WebhookSubscription:
    found = webhook_list(user=user).filter(pk=parse_id(pk)).first()
    if found is None:
        raise NotFound()
    return found


def delivery_list(
    *, user: Any, webhook: WebhookSubscription, status: str = ""
) -> QuerySet[WebhookDelivery]:
    """A subscription's deliveries, newest first, each with its attempts."""
    require_admin(user)
    qs = WebhookDelivery.objects.filter(subscription=webhook).prefetch_related(
        Prefetch("attempt_log", queryset=WebhookAttempt.objects.order_by("-at", "-id"))
    )
    return qs.filter(status=status) if status else qs


def delivery_get(*, user: Any, webhook: WebhookSubscription, pk: Any) -> WebhookDelivery:
    found = delivery_list(user=user, webhook=webhook).filter(pk=parse_id(pk)).first()
    if found is None:
        raise NotFound()
    return found
