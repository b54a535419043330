"""The inbound e-mail parser on the corpus of real-world shapes
(``clientela/service/tests/mail/``) and on hostile input."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clientela.core.inbound.parsing import (
    UnparseableMessage,
    html_to_text,
    parse_message,
    strip_quoted,
)

CORPUS = Path(__file__).resolve().parents[2] / "service" / "tests" / "mail"
FILES = sorted(p.name for p in CORPUS.glob("*.eml"))

#: What each corpus message must give: attribute -> expected value, or for strings
#: ``("in", text)`` / ``("not in", text)``.
EXPECTED: dict[str, dict[str, Any]] = {
    "gmail-utf8-encoded-words.eml": {
        "from_name": "José María Peña",
        "from_address": "jm.pena@gmail.com",
        "subject": "Consulta sobre el envío 📦 — pedido nº 4521",
        "cc": [("López, Ana", "ana.lopez@example.org")],
        "text": ("in", "¿Podéis revisar el envío?"),
        "html": ("in", "José María"),
    },
    "outlook-windows-1252.eml": {
        "from_name": "Siobhán O’Connor",  # noqa: RUF001
        "subject": "Invoice INV-2026-118 – wrong amount",
        "text": ("in", "“€1,250.00” but the quote said €1,150 – could"),
    },
    "apple-mail-iso-8859-1.eml": {
        "from_name": "Ángela Muñoz",
        "subject": "¿Cuándo llegará mi pedido?",
        "text": ("in", "Lo pagué el miércoles."),
    },
    "thunderbird-koi8-r.eml": {
        "from_name": "Дмитрий Соколов",
        "subject": "Счёт на лицензии",
        "text": ("in", "Прошу выставить счёт на 12 лицензий."),
    },
    "iso-2022-jp.eml": {
        "from_name": "田中 太郎",
        "subject": "見積書の再送のお願い",
        "text": ("in", "見積書の再送をお願いできますでしょうか。"),
    },
    "html-only-outlook-com.eml": {
        "text": ("in", "My order #7781 arrived damaged."),
        "html": ("not in", "script"),
    },
    "gmail-reply-en.eml": {
        "in_reply_to": "<ticket-1042-reply-1@clientela.example>",
        "references": [
            "<CAF7x2Y+Original.0001@mail.gmail.com>",
            "<ticket-1042-reply-1@clientela.example>",
        ],
        "reply_text": "That worked, thank you! I can log in again.",
    },
    "outlook-reply-es.eml": {
        "reply_text": "Hola:\n\nYa he recibido el reembolso, podéis cerrar la incidencia.\n\n"
        "Saludos,\nLuis",
        "subject": "RE: [T-1043] Reembolso del pedido",
    },
    "gmail-reply-es.eml": {
        "reply_text": "Perfecto, muchas gracias por la rapidez.",
        "subject": "Re: [T-1044] Visita del técnico",
    },
    "auto-reply-out-of-office.eml": {"auto_submitted": True, "bulk": False, "bounce": False},
    "bounce-multipart-report.eml": {
        "bounce": True,
        "from_address": "mailer-daemon@mx.clientela.example",
    },
    "newsletter-bulk.eml": {"bulk": True, "auto_submitted": False, "bounce": False},
    "broken-charsets-and-structure.eml": {
        "from_name": "Pedro Ibáñez",
        "subject": "Factura rota café y más",
        "date": None,
        "text": ("in", "La factura está mal"),
    },
    "no-message-id.eml": {"message_id": "", "subject": "Contact form"},
}


def test_the_corpus_has_every_kind_the_readme_lists() -> None:
    readme = (CORPUS / "README.md").read_text()
    assert len(FILES) >= 15
    for name in FILES:
        assert f"`{name}`" in readme
    assert set(EXPECTED) <= set(FILES)


@pytest.mark.parametrize("name", FILES)
def test_every_corpus_message_parses_into_clean_text(name: str) -> None:
    parsed = parse_message((CORPUS / name).read_bytes())
    assert parsed.from_address
    assert "@" in parsed.from_address
    assert parsed.subject
    assert parsed.text.strip()
    for value in (parsed.subject, parsed.text, parsed.html, parsed.from_name, parsed.reply_text):
        assert "\x00" not in value
        value.encode("utf-8")  # no lone surrogates: any database stores it
        assert "\r" not in parsed.text
    for key, expected in EXPECTED.get(name, {}).items():
        actual = getattr(parsed, key)
        if isinstance(expected, tuple):
            how, text = expected
            assert (text in actual) == (how == "in"), (key, actual)
        else:
            assert actual == expected, (key, actual)


def test_dates_are_aware() -> None:
    parsed = parse_message((CORPUS / "thunderbird-koi8-r.eml").read_bytes())
    assert parsed.date == datetime.datetime(2026, 12, 7, 17, 1, 44, tzinfo=datetime.UTC)


def test_html_is_sanitized_and_inline_images_keep_their_cid() -> None:
    parsed = parse_message((CORPUS / "html-only-outlook-com.eml").read_bytes())
    assert "<script" not in parsed.html
    assert "onload" not in parsed.html
    assert "onclick" not in parsed.html
    assert "javascript:" not in parsed.html
    assert 'href="https://photos.example.com/7781"' in parsed.html
    inline = parse_message((CORPUS / "thunderbird-attachments-inline-image.eml").read_bytes())
    assert 'src="cid:part1.screenshot@example.net"' in inline.html


def test_attachments_and_inline_images_are_kept_with_their_names() -> None:
    parsed = parse_message((CORPUS / "thunderbird-attachments-inline-image.eml").read_bytes())
    image, pdf = parsed.attachments
    assert (image.filename, image.content_type, image.content_id, image.inline) == (
        "screenshot.png",
        "image/png",
        "part1.screenshot@example.net",
        True,
    )
    assert image.content.startswith(b"\x89PNG")
    assert (pdf.filename, pdf.content_type, pdf.inline) == (
        "presupuesto año 2027.pdf",
        "application/pdf",
        False,
    )
    assert pdf.content.startswith(b"%PDF-1.4")


def test_a_message_forwarded_as_attachment_stays_one_eml() -> None:
    parsed = parse_message((CORPUS / "thunderbird-forwarded-attachment.eml").read_bytes())
    assert parsed.text.strip() == "See the original message attached."
    (forwarded,) = parsed.attachments
    assert forwarded.content_type == "message/rfc822"
    assert forwarded.filename == "Complaint about delivery.eml"
    assert b"I want a refund." in forwarded.content


def test_a_message_forwarded_inline_keeps_the_forwarded_text() -> None:
    parsed = parse_message((CORPUS / "gmail-forwarded-inline.eml").read_bytes())
    assert "I want a refund." in parsed.text


def test_automatic_messages_are_told_apart() -> None:
    def automatic(name: str) -> bool:
        return parse_message((CORPUS / name).read_bytes()).automatic

    assert automatic("auto-reply-out-of-office.eml")
    assert automatic("bounce-multipart-report.eml")
    assert automatic("newsletter-bulk.eml")
    assert not automatic("gmail-reply-en.eml")
    no_auto = b"From: a@example.com\r\nSubject: x\r\nAuto-Submitted: no\r\n\r\nHello\r\n"
    assert not parse_message(no_auto).automatic


@pytest.mark.parametrize(
    "raw",
    [b"", b"   \r\n", b"\x00\x01\x02binary\x00" * 10, b"just some words without any header"],
    ids=["empty", "blank", "binary", "no-header"],
)
def test_what_is_no_message_raises_one_error(raw: bytes) -> None:
    with pytest.raises(UnparseableMessage):
        parse_message(raw)


def test_deep_nesting_and_junk_never_crash() -> None:
    deep = b"From: a@example.com\r\nSubject: deep\r\n"
    for level in range(200):
        deep += f'Content-Type: multipart/mixed; boundary="b{level}"\r\n\r\n--b{level}\r\n'.encode()
    deep += b"Content-Type: text/plain\r\n\r\nbottom\r\n"
    parsed = parse_message(deep)
    assert parsed.subject == "deep"
    junk = b"From: =?utf-8?B?!!!?= <@>\r\nSubject: =?bogus?X?zzz?=\r\nDate: 99 Foo 99999\r\n\r\nx"
    parsed = parse_message(junk)
    assert parsed.from_address == ""
    assert parsed.date is None


def test_html_to_text_keeps_lines_and_drops_markup() -> None:
    text = html_to_text("<p>One&nbsp;two</p><p>Three<br>four</p><style>p{}</style>")
    assert text == "One two\nThree\nfour"


def test_strip_quoted_in_english_and_spanish() -> None:
    assert strip_quoted("Yes.\n\nOn Mon, 7 Dec 2026, Ana <a@example.com> wrote:\n> old") == "Yes."
    assert (
        strip_quoted("Sí.\n\nEl lun, 7 dic 2026, Ana <a@example.com> escribió:\n> viejo") == "Sí."
    )
    assert strip_quoted("Vale.\n\n-----Mensaje original-----\nDe: Ana\nviejo") == "Vale."
    assert strip_quoted("Only new text.") == "Only new text."


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    header=st.sampled_from(
        [b"From", b"Subject", b"Content-Type", b"Content-Transfer-Encoding", b"Date", b"To"]
    ),
    value=st.binary(max_size=60),
    body=st.binary(max_size=200),
)
def test_random_bytes_in_a_message_give_a_message_or_the_one_error(
    header: bytes, value: bytes, body: bytes
) -> None:
    raw = b"From: a@example.com\r\nSubject: s\r\n" + header + b": " + value + b"\r\n\r\n" + body
    try:
        parsed = parse_message(raw)
    except UnparseableMessage:
        return
    for text in (parsed.subject, parsed.text, parsed.html, parsed.from_name):
        assert "\x00" not in text
        text.encode("utf-8")


def test_html_to_text_keeps_where_links_go() -> None:
    text = html_to_text(
        '<p>See <a href="https://shop.example/o?a=1&amp;b=2">our <b>offers</b></a>, '
        '<a href="https://shop.example">https://shop.example</a>, '
        '<a href="mailto:hi@shop.example">hi@shop.example</a> or '
        '<a href="#top">the top</a>.</p><head><title>Hidden</title></head>'
    )
    assert text == (
        "See our offers (https://shop.example/o?a=1&b=2), https://shop.example, "
        "hi@shop.example or the top."
    )
