"""The Twilio-shaped HTTP backend against a real HTTP server on loopback."""

from __future__ import annotations

import base64
import socket
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from clientela.core import sms
from clientela.core.sms.backends.twilio import TwilioBackend
from clientela.core.testing.http_server import (  # noqa: F401 (a fixture)
    LoopbackHttpServer,
    http_server_fixture,
)

SID, TOKEN = "AC0123456789abcdef", "the-auth-token"
TO, FROM = "+34600123456", "+34910000000"
PATH = f"/2010-04-01/Accounts/{SID}/Messages.json"


def _backend(url: str, **options: Any) -> TwilioBackend:
    options.setdefault("sender", FROM)
    return TwilioBackend(account_sid=SID, auth_token=TOKEN, base_url=url, **options)


def test_a_message_is_posted_as_twilio_expects_and_its_sid_returned(
    http_server: LoopbackHttpServer, settings: Any
) -> None:
    settings.CLIENTELA_PUBLIC_URL = "https://crm.example.com"
    http_server.reply(201, {"sid": "SM0001", "status": "queued"})
    (result,) = _backend(http_server.url).send_messages(
        [sms.SmsMessage(to=TO, body="¿Nos vemos el lunes?", reference="delivery-42")]
    )
    assert result.ok
    assert result.provider_id == "SM0001"
    (request,) = http_server.requests
    assert (request.method, request.path) == ("POST", PATH)
    assert (
        request.headers["authorization"]
        == "Basic " + base64.b64encode(f"{SID}:{TOKEN}".encode()).decode()
    )
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert request.form == {
        "To": [TO],
        "From": [FROM],
        "Body": ["¿Nos vemos el lunes?"],
        "StatusCallback": ["https://crm.example.com/sms/inbound/twilio/?reference=delivery-42"],
    }


def test_several_messages_each_get_their_result_in_order(http_server: LoopbackHttpServer) -> None:
    http_server.reply(201, {"sid": "SM1"})
    http_server.reply(201, {"sid": "SM2"})
    results = _backend(http_server.url, status_callback=False).send_messages(
        [sms.SmsMessage(to=TO, body="uno"), sms.SmsMessage(to=TO, body="dos", sender="Clientela")]
    )
    assert [r.provider_id for r in results] == ["SM1", "SM2"]
    assert [r.form["From"] for r in http_server.requests] == [[FROM], ["Clientela"]]
    assert all("StatusCallback" not in r.form for r in http_server.requests)


def test_a_4xx_error_body_is_surfaced_and_the_next_message_still_goes(
    http_server: LoopbackHttpServer,
) -> None:
    said = "The 'To' number +34600123456 is not a valid phone number."
    http_server.reply(400, {"code": 21211, "message": said, "status": 400})
    http_server.reply(201, {"sid": "SM2"})
    bad, good = _backend(http_server.url).send_messages(
        [sms.SmsMessage(to=TO, body="x"), sms.SmsMessage(to=TO, body="y")]
    )
    assert not bad.ok
    assert not bad.retryable
    assert not bad.provider_id
    assert "HTTP 400, error 21211" in bad.error
    assert "21211" in bad.error
    assert said in bad.error
    assert good.provider_id == "SM2"


def test_a_wrong_auth_token_is_said(http_server: LoopbackHttpServer) -> None:
    http_server.reply(401, {"code": 20003, "message": "Authenticate", "status": 401})
    (result,) = _backend(http_server.url).send_messages([sms.SmsMessage(to=TO, body="x")])
    assert "HTTP 401" in result.error
    assert "Authenticate" in result.error


def test_too_many_requests_may_be_retried(http_server: LoopbackHttpServer) -> None:
    http_server.reply(429, {"code": 20429, "message": "Too Many Requests"})
    (result,) = _backend(http_server.url).send_messages([sms.SmsMessage(to=TO, body="x")])
    assert result.retryable
    assert "Too Many Requests" in result.error


def test_an_answer_that_is_not_json_is_shown_as_text(http_server: LoopbackHttpServer) -> None:
    http_server.reply(500, "upstream exploded")
    (result,) = _backend(http_server.url).send_messages([sms.SmsMessage(to=TO, body="x")])
    assert "HTTP 500" in result.error
    assert "upstream exploded" in result.error
    assert not result.retryable  # a 500 may come after the message was queued


def test_a_success_without_a_sid_is_an_error(http_server: LoopbackHttpServer) -> None:
    http_server.reply(201, ["not", "an", "object"])
    (result,) = _backend(http_server.url).send_messages([sms.SmsMessage(to=TO, body="x")])
    assert not result.ok
    assert "without a message id" in result.error


def test_a_provider_that_does_not_answer_times_out_and_is_not_retried(
    http_server: LoopbackHttpServer,
) -> None:
    http_server.reply(201, {"sid": "SM-late"}, hang=True)
    http_server.reply(201, {"sid": "SM2"})
    late, next_one = _backend(http_server.url, timeout=0.2).send_messages(
        [sms.SmsMessage(to=TO, body="x"), sms.SmsMessage(to=TO, body="y")]
    )
    assert not late.ok
    assert not late.retryable
    assert "did not answer within 0.2 seconds" in late.error
    assert "may have been sent" in late.error
    assert next_one.provider_id == "SM2"


def test_an_unreachable_provider_may_be_retried() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Nothing listens on the port once the probe is closed.
    (result,) = _backend(f"http://127.0.0.1:{port}").send_messages(
        [sms.SmsMessage(to=TO, body="x")]
    )
    assert result.retryable
    assert f"127.0.0.1:{port}" in result.error


def test_a_message_with_a_problem_never_reaches_the_provider(
    http_server: LoopbackHttpServer,
) -> None:
    (result,) = _backend(http_server.url).send_messages([sms.SmsMessage(to="600", body="x")])
    assert "E.164" in result.error
    assert http_server.requests == []


def test_one_connection_serves_a_batch(http_server: LoopbackHttpServer) -> None:
    backend = _backend(http_server.url)
    with backend:
        client = backend._client
        backend.send_messages([sms.SmsMessage(to=TO, body="x")])
        assert backend._client is client  # kept open by the with block
    assert backend._client is None


@pytest.mark.parametrize(
    "options",
    [
        {"account_sid": "", "auth_token": TOKEN},
        {"account_sid": SID, "auth_token": ""},
        {"account_sid": SID, "auth_token": TOKEN, "base_url": "ftp://x"},
        {"account_sid": SID, "auth_token": TOKEN, "timeout": 0},
    ],
)
def test_a_backend_without_what_it_needs_is_refused(options: dict[str, Any]) -> None:
    with pytest.raises(ImproperlyConfigured):
        TwilioBackend(**options)
