"""Webhook deliveries: written when an event comes (``webhooks_for_event``, the events
subscriber), sent by the worker (``delivery_send``), retried on a schedule, given up
after ``RETRY_WINDOW``; a subscription failing that long is disabled and its admin told.

Who sends what: a worker *claims* a delivery by setting its lease in one conditional
UPDATE (only one worker's UPDATE matches), sends, then records the attempt and the next
step. A worker killed mid-send leaves a lease that runs out; the delivery is then due
again and another worker sends it (the receiver sees the same ``webhook-id`` twice,
which the Standard Webhooks specification tells it to expect).

Retried: no answer (network error, timeout), 5xx, 408 and 429, after about 1 min, 5
min, 30 min, 2 h, 8 h, then every 8 h, or later when the receiver's ``Retry-After``
says so. Never retried: other 4xx, a redirect, an address the guard refuses.
"""

from __future__ import annotations

import datetime
import json
import logging
import os
import uuid
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from clientela.automation.choices import DeliveryStatus
from clientela.automation.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from clientela.automation.services.subscriptions import ALL_EVENTS, secrets_in_use
from clientela.automation.webhooks import sending
from clientela.automation.webhooks.signing import headers
from clientela.core.errors import NotFound
from clientela.core.events import Event
from clientela.core.events.outbox import on_commit_once
from clientela.core.models import User
from clientela.core.services.config import require_admin
from clientela.core.stamped import TableCopy

logger = logging.getLogger("clientela.webhooks")

#: Waits after the 1st, 2nd… failed attempt; the last one repeats.
DELAYS = (
    datetime.timedelta(minutes=1),
    datetime.timedelta(minutes=5),
    datetime.timedelta(minutes=30),
    datetime.timedelta(hours=2),
    datetime.timedelta(hours=8),
)
#: How long a delivery is retried, and how long a subscription may fail before it is
#: disabled.
RETRY_WINDOW = datetime.timedelta(days=3)
#: Requests a worker makes at once (threads; the database work stays in the worker's
#: own thread).
PARALLEL = 16
#: Deliveries a worker claims per pass: sent ``PARALLEL`` at a time over kept-alive
#: connections, their attempts then recorded in one transaction.
CLAIM = 128
#: The event type of a ping (not in the catalogue: nobody subscribes to it).
PING = "webhook.ping"


def lease_time() -> datetime.timedelta:
    """Longer than any one request may take (connect + total timeout), with margin."""
    seconds = settings.CLIENTELA_WEBHOOKS_CONNECT_TIMEOUT + settings.CLIENTELA_WEBHOOKS_TIMEOUT
    return datetime.timedelta(seconds=float(seconds) * 2 + 30)


def _stamp(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


def event_body(event_type: str, moment: datetime.datetime, data: Any) -> str:
    """``{"type", "timestamp", "data"}``, the body the specification recommends."""
    body = {"type": event_type, "timestamp": _stamp(moment), "data": data}
    return json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))


def wanted(webhook: WebhookSubscription, event_type: str) -> bool:
    return ALL_EVENTS in webhook.events or event_type in webhook.events


#: The enabled subscriptions, read again when their table changes.
_enabled = TableCopy(
    WebhookSubscription, lambda: list(WebhookSubscription.objects.filter(enabled=True))
)


def webhooks_for_event(event: Event) -> None:
    """The events subscriber (key "webhooks"): a pending delivery of ``event`` for each
    enabled subscription that wants it. Database writes only, in the dispatcher's
    transaction; the sending is queued once it commits."""
    now = timezone.now()
    webhooks = [w for w in _enabled.get() if wanted(w, event.type)]
    if not webhooks:
        return
    body = event_body(event.type, event.occurred_at, dict(event.data))
    deliveries = [
        WebhookDelivery(
            subscription=w,
            event_id=event.id,
            event_type=event.type,
            body=body,
            started_at=now,
            next_attempt_at=now,
        )
        for w in webhooks
    ]
    # A second dispatch of the same event (which the outbox should never make) adds
    # nothing: one delivery per subscription and event id.
    WebhookDelivery.objects.bulk_create(deliveries, ignore_conflicts=True)
    on_commit_once(_queue_sending)


