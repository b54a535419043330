"""How a campaign's messages leave: Django's configured e-mail backend, kept open over
a whole batch (one SMTP connection for hundreds of messages). With Django's SMTP
backend the message's bytes (``mime.as_bytes``) go straight to the open connection
with the delivery's VERP return path; any other backend (``django-anymail``'s
providers, the test backends) gets an ``EmailMultiAlternatives``.

Each ``send`` says what happened to that one message: sent, refused (the server said
no to this recipient or message: the delivery fails, the batch goes on), or the
connection is gone (``TransportDown``: the batch stops where it is, and what was not
sent waits for the next run)."""

from __future__ import annotations

import contextlib
import smtplib
from dataclasses import dataclass
from types import TracebackType

from django.core.mail import get_connection
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend

from clientela.marketing.sending.mime import CampaignEmail, as_bytes, as_django_message


class TransportDown(Exception):
    """The mail server cannot be reached: stop the batch, try again later."""


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

    def send(self, message: CampaignEmail) -> Outcome:
        if not self.raw:
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
            refused = connection.sendmail(message.envelope_from, [message.to], as_bytes(message))
        except smtplib.SMTPRecipientsRefused as exc:
            return Outcome(False, _refusal(exc.recipients.get(message.to)))
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            return Outcome(False, _refusal((exc.smtp_code, exc.smtp_error)))
        except (OSError, smtplib.SMTPException) as exc:
            raise TransportDown(str(exc)) from exc
        if refused:
            return Outcome(False, _refusal(refused.get(message.to)))
        return Outcome(True)


def _refusal(answer: tuple[int, bytes | str] | None) -> str:
    if answer is None:
        return "refused"
    code, text = answer
    words = text.decode(errors="replace") if isinstance(text, bytes) else text
    return f"{code} {words}"[:500]
