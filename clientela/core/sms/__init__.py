"""The SMS gateway, one backend protocol for every app (marketing's SMS campaigns,
automation later), built like Django's e-mail backends.

Sending::

    from clientela.core import sms

    results = sms.send_messages([sms.SmsMessage(to="+34600123456", body="Hola",
                                                reference="delivery-42")])
    results[0].provider_id or results[0].error

``get_backend()`` builds the backend ``CLIENTELA_SMS_BACKEND`` names (the settings
read it from ``CLIENTELA_SMS_URL``: ``console://``, ``file:///dir``, ``memory://``,
``twilio://SID:TOKEN@api.twilio.com?from=+34…``); ``segments(body)`` says how long a
message is (GSM-7 or UCS-2, parts). Replies and delivery reports come in at
``/sms/inbound/<backend>/`` (``core.views.sms``) and go to the handlers registered
with ``register_sms_reply_handler`` and ``register_sms_status_handler``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

from clientela.core.sms.backends.base import BaseSmsBackend, WebhookRefused
from clientela.core.sms.backends.locmem import outbox
from clientela.core.sms.encoding import SmsLength, segments
from clientela.core.sms.handlers import (
    register_sms_reply_handler,
    register_sms_status_handler,
)
from clientela.core.sms.message import (
    STOP_WORDS,
    InboundSms,
    SmsMessage,
    SmsResult,
    SmsStatus,
    is_e164,
    is_stop,
)

__all__ = [
    "STOP_WORDS",
    "BaseSmsBackend",
    "InboundSms",
    "SmsLength",
    "SmsMessage",
    "SmsResult",
    "SmsStatus",
    "WebhookRefused",
    "get_backend",
    "is_e164",
    "is_stop",
    "outbox",
    "register_sms_reply_handler",
    "register_sms_status_handler",
    "segments",
    "send_messages",
]


def get_backend(path: str | None = None, **options: Any) -> BaseSmsBackend:
    """The backend ``CLIENTELA_SMS_BACKEND`` configures, or the one at ``path`` (a dotted
    class path) with ``options``; options given here win over the configured ones."""
    configured: dict[str, Any] = settings.CLIENTELA_SMS_BACKEND
    if path is None:
        path, options = configured["BACKEND"], {**configured.get("OPTIONS", {}), **options}
    backend_class = import_string(path)
    backend: BaseSmsBackend = backend_class(**options)
    return backend


def send_messages(
    messages: Sequence[SmsMessage], *, backend: BaseSmsBackend | None = None
) -> list[SmsResult]:
    """Send ``messages`` through ``backend`` (the configured one by default): one result
    per message, in order; a message that fails never stops the others."""
    return (backend or get_backend()).send_messages(messages)
