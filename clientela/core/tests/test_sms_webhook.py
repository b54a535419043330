"""POST /sms/inbound/<backend>/: the provider's signed replies and delivery reports,
handed to the registered handlers; anything unsigned, malformed or too frequent is
refused with nothing done, and never a 500."""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

import pytest
from django.test import Client

from clientela.core.models import Tag
from clientela.core.sms import SmsStatus, handlers
from clientela.core.sms.backends.twilio import EMPTY_TWIML, twilio_signature
from clientela.env import env_sms_url
from conftest import RateClock

pytestmark = pytest.mark.django_db

SID, TOKEN = "AC0123456789abcdef", "the-auth-token"
PUBLIC = "https://crm.example.com"
URL = "/sms/inbound/twilio/"
PERSON = "+34600123456"


def _sign(url: str, params: dict[str, str], token: str = TOKEN) -> str:
    """Twilio's scheme, written out here on its own: the URL, then each parameter's
    name and value in name order, HMAC-SHA1 with the auth token, base64."""
    signed = url + "".join(name + params[name] for name in sorted(params))
    return base64.b64encode(
        hmac.new(token.encode(), signed.encode(), hashlib.sha1).digest()
    ).decode()


@pytest.fixture(autouse=True)
def _twilio(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_SMS_URL", f"twilio://{SID}:{TOKEN}@api.twilio.com?from=Clientela")
    settings.CLIENTELA_SMS_BACKEND = env_sms_url("TEST_SMS_URL", "")
    settings.CLIENTELA_PUBLIC_URL = PUBLIC


class Seen:
    def __init__(self) -> None:
        self.replies: list[tuple[str, str, bool]] = []
        self.statuses: list[SmsStatus] = []


@pytest.fixture
def seen(monkeypatch: pytest.MonkeyPatch) -> Seen:
    monkeypatch.setattr(handlers, "reply_handlers", {})
    monkeypatch.setattr(handlers, "status_handlers", {})
    found = Seen()
    handlers.register_sms_reply_handler(
        lambda sender, body, stop: found.replies.append((sender, body, stop)), key="test"
    )
    handlers.register_sms_status_handler(found.statuses.append, key="test")
    return found


def _reply(body: str, **extra: str) -> dict[str, str]:
    return {
        "MessageSid": "SM" + "1" * 32,
        "SmsSid": "SM" + "1" * 32,
        "AccountSid": SID,
        "From": PERSON,
        "To": "+34910000000",
        "Body": body,
        "NumSegments": "1",
        "SmsStatus": "received",
        "ApiVersion": "2010-04-01",
        **extra,
    }


def _post(
    client: Client, params: dict[str, str], *, path: str = URL, signature: str | None = None
) -> Any:
    if signature is None:
        signature = _sign(PUBLIC + path, params)
    return client.post(path, params, HTTP_X_TWILIO_SIGNATURE=signature)


def test_our_signature_matches_twilios_documented_example() -> None:
    params = {
        "CallSid": "CA1234567890ABCDE",
        "Caller": "+14158675309",
        "Digits": "1234",
        "From": "+14158675309",
        "To": "+18005551212",
    }
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    assert twilio_signature("12345", url, params.items()) == "RSOYDt4T1cUTdK1PDd93/VVr8B8="
    assert _sign(url, params, "12345") == "RSOYDt4T1cUTdK1PDd93/VVr8B8="


def test_a_signed_reply_reaches_the_handlers(client: Client, seen: Seen) -> None:
    response = _post(client, _reply("Hola, ¿a qué hora abrís?"))
    assert response.status_code == 200
    assert response.content.decode() == EMPTY_TWIML
    assert response["Content-Type"] == "text/xml"
    assert seen.replies == [(PERSON, "Hola, ¿a qué hora abrís?", False)]
    assert seen.statuses == []


def test_the_requests_own_url_is_accepted_too(client: Client, seen: Seen) -> None:
    params = _reply("hi")
    response = _post(client, params, signature=_sign("http://testserver" + URL, params))
    assert response.status_code == 200
    assert seen.replies


@pytest.mark.parametrize(
    "body",
    [
        "STOP",
        "stop",
        " Stop ",
        "STOP ALL",
        "stopall",
        "Unsubscribe",
        "cancel",
        "END",
        "quit",
        "Baja",
        "baja.",
        "\tSTOP!\n",
        "S T O P",
    ],
)
def test_stop_words_are_flagged_in_any_case_and_spacing(
    client: Client, seen: Seen, body: str
) -> None:
    assert _post(client, _reply(body)).status_code == 200
    assert seen.replies == [(PERSON, body, True)]


@pytest.mark.parametrize("body", ["stop please", "stopped", "no", "bajar", "START", ""])
def test_other_replies_are_not_stops(client: Client, seen: Seen, body: str) -> None:
    assert _post(client, _reply(body)).status_code == 200
    assert seen.replies == [(PERSON, body, False)]


def test_a_delivery_report_reaches_the_status_handlers_with_its_reference(
    client: Client, seen: Seen
) -> None:
    path = URL + "?reference=delivery-42"
    params = {
        "MessageSid": "SM42",
        "AccountSid": SID,
        "MessageStatus": "Undelivered",
        "To": PERSON,
        "From": "+34910000000",
        "ErrorCode": "30003",
    }
    response = _post(client, params, path=path)
    assert response.status_code == 200
    assert seen.statuses == [SmsStatus("SM42", "undelivered", "delivery-42", PERSON, "30003")]
    assert seen.statuses[0].final
    assert seen.replies == []


def test_a_report_on_the_way_is_not_final(client: Client, seen: Seen) -> None:
    params = {"MessageSid": "SM43", "AccountSid": SID, "MessageStatus": "sent", "To": PERSON}
    assert _post(client, params).status_code == 200
    assert not seen.statuses[0].final
    assert seen.statuses[0].reference == ""


@pytest.mark.parametrize(
    "signature",
    ["", "bm90IGl0", "RSOYDt4T1cUTdK1PDd93/VVr8B8=", "ñññ", _sign(PUBLIC + URL, {}, TOKEN)],
)
def test_a_bad_signature_is_refused_and_nothing_done(
    client: Client, seen: Seen, signature: str
) -> None:
    response = _post(client, _reply("STOP"), signature=signature)
    assert response.status_code == 403
    assert seen.replies == []


def test_a_tampered_post_or_another_token_is_refused(client: Client, seen: Seen) -> None:
    signed = _reply("hola")
    signature = _sign(PUBLIC + URL, signed)
    assert _post(client, {**signed, "Body": "STOP"}, signature=signature).status_code == 403
    other = _sign(PUBLIC + URL, signed, token="another-token")
    assert _post(client, signed, signature=other).status_code == 403
    # Signed for another URL (a status callback's reference changed).
    moved = _sign(PUBLIC + URL + "?reference=1", signed)
    assert _post(client, signed, path=URL + "?reference=2", signature=moved).status_code == 403
    assert seen.replies == []


def test_another_accounts_post_is_refused(client: Client, seen: Seen) -> None:
    assert _post(client, _reply("STOP", AccountSid="AC999")).status_code == 403
    assert seen.replies == []


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"AccountSid": SID, "From": PERSON, "Body": "STOP"},  # no MessageSid
        {"MessageSid": "SM1", "AccountSid": SID, "From": PERSON},  # neither body nor status
        {"MessageSid": "SM1", "AccountSid": SID, "From": "Clientela", "Body": "STOP"},
        {"MessageSid": "SM1", "AccountSid": SID, "From": "600123456", "Body": "STOP"},
    ],
)
def test_a_signed_post_without_what_it_needs_is_a_400(
    client: Client, seen: Seen, params: dict[str, str]
) -> None:
    assert _post(client, params).status_code == 400
    assert seen.replies == []
    assert seen.statuses == []


