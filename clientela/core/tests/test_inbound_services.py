"""Inbound e-mail services: the mailboxes' writes (audited, the password never shown)
and ``inbound_receive``, the one path of every message (store, parse, handlers)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from clientela.core import registry
from clientela.core.choices import InboundSource, InboundStatus
from clientela.core.errors import NotFound
from clientela.core.inbound import services
from clientela.core.inbound.services import (
    inbound_receive,
    mailbox_create,
    mailbox_delete,
    mailbox_update,
)
from clientela.core.models import AuditEntry, InboundMessage, Mailbox, Tag
from clientela.core.registry import InboundHandler, register_inbound_handler

CORPUS = Path(__file__).resolve().parents[2] / "service" / "tests" / "mail"
SECRET = "S3cret-imap-pw!"

pytestmark = pytest.mark.django_db


def mailbox_data(**extra: Any) -> dict[str, Any]:
    return {
        "name": "Support",
        "host": "imap.example.com",
        "port": 993,
        "security": "ssl",
        "username": "support@example.com",
        "password": SECRET,
        "folder": "INBOX",
        "poll_minutes": 5,
        "active": True,
    } | extra


@pytest.fixture
def handlers() -> Iterator[dict[str, InboundHandler]]:
    """The registry emptied for the test, put back after."""
    saved = dict(registry.inbound_handlers)
    registry.inbound_handlers.clear()
    yield registry.inbound_handlers
    registry.inbound_handlers.clear()
    registry.inbound_handlers.update(saved)


def recorder(log: list[str], key: str, takes: bool = True) -> Any:
    """A handler that notes it was asked and takes the message or not."""

    def handle(stored: InboundMessage, parsed: Any) -> bool:
        log.append(key)
        return takes

    return handle


def message(message_id: str = "<m1@example.com>", subject: str = "Hello") -> bytes:
    return (
        f"From: Ana <ana@example.com>\r\nTo: support@example.com\r\nSubject: {subject}\r\n"
        f"Message-ID: {message_id}\r\n\r\nBody\r\n"
    ).encode()


# --- mailboxes ------------------------------------------------------------------------


def test_admin_creates_a_mailbox_and_the_audit_never_holds_the_password(admin: Any) -> None:
    mailbox = mailbox_create(actor=admin, data=mailbox_data())  # type: ignore[arg-type]
    assert mailbox.password == SECRET
    entry = AuditEntry.objects.get(object_id=mailbox.pk, action="create")
    assert entry.changes["host"] == [None, "imap.example.com"]
    assert SECRET not in str(entry.changes)
    assert "password" not in entry.changes


def test_a_blank_password_on_edit_keeps_the_stored_one(admin: Any) -> None:
    mailbox = mailbox_create(actor=admin, data=mailbox_data())  # type: ignore[arg-type]
    mailbox_update(actor=admin, mailbox=mailbox, data={"password": "", "poll_minutes": 10})
    mailbox.refresh_from_db()
    assert (mailbox.password, mailbox.poll_minutes) == (SECRET, 10)
    mailbox_update(actor=admin, mailbox=mailbox, data={"password": "new-one"})
    mailbox.refresh_from_db()
    assert mailbox.password == "new-one"
    changes = [e.changes for e in AuditEntry.objects.filter(object_id=mailbox.pk, action="update")]
    assert {"password": ["", "changed"]} in changes
    assert "new-one" not in str(changes)
    assert SECRET not in str(changes)


def test_another_folder_starts_a_fresh_checkpoint(admin: Any) -> None:
    mailbox = mailbox_create(actor=admin, data=mailbox_data())  # type: ignore[arg-type]
    Mailbox.objects.filter(pk=mailbox.pk).update(uidvalidity=7, last_uid=40, failures=3)
    mailbox_update(actor=admin, mailbox=mailbox, data={"folder": "Support"})
    mailbox.refresh_from_db()
    assert (mailbox.uidvalidity, mailbox.last_uid, mailbox.failures) == (None, 0, 0)


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"host": ""}, "host"),
        ({"host": "imap example.com"}, "host"),
        ({"port": 0}, "port"),
        ({"port": "99999"}, "port"),
        ({"security": "tls9"}, "security"),
        ({"password": ""}, "password"),
        ({"poll_minutes": 0}, "poll_minutes"),
        ({"username": "  "}, "username"),
    ],
)
def test_bad_mailbox_values_are_refused_and_nothing_saved(
    admin: Any, extra: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        mailbox_create(actor=admin, data=mailbox_data(**extra))  # type: ignore[arg-type]
    assert field in caught.value.message_dict
    assert SECRET not in str(caught.value)
    assert not Mailbox.objects.exists()


def test_two_mailboxes_cannot_share_a_name(admin: Any) -> None:
    mailbox_create(actor=admin, data=mailbox_data())  # type: ignore[arg-type]
    with pytest.raises(ValidationError) as caught:
        mailbox_create(actor=admin, data=mailbox_data(host="other.example.com"))  # type: ignore[arg-type]
    assert "name" in caught.value.message_dict


def test_only_admins_manage_mailboxes(admin: Any, manager_north: Any) -> None:
    with pytest.raises(NotFound):
        mailbox_create(actor=manager_north, data=mailbox_data())  # type: ignore[arg-type]
    mailbox = mailbox_create(actor=admin, data=mailbox_data())  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        mailbox_delete(actor=manager_north, mailbox=mailbox)
    mailbox_delete(actor=admin, mailbox=mailbox)
    assert not Mailbox.objects.exists()


# --- receiving --------------------------------------------------------------------------


def test_a_handler_takes_the_message_in_the_same_transaction(
    handlers: dict[str, InboundHandler],
) -> None:
    seen: list[str] = []

    def take(stored: InboundMessage, parsed: Any) -> bool:
        seen.append(parsed.subject)
        Tag.objects.create(name=f"mail-{stored.pk}")
        return True

    register_inbound_handler(InboundHandler("test.take", take))
    stored = inbound_receive(raw=message(), source=InboundSource.API)
    assert (stored.status, stored.handler_key, stored.flagged) == ("taken", "test.take", False)
    assert (stored.subject, stored.sender) == ("Hello", "Ana <ana@example.com>")
    assert seen == ["Hello"]
    assert Tag.objects.filter(name=f"mail-{stored.pk}").exists()


def test_the_same_message_id_is_handled_once(handlers: dict[str, InboundHandler]) -> None:
    calls: list[str] = []
    register_inbound_handler(InboundHandler("test.count", recorder(calls, "count")))
    first = inbound_receive(raw=message(), source=InboundSource.API)
    again = inbound_receive(raw=message(subject="Hello again"), source=InboundSource.MAILBOX)
    assert again.pk == first.pk
    assert calls == ["count"]
    assert InboundMessage.objects.count() == 1


def test_without_message_id_the_bytes_tell_duplicates(handlers: dict[str, InboundHandler]) -> None:
    raw = (CORPUS / "no-message-id.eml").read_bytes()
    first = inbound_receive(raw=raw, source=InboundSource.API)
    assert inbound_receive(raw=raw, source=InboundSource.API).pk == first.pk
    other = inbound_receive(raw=raw.replace(b"call me", b"e-mail me"), source=InboundSource.API)
    assert other.pk != first.pk


def test_nobody_takes_it_unhandled_or_ignored_when_automatic(
    handlers: dict[str, InboundHandler],
) -> None:
    register_inbound_handler(InboundHandler("test.no", lambda m, p: False))
    plain = inbound_receive(raw=message(), source=InboundSource.API)
    bounce = inbound_receive(
        raw=(CORPUS / "bounce-multipart-report.eml").read_bytes(), source=InboundSource.API
    )
    assert (plain.status, plain.flagged) == (InboundStatus.UNHANDLED, False)
    assert bounce.status == InboundStatus.IGNORED


def test_handlers_are_asked_in_order_until_one_takes_it(
    handlers: dict[str, InboundHandler],
) -> None:
    asked: list[str] = []
    register_inbound_handler(InboundHandler("b", recorder(asked, "b", True), 20))
    register_inbound_handler(InboundHandler("a", recorder(asked, "a", False), 10))
    register_inbound_handler(InboundHandler("c", recorder(asked, "c", True), 30))
    stored = inbound_receive(raw=message(), source=InboundSource.API)
    assert asked == ["a", "b"]
    assert stored.handler_key == "b"


def test_a_crashing_handler_is_undone_and_the_message_kept_flagged(
    handlers: dict[str, InboundHandler],
) -> None:
    def crash(stored: InboundMessage, parsed: Any) -> bool:
        Tag.objects.create(name="half-done")
        raise RuntimeError("boom")

    register_inbound_handler(InboundHandler("test.crash", crash))
    stored = inbound_receive(raw=message(), source=InboundSource.API)
    stored.refresh_from_db()
    assert (stored.status, stored.flagged) == (InboundStatus.FAILED, True)
    assert stored.error == "test.crash: RuntimeError: boom"
    assert bytes(stored.raw) == message()
    assert not Tag.objects.filter(name="half-done").exists()
    # The next message is not blocked.
    handlers.clear()
    assert inbound_receive(raw=message("<m2@example.com>"), source="api").status == "unhandled"


def test_an_unreadable_message_is_kept_raw_and_flagged(handlers: dict[str, InboundHandler]) -> None:
    called: list[str] = []
    register_inbound_handler(InboundHandler("test.any", recorder(called, "any")))
    stored = inbound_receive(raw=b"\x00\x01 not mail", source=InboundSource.API)
    assert (stored.status, stored.flagged) == (InboundStatus.FAILED, True)
    assert "could not be read" in stored.error
    assert bytes(stored.raw) == b"\x00\x01 not mail"
    assert called == []


def test_an_enormous_message_keeps_only_its_header(
    handlers: dict[str, InboundHandler], settings: Any
) -> None:
    settings.CLIENTELA_INBOUND_MAX_BYTES = 2048
    raw = message("<big@example.com>") + b"x" * 5000
    stored = inbound_receive(raw=raw, source=InboundSource.API)
    assert (stored.status, stored.flagged, stored.size) == ("failed", True, len(raw))
    assert "larger than 2048 bytes" in stored.error
    assert stored.message_id == "<big@example.com>"
    assert bytes(stored.raw).startswith(b"From: Ana")
    assert len(bytes(stored.raw)) < 2048
    # The same big message again is recognised by its Message-ID.
    assert inbound_receive(raw=raw, source=InboundSource.API).pk == stored.pk


def test_every_corpus_message_is_stored(handlers: dict[str, InboundHandler]) -> None:
    for path in sorted(CORPUS.glob("*.eml")):
        stored = inbound_receive(raw=path.read_bytes(), source=InboundSource.API)
        assert stored.status in {"unhandled", "ignored"}, path.name
        assert stored.subject
    assert InboundMessage.objects.count() == len(list(CORPUS.glob("*.eml")))


def test_a_parser_failure_is_kept_flagged_too(
    handlers: dict[str, InboundHandler], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(raw: bytes) -> Any:
        raise LookupError("a codec nobody expected")

    monkeypatch.setattr(services, "parse_message", broken)
    stored = inbound_receive(raw=message(), source=InboundSource.API)
    assert (stored.status, stored.flagged) == (InboundStatus.FAILED, True)
    assert stored.error == "The message could not be read (LookupError)."