def _queue_sending() -> None:
    # tasks imports this module (its jobs send deliveries): imported when needed.
    from clientela.automation.tasks import queue_webhooks_due  # noqa: PLC0415

    queue_webhooks_due()


def _free(now: datetime.datetime) -> Q:
    return Q(lease_until__isnull=True) | Q(lease_until__lt=now)


def _due(now: datetime.datetime) -> Q:
    return Q(
        _free(now),
        status=DeliveryStatus.PENDING,
        next_attempt_at__lte=now,
        subscription__enabled=True,
    )


def due_deliveries(now: datetime.datetime, limit: int = CLAIM) -> list[int]:
    """Pending deliveries whose time has come, of enabled subscriptions, held by no
    worker (or by one whose lease ran out), oldest first."""
    return list(
        WebhookDelivery.objects.filter(_due(now))
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:limit]
    )


def _claim(ids: Sequence[int], now: datetime.datetime, *, due: bool) -> list[WebhookDelivery]:
    """Take the deliveries of ``ids`` this worker gets (one UPDATE: of two workers
    racing for one, only one UPDATE matches it), with their subscriptions; each carries
    this batch's lease token."""
    token = uuid.uuid4().hex
    takeable = _due(now) if due else Q(_free(now), status=DeliveryStatus.PENDING)
    rows = WebhookDelivery.objects.filter(takeable, pk__in=ids)
    # In a transaction: on SQLite it begins IMMEDIATE, so the UPDATE waits for the
    # write lock instead of failing at once when another writer committed meanwhile.
    with transaction.atomic():
        if not rows.update(lease_until=now + lease_time(), lease_token=token):
            return []
    return list(
        WebhookDelivery.objects.filter(pk__in=ids, lease_token=token)
        .select_related("subscription")
        .order_by("next_attempt_at", "id")
    )


def _post(delivery: WebhookDelivery, now: datetime.datetime) -> sending.Outcome:
    """The request of one attempt (no database access: it runs in a thread)."""
    webhook = delivery.subscription
    body = delivery.body.encode()
    signed = headers(secrets_in_use(webhook, now), delivery.event_id, int(now.timestamp()), body)
    return sending.post(webhook.url, body, signed)


_pool: tuple[int, ThreadPoolExecutor] | None = None


def _threads() -> ThreadPoolExecutor:
    """The process's request threads (made again in a forked child)."""
    global _pool
    if _pool is None or _pool[0] != os.getpid():
        _pool = (os.getpid(), ThreadPoolExecutor(PARALLEL, thread_name_prefix="webhooks"))
    return _pool[1]


def _send(batch: list[WebhookDelivery], now: datetime.datetime) -> list[WebhookAttempt]:
    """One attempt of each claimed delivery: the requests in parallel (a slow receiver
    holds one thread, not the other deliveries), then the results recorded together."""
    if len(batch) <= 1:
        outcomes = [_post(d, now) for d in batch]
    else:
        outcomes = list(_threads().map(lambda d: _post(d, now), batch))
    return _record(batch, outcomes, now)


def delivery_send(
    delivery_id: int, *, now: datetime.datetime | None = None, due: bool = True
) -> WebhookAttempt | None:
    """One attempt of a delivery, if this worker gets it: sign, POST, record. None when
    another worker holds it or (``due``) it is not due."""
    now = now or timezone.now()
    batch = _claim([delivery_id], now, due=due)
    return _send(batch, now)[0] if batch else None


def deliveries_send_due(now: datetime.datetime | None = None, limit: int = CLAIM) -> Sequence[int]:
    """One pass of the worker: up to ``limit`` due deliveries sent once; their ids."""
    now = now or timezone.now()
    batch = _claim(due_deliveries(now, limit), now, due=True)
    _send(batch, now)
    return [d.pk for d in batch]


