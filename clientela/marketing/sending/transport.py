"""How a campaign's messages leave: Django's configured e-mail backend, kept open over
a whole batch (one SMTP connection for hundreds of messages). With Django's SMTP
backend the message's bytes (``mime.as_bytes``) go straight to the open connection
with the delivery's VERP return path; any other backend (``django-anymail``'s
providers, the test backends) gets an ``EmailMultiAlternatives``.

Each ``send`` says what happened to that one message: sent, refused (the server said
no to this recipient or message: the delivery fails, the batch goes on), or the
connection is gone (``TransportDown``: the batch stops where it is, and what was not
handed over waits for the next run). Over SMTP the message is written in full before
the final "." that makes the server accept it, and the caller records the hand-over in
between (``handed``): that is how a killed worker's successor tells a message that
left from one that did not."""

from __future__ import annotations

import contextlib
import re
import smtplib
import socket
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType

from django.core.mail import get_connection
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend

from clientela.marketing.sending.mime import CampaignEmail, as_bytes, as_django_message


class TransportDown(Exception):
    """The mail server (or SMS provider) cannot be reached: stop the batch, try again
    later. ``left``: whether the message being sent may have left all the same (a
    connection that broke after it was handed over); False when it surely did not."""

    def __init__(self, message: str, *, left: bool = True) -> None:
        super().__init__(message)
        self.left = left


@dataclass(frozen=True)
class Outcome:
    sent: bool
    error: str = ""


class Transport:
    """A context manager around one open backend connection."""

    def __init__(self) -> None:
        self.backend = get_connection(fail_silently=False)
        self.raw = isinstance(self.backend, SmtpBackend)

    def __enter__(self) -> Transport:
        try:
            self.backend.open()
        except (OSError, smtplib.SMTPException) as exc:
            raise TransportDown(str(exc)) from exc
        connection = getattr(self.backend, "connection", None)
        if self.raw and connection is not None and connection.sock is not None:
            # The final "." goes alone after the hand-over is recorded: without this,
            # Nagle's algorithm holds it for the server's delayed ACK (~40 ms a message).
            connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        # The messages' outcomes are recorded; a failing QUIT changes nothing.
        with contextlib.suppress(OSError, smtplib.SMTPException):
            self.backend.close()

    def send(self, message: CampaignEmail, handed: Callable[[], None]) -> Outcome:
        """Send one message. ``handed()`` is called at the moment the server may have it:
        over SMTP, after the whole message is written but before the final "." that
        makes the server take it (the caller records that moment, so a worker killed
        afterwards knows the message left, and one killed before knows it did not);
        with any other backend, just before handing it over."""
        if not self.raw:
            handed()
            try:
                sent = self.backend.send_messages([as_django_message(message)])
            except (OSError, smtplib.SMTPServerDisconnected) as exc:
                raise TransportDown(str(exc)) from exc
            except Exception as exc:  # a provider's refusal of this message
                return Outcome(False, str(exc)[:500])
            return Outcome(bool(sent), "" if sent else "not accepted")
        connection: smtplib.SMTP | None = getattr(self.backend, "connection", None)
        if connection is None:
            raise TransportDown("not connected")
        try:
            return _send_raw(connection, message, handed)
        except UnicodeEncodeError:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                connection.rset()
            return Outcome(False, "the address is not plain ASCII")
        except (OSError, smtplib.SMTPException) as exc:
            raise TransportDown(str(exc)) from exc


#: A line of the message that starts with "." gets another (RFC 5321, 4.5.2).
_LEADING_DOT = re.compile(rb"(?m)^\.")


def _send_raw(
    connection: smtplib.SMTP, message: CampaignEmail, handed: Callable[[], None]
) -> Outcome:
    """One SMTP transaction (MAIL, RCPT, DATA) with ``handed()`` before the final "."."""
    connection.ehlo_or_helo_if_needed()
    for command, argument, expected in (
        ("MAIL", f"FROM:<{message.envelope_from}>", (250,)),
        ("RCPT", f"TO:<{message.to}>", (250, 251)),
        ("DATA", "", (354,)),
    ):
        code, reply = connection.docmd(command, argument)
        if code not in expected:
            connection.rset()
            return Outcome(False, _refusal((code, reply)))
    data = _LEADING_DOT.sub(b"..", as_bytes(message))
    connection.send(data if data.endswith(b"\r\n") else data + b"\r\n")
    handed()
    connection.send(b".\r\n")
    code, reply = connection.getreply()
    return Outcome(code == 250, "" if code == 250 else _refusal((code, reply)))


def _refusal(answer: tuple[int, bytes | str] | None) -> str:
    if answer is None:
        return "refused"
    code, text = answer
    words = text.decode(errors="replace") if isinstance(text, bytes) else text
    return f"{code} {words}"[:500]
