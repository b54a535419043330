"""``core.memo`` (reads shared within a unit of work) and ``core.mail`` (e-mail sent
over one connection at the end of a block, or by a thread of its own), against a real
SMTP server on loopback."""

from __future__ import annotations

import threading
from typing import Any, ClassVar

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend

from clientela.core.mail import deliver, one_connection, send_all, sending_in_background
from clientela.core.memo import memo_scope, memoized


def _counter() -> tuple[list[int], Any]:
    calls: list[int] = []

    def load() -> int:
        calls.append(1)
        return len(calls)

    return calls, load


def test_outside_a_scope_every_read_loads_afresh() -> None:
    calls, load = _counter()
    assert [memoized("k", load), memoized("k", load)] == [1, 2]
    assert len(calls) == 2


def test_inside_a_scope_a_key_loads_once_and_nested_scopes_share_it() -> None:
    calls, load = _counter()
    with memo_scope():
        first = memoized("k", load)
        with memo_scope():
            assert memoized("k", load) == first
        assert memoized(("other", 1), load) == 2
    assert len(calls) == 2
    with memo_scope():  # a new scope reads what is stored now
        assert memoized("k", load) == 3


def _mail(to: str, n: int) -> EmailMessage:
    return EmailMessage(subject=f"Message {n}", body="Hello", from_email="desk@x.test", to=[to])


def test_deliver_outside_a_block_sends_at_once(smtp_server: Any, settings: Any) -> None:
    smtp_server.use(settings)
    assert deliver(_mail("a@x.test", 1)) is True
    assert [m["Subject"] for m in smtp_server.messages] == ["Message 1"]


def test_a_block_sends_everything_at_its_end_over_one_connection(
    smtp_server: Any, settings: Any
) -> None:
    smtp_server.use(settings)
    with one_connection():
        for n in range(5):
            assert deliver(_mail(f"c{n}@x.test", n)) is True
        with one_connection():  # a nested block sends with the outer one
            deliver(_mail("nested@x.test", 5))
        assert smtp_server.messages == []
    assert [m["Subject"] for m in smtp_server.messages] == [f"Message {n}" for n in range(6)]
    assert len(set(smtp_server.peers)) == 1


def test_a_refused_message_is_logged_and_the_others_still_go(
    smtp_server: Any, settings: Any, caplog: Any
) -> None:
    smtp_server.use(settings)
    sent = send_all([_mail("a@x.test", 1), _mail("refused@x.test", 2), _mail("b@x.test", 3)])
    assert sent == 2
    assert [m["Subject"] for m in smtp_server.messages] == ["Message 1", "Message 3"]
    assert "Message 2" in caplog.text


def test_an_unreachable_server_loses_nothing_else(settings: Any, caplog: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    assert deliver(_mail("a@x.test", 1)) is False
    assert "Message 1" in caplog.text


class RecordingBackend(BaseEmailBackend):
    """Remembers each message's subject with the thread that sent it."""

    sent: ClassVar[list[tuple[str, str]]] = []

    def send_messages(self, email_messages: Any) -> int:
        for message in email_messages:
            RecordingBackend.sent.append((message.subject, threading.current_thread().name))
        return len(email_messages)


def test_in_the_background_blocks_are_sent_by_a_thread_in_order_and_all_before_the_end(
    settings: Any,
) -> None:
    settings.EMAIL_BACKEND = f"{__name__}.RecordingBackend"
    RecordingBackend.sent = []
    with sending_in_background():
        for block in range(3):
            with one_connection():
                for n in range(block * 10, block * 10 + 10):
                    deliver(_mail(f"c{n}@x.test", n))
    assert [subject for subject, _thread in RecordingBackend.sent] == [
        f"Message {n}" for n in range(30)
    ]
    assert {thread for _subject, thread in RecordingBackend.sent} == {"clientela-mail"}
    with one_connection():  # outside, the block's end sends in the caller's thread again
        deliver(_mail("after@x.test", 30))
    assert RecordingBackend.sent[-1] == ("Message 30", threading.current_thread().name)
