"""What the apps do with a provider's webhooks: handlers registered (in an app's
``AppConfig.ready()``) for replies (marketing records a STOP as a withdrawal of SMS
consent) and for delivery reports (marketing updates its delivery rows). Each handler
runs in a savepoint of its own: one that fails is logged and undone, and the others
still run. A provider may post the same event twice, so handlers are idempotent."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial

from django.db import transaction

from clientela.core.choices import Interface
from clientela.core.context import interface
from clientela.core.sms.message import InboundSms, SmsStatus

logger = logging.getLogger("clientela.sms")

#: ``callback(from_e164, body, is_stop)`` for each reply a person sent.
ReplyHandler = Callable[[str, str, bool], None]
#: ``callback(status)`` for each delivery report.
StatusHandler = Callable[[SmsStatus], None]

reply_handlers: dict[str, ReplyHandler] = {}
status_handlers: dict[str, StatusHandler] = {}


def _key(callback: Callable[..., None], key: str) -> str:
    return key or f"{callback.__module__}.{callback.__qualname__}"


def register_sms_reply_handler(callback: ReplyHandler, *, key: str = "") -> ReplyHandler:
    """Call ``callback(from_e164, body, is_stop)`` for every reply that comes in
    (``is_stop``: the body is STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT or BAJA,
    in any case and spacing). Registering the same key again replaces the handler."""
    reply_handlers[_key(callback, key)] = callback
    return callback


def register_sms_status_handler(callback: StatusHandler, *, key: str = "") -> StatusHandler:
    """Call ``callback(status)`` with every delivery report (``SmsStatus``)."""
    status_handlers[_key(callback, key)] = callback
    return callback


def _run(key: str, call: Callable[[], None]) -> bool:
    try:
        with transaction.atomic():
            call()
    except Exception:
        logger.exception("The SMS handler %s failed; its writes were undone", key)
        return False
    return True


def dispatch(event: InboundSms | SmsStatus) -> int:
    """Hand the event to every handler of its kind, in key order; how many succeeded."""
    done = 0
    with interface(Interface.SYSTEM):
        if isinstance(event, InboundSms):
            stop = event.is_stop
            for key, reply in sorted(reply_handlers.items()):
                done += _run(key, partial(reply, event.from_e164, event.body, stop))
        else:
            for key, status in sorted(status_handlers.items()):
                done += _run(key, partial(status, event))
    return done
