"""The tests' backend: messages are kept in ``outbox`` (this process's memory), as
Django's ``mail.outbox``. Like Twilio's test credentials, it refuses the number
``+15005550001`` (invalid) so a test can see a failure."""

from __future__ import annotations

import itertools

from django.utils.translation import gettext as _

from clientela.core.sms.backends.base import BaseSmsBackend
from clientela.core.sms.message import SmsMessage, SmsResult

#: Every message the locmem backend took, oldest first; clear it with ``outbox.clear()``.
outbox: list[SmsMessage] = []
REFUSED_NUMBER = "+15005550001"
_ids = itertools.count(1)


class LocmemBackend(BaseSmsBackend):
    name = "locmem"

    def send_one(self, message: SmsMessage) -> SmsResult:
        if message.to == REFUSED_NUMBER:
            return SmsResult(
                message, error=_("The provider refused the number %(to)s.") % {"to": message.to}
            )
        outbox.append(message)
        return SmsResult(message, provider_id=f"locmem-{next(_ids)}")
