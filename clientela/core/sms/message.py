"""What is sent and what came of it: ``SmsMessage`` and ``SmsResult``; and what a
provider's webhook tells: an ``InboundSms`` (a reply) or an ``SmsStatus`` (a delivery
report)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from django.utils.translation import gettext as _

#: E.164: a plus, a country code that does not start with 0, at most 15 digits in all.
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")
#: An alphanumeric sender id as networks take it: 1 to 11 letters, digits and spaces,
#: at least one letter.
_ALPHANUMERIC_SENDER = re.compile(r"(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}")
#: The longest body any backend takes (Twilio's limit: ten or so parts).
MAX_BODY = 1600
MAX_REFERENCE = 100

#: Replies that withdraw consent, compared without case, spaces or a final full stop or
#: exclamation mark ("Stop", " stop! ", "STOP ALL", "baja").
STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "BAJA"})


def is_e164(number: str) -> bool:
    """``number`` is written in E.164 and could be a real number."""
    if not _E164.fullmatch(number):
        return False
    try:
        return phonenumbers.is_possible_number(phonenumbers.parse(number, None))
    except phonenumbers.NumberParseException:
        return False


def is_stop(body: str) -> bool:
    """A reply that asks to receive no more messages."""
    word = "".join(body.split()).rstrip(".!").upper()
    return word in STOP_WORDS


@dataclass(frozen=True)
class SmsMessage:
    """One text message: to an E.164 number, from ``sender`` (an E.164 number or an
    alphanumeric id; empty: the backend's default), with the caller's ``reference``
    (a delivery row's id, say), which delivery reports carry back."""

    to: str
    body: str
    sender: str = ""
    reference: str = ""

    def problem(self, *, default_sender: str = "") -> str | None:
        """Why this message cannot be sent, in the reader's language; None if it can."""
        if not is_e164(self.to):
            return _("The number %(to)s is not a phone number in E.164 form (+34600123456).") % {
                "to": repr(self.to)
            }
        if not self.body.strip():
            return _("The message is empty.")
        if len(self.body) > MAX_BODY:
            return _("The message is longer than %(max)d characters.") % {"max": MAX_BODY}
        if "\x00" in self.body:
            return _("The message holds a NUL character.")
        sender = self.sender or default_sender
        if not sender:
            return _("No sender: give the message one or set the backend's default sender.")
        if not (is_e164(sender) or _ALPHANUMERIC_SENDER.fullmatch(sender)):
            return _(
                "The sender %(sender)s is neither an E.164 number nor an alphanumeric id "
                "of at most 11 letters and digits."
            ) % {"sender": repr(sender)}
        if len(self.reference) > MAX_REFERENCE:
            return _("The reference is longer than %(max)d characters.") % {"max": MAX_REFERENCE}
        return None


@dataclass(frozen=True)
class SmsResult:
    """What became of one message: the provider's id of it, or an error in the
    reader's language. ``retryable`` errors are those where the message surely was not
    sent (refused for load, the provider unreachable): sending it again later cannot
    send it twice. A timeout waiting for the answer is not retryable: the provider may
    have sent it."""

    message: SmsMessage
    provider_id: str = ""
    error: str = ""
    retryable: bool = False

    @property
    def ok(self) -> bool:
        return not self.error


@dataclass(frozen=True)
class InboundSms:
    """A message a person sent to one of our numbers."""

    from_e164: str
    to: str
    body: str
    provider_id: str

    @property
    def is_stop(self) -> bool:
        return is_stop(self.body)


#: Statuses after which a message's status no longer changes.
FINAL_STATUSES = frozenset({"delivered", "undelivered", "failed", "canceled", "read"})


@dataclass(frozen=True)
class SmsStatus:
    """A provider's report on a message we sent: ``status`` in the provider's words,
    lower case (Twilio: queued, sending, sent, delivered, undelivered, failed…), the
    ``reference`` the message was sent with, the provider's ``error_code`` if any."""

    provider_id: str
    status: str
    reference: str = ""
    to: str = ""
    error_code: str = ""

    @property
    def final(self) -> bool:
        return self.status in FINAL_STATUSES
