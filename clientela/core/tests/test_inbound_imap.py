"""Polling mailboxes against a real IMAP server (Dovecot on loopback): each message
taken exactly once, also across a worker killed between fetch and commit; wrong
credentials and unreachable servers recorded on the mailbox with back-off, never raised."""

from __future__ import annotations

import datetime
import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from clientela.core import registry
from clientela.core.choices import InboundStatus
from clientela.core.inbound import polling
from clientela.core.inbound.polling import (
    MailboxUnreachable,
    mailbox_poll,
    mailbox_test_connection,
    poll_due_mailboxes,
)
from clientela.core.inbound.services import mailbox_create
from clientela.core.models import InboundMessage, Mailbox
from clientela.core.registry import InboundHandler, register_inbound_handler
from clientela.core.testing.dovecot import Dovecot
from clientela.core.testing.migrated import migrated_database

ROOT = Path(__file__).resolve().parents[3]
NOW = datetime.datetime(2026, 12, 7, 10, 0, tzinfo=datetime.UTC)


def mail(n: int, **headers: str) -> bytes:
    extra = "".join(f"{k.replace('_', '-')}: {v}\r\n" for k, v in headers.items())
    return (
        f"From: Customer {n} <c{n}@example.com>\r\nTo: support@example.com\r\n"
        f"Subject: Question {n}\r\nMessage-ID: <q{n}@example.com>\r\n{extra}\r\n"
        f"Question number {n}.\r\n"
    ).encode()


@pytest.fixture
def taken() -> Iterator[list[str]]:
    """Every message a test handler took, by Message-ID, in the order taken."""
    saved = dict(registry.inbound_handlers)
    registry.inbound_handlers.clear()
    log: list[str] = []

    def take(message: InboundMessage, parsed: Any) -> bool:
        log.append(parsed.message_id)
        return True

    register_inbound_handler(InboundHandler("test.take", take))
    yield log
    registry.inbound_handlers.clear()
    registry.inbound_handlers.update(saved)


@pytest.fixture
def mailbox(db: Any, admin: Any, dovecot: Dovecot) -> Mailbox:
    return mailbox_create(actor=admin, data=dovecot.mailbox_data())  # type: ignore[arg-type]


def test_each_message_is_taken_once(dovecot: Dovecot, mailbox: Mailbox, taken: list[str]) -> None:
    dovecot.append(mail(1), mail(2), mail(3))
    result = mailbox_poll(mailbox_id=mailbox.pk, now=NOW)
    assert (result.fetched, result.stored, result.error) == (3, 3, "")
    assert taken == ["<q1@example.com>", "<q2@example.com>", "<q3@example.com>"]
    mailbox.refresh_from_db()
    assert mailbox.last_uid == 3
    assert mailbox.uidvalidity is not None
    assert (mailbox.failures, mailbox.last_error) == (0, "")
    assert mailbox.next_poll_at == NOW + datetime.timedelta(minutes=5)

    assert mailbox_poll(mailbox_id=mailbox.pk, now=NOW).stored == 0
    # The same message again (a second copy in the folder) is stored no second time.
    dovecot.append(mail(4), mail(2))
    result = mailbox_poll(mailbox_id=mailbox.pk, now=NOW)
    assert result.fetched == 2
    assert taken == [f"<q{n}@example.com>" for n in (1, 2, 3, 4)]
    assert InboundMessage.objects.filter(status=InboundStatus.TAKEN).count() == 4
    mailbox.refresh_from_db()
    assert mailbox.last_uid == 5
    # Polling leaves the messages unread for the people who read the mailbox too.
    with dovecot.client() as box:
        assert all("\\Seen" not in m.flags for m in box.fetch(mark_seen=False))


def test_small_batches_take_every_message(
    dovecot: Dovecot, mailbox: Mailbox, taken: list[str], settings: Any
) -> None:
    settings.CLIENTELA_INBOUND_BATCH = 2
    dovecot.append(*(mail(n) for n in range(1, 8)))
    assert mailbox_poll(mailbox_id=mailbox.pk, now=NOW).stored == 7
    assert sorted(taken) == sorted(f"<q{n}@example.com>" for n in range(1, 8))


