"""Bounces and complaints through the real inbound paths (``POST /api/v1/inbound-email``
and an IMAP poll of Dovecot): stored with their kind, taken by the core before any
app's handler, handed to every registered bounce handler; an out-of-office is not."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from clientela.core import registry
from clientela.core.choices import InboundKind, InboundStatus
from clientela.core.inbound.bounces import DeliveryReport
from clientela.core.inbound.polling import mailbox_poll
from clientela.core.inbound.services import inbound_receive, mailbox_create
from clientela.core.models import InboundMessage, Tag
from clientela.core.registry import BounceHandler, register_bounce_handler
from clientela.core.testing.dovecot import Dovecot
from clientela.core.tests.test_bounces import FIXTURE_KEY
from clientela.core.tests.test_inbound_api import post, token

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "bounces"
NOW = datetime.datetime(2026, 12, 7, 10, 0, tzinfo=datetime.UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def signing_key(settings: Any) -> None:
    settings.SECRET_KEY = FIXTURE_KEY
    settings.CLIENTELA_BOUNCE_LOCAL = "bounces"


@pytest.fixture
def received() -> Iterator[list[tuple[int, DeliveryReport]]]:
    """What a bounce handler (marketing's, later) is handed: (message id, report)."""
    saved = dict(registry.bounce_handlers)
    registry.bounce_handlers.clear()  # only this test's, whatever apps registered
    log: list[tuple[int, DeliveryReport]] = []
    register_bounce_handler(BounceHandler("test.log", lambda m, r: log.append((m.pk, r))))
    yield log
    registry.bounce_handlers.clear()
    registry.bounce_handlers.update(saved)


def raw(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_a_bounce_posted_by_a_mail_server_is_stored_as_a_bounce(
    client: Client, admin: Any, received: list[tuple[int, DeliveryReport]]
) -> None:
    response = post(client, token(admin, "mail:inbound"), raw("exim-failed.eml"))
    assert response.status_code == 202
    stored = InboundMessage.objects.get()
    assert response.json()["status"] == "taken"
    assert (stored.status, stored.handler_key, stored.kind, stored.flagged) == (
        InboundStatus.TAKEN,
        "core.bounces",
        InboundKind.BOUNCE,
        False,
    )
    [(pk, report)] = received
    assert pk == stored.pk
    assert [(b.recipient, b.kind, b.verp_token) for b in report.bounces] == [
        ("pablo.garcia@dominio-viejo.example", "hard", "1003")
    ]
    # The mail server retries: the first answer, the handlers not called again.
    again = post(client, token(admin, "mail:inbound"), raw("exim-failed.eml"))
    assert (again.status_code, again.json()["id"]) == (202, stored.pk)
    assert len(received) == 1


def test_a_complaint_is_stored_as_a_complaint(received: list[tuple[int, DeliveryReport]]) -> None:
    stored = inbound_receive(raw=raw("arf-complaint.eml"), source="api")
    assert (stored.status, stored.kind) == (InboundStatus.TAKEN, InboundKind.COMPLAINT)
    complaint = received[0][1].complaint
    assert complaint is not None
    assert (complaint.recipient, complaint.verp_token) == ("irene.castro@yahoo.example", "1011")


def test_an_out_of_office_is_no_bounce(received: list[tuple[int, DeliveryReport]]) -> None:
    stored = inbound_receive(raw=raw("out-of-office.eml"), source="api")
    assert stored.kind == InboundKind.MESSAGE
    assert stored.handler_key != "core.bounces"
    assert received == []


def test_bounces_are_taken_before_any_app_handler(
    received: list[tuple[int, DeliveryReport]],
) -> None:
    asked: list[str] = []

    def greedy(message: InboundMessage, parsed: Any) -> bool:
        asked.append(parsed.message_id)
        return True

    saved = dict(registry.inbound_handlers)
    registry.register_inbound_handler(registry.InboundHandler("test.greedy", greedy, order=11))
    try:
        bounce = inbound_receive(raw=raw("qmail-no-mailbox.eml"), source="api")
        other = inbound_receive(raw=raw("out-of-office.eml"), source="api")
    finally:
        registry.inbound_handlers.clear()
        registry.inbound_handlers.update(saved)
    assert bounce.handler_key == "core.bounces"
    assert other.handler_key == "test.greedy"
    assert asked == ["<a1b2c3d4e5f6@EX01.empresa.example>"]


def test_a_bounce_handler_that_breaks_undoes_all_and_flags_the_message(
    received: list[tuple[int, DeliveryReport]],
) -> None:
    def crash(message: InboundMessage, report: DeliveryReport) -> None:
        Tag.objects.create(name="half-done")
        raise RuntimeError("boom")

    register_bounce_handler(BounceHandler("test.crash", crash, order=200))
    stored = inbound_receive(raw=raw("postfix-dsn-user-unknown.eml"), source="api")
    stored.refresh_from_db()
    assert (stored.status, stored.flagged, stored.kind) == (
        InboundStatus.FAILED,
        True,
        InboundKind.BOUNCE,
    )
    assert "boom" in stored.error
    assert not Tag.objects.filter(name="half-done").exists()


def test_bounces_polled_from_a_mailbox(
    dovecot: Dovecot, admin: Any, received: list[tuple[int, DeliveryReport]]
) -> None:
    mailbox = mailbox_create(actor=admin, data=dovecot.mailbox_data())  # type: ignore[arg-type]
    dovecot.append(
        raw("postfix-dsn-mailbox-full.eml"), raw("gmail-dsn-failure.eml"), raw("out-of-office.eml")
    )
    result = mailbox_poll(mailbox_id=mailbox.pk, now=NOW)
    assert (result.stored, result.error) == (3, "")
    kinds = dict(InboundMessage.objects.values_list("subject", "kind"))
    assert kinds == {
        "Undelivered Mail Returned to Sender": InboundKind.BOUNCE,
        "Delivery Status Notification (Failure)": InboundKind.BOUNCE,
        "Automatic reply: Ofertas de diciembre": InboundKind.MESSAGE,
    }
    assert [(b.recipient, b.kind) for _pk, r in received for b in r.bounces] == [
        ("ana.soler@buzon.example", "soft"),
        ("sofia.marin@gmail.example", "hard"),
    ]
