"""Sending e-mail that a service decided on: ``deliver`` one message now, or, inside
``one_connection()``, when the block ends, every message of the block over one SMTP
connection (a mailbox poll acknowledges hundreds of tickets without connecting
hundreds of times). A message that fails is logged and does not stop the others.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.mail import EmailMessage, get_connection

logger = logging.getLogger("clientela.mail")

_pending: ContextVar[list[EmailMessage] | None] = ContextVar("clientela_mail", default=None)


def send_all(messages: Sequence[EmailMessage]) -> int:
    """Send ``messages`` over one connection; the number sent."""
    sent = 0
    if not messages:
        return sent
    connection = get_connection()
    try:
        for message in messages:
            try:
                connection.open()  # no-op while open: ``send_messages`` then keeps it
                sent += connection.send_messages([message]) or 0
            except Exception:
                logger.warning("sending “%s” failed", message.subject, exc_info=True)
                connection.close()  # the next message opens a fresh connection
    finally:
        connection.close()
    return sent


def deliver(message: EmailMessage) -> bool:
    """Send ``message`` now, or at the end of the ``one_connection`` block around this
    code. Returns False when sending now failed (logged)."""
    pending = _pending.get()
    if pending is not None:
        pending.append(message)
        return True
    return send_all([message]) == 1


@contextmanager
def one_connection() -> Iterator[None]:
    """Collect what ``deliver`` is given in the block and send it all when it ends
    (nested blocks send with the outermost)."""
    if _pending.get() is not None:
        yield
        return
    token = _pending.set([])
    try:
        yield
    finally:
        messages = _pending.get() or []
        _pending.reset(token)
        send_all(messages)
