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
    """A context manager around one open backend connection.

    ``send`` sends one message and waits for its answer. A channel that keeps several
    connections busy at once takes the same steps itself, each on every connection
    before the next: ``start`` (the envelope), ``write_content`` (the message without
    its final "."), ``hand_over`` (the final ".", once the caller has recorded that the
    message may leave) and ``outcome`` (the server's answer). When the server offers
    PIPELINING (RFC 2920), MAIL, RCPT and DATA go in one write and their answers are
    read together, so a message costs two waits for the server instead of four."""

    def __init__(self) -> None:
        self.backend = get_connection(fail_silently=False)
        self.raw = isinstance(self.backend, SmtpBackend)
        self.pipelining = False
        self._message: CampaignEmail | None = None
        self._envelope_answers = 0
        self._outcome = Outcome(False, "not handed over")
        #: A message's content is written and its final "." is not.
        self._in_data = False

    def __enter__(self) -> Transport:
        try:
            self.backend.open()
            connection = getattr(self.backend, "connection", None)
            if self.raw and connection is not None and connection.sock is not None:
                # The final "." goes alone after the hand-over is recorded: without
                # this, Nagle's algorithm holds it for the server's delayed ACK (~40 ms
                # a message).
                connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                connection.ehlo_or_helo_if_needed()
                self.pipelining = connection.has_extn("pipelining")
        except (OSError, smtplib.SMTPException) as exc:
            raise TransportDown(str(exc)) from exc
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        connection = getattr(self.backend, "connection", None)
        if self._in_data and connection is not None:
            # Left inside a message (an error elsewhere): a QUIT would be read as more
            # of its content. Breaking the connection makes the server drop it.
            connection.close()
            setattr(self.backend, "connection", None)  # noqa: B010 - Django's SMTP backend's
            return
        # The messages' outcomes are recorded; a failing QUIT changes nothing.
        with contextlib.suppress(OSError, smtplib.SMTPException):
            self.backend.close()

    def send(self, message: CampaignEmail, handed: Callable[[], None]) -> Outcome:
        """Send one message. ``handed()`` is called at the moment the server may have it:
        over SMTP, after the whole message is written but before the final "." that
        makes the server take it (the caller records that moment, so a worker killed
        afterwards knows the message left, and one killed before knows it did not);
        with any other backend, just before handing it over."""
        refused = self.start(message)
        if refused is None:
            refused = self.write_content()
        if refused is not None:
            return refused
        handed()
        self.hand_over()
        return self.outcome()

    def _smtp(self) -> smtplib.SMTP:
        connection: smtplib.SMTP | None = getattr(self.backend, "connection", None)
        if connection is None:
            raise TransportDown("not connected", left=False)
        return connection

    def start(self, message: CampaignEmail) -> Outcome | None:
        """Begin a message: over SMTP its envelope (MAIL, RCPT, DATA; sent at once with
        PIPELINING, their answers read by ``write_content``). An ``Outcome`` when the
        server refused it already; None when it goes on."""
        self._message, self._envelope_answers = message, 0
        if not self.raw:
            return None
        connection = self._smtp()
        commands = f"MAIL FROM:<{message.envelope_from}>\r\nRCPT TO:<{message.to}>\r\nDATA\r\n"
        try:
            envelope = commands.encode("ascii")
        except UnicodeEncodeError:
            return Outcome(False, "the address is not plain ASCII")
        try:
            if self.pipelining:
                connection.send(envelope)
                self._envelope_answers = 3
                return None
            for command, expected in zip(envelope.split(b"\r\n"), _EXPECTED, strict=False):
                connection.send(command + b"\r\n")
                answer = connection.getreply()
                if answer[0] not in expected:
                    connection.rset()
                    return Outcome(False, _refusal(answer))
        except (OSError, smtplib.SMTPException) as exc:
            raise TransportDown(str(exc), left=False) from exc
        return None

    def write_content(self) -> Outcome | None:
        """Write the started message without its final "." (over SMTP; nothing for
        other backends). An ``Outcome`` when the envelope was refused, else None: the
        message is ready to be handed over."""
        if not self.raw:
            return None
        connection, message = self._smtp(), self._message
        assert message is not None
        try:
            answers = [connection.getreply() for _ in range(self._envelope_answers)]
            refused = next(
                (a for a, ok in zip(answers, _EXPECTED, strict=False) if a[0] not in ok), None
            )
            if refused is not None:
                if answers[-1][0] == 354:  # DATA taken although MAIL or RCPT was not
                    connection.send(b".\r\n")
                    connection.getreply()
                connection.rset()
                return Outcome(False, _refusal(refused))
            data = _LEADING_DOT.sub(b"..", as_bytes(message))
            self._in_data = True
            connection.send(data if data.endswith(b"\r\n") else data + b"\r\n")
        except (OSError, smtplib.SMTPException) as exc:
            raise TransportDown(str(exc), left=False) from exc
        return None

    def hand_over(self) -> None:
        """Let the message go: over SMTP its final "."; with another backend, the whole
        message (its outcome is kept for ``outcome``)."""
        message = self._message
        assert message is not None
        if self.raw:
            try:
                self._in_data = False
                self._smtp().send(b".\r\n")
            except (OSError, smtplib.SMTPException) as exc:
                raise TransportDown(str(exc)) from exc
            return
        try:
            sent = self.backend.send_messages([as_django_message(message)])
        except (OSError, smtplib.SMTPServerDisconnected) as exc:
            raise TransportDown(str(exc)) from exc
        except Exception as exc:  # a provider's refusal of this message
            self._outcome = Outcome(False, str(exc)[:500])
            return
        self._outcome = Outcome(bool(sent), "" if sent else "not accepted")

    def outcome(self) -> Outcome:
        """What became of the message handed over last."""
        if not self.raw:
            return self._outcome
        try:
            code, reply = self._smtp().getreply()
        except (OSError, smtplib.SMTPException) as exc:
            raise TransportDown(str(exc)) from exc
        return Outcome(code == 250, "" if code == 250 else _refusal((code, reply)))


#: The answers MAIL, RCPT and DATA may get when they go on.
_EXPECTED = ((250,), (250, 251), (354,))
#: A line of the message that starts with "." gets another (RFC 5321, 4.5.2).
_LEADING_DOT = re.compile(rb"(?m)^\.")


def _refusal(answer: tuple[int, bytes | str] | None) -> str:
    if answer is None:
        return "refused"
    code, text = answer
    words = text.decode(errors="replace") if isinstance(text, bytes) else text
    return f"{code} {words}"[:500]
