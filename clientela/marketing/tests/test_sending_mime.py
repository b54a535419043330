"""A campaign e-mail's bytes, read back by the standard ``email`` parser and sent to a
real SMTP server on loopback."""

from __future__ import annotations

from email import message_from_bytes, policy
from typing import Any

import pytest
from django.core import mail
from django.test import override_settings

from clientela.marketing.sending.mime import CampaignEmail, as_bytes, as_django_message
from clientela.marketing.sending.transport import Transport, TransportDown

HTML = (
    '<html><body><p style="color:#333">Hola Ñandú, '
    + "x" * 200
    + "</p>\n<p>€ 20 %</p></body></html>"
)
TEXT = "Hola Ñandú,\n" + "long line " * 30 + "\n\n€ 20 %"


def _message(to: str = "ana@example.com") -> CampaignEmail:
    return CampaignEmail(
        to=to,
        to_name="Ana Muñoz",
        from_email="news@shop.example",
        from_name="Tienda Óptima",
        envelope_from="bounces+abc-123@shop.example",
        subject="Ofertas de invierno, Ana: 20 % en todo",
        text=TEXT,
        html=HTML,
        message_id="d1.c9@shop.example",
        reply_to="hola@shop.example",
        headers={"List-Unsubscribe": "<https://shop.example/m/u/x/>"},
    )


def _nothing() -> None:
    pass


def test_the_message_reads_back_exactly() -> None:
    parsed: Any = message_from_bytes(as_bytes(_message()), policy=policy.default)
    assert parsed["Subject"] == "Ofertas de invierno, Ana: 20 % en todo"
    assert parsed["From"].addresses[0].display_name == "Tienda Óptima"
    assert parsed["From"].addresses[0].addr_spec == "news@shop.example"
    assert parsed["To"].addresses[0].display_name == "Ana Muñoz"
    assert parsed["Message-ID"] == "<d1.c9@shop.example>"
    assert parsed["Reply-To"] == "hola@shop.example"
    assert parsed["List-Unsubscribe"] == "<https://shop.example/m/u/x/>"
    assert parsed.get_content_type() == "multipart/alternative"
    text, html = parsed.iter_parts()
    assert text.get_content().replace("\r\n", "\n").rstrip("\n") == TEXT
    assert html.get_content().replace("\r\n", "\n").rstrip("\n") == HTML
    assert max(len(line) for line in as_bytes(_message()).split(b"\r\n")) <= 998


def test_the_django_message_carries_the_same(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    django_message = as_django_message(_message())
    assert django_message.from_email == "bounces+abc-123@shop.example"
    parsed = django_message.message()
    assert "Tienda" in str(parsed["From"])
    assert parsed["Message-ID"] == "<d1.c9@shop.example>"


def test_smtp_gets_the_bytes_with_the_verp_return_path(smtp_server: Any, settings: Any) -> None:
    smtp_server.use(settings)
    with Transport() as transport:
        assert transport.raw
        first = transport.send(_message(), _nothing)
        refused = transport.send(_message("refused@example.com"), _nothing)
        second = transport.send(_message("luis@example.com"), _nothing)
    assert first.sent
    assert second.sent
    assert not refused.sent
    assert refused.error.startswith("550")
    assert [e[0] for e in smtp_server.envelopes] == ["bounces+abc-123@shop.example"] * 2
    assert [e[1] for e in smtp_server.envelopes] == [["ana@example.com"], ["luis@example.com"]]
    assert len(set(smtp_server.peers)) == 1  # one connection for the batch
    assert smtp_server.messages[0]["Subject"] == "Ofertas de invierno, Ana: 20 % en todo"


@override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
def test_other_backends_get_django_messages() -> None:
    with Transport() as transport:
        assert not transport.raw
        assert transport.send(_message(), _nothing).sent
    assert mail.outbox[0].to == ["Ana Muñoz <ana@example.com>"]


def test_an_unreachable_server_stops_the_batch(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    with pytest.raises(TransportDown), Transport():
        pass


def test_the_hand_over_comes_before_the_server_takes_the_message(
    smtp_server: Any, settings: Any
) -> None:
    smtp_server.use(settings)
    taken_when_handed: list[int] = []
    body = "line\n.starts with a dot\n..two"
    with Transport() as transport:
        for to in ("ana@example.com", "luis@example.com"):
            message = _message(to)
            message = CampaignEmail(**{**message.__dict__, "text": body})
            outcome = transport.send(
                message, lambda: taken_when_handed.append(len(smtp_server.messages))
            )
            assert outcome.sent
    assert taken_when_handed == [0, 1]  # handed before the server had it, each time
    text = smtp_server.messages[1].get_body(("plain",)).get_content()
    assert text.replace("\r\n", "\n").rstrip("\n") == body  # dots kept as written


def test_a_non_ascii_address_fails_that_message_only(smtp_server: Any, settings: Any) -> None:
    smtp_server.use(settings)
    with Transport() as transport:
        refused = transport.send(_message("añá@example.com"), _nothing)
        sent = transport.send(_message(), _nothing)
    assert not refused.sent
    assert sent.sent