def test_a_new_uidvalidity_restarts_the_checkpoint_without_taking_twice(
    dovecot: Dovecot, mailbox: Mailbox, taken: list[str]
) -> None:
    dovecot.append(mail(1), mail(2))
    mailbox_poll(mailbox_id=mailbox.pk, now=NOW)
    Mailbox.objects.filter(pk=mailbox.pk).update(uidvalidity=1, last_uid=99)
    dovecot.append(mail(3))
    mailbox_poll(mailbox_id=mailbox.pk, now=NOW)
    assert taken == ["<q1@example.com>", "<q2@example.com>", "<q3@example.com>"]
    mailbox.refresh_from_db()
    assert mailbox.last_uid == 3


def test_a_message_over_the_limit_is_kept_as_a_flagged_header(
    dovecot: Dovecot, mailbox: Mailbox, taken: list[str], settings: Any
) -> None:
    settings.CLIENTELA_INBOUND_MAX_BYTES = 4096
    dovecot.append(mail(1) + b"x" * 10_000, mail(2))
    assert mailbox_poll(mailbox_id=mailbox.pk, now=NOW).stored == 2
    big = InboundMessage.objects.get(uid=1)
    assert (big.status, big.flagged, big.message_id) == ("failed", True, "<q1@example.com>")
    assert big.size > 10_000
    assert len(bytes(big.raw)) < 4096
    assert taken == ["<q2@example.com>"]


def test_wrong_password_is_recorded_with_back_off_and_never_raised(
    dovecot: Dovecot, db: Any, admin: Any
) -> None:
    secret = "Wrong-pw-XYZ"
    mailbox = mailbox_create(
        actor=admin,
        data=dovecot.mailbox_data(password=secret),  # type: ignore[arg-type]
    )
    waits = []
    now = NOW
    for _attempt in range(8):
        result = mailbox_poll(mailbox_id=mailbox.pk, now=now)
        mailbox.refresh_from_db()
        assert result.error == "The server refused the user name or password."
        assert secret not in mailbox.last_error
        assert mailbox.next_poll_at is not None
        waits.append((mailbox.next_poll_at - now) / datetime.timedelta(minutes=1))
        now = mailbox.next_poll_at
    assert waits == [1, 2, 4, 8, 16, 32, 60, 60]
    assert mailbox.failures == 8
    assert mailbox.last_error == "The server refused the user name or password."
    # Fixed: the next poll works and clears the error.
    Mailbox.objects.filter(pk=mailbox.pk).update(password=dovecot.password)
    assert mailbox_poll(mailbox_id=mailbox.pk, now=now).error == ""
    mailbox.refresh_from_db()
    assert (mailbox.failures, mailbox.last_error, mailbox.last_success_at) == (0, "", now)


def test_an_unreachable_server_and_a_missing_folder_are_errors_on_the_mailbox(
    dovecot: Dovecot, db: Any, admin: Any
) -> None:
    closed = free_port()
    refused = mailbox_create(
        actor=admin,
        data=dovecot.mailbox_data(name="Closed", port=closed),  # type: ignore[arg-type]
    )
    missing = mailbox_create(
        actor=admin,
        data=dovecot.mailbox_data(name="Missing", folder="Nope"),  # type: ignore[arg-type]
    )
    results = poll_due_mailboxes(NOW)
    assert len(results) == 2
    refused.refresh_from_db()
    missing.refresh_from_db()
    assert refused.last_error == "The server refused the connection: check the host and the port."
    assert missing.last_error == "The folder “Nope” does not exist on the server."
    # Both now wait for their back-off: a poll a moment later leaves them alone.
    assert poll_due_mailboxes(NOW + datetime.timedelta(seconds=30)) == []


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_only_active_mailboxes_that_are_due_are_polled(
    dovecot: Dovecot, mailbox: Mailbox, taken: list[str], admin: Any
) -> None:
    dovecot.append(mail(1))
    Mailbox.objects.filter(pk=mailbox.pk).update(next_poll_at=NOW + datetime.timedelta(minutes=1))
    assert poll_due_mailboxes(NOW) == []
    Mailbox.objects.filter(pk=mailbox.pk).update(active=False, next_poll_at=None)
    assert poll_due_mailboxes(NOW) == []
    Mailbox.objects.filter(pk=mailbox.pk).update(active=True)
    assert [r.stored for r in poll_due_mailboxes(NOW)] == [1]


def test_test_connection_counts_the_messages_or_says_what_is_wrong(
    dovecot: Dovecot, mailbox: Mailbox
) -> None:
    dovecot.append(mail(1), mail(2))
    assert mailbox_test_connection(mailbox=mailbox) == 2
    mailbox.password = "not-it"
    with pytest.raises(MailboxUnreachable) as caught:
        mailbox_test_connection(mailbox=mailbox)
    assert str(caught.value) == "The server refused the user name or password."


