"""One campaign e-mail as the bytes an SMTP server receives, built without the
``email`` package's object tree: a campaign writes 100,000 of them, and Django's
``EmailMultiAlternatives`` spends ~0.8 ms of CPU on each (measured) where this takes a
tenth of it. The result is an ordinary RFC 5322 message: ``multipart/alternative``
with a quoted-printable text and HTML part, headers encoded per RFC 2047 where they
are not ASCII; the tests read every message back with the standard ``email`` parser.

Backends that are not SMTP (``django-anymail``'s providers) get the same message as an
``EmailMultiAlternatives`` (``as_django_message``), at Django's cost.
"""

from __future__ import annotations

import binascii
import email.utils
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.header import Header
from email.headerregistry import Address

from django.core.mail import EmailMultiAlternatives


@dataclass(frozen=True)
class CampaignEmail:
    """What one recipient gets."""

    to: str
    to_name: str
    from_email: str  # the header's address (the campaign's sender)
    from_name: str
    envelope_from: str  # the return path: a VERP address naming this delivery
    subject: str
    text: str
    html: str
    message_id: str  # without angle brackets
    reply_to: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)


def _header(value: str) -> str:
    """A header value, RFC 2047-encoded when it is not plain ASCII."""
    if value.isascii() and "\n" not in value and "\r" not in value:
        return value
    return Header(value.replace("\r", " ").replace("\n", " "), "utf-8").encode()


def _address(name: str, address: str) -> str:
    if not name:
        return address
    return email.utils.formataddr((name.replace("\r", " ").replace("\n", " "), address), "utf-8")


def _plain_address(name: str, address: str) -> str:
    """ "Name <address>" unencoded, for Django, which encodes it itself."""
    return str(Address(display_name=name.replace("\r", " ").replace("\n", " "), addr_spec=address))


def _quoted_printable(text: str) -> bytes:
    """The body in quoted-printable with CRLF line ends (lines ≤ 76 characters)."""
    data = text.replace("\r\n", "\n").encode("utf-8")
    encoded = binascii.b2a_qp(data, quotetabs=False, istext=True, header=False)
    return encoded.replace(b"\n", b"\r\n")


def as_bytes(message: CampaignEmail, *, date: str | None = None) -> bytes:
    """The message as sent over SMTP."""
    boundary = f"=_clientela_{message.message_id.partition('@')[0][-24:]}"
    lines = [
        f"From: {_address(message.from_name, message.from_email)}",
        f"To: {_address(message.to_name, message.to)}",
        f"Subject: {_header(message.subject)}",
        f"Date: {date or email.utils.formatdate(localtime=False)}",
        f"Message-ID: <{message.message_id}>",
        "MIME-Version: 1.0",
    ]
    if message.reply_to:
        lines.append(f"Reply-To: {message.reply_to}")
    lines += [f"{name}: {_header(value)}" for name, value in message.headers.items()]
    lines.append(f'Content-Type: multipart/alternative; boundary="{boundary}"')
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")
    part = (
        "--{b}\r\nContent-Type: text/{kind}; charset=utf-8\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
    )
    return b"".join(
        (
            head,
            part.format(b=boundary, kind="plain").encode("ascii"),
            _quoted_printable(message.text),
            b"\r\n",
            part.format(b=boundary, kind="html").encode("ascii"),
            _quoted_printable(message.html),
            f"\r\n--{boundary}--\r\n".encode("ascii"),
        )
    )


def as_django_message(message: CampaignEmail) -> EmailMultiAlternatives:
    """The same message for a backend that takes Django messages (a provider's API)."""
    headers = {
        "From": _plain_address(message.from_name, message.from_email),
        "Message-ID": f"<{message.message_id}>",
        **message.headers,
    }
    mail = EmailMultiAlternatives(
        subject=message.subject,
        body=message.text,
        from_email=message.envelope_from,
        to=[_plain_address(message.to_name, message.to)],
        reply_to=[message.reply_to] if message.reply_to else None,
        headers=headers,
    )
    mail.attach_alternative(message.html, "text/html")
    return mail
