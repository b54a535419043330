"""SMS in the tests: the ``sms_outbox`` fixture points the gateway at the locmem backend
(sender "Clientela") and gives its outbox, empty at the start and emptied at the end.
Import ``sms_outbox_fixture`` into the test module::

    def test_x(sms_outbox: list[SmsMessage]) -> None:
        send_the_campaign()
        assert [m.to for m in sms_outbox] == ["+34600123456"]
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from clientela.core.sms import SmsMessage, outbox

LOCMEM = {
    "BACKEND": "clientela.core.sms.backends.locmem.LocmemBackend",
    "OPTIONS": {"sender": "Clientela"},
}


@pytest.fixture(name="sms_outbox")
def sms_outbox_fixture(settings: Any) -> Iterator[list[SmsMessage]]:
    settings.CLIENTELA_SMS_BACKEND = LOCMEM
    outbox.clear()
    yield outbox
    outbox.clear()
