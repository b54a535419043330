"""The protocol every SMS backend follows, as Django's e-mail backends do: built from
``CLIENTELA_SMS_BACKEND`` by ``core.sms.get_backend``, ``send_messages`` returns one
``SmsResult`` per message and never raises for a message that fails. A backend that
receives a provider's webhooks (replies, delivery reports) says so with
``receives_webhooks`` and reads them in ``webhook_event``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from types import TracebackType
from typing import Any, ClassVar

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse

from clientela.core.sms.message import InboundSms, SmsMessage, SmsResult, SmsStatus


class WebhookRefused(Exception):
    """A webhook post that is not taken: ``status`` is the answer (403 for a bad
    signature, 400 for a post without what it needs); nothing was done."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


class BaseSmsBackend:
    #: The backend's name in ``/sms/inbound/<name>/`` and in the logs.
    name: ClassVar[str] = ""
    receives_webhooks: ClassVar[bool] = False

    def __init__(self, *, sender: str = "", **options: Any) -> None:
        if options:
            raise ImproperlyConfigured(
                f"The SMS backend {self.name!r} takes no option {', '.join(sorted(options))}"
            )
        #: Sends messages that name no sender of their own.
        self.sender = sender

    def open(self) -> bool:
        """Get ready to send several messages (a connection kept open); True if this
        call opened it, so the caller closes it."""
        return False

    def close(self) -> None:
        """Release what ``open`` took."""

    def __enter__(self) -> BaseSmsBackend:
        self.open()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def send_messages(self, messages: Sequence[SmsMessage]) -> list[SmsResult]:
        """Send each message; one result per message, in order. A message that cannot
        be sent (a bad number, an empty body) gets its error without reaching the
        provider; the others go on."""
        opened = self.open()
        try:
            results = []
            for message in messages:
                problem = message.problem(default_sender=self.sender)
                if problem is not None:
                    results.append(SmsResult(message, error=problem))
                    continue
                filled = message if message.sender else replace(message, sender=self.sender)
                results.append(self.send_one(filled))
            return results
        finally:
            if opened:
                self.close()

    def send_one(self, message: SmsMessage) -> SmsResult:
        """Send one checked message (its sender filled in)."""
        raise NotImplementedError

    def webhook_event(self, request: HttpRequest) -> InboundSms | SmsStatus:
        """The reply or delivery report a provider posted, once its signature is
        checked; ``WebhookRefused`` for anything else."""
        raise WebhookRefused(404, f"the SMS backend {self.name!r} receives no webhooks")

    def webhook_response(self, event: InboundSms | SmsStatus) -> HttpResponse:
        """The answer the provider expects once the event was handled."""
        return HttpResponse(status=204)
