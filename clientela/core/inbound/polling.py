"""Polling the IMAP mailboxes with ``imap-tools``.

Each poll asks for the UIDs above the mailbox's checkpoint and fetches them in small
batches (``CLIENTELA_INBOUND_BATCH``), without marking them seen. A batch's messages
are then stored, handled and the checkpoint moved past them in one transaction: a
worker killed after a fetch but before its commit leaves the checkpoint where it was,
the next poll fetches the batch again, and the UID and Message-ID de-duplication make
sure each message is taken once.

Errors (wrong credentials, an unreachable host, a missing folder) never escape: they
are written on the mailbox, without the password, and the next try backs off
(1, 2, 4 … at most 60 minutes).
"""

from __future__ import annotations

import datetime
import imaplib
import logging
import socket
import ssl
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from imap_tools import AND, BaseMailBox, MailBox, MailBoxStartTls, MailBoxUnencrypted, MailMessage
from imap_tools.errors import MailboxFolderSelectError, MailboxLoginError

from clientela.core.choices import InboundSource, MailboxSecurity
from clientela.core.inbound.services import inbound_receive
from clientela.core.mail import one_connection, sending_in_background
from clientela.core.memo import memo_scope
from clientela.core.models import InboundMessage, Mailbox

logger = logging.getLogger("clientela.inbound")

TIMEOUT_SECONDS = 30
MAX_BACKOFF_MINUTES = 60

#: Called with each stored message, before its batch's transaction commits; the tests
#: set it to kill the process there (a worker dying between fetch and commit).
before_commit: Callable[[InboundMessage], None] | None = None


class MailboxUnreachable(Exception):
    """The mailbox could not be read; the message is safe to show (no password)."""


class _RawMessage(MailMessage):
    """imap-tools' message, keeping the bytes as the server sent them."""

    def __init__(self, fetch_data: list[Any]) -> None:
        super().__init__(fetch_data)
        self.raw: bytes = self._get_message_data_parts(fetch_data)[0] or b""


def _client(mailbox: Mailbox) -> BaseMailBox:
    if mailbox.security == MailboxSecurity.SSL:
        context = ssl.create_default_context()
        box: BaseMailBox = MailBox(
            mailbox.host, mailbox.port, timeout=TIMEOUT_SECONDS, ssl_context=context
        )
    elif mailbox.security == MailboxSecurity.STARTTLS:
        context = ssl.create_default_context()
        box = MailBoxStartTls(
            mailbox.host, mailbox.port, timeout=TIMEOUT_SECONDS, ssl_context=context
        )
    else:
        box = MailBoxUnencrypted(mailbox.host, mailbox.port, timeout=TIMEOUT_SECONDS)
    box.email_message_class = _RawMessage
    return box


def explain(exc: BaseException, mailbox: Mailbox) -> str:
    """A message for the admin about a failed connection; never the password."""
    if isinstance(exc, MailboxLoginError):
        text = _("The server refused the user name or password.")
    elif isinstance(exc, MailboxFolderSelectError):
        text = _("The folder “%(folder)s” does not exist on the server.") % {
            "folder": mailbox.folder
        }
    elif isinstance(exc, socket.gaierror):
        text = _("The host name %(host)s could not be found.") % {"host": mailbox.host}
    elif isinstance(exc, ConnectionRefusedError):
        text = _("The server refused the connection: check the host and the port.")
    elif isinstance(exc, TimeoutError):
        text = _("The server did not answer in time.")
    elif isinstance(exc, ssl.SSLError):
        text = _("The secure connection failed: %(reason)s") % {
            "reason": exc.reason or type(exc).__name__
        }
    elif isinstance(exc, OSError | imaplib.IMAP4.error):
        text = _("The server could not be read: %(reason)s") % {"reason": exc}
    else:
        text = _("Polling failed: %(reason)s") % {"reason": type(exc).__name__}
    if mailbox.password:
        text = text.replace(mailbox.password, "********")
    return text[:500]


@contextmanager
def connected(mailbox: Mailbox) -> Iterator[BaseMailBox]:
    """A logged-in client on the mailbox's folder; ``MailboxUnreachable`` otherwise."""
    try:
        box = _client(mailbox)
        box.login(mailbox.username, mailbox.password, initial_folder=mailbox.folder)
    except Exception as exc:
        raise MailboxUnreachable(explain(exc, mailbox)) from None
    try:
        yield box
    finally:
        with suppress(Exception):  # the connection may already be gone
            box.logout()


def mailbox_test_connection(*, mailbox: Mailbox) -> int:
    """Log in and open the folder; the number of messages in it.
    ``MailboxUnreachable`` with the reason otherwise."""
    with connected(mailbox) as box:
        try:
            status = box.folder.status(mailbox.folder, ["MESSAGES"])
        except Exception as exc:
            raise MailboxUnreachable(explain(exc, mailbox)) from None
    return int(status.get("MESSAGES", 0))


@dataclass
class PollResult:
    fetched: int = 0
    stored: int = 0
    error: str = ""


def _new_uids(box: BaseMailBox, mailbox: Mailbox) -> tuple[int, list[int]]:
    status = box.folder.status(mailbox.folder, ["UIDVALIDITY"])
    uidvalidity = int(status["UIDVALIDITY"])
    last = mailbox.last_uid if mailbox.uidvalidity == uidvalidity else 0
    # "n:*" always answers the highest UID, even one at or below n: filter.
    found = box.uids(f"UID {last + 1}:*")
    return uidvalidity, sorted(u for u in map(int, found) if u > last)


