"""Replies e-mailed to the customer in their language and threaded, internal notes
with mentions, and the customer's own messages."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from clientela.activities.models import Notification
from clientela.service.choices import TicketStatus
from clientela.service.models import Ticket
from clientela.service.services import tickets as services
from clientela.service.services.conversation import ticket_customer_message, ticket_reply

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def customer(person_factory: Any, admin: Any) -> Any:
    return person_factory(
        admin,
        first_name="Lucía",
        email="lucia@example.com",
        preferred_language="es",
    )


def test_a_reply_is_emailed_in_the_customers_language_and_threaded(
    admin: Any, customer: Any, smtp_server: Any, settings: Any
) -> None:
    smtp_server.use(settings)
    ticket = services.ticket_create(
        actor=admin, data={"subject": "Pedido roto", "person_id": customer.pk, "language": "es"}
    )
    ticket_customer_message(
        ticket=ticket, body="Llegó roto", person=customer, message_id="<abc@customer.example>"
    )
    first = ticket_reply(actor=admin, ticket=ticket, body="Lo sentimos, enviamos otro.")
    ticket.refresh_from_db()
    assert ticket.first_responded_at is not None
    assert ticket.status == TicketStatus.OPEN
    [mail] = smtp_server.messages
    assert mail["To"] == "lucia@example.com"
    assert mail["Subject"] == f"[{ticket.label}] Pedido roto"
    assert mail["Message-ID"] == first.message_id
    assert mail["In-Reply-To"] == "<abc@customer.example>"
    assert "Responda a este correo" in mail.get_content()
    first.refresh_from_db()
    assert first.sent_at is not None
    ticket_reply(actor=admin, ticket=ticket, body="¿Llegó?")
    assert smtp_server.messages[1]["References"].split() == [
        "<abc@customer.example>",
        first.message_id,
    ]


def test_a_note_is_never_emailed_and_mentions_notify_who_may_see(
    admin: Any, rep_north2: Any, rep_south: Any, customer: Any, smtp_server: Any, settings: Any
) -> None:
    smtp_server.use(settings)
    ticket = services.ticket_create(actor=admin, data={"subject": "Ask", "person_id": customer.pk})
    ticket_reply(
        actor=admin,
        ticket=ticket,
        body="@ned_north can you check? @sam_south too",
        public=False,
    )
    assert smtp_server.messages == []
    assert Ticket.objects.get(pk=ticket.pk).first_responded_at is None
    notified = set(Notification.objects.values_list("user__username", flat=True))
    # sam_south (South team) may not see this North ticket: not told about it.
    assert notified == {"ned_north"}


def test_the_customer_writing_again_reopens_a_solved_ticket(admin: Any, customer: Any) -> None:
    ticket = services.ticket_create(actor=admin, data={"subject": "Q", "person_id": customer.pk})
    solved = services.ticket_set_status(actor=admin, ticket=ticket, status=TicketStatus.SOLVED)
    ticket_customer_message(ticket=solved, body="Still broken", person=customer)
    reopened = Ticket.objects.get(pk=ticket.pk)
    assert (reopened.status, reopened.solved_at) == (TicketStatus.OPEN, None)
    closed = services.ticket_set_status(actor=admin, ticket=reopened, status=TicketStatus.CLOSED)
    with pytest.raises(ValidationError):
        ticket_customer_message(ticket=closed, body="Hello?", person=customer)


def test_an_empty_or_enormous_reply_is_refused_and_nothing_is_saved(admin: Any) -> None:
    ticket = services.ticket_create(actor=admin, data={"subject": "Q"})
    for body in ("   ", "x" * 100_001):
        with pytest.raises(ValidationError):
            ticket_reply(actor=admin, ticket=ticket, body=body)
    assert ticket.messages.count() == 0


def test_a_reply_to_a_customer_without_an_address_says_so(admin: Any, person_factory: Any) -> None:
    nobody = person_factory(admin)
    ticket = services.ticket_create(actor=admin, data={"subject": "Q", "person_id": nobody.pk})
    message = ticket_reply(actor=admin, ticket=ticket, body="Hello")
    message.refresh_from_db()
    assert message.sent_at is None
    assert "no e-mail address" in message.send_error