def test_a_json_body_is_refused(client: Client, seen: Seen) -> None:
    response = client.post(
        URL,
        '{"Body": "STOP"}',
        content_type="application/json",
        HTTP_X_TWILIO_SIGNATURE=_sign(PUBLIC + URL, {}),
    )
    assert response.status_code == 400
    assert seen.replies == []


def test_a_broken_multipart_body_is_a_400(client: Client, seen: Seen) -> None:
    response = client.generic(
        "POST",
        URL,
        b"--x\r\nnot a part",
        content_type="multipart/form-data; boundary=x",
        HTTP_X_TWILIO_SIGNATURE="abc",
    )
    assert response.status_code in (400, 403)
    assert seen.replies == []


def test_an_oversize_post_is_a_400(client: Client, seen: Seen, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = _post(client, _reply("x" * 5000))
    assert response.status_code == 400
    assert seen.replies == []


def test_a_get_is_not_allowed(client: Client) -> None:
    assert client.get(URL).status_code == 405


def test_another_backend_or_one_without_webhooks_is_a_404(
    client: Client, seen: Seen, settings: Any
) -> None:
    assert _post(client, _reply("STOP"), path="/sms/inbound/nexmo/").status_code == 404
    settings.CLIENTELA_SMS_BACKEND = env_sms_url("UNSET_SMS_URL", "console://")
    assert _post(client, _reply("STOP"), path="/sms/inbound/console/").status_code == 404
    assert _post(client, _reply("STOP")).status_code == 404
    assert seen.replies == []


def test_a_failing_handler_is_undone_and_the_others_still_run(client: Client, seen: Seen) -> None:
    def fails(sender: str, body: str, stop: bool) -> None:
        Tag.objects.create(name="half-done")
        raise RuntimeError("boom")

    def writes(sender: str, body: str, stop: bool) -> None:
        Tag.objects.create(name=f"stop {sender}")

    handlers.register_sms_reply_handler(fails, key="a-fails")
    handlers.register_sms_reply_handler(writes, key="b-writes")
    response = _post(client, _reply("STOP"))
    assert response.status_code == 200
    assert list(Tag.objects.values_list("name", flat=True)) == [f"stop {PERSON}"]
    assert seen.replies == [(PERSON, "STOP", True)]


def test_bad_signatures_are_limited_per_address(
    client: Client, seen: Seen, settings: Any, rate_clock: RateClock
) -> None:
    settings.CLIENTELA_SMS_INBOUND_FAILURE_RATE = "2/m"
    for _ in range(2):
        assert _post(client, _reply("STOP"), signature="forged").status_code == 403
    refused = _post(client, _reply("hola"))
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    assert seen.replies == []
    rate_clock.advance(120)
    assert _post(client, _reply("hola")).status_code == 200


def test_posts_are_limited_per_address(
    client: Client, seen: Seen, settings: Any, rate_clock: RateClock
) -> None:
    settings.CLIENTELA_SMS_INBOUND_RATE = "3/m"
    assert [_post(client, _reply(str(n))).status_code for n in range(4)] == [200, 200, 200, 429]
    assert [body for _, body, _ in seen.replies] == ["0", "1", "2"]
