"""Sending a quote through a real SMTP server on loopback: the e-mail arrives in the
quote's language with the PDF attached, the quote is marked sent and the e-mail is on
the customer's timeline; a refused send changes nothing."""

from __future__ import annotations

import io
import socket
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from pypdf import PdfReader

from clientela.activities.models import Interaction
from clientela.core.services.company import company_profile_update
from clientela.sales.models import Quote
from clientela.sales.services import quotes as services
from clientela.sales.tests.quote_helpers import make_quote

pytestmark = pytest.mark.django_db


def test_send_mails_the_pdf_and_logs_an_interaction(
    rep_north: Any, person_factory: Any, organization_factory: Any, smtp_server: Any, settings: Any
) -> None:
    smtp_server.use(settings)
    acme = organization_factory(rep_north, name="Acme")
    ana = person_factory(
        rep_north,
        first_name="Ana",
        last_name="Ruiz",
        email="ana@example.com",
        preferred_language="es",
    )
    quote = make_quote(rep_north, ana, organization_id=acme.pk)
    sent = services.quote_send(actor=rep_north, quote=quote, expected_version=1)
    assert sent.status == "sent"
    assert sent.sent_at is not None
    assert sent.version == 2

    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert smtp_server.envelopes[0][1] == ["ana@example.com"]
    assert quote.number in message["Subject"]
    assert message["Reply-To"] == "nora@example.com"
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "Ana Ruiz" in body
    assert "129,90" in body
    attachments = list(message.iter_attachments())
    assert [a.get_filename() for a in attachments] == [f"{quote.number}.pdf"]
    assert attachments[0].get_content_type() == "application/pdf"
    pdf = PdfReader(io.BytesIO(attachments[0].get_content()))
    assert "129,90" in pdf.pages[0].extract_text()

    interaction = Interaction.objects.get()
    assert (interaction.channel, interaction.direction) == ("email", "out")
    assert (interaction.related_type, interaction.related_id) == ("sales.quote", quote.pk)
    assert list(interaction.people.all()) == [ana]
    assert interaction.organization_id == acme.pk
    assert quote.number in interaction.subject


def test_send_to_another_address(
    rep_north: Any, person_factory: Any, smtp_server: Any, settings: Any
) -> None:
    smtp_server.use(settings)
    quote = make_quote(rep_north, person_factory(rep_north))  # no e-mail on file
    with pytest.raises(ValidationError) as exc:
        services.quote_send(actor=rep_north, quote=quote)
    assert "to" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.quote_send(actor=rep_north, quote=quote, to="not-an-address")
    assert "to" in exc.value.message_dict
    services.quote_send(actor=rep_north, quote=quote, to="buyer@example.org")
    assert smtp_server.envelopes[0][1] == ["buyer@example.org"]
    with pytest.raises(ValidationError):  # only drafts are sent
        services.quote_send(actor=rep_north, quote=quote, to="buyer@example.org")
    assert len(smtp_server.messages) == 1


def test_a_refused_send_changes_nothing(rep_north: Any, person_factory: Any, settings: Any) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    quote = make_quote(rep_north, person_factory(rep_north, email="x@example.com"))
    with pytest.raises(ValidationError) as exc:
        services.quote_send(actor=rep_north, quote=quote)
    assert "to" in exc.value.message_dict
    quote.refresh_from_db()
    assert quote.status == "draft"
    assert quote.version == 1
    assert not Interaction.objects.exists()
    assert Quote.objects.get().sent_at is None


def test_the_quote_email_ends_with_the_company_footer(
    admin: Any, rep_north: Any, person_factory: Any, mailoutbox: list[Any]
) -> None:
    company_profile_update(
        actor=admin,
        data={"name": "Tienda Ana", "legal_name": "Tienda Ana S.L.", "address": "Calle Sol 3"},
    )
    ana = person_factory(rep_north, first_name="Ana", email="ana@example.com")
    services.quote_send(actor=rep_north, quote=make_quote(rep_north, ana))
    (message,) = mailoutbox
    body = message.body.rstrip()
    assert "\nTienda Ana\n" in body  # the signature
    assert body.endswith("-- \nTienda Ana S.L. · Calle Sol 3")
