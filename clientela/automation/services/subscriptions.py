"""Every write to webhook subscriptions (admins only; ``NotFound`` for anyone else, as
for the other company settings): create, change, delete, rotate the signing secret.

A URL is checked where it comes in (``addresses``): http(s), HTTPS unless the server
allows HTTP, a host that resolves only to addresses a webhook may reach. Event names
must be in the catalogue (``core.events.event_types``); ``"*"`` subscribes to every
event, those added later included.
"""

from __future__ import annotations

import datetime
from typing import Any, TypedDict

from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.automation.models import WebhookSubscription
from clientela.automation.webhooks.addresses import AddressRefused, check_subscription_url
from clientela.automation.webhooks.signing import new_secret
from clientela.core.audit import record_audit
from clientela.core.choices import AuditAction
from clientela.core.events import event_types
from clientela.core.services import RecordWrites
from clientela.core.services.config import delete_unused, locked, require_admin
from clientela.core.validation import Errors, add, clean_text, raise_errors

ALL_EVENTS = "*"
MAX_EVENTS = 200
#: How long the previous secret still signs after a rotation.
ROTATION_OVERLAP = datetime.timedelta(hours=24)


class WebhookData(TypedDict, total=False):
    url: str
    events: list[str]
    description: str
    enabled: bool


def webhook_snapshot(webhook: WebhookSubscription) -> dict[str, Any]:
    # The secret is never audited: the history would show it to every admin, for ever.
    return {
        "url": webhook.url,
        "events": ", ".join(webhook.events),
        "description": webhook.description,
        "enabled": webhook.enabled,
    }


def _clean_events(value: Any, errors: Errors) -> list[str] | None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        add(errors, "events", _("Give a list of event names."))
        return None
    names = list(dict.fromkeys(v.strip() for v in value))
    if not names:
        add(errors, "events", _("Choose at least one event."))
        return None
    if len(names) > MAX_EVENTS:
        add(errors, "events", _("At most %(n)s events.") % {"n": MAX_EVENTS})
        return None
    known = {t.name for t in event_types()} | {ALL_EVENTS}
    unknown = [n for n in names if n not in known]
    if unknown:
        add(
            errors,
            "events",
            _("Unknown events: %(names)s. The catalogue is at /api/v1/events.")
            % {"names": ", ".join(n[:100] for n in unknown[:10])},
        )
        return None
    return [ALL_EVENTS] if ALL_EVENTS in names else names


def _clean_url(webhook: WebhookSubscription, data: WebhookData, errors: Errors) -> None:
    text = clean_text(WebhookSubscription, data, ("url",), errors)
    if "url" in errors:
        return
    url = text.get("url", webhook.url)
    if not url:
        add(errors, "url", _("Enter the URL that receives the events."))
        return
    if "url" in text and url != webhook.url:
        try:
            check_subscription_url(url)
        except AddressRefused as exc:
            add(errors, "url", str(exc))
            return
    webhook.url = url


def _apply(actor: Any, webhook: WebhookSubscription, data: WebhookData) -> None:
    errors: Errors = {}
    _clean_url(webhook, data, errors)
    if "events" in data or webhook.pk is None:
        events = _clean_events(data.get("events", []), errors)
        if events is not None:
            webhook.events = events
    text = clean_text(WebhookSubscription, data, ("description",), errors)
    if "enabled" in data:
        if not isinstance(data["enabled"], bool):
            add(errors, "enabled", _("Give true or false."))
        elif data["enabled"] and not webhook.enabled:
            # Switched on again by an admin: failures start counting afresh.
            webhook.enabled, webhook.disabled_reason, webhook.failing_since = True, "", None
        elif not data["enabled"]:
            webhook.enabled = False
    raise_errors(errors)
    webhook.description = text.get("description", webhook.description)
    webhook.full_clean(exclude=["url", "secret"])
    webhook.save()


def _apply_new(actor: Any, webhook: WebhookSubscription, data: WebhookData) -> None:
    webhook.secret = new_secret()
    webhook.owner = actor if getattr(actor, "pk", None) else None
    _apply(actor, webhook, data)


WEBHOOK_WRITES = RecordWrites(
    apply=_apply,
    apply_new=_apply_new,
    snapshot=webhook_snapshot,
    lock=locked,
    authorize=require_admin,
)


def webhook_create(*, actor: Any, data: WebhookData) -> WebhookSubscription:
    """A new subscription with a new signing secret (shown to its creator once)."""
    return WEBHOOK_WRITES.create(actor, WebhookSubscription(), data)


def webhook_update(
    *,
    actor: Any,
    webhook: WebhookSubscription,
    data: WebhookData,
    expected_version: int | None = None,
) -> WebhookSubscription:
    """Change what ``data`` names; ``enabled`` true again clears the failure count."""
    return WEBHOOK_WRITES.update(actor, webhook, data)


def webhook_delete(
    *, actor: Any, webhook: WebhookSubscription, expected_version: int | None = None
) -> None:
    """Delete for good, with its deliveries (settings have no trash nor version)."""
    delete_unused(actor=actor, record=webhook, used="", field="", message="")


def webhook_rotate_secret(
    *, actor: Any, webhook: WebhookSubscription, now: datetime.datetime | None = None
) -> WebhookSubscription:
    """A new signing secret; the current one goes on signing beside it for
    ``ROTATION_OVERLAP`` so that receivers can switch without losing a delivery."""
    now = now or timezone.now()
    fresh = locked(webhook, actor)
    fresh.previous_secret, fresh.secret = fresh.secret, new_secret()
    fresh.previous_expires_at = now + ROTATION_OVERLAP
    fresh.save(update_fields=["secret", "previous_secret", "previous_expires_at", "updated_at"])
    record_audit(
        actor=actor,
        instance=fresh,
        action=AuditAction.UPDATE,
        changes={"secret": [_("(previous)"), _("(rotated)")]},
    )
    return fresh


def secrets_in_use(webhook: WebhookSubscription, now: datetime.datetime) -> list[str]:
    """The secrets that sign a delivery now: the current one, and the previous one
    until it expires."""
    found = [webhook.secret]
    expires = webhook.previous_expires_at
    if webhook.previous_secret and expires is not None and expires > now:
        found.append(webhook.previous_secret)
    return found
