"""``/api/v1/webhooks`` (``core.api.records`` serves list, create, get, change and
delete from the kind's declaration in ``automation.kinds``) and its actions:
``POST /webhooks/{id}/ping``, ``POST /webhooks/{id}/rotate-secret``,
``GET /webhooks/{id}/deliveries`` and
``POST /webhooks/{id}/deliveries/{delivery_id}/redeliver``.

Scopes: ``automation:read`` to read subscriptions and deliveries, ``webhooks:write``
to change them or act on them; only admins' tokens reach them (404 for anyone else).
The signing ``secret`` is in the answer of the create and of a rotation only."""

from __future__ import annotations

import datetime
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Status

from clientela.automation.choices import DeliveryStatus
from clientela.automation.filters import WebhookFilters
from clientela.automation.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from clientela.automation.selectors import webhooks as selectors
from clientela.automation.services import deliveries as delivery_services
from clientela.automation.services import subscriptions as services
from clientela.core.api import CHANGE_ERRORS, DETAIL_ERRORS, PageParams, api_user, require_scope
from clientela.core.api.pagination import paginate
from clientela.core.api.schemas import (
    CursorPage,
    Flag,
    InputSchema,
    OutputSchema,
    RecordId,
    omissible,
)

READ, WRITE = "automation:read", "webhooks:write"
router = Router(tags=["webhooks"])


class WebhookIn(InputSchema):
    url: Annotated[str, Field(max_length=2000)] = omissible(
        "Required on create: the https:// URL that receives the events."
    )
    events: Annotated[list[Annotated[str, Field(max_length=100)]], Field(max_length=200)] = (
        omissible('Event names from /api/v1/events, or `["*"]` for every event.')
    )
    description: Annotated[str, Field(max_length=500)] = omissible()
    enabled: Flag = omissible("Switching a disabled webhook on again clears its failures.")


class WebhookPatch(WebhookIn):
    # Subscriptions have no version; the generic change reads one if sent.
    version: int | None = Field(None, ge=1, description="Ignored: webhooks have no version.")


class WebhookOut(OutputSchema):
    id: int
    url: str
    events: list[str]
    description: str
    enabled: bool
    disabled_reason: str
    failing_since: datetime.datetime | None
    secret: str | None = Field(
        None, description="The signing secret: only in the answer of a create or rotation."
    )
    created_at: datetime.datetime
    updated_at: datetime.datetime


class AttemptOut(OutputSchema):
    at: datetime.datetime
    status_code: int | None
    duration_ms: int
    response: str
    error: str


class DeliveryOut(OutputSchema):
    id: int
    event_id: str
    type: str
    status: str
    attempts: int
    next_attempt_at: datetime.datetime | None
    created_at: datetime.datetime
    body: str
    attempt_log: list[AttemptOut]


class WebhookListParams(PageParams):
    q: str | None = Field(None, max_length=200, description="Words of the URL or description.")
    sort: str = Field("url", max_length=20, pattern=r"^-?(url|updated|created)$")


class DeliveryParams(PageParams):
    status: DeliveryStatus | None = None


def webhook_out(webhook: WebhookSubscription, *, secret: bool = False) -> WebhookOut:
    return WebhookOut(
        id=webhook.pk,
        url=webhook.url,
        events=list(webhook.events),
        description=webhook.description,
        enabled=webhook.enabled,
        disabled_reason=webhook.disabled_reason,
        failing_since=webhook.failing_since,
        secret=webhook.secret if secret else None,
        created_at=webhook.created_at,
        updated_at=webhook.updated_at,
    )


def webhooks_out(request: HttpRequest, webhooks: list[WebhookSubscription]) -> list[WebhookOut]:
    """The generic operations' answers: the create's (the one POST among them) shows
    the new secret, the only time it is shown there."""
    created = request.method == "POST"
    return [webhook_out(w, secret=created) for w in webhooks]


