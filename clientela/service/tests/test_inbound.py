"""E-mail to ticket: a message to a queue's address opens a ticket for the sender
(found by e-mail or created), replies thread into it (In-Reply-To, References, the
number in the subject), machines' messages are left alone and acknowledgements are
rate-limited, so no mail loop can start; every message of the corpus goes through;
and a message appended to a real IMAP mailbox (Dovecot) becomes a ticket."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from clientela.contacts.models import Person
from clientela.core.choices import InboundKind, InboundStatus
from clientela.core.inbound.polling import mailbox_poll
from clientela.core.inbound.services import inbound_receive, mailbox_create
from clientela.service.models import Ticket
from clientela.service.services import tickets as services
from clientela.service.services.conversation import ticket_reply
from clientela.service.tests.helpers import make_queue

pytestmark = pytest.mark.django_db

CORPUS = Path(__file__).resolve().parent / "mail"
SUPPORT = "soporte@clientela.example"


def mail(n: int, subject: str = "", sender: str = "", **headers: str) -> bytes:
    extra = "".join(f"{k.replace('_', '-')}: {v}\r\n" for k, v in headers.items())
    sender = sender or f"Lucía Pérez {n} <lucia{n}@example.com>"
    return (
        f"From: {sender}\r\nTo: Soporte <{SUPPORT}>\r\n"
        f"Subject: {subject or f'Pedido {n}'}\r\nMessage-ID: <m{n}@customer.example>\r\n"
        f"{extra}Content-Type: text/plain; charset=utf-8\r\n\r\n"
        f"Hola, el pedido {n} no ha llegado.\r\n\r\n"
        f"El lun, 7 dic 2026 a las 16:20, Soporte (<{SUPPORT}>) escribi\xf3:\r\n\r\n"
        "> Texto anterior\r\n"
    ).encode()


@pytest.fixture
def queue(admin: Any, rep_north: Any) -> Any:
    return make_queue(email=SUPPORT, agents=[rep_north], manager=admin)


def test_a_new_message_opens_a_ticket_for_a_new_person_and_is_acknowledged(
    queue: Any, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        stored = inbound_receive(raw=mail(1), source="api")
    assert stored.status == InboundStatus.TAKEN
    ticket = Ticket.objects.get()
    assert (ticket.queue, ticket.channel, ticket.subject) == (queue, "email", "Pedido 1")
    person = Person.objects.get(email="lucia1@example.com")
    assert (person.first_name, ticket.person) == ("Lucía", person)
    [message] = ticket.messages.all()
    assert message.body == "Hola, el pedido 1 no ha llegado."
    assert message.message_id == "<m1@customer.example>"
    [ack] = mailoutbox
    assert ack.to == ["lucia1@example.com"]
    assert ticket.label in ack.subject
    assert ack.extra_headers["Auto-Submitted"] == "auto-replied"


def test_replies_thread_by_message_id_and_by_number(
    queue: Any, admin: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        inbound_receive(raw=mail(1), source="api")
        ticket = Ticket.objects.get()
        answer = ticket_reply(actor=admin, ticket=ticket, body="Lo miramos", send=False)
        inbound_receive(
            raw=mail(
                2,
                subject="Re: Pedido 1",
                sender="Lucía <lucia1@example.com>",
                In_Reply_To=answer.message_id,
                References=answer.message_id,
            ),
            source="api",
        )
        inbound_receive(
            raw=mail(3, subject=f"Otra cosa [{ticket.label}]", sender="lucia1@example.com"),
            source="api",
        )
    assert Ticket.objects.count() == 1
    assert ticket.messages.filter(author__isnull=True).count() == 3
    assert Person.objects.filter(email="lucia1@example.com").count() == 1


def test_a_reply_to_a_closed_ticket_opens_a_follow_up(queue: Any, admin: Any) -> None:
    inbound_receive(raw=mail(1), source="api")
    first = Ticket.objects.get()
    services.ticket_set_status(actor=admin, ticket=first, status="closed")
    inbound_receive(raw=mail(2, subject=f"Re: [{first.label}] Pedido 1"), source="api")
    follow_up = Ticket.objects.exclude(pk=first.pk).get()
    assert first.label in follow_up.description


def test_machines_are_left_alone_and_acknowledgements_are_rate_limited(
    queue: Any, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    auto = mail(1, Auto_Submitted="auto-replied")
    bulk = mail(2, Precedence="bulk")
    with django_capture_on_commit_callbacks(execute=True):
        statuses = [inbound_receive(raw=raw, source="api").status for raw in (auto, bulk)]
        assert statuses == [InboundStatus.IGNORED, InboundStatus.IGNORED]
        assert not Ticket.objects.exists()
        for n in range(3, 9):
            inbound_receive(raw=mail(n, sender="Robot <robot@example.com>"), source="api")
    assert Ticket.objects.count() == 6
    assert len(mailoutbox) == 3


def test_a_message_to_another_address_is_not_a_ticket(queue: Any) -> None:
    raw = mail(1).replace(SUPPORT.encode(), b"sales@clientela.example")
    assert inbound_receive(raw=raw, source="api").status == InboundStatus.UNHANDLED
    assert not Ticket.objects.exists()


#: Messages of the corpus a person sent to a support address: each must become a ticket.
TAKEN = {
    "apple-mail-iso-8859-1.eml",
    "gmail-reply-en.eml",
    "gmail-reply-es.eml",
    "gmail-utf8-encoded-words.eml",
    "html-only-outlook-com.eml",
    "no-message-id.eml",
    "outlook-reply-es.eml",
    "thunderbird-attachments-inline-image.eml",
    "thunderbird-forwarded-attachment.eml",
    "gmail-forwarded-inline.eml",
    "broken-charsets-and-structure.eml",
}


@pytest.mark.parametrize("name", sorted(p.name for p in CORPUS.glob("*.eml")))
def test_every_message_of_the_corpus_goes_through(queue: Any, name: str) -> None:
    make_queue("English desk", email="support@clientela.example")
    stored = inbound_receive(raw=(CORPUS / name).read_bytes(), source="api")
    if name not in TAKEN:
        # Machines' messages, and those to addresses no queue has; a bounce is the
        # core's (``core.inbound.bounces``), never a ticket.
        assert stored.status in (InboundStatus.IGNORED, InboundStatus.UNHANDLED) or (
            stored.handler_key,
            stored.kind,
        ) == ("core.bounces", InboundKind.BOUNCE)
        assert not Ticket.objects.exists()
        return
    assert stored.status == InboundStatus.TAKEN, stored.error
    message = Ticket.objects.get().messages.get()
    assert message.body.strip()
    if "attachment" in name:
        assert message.attachments.exists()


def test_a_message_in_a_real_mailbox_becomes_a_ticket(queue: Any, admin: Any, dovecot: Any) -> None:
    mailbox = mailbox_create(actor=admin, data=dovecot.mailbox_data())
    dovecot.append(mail(1), mail(2))
    assert mailbox_poll(mailbox_id=mailbox.pk).stored == 2
    assert Ticket.objects.count() == 2
    assert mailbox_poll(mailbox_id=mailbox.pk).stored == 0
    assert Ticket.objects.count() == 2