def _fetch(box: BaseMailBox, uids: list[int]) -> dict[int, tuple[bytes, int]]:
    """(raw bytes, size) of each of ``uids``; of one over the size limit only its header
    is fetched (``inbound_receive`` keeps it as a flagged stub)."""
    limit = settings.CLIENTELA_INBOUND_MAX_BYTES
    sizes: dict[int, int] = {}
    found: dict[int, tuple[bytes, int]] = {}
    for head in box.fetch(
        AND(uid=[str(u) for u in uids]), headers_only=True, mark_seen=False, bulk=True
    ):
        uid = int(head.uid or 0)
        sizes[uid] = head.size_rfc822
        if sizes[uid] > limit:
            found[uid] = (getattr(head, "raw", b""), sizes[uid])
    small = [u for u in uids if u in sizes and sizes[u] <= limit]
    if small:
        for message in box.fetch(AND(uid=[str(u) for u in small]), mark_seen=False, bulk=True):
            raw = getattr(message, "raw", b"")
            found[int(message.uid or 0)] = (raw, len(raw))
    return found


def _store(mailbox_id: int, uidvalidity: int, messages: list[tuple[int, bytes, int]]) -> int:
    """Store a batch of messages (uid, raw, size) and move the checkpoint past them, in
    one transaction; how many were new (a message another poll already took is
    skipped). The batch shares its reads of settings (``memo_scope``), and the e-mail
    its handlers send goes out after the commit over one connection."""
    stored = 0
    with memo_scope(), one_connection(), transaction.atomic():
        mailbox = Mailbox.objects.select_for_update().get(pk=mailbox_id)
        if mailbox.uidvalidity != uidvalidity:
            return 0
        last = mailbox.last_uid
        for uid, raw, size in messages:
            if uid <= last:
                continue
            message = inbound_receive(
                raw=raw,
                source=InboundSource.MAILBOX,
                mailbox=mailbox,
                uidvalidity=uidvalidity,
                uid=uid,
                size=size,
            )
            if before_commit is not None:
                before_commit(message)
            last, stored = uid, stored + 1
        if last > mailbox.last_uid:
            Mailbox.objects.filter(pk=mailbox_id).update(last_uid=last)
    return stored


def _start(mailbox_id: int, uidvalidity: int) -> None:
    """A new UIDVALIDITY (a first poll, or the server renumbered the folder): the
    checkpoint starts again from 0; the Message-ID keeps old messages from coming twice."""
    with transaction.atomic():
        mailbox = Mailbox.objects.select_for_update().get(pk=mailbox_id)
        if mailbox.uidvalidity != uidvalidity:
            mailbox.uidvalidity, mailbox.last_uid = uidvalidity, 0
            mailbox.save(update_fields=["uidvalidity", "last_uid", "updated_at"])


def _poll(mailbox: Mailbox, result: PollResult) -> None:
    batch = settings.CLIENTELA_INBOUND_BATCH
    with connected(mailbox) as box, sending_in_background():
        uidvalidity, uids = _new_uids(box, mailbox)
        _start(mailbox.pk, uidvalidity)
        for start in range(0, len(uids), batch):
            chunk = uids[start : start + batch]
            raws = _fetch(box, chunk)
            result.fetched += len(raws)
            messages = [(uid, *raws[uid]) for uid in chunk if uid in raws]
            result.stored += _store(mailbox.pk, uidvalidity, messages)


def _record(mailbox_id: int, error: str, now: datetime.datetime) -> None:
    mailbox = Mailbox.objects.get(pk=mailbox_id)
    mailbox.last_poll_at = now
    if error:
        mailbox.failures += 1
        minutes = min(2 ** min(mailbox.failures - 1, 10), MAX_BACKOFF_MINUTES)
        mailbox.last_error = error
    else:
        mailbox.failures = 0
        minutes = mailbox.poll_minutes
        mailbox.last_error = ""
        mailbox.last_success_at = now
    mailbox.next_poll_at = now + datetime.timedelta(minutes=minutes)
    mailbox.save(
        update_fields=[
            "last_poll_at",
            "failures",
            "last_error",
            "last_success_at",
            "next_poll_at",
            "updated_at",
        ]
    )


def mailbox_poll(*, mailbox_id: int, now: datetime.datetime | None = None) -> PollResult:
    """Take in a mailbox's new messages. Never raises for the server's sake: the error
    goes on the mailbox (``last_error``) and the next poll backs off."""
    now = now or timezone.now()
    mailbox = Mailbox.objects.get(pk=mailbox_id)
    result = PollResult()
    try:
        _poll(mailbox, result)
    except MailboxUnreachable as exc:
        result.error = str(exc)
    except Exception as exc:
        logger.warning("polling mailbox %s failed: %s", mailbox_id, type(exc).__name__)
        result.error = explain(exc, mailbox)
    _record(mailbox_id, result.error, now)
    return result


def mailboxes_due(now: datetime.datetime) -> list[int]:
    due = Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now)
    return list(Mailbox.objects.filter(due, active=True).values_list("pk", flat=True))


def poll_due_mailboxes(now: datetime.datetime | None = None) -> list[PollResult]:
    """Poll every active mailbox whose time has come; one failing never stops the others."""
    now = now or timezone.now()
    results = []
    for mailbox_id in mailboxes_due(now):
        try:
            results.append(mailbox_poll(mailbox_id=mailbox_id, now=now))
        except Exception:
            logger.exception("polling mailbox %s failed", mailbox_id)
    return results
