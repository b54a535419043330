"""Sending e-mail that a service decided on: ``deliver`` one message now, or, inside
``one_connection()``, when the block ends, every message of the block over one SMTP
connection (a mailbox poll acknowledges hundreds of tickets without connecting
hundreds of times). Inside ``sending_in_background()`` those blocks' messages are sent
by a thread of their own while the caller goes on (a poll takes in its next batch
meanwhile), all of them before that block ends. A message that fails is logged and
does not stop the others.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.mail import EmailMessage, get_connection

logger = logging.getLogger("clientela.mail")

_pending: ContextVar[list[EmailMessage] | None] = ContextVar("clientela_mail", default=None)
_outbox: ContextVar[queue.SimpleQueue[list[EmailMessage] | None] | None] = ContextVar(
    "clientela_mail_outbox", default=None
)


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
        outbox = _outbox.get()
        if outbox is None:
            send_all(messages)
        elif messages:
            outbox.put(messages)


@contextmanager
def sending_in_background() -> Iterator[None]:
    """Send what the ``one_connection`` blocks inside collect from a thread of its own,
    in order, while the caller goes on; wait for all of it when the block ends."""
    if _outbox.get() is not None:
        yield
        return
    outbox: queue.SimpleQueue[list[EmailMessage] | None] = queue.SimpleQueue()

    def run() -> None:
        while (messages := outbox.get()) is not None:
            send_all(messages)

    sender = threading.Thread(target=run, name="clientela-mail", daemon=True)
    sender.start()
    token = _outbox.set(outbox)
    try:
        yield
    finally:
        _outbox.reset(token)
        outbox.put(None)
        sender.join()