@transaction.atomic
def _record(
    batch: list[WebhookDelivery], outcomes: list[sending.Outcome], now: datetime.datetime
) -> list[WebhookAttempt]:
    """The attempts of a batch and each delivery's next step, in one transaction: the
    successes with one UPDATE per subscription, each failure with its own."""
    attempts = WebhookAttempt.objects.bulk_create(
        WebhookAttempt(
            delivery=delivery,
            at=now,
            status_code=outcome.status,
            duration_ms=outcome.duration_ms,
            response=outcome.response,
            error=outcome.error,
            succeeded=outcome.succeeded,
        )
        for delivery, outcome in zip(batch, outcomes, strict=True)
    )
    succeeded: dict[tuple[int, bool, str], list[int]] = {}
    for delivery, outcome in zip(batch, outcomes, strict=True):
        delivery.attempts += 1
        if outcome.succeeded:
            key = (delivery.subscription_id, delivery.once, delivery.lease_token)
            succeeded.setdefault(key, []).append(delivery.pk)
            delivery.status, delivery.next_attempt_at = DeliveryStatus.SUCCEEDED, None
        else:
            _record_failure(delivery, outcome, now)
    for (webhook_id, once, token), ids in succeeded.items():
        # Only those this worker still holds: if a lease ran out and another worker
        # took the delivery, that one records its own next step.
        held = WebhookDelivery.objects.filter(pk__in=ids, lease_token=token)
        updated = held.update(
            attempts=F("attempts") + 1,
            status=DeliveryStatus.SUCCEEDED,
            next_attempt_at=None,
            lease_until=None,
            lease_token="",
            updated_at=now,
        )
        if updated and not once:
            _count_failure(webhook_id, True, now)
    return attempts


def _record_failure(
    delivery: WebhookDelivery, outcome: sending.Outcome, now: datetime.datetime
) -> None:
    status, when = _next_step(delivery, outcome, now)
    held = WebhookDelivery.objects.filter(pk=delivery.pk, lease_token=delivery.lease_token)
    updated = held.update(
        attempts=delivery.attempts,
        status=status,
        next_attempt_at=when,
        lease_until=None,
        lease_token="",
        updated_at=now,
    )
    if updated and not delivery.once:
        _count_failure(delivery.subscription_id, False, now)
    delivery.status, delivery.next_attempt_at = status, when


def _next_step(
    delivery: WebhookDelivery, outcome: sending.Outcome, now: datetime.datetime
) -> tuple[str, datetime.datetime | None]:
    if outcome.succeeded:
        return DeliveryStatus.SUCCEEDED, None
    if delivery.once or not outcome.retry:
        return DeliveryStatus.FAILED, None
    wait = DELAYS[min(delivery.attempts, len(DELAYS)) - 1]
    if outcome.retry_after is not None:
        wait = max(wait, datetime.timedelta(seconds=outcome.retry_after))
    when = now + wait
    if when > delivery.started_at + RETRY_WINDOW:
        return DeliveryStatus.GAVE_UP, None
    return DeliveryStatus.PENDING, when


def _count_failure(webhook_id: int, succeeded: bool, now: datetime.datetime) -> None:
    """A success clears the subscription's failure clock; a failure starts it, and
    three days of it disable the subscription. One UPDATE in the usual cases."""
    rows = WebhookSubscription.objects.filter(pk=webhook_id)
    if succeeded:
        rows.filter(failing_since__isnull=False).update(failing_since=None, updated_at=now)
        return
    if rows.filter(failing_since__isnull=True).update(failing_since=now, updated_at=now):
        return
    webhook = rows.select_for_update().get()
    since = webhook.failing_since
    if webhook.enabled and since is not None and now - since >= RETRY_WINDOW:
        _disable(webhook, now)


def _disable(webhook: WebhookSubscription, now: datetime.datetime) -> None:
    webhook.enabled = False
    webhook.disabled_reason = _("Every delivery failed for %(days)s days.") % {
        "days": RETRY_WINDOW.days
    }
    webhook.save(update_fields=["enabled", "disabled_reason", "updated_at"])
    WebhookDelivery.objects.filter(subscription=webhook, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.GAVE_UP, next_attempt_at=None
    )
    logger.warning("webhook %s disabled after failing since %s", webhook.pk, webhook.failing_since)
    transaction.on_commit(lambda: _tell_disabled(webhook.pk), robust=True)


