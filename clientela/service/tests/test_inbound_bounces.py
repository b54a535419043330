"""A bounce of a ticket's acknowledgement, sent back to the queue's own address, comes
in through ``POST /api/v1/inbound-email``: it is stored as a bounce (the core takes it
before e-mail to ticket) and never becomes a ticket, a person or a message."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from clientela.activities.models import Interaction
from clientela.contacts.models import Person
from clientela.core.choices import InboundKind
from clientela.core.models import InboundMessage
from clientela.core.tests.test_inbound_api import post, token
from clientela.service.models import Ticket, TicketMessage
from clientela.service.tests.helpers import make_queue

CORPUS = Path(__file__).resolve().parent / "mail"
BOUNCES = Path(__file__).resolve().parents[2] / "core" / "tests" / "fixtures" / "bounces"

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "raw",
    [
        (CORPUS / "bounce-multipart-report.eml").read_bytes(),
        (BOUNCES / "qmail-no-mailbox.eml")
        .read_bytes()
        .replace(
            b"bounces+1004.e80efe7eba6585db@news.clientela.example", b"support@clientela.example"
        ),
    ],
    ids=["postfix-dsn", "qmail-text"],
)
def test_a_bounce_to_a_queue_address_is_no_ticket(client: Client, admin: Any, raw: bytes) -> None:
    make_queue("Support", email="support@clientela.example", manager=admin)
    response = post(client, token(admin, "mail:inbound"), raw)
    assert (response.status_code, response.json()["status"]) == (202, "taken")
    stored = InboundMessage.objects.get()
    assert (stored.handler_key, stored.kind) == ("core.bounces", InboundKind.BOUNCE)
    assert not Ticket.objects.exists()
    assert not TicketMessage.objects.exists()
    assert not Interaction.objects.exists()
    assert not Person.objects.exists()