def webhooks_query(
    request: HttpRequest, params: WebhookListParams
) -> QuerySet[WebhookSubscription]:
    filters, errors = WebhookFilters.from_params(request.GET)
    if errors:
        raise ValidationError(errors)
    return selectors.webhook_list(user=api_user(request), filters=filters)


def _attempt_out(attempt: WebhookAttempt) -> AttemptOut:
    return AttemptOut(
        at=attempt.at,
        status_code=attempt.status_code,
        duration_ms=attempt.duration_ms,
        response=attempt.response,
        error=attempt.error,
    )


def delivery_out(delivery: WebhookDelivery) -> DeliveryOut:
    return DeliveryOut(
        id=delivery.pk,
        event_id=delivery.event_id,
        type=delivery.event_type,
        status=delivery.status,
        attempts=delivery.attempts,
        next_attempt_at=delivery.next_attempt_at,
        created_at=delivery.created_at,
        body=delivery.body,
        attempt_log=[_attempt_out(a) for a in delivery.attempt_log.all()],
    )


WEBHOOK_DOCS = {
    "list": "Filters: `q` (words of the URL or description).",
    "create": (
        "`url` and `events` are required. The answer holds the signing `secret` "
        "(`whsec_…`): keep it, it is not shown again."
    ),
    "get": "The subscription (without its secret).",
    "update": "Send only the fields to change.",
    "delete": "Deletes the subscription and its delivery log for good.",
}


# --- actions ----------------------------------------------------------------------------


def _webhook(request: HttpRequest, webhook_id: int) -> WebhookSubscription:
    return selectors.webhook_get(user=api_user(request), pk=webhook_id)


@router.post("/webhooks/{webhook_id}/ping", response={200: DeliveryOut, **CHANGE_ERRORS})
@require_scope(WRITE)
def ping(request: HttpRequest, webhook_id: RecordId) -> DeliveryOut:
    """Send a `webhook.ping` event now, once, and answer with what came of it."""
    user = api_user(request)
    delivery = delivery_services.webhook_ping(actor=user, webhook=_webhook(request, webhook_id))
    return delivery_out(
        selectors.delivery_get(user=user, webhook=delivery.subscription, pk=delivery.pk)
    )


@router.post("/webhooks/{webhook_id}/rotate-secret", response={200: WebhookOut, **CHANGE_ERRORS})
@require_scope(WRITE)
def rotate_secret(request: HttpRequest, webhook_id: RecordId) -> WebhookOut:
    """A new signing secret (in the answer, only there); the previous one goes on
    signing beside it for 24 hours."""
    webhook = services.webhook_rotate_secret(
        actor=api_user(request), webhook=_webhook(request, webhook_id)
    )
    return webhook_out(webhook, secret=True)


@router.get(
    "/webhooks/{webhook_id}/deliveries",
    response={200: CursorPage[DeliveryOut], **DETAIL_ERRORS},
)
@require_scope(READ)
def deliveries(request: HttpRequest, webhook_id: RecordId, params: Query[DeliveryParams]) -> Any:
    """The deliveries, newest first, each with its attempts (status, time, the start
    of the answer)."""
    user = api_user(request)
    found = selectors.delivery_list(
        user=user, webhook=_webhook(request, webhook_id), status=params.status or ""
    )
    page = paginate(found, limit=params.limit, cursor=params.cursor)
    return {"items": [delivery_out(d) for d in page.items], "next_cursor": page.next_cursor}


@router.post(
    "/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver",
    response={202: DeliveryOut, **CHANGE_ERRORS},
)
@require_scope(WRITE)
def redeliver(
    request: HttpRequest, webhook_id: RecordId, delivery_id: RecordId
) -> Status[DeliveryOut]:
    """Send the delivery again (same `webhook-id` and body, a new round of retries)."""
    user = api_user(request)
    webhook = _webhook(request, webhook_id)
    delivery = selectors.delivery_get(user=user, webhook=webhook, pk=delivery_id)
    delivery_services.delivery_redeliver(actor=user, delivery=delivery)
    return Status(
        202, delivery_out(selectors.delivery_get(user=user, webhook=webhook, pk=delivery_id))
    )