def _admins_to_tell(webhook: WebhookSubscription) -> list[User]:
    owner = webhook.owner
    if owner is not None and owner.is_active and owner.is_admin and owner.email:
        return [owner]
    admins = User.objects.filter(is_active=True).select_related("role")
    return [u for u in admins if u.is_admin and u.email]


def _tell_disabled(webhook_id: int) -> None:
    webhook = WebhookSubscription.objects.select_related("owner").get(pk=webhook_id)
    link = settings.CLIENTELA_PUBLIC_URL + reverse(
        "automation:webhook-detail", kwargs={"pk": webhook.pk}
    )
    for admin in _admins_to_tell(webhook):
        with translation.override(admin.language):
            subject = _("Webhook disabled: %(url)s") % {"url": webhook.url[:100]}
            text = _(
                "Every delivery to %(url)s failed for %(days)s days, so Clientela stopped "
                "sending to it.\n\nSee the failed attempts, fix the receiver and switch "
                "the webhook on again at:\n%(link)s\n"
            ) % {"url": webhook.url, "days": RETRY_WINDOW.days, "link": link}
        send_mail(subject, text, None, [admin.email], fail_silently=True)


# --- admins' actions --------------------------------------------------------------------


def delivery_redeliver(
    *, actor: Any, delivery: WebhookDelivery, now: datetime.datetime | None = None
) -> WebhookDelivery:
    """Send the delivery again (same ``webhook-id`` and body), a new round of retries."""
    require_admin(actor)
    now = now or timezone.now()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.PENDING,
        attempts=0,
        started_at=now,
        next_attempt_at=now,
        lease_until=None,
        lease_token="",
        updated_at=now,
    )
    transaction.on_commit(_queue_sending, robust=True)
    delivery.refresh_from_db()
    return delivery


def webhook_ping(
    *, actor: Any, webhook: WebhookSubscription, now: datetime.datetime | None = None
) -> WebhookDelivery:
    """Send a ``webhook.ping`` now, once, while the admin waits (a disabled webhook
    too, to check a receiver before switching it on again)."""
    require_admin(actor)
    now = now or timezone.now()
    data = {"webhook_id": webhook.pk, "url": webhook.url}
    delivery = WebhookDelivery.objects.create(
        subscription=webhook,
        event_id=f"ping_{uuid.uuid4().hex}",
        event_type=PING,
        body=event_body(PING, now, data),
        started_at=now,
        next_attempt_at=now,
        once=True,
    )
    delivery_send(delivery.pk, now=now, due=False)
    delivery.refresh_from_db()
    return delivery


#: The event type of a workflow rule's "call a webhook" (not in the catalogue either:
#: a rule names the subscription it calls).
RULE_CALL = "automation.rule"


def webhook_call(
    *,
    actor: Any,
    webhook: WebhookSubscription,
    event_id: str,
    data: Any,
    now: datetime.datetime | None = None,
) -> WebhookDelivery:
    """A delivery of ``data`` to ``webhook`` as ``{"type": "automation.rule",
    "timestamp", "data"}``, signed and retried like any event's (a workflow rule's
    action, acting as the system user; admins may too). The subscription must be
    enabled; ``event_id`` makes it once: a second call with it returns the first
    delivery. The send is queued once the transaction commits."""
    if not (getattr(actor, "is_system", False) or getattr(actor, "is_admin", False)):
        raise NotFound()
    fresh = WebhookSubscription.objects.filter(pk=webhook.pk).first()
    if fresh is None:
        raise NotFound()
    if not fresh.enabled:
        raise ValidationError(
            {"webhook": [_("The webhook %(url)s is disabled.") % {"url": fresh.url}]}
        )
    now = now or timezone.now()
    delivery, _created = WebhookDelivery.objects.get_or_create(
        subscription=fresh,
        event_id=event_id,
        defaults={
            "event_type": RULE_CALL,
            "body": event_body(RULE_CALL, now, data),
            "started_at": now,
            "next_attempt_at": now,
        },
    )
    transaction.on_commit(_queue_sending, robust=True)
    return delivery