def test_a_crashing_handler_does_not_block_the_mailbox(dovecot: Dovecot, mailbox: Mailbox) -> None:
    saved = dict(registry.inbound_handlers)
    registry.inbound_handlers.clear()

    def crash_on_two(message: InboundMessage, parsed: Any) -> bool:
        if parsed.message_id == "<q2@example.com>":
            raise ValueError("bad data")
        return True

    register_inbound_handler(InboundHandler("test.crash", crash_on_two))
    try:
        dovecot.append(mail(1), mail(2), mail(3))
        assert mailbox_poll(mailbox_id=mailbox.pk, now=NOW).stored == 3
    finally:
        registry.inbound_handlers.clear()
        registry.inbound_handlers.update(saved)
    statuses = dict(InboundMessage.objects.values_list("uid", "status"))
    assert statuses == {1: "taken", 2: "failed", 3: "taken"}
    assert InboundMessage.objects.get(uid=2).flagged


# --- a worker killed between fetch and commit ---------------------------------------------

#: Run in a separate process on its own SQLite file: a handler that writes an audit
#: entry per message (its effect, committed with the message), and, when CRASH_AT_UID
#: is set, ``os._exit`` after that message is fetched and handled but before it commits.
POLL = """
import json, os, sys
import django
django.setup()
from clientela.core import registry
from clientela.core.audit import record_audit
from clientela.core.inbound import polling
from clientela.core.models import Mailbox

def take(message, parsed):
    record_audit(actor=None, instance=message, action="create",
                 changes={"handled": [None, parsed.message_id]})
    return True

registry.inbound_handlers.clear()
registry.register_inbound_handler(registry.InboundHandler("test.audit", take))
crash_at = int(os.environ.get("CRASH_AT_UID") or 0)

def crash(message):
    if message.uid == crash_at:
        os._exit(3)

polling.before_commit = crash if crash_at else None
box, _ = Mailbox.objects.get_or_create(
    name="m", defaults=dict(host="127.0.0.1", port=int(os.environ["IMAP_PORT"]),
    security="none", username=os.environ["IMAP_USER"], password=os.environ["IMAP_PASSWORD"]))
result = polling.mailbox_poll(mailbox_id=box.pk)
from clientela.core.models import AuditEntry
handled = [e.changes["handled"][1] for e in AuditEntry.objects.order_by("id")
           if "handled" in e.changes]
print(json.dumps({"stored": result.stored, "error": result.error, "handled": handled,
                  "last_uid": Mailbox.objects.get(pk=box.pk).last_uid}))
"""


def _env(tmp_path: Path, dovecot: Dovecot, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLIENTELA_", "DJANGO_"))}
    env.update(
        CLIENTELA_DATA_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'poll.sqlite3'}",
        DJANGO_SETTINGS_MODULE="clientela.settings",
        PYTHONPATH=str(ROOT),
        IMAP_PORT=str(dovecot.port),
        IMAP_USER=dovecot.user,
        IMAP_PASSWORD=dovecot.password,
    )
    env.update(extra)
    return env


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, text=True, timeout=300, cwd=ROOT
    )


def test_a_poll_killed_between_fetch_and_commit_takes_each_message_exactly_once(
    tmp_path: Path, dovecot: Dovecot
) -> None:
    # Batches of two: the first (1 and 2) commits, the crash comes inside the second.
    env = _env(tmp_path, dovecot, CLIENTELA_INBOUND_BATCH="2")
    migrated_database(env)
    dovecot.append(*(mail(n) for n in range(1, 6)))

    killed = _run({**env, "CRASH_AT_UID": "3"}, "-c", POLL)
    assert killed.returncode == 3, killed.stderr
    assert killed.stdout == ""

    again = _run(env, "-c", POLL)
    assert again.returncode == 0, again.stderr
    report = json.loads(again.stdout)
    assert report["error"] == ""
    assert report["stored"] == 3  # 3 (fetched before, never committed), 4 and 5
    assert report["handled"] == [f"<q{n}@example.com>" for n in range(1, 6)]
    assert report["last_uid"] == 5

    once_more = json.loads(_run(env, "-c", POLL).stdout)
    assert (once_more["stored"], len(once_more["handled"])) == (0, 5)


def test_the_crash_hook_is_off_in_normal_runs() -> None:
    assert polling.before_commit is None
