"""Twilio's REST API (and any provider that copies its shape): a message is a form
POST to ``/2010-04-01/Accounts/{sid}/Messages.json`` with basic auth (the account sid
and auth token), fields ``To``, ``From``, ``Body`` and ``StatusCallback``; the answer is
201 with the message's ``sid``, or a 4xx/5xx JSON body with ``code`` and ``message``.

Webhooks (replies and delivery reports) are form posts signed in ``X-Twilio-Signature``:
base64 HMAC-SHA1, keyed with the auth token, over the URL Twilio posted to followed by
each parameter's name and value, sorted. The delivery report of a message comes to the
``StatusCallback`` it was sent with, this server's ``/sms/inbound/twilio/`` with the
message's reference in the query.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
from django.conf import settings
from django.core.exceptions import DisallowedHost, ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from clientela.core.sms.backends.base import BaseSmsBackend, WebhookRefused
from clientela.core.sms.message import InboundSms, SmsMessage, SmsResult, SmsStatus, is_e164

API_VERSION = "2010-04-01"
DEFAULT_BASE_URL = "https://api.twilio.com"
#: Answers after which the message surely was not sent: refused for load, or a gateway
#: that never reached Twilio. A 500 may come after the message was queued.
RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})
#: An empty TwiML answer: "received, reply nothing".
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def twilio_signature(auth_token: str, url: str, params: Iterable[tuple[str, str]]) -> str:
    """The ``X-Twilio-Signature`` of a form post of ``params`` to ``url`` (a parameter
    repeated with the same value counts once, as Twilio's own libraries have it)."""
    signed = url + "".join(name + value for name, value in sorted(set(params)))
    digest = hmac.new(auth_token.encode(), signed.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class TwilioBackend(BaseSmsBackend):
    name = "twilio"
    receives_webhooks = True

    def __init__(
        self,
        *,
        account_sid: str = "",
        auth_token: str = "",
        base_url: str = DEFAULT_BASE_URL,
        timeout: float = 10.0,
        status_callback: bool = True,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        if not account_sid or not auth_token:
            raise ImproperlyConfigured(
                "The Twilio SMS backend needs the account sid and the auth token "
                "(twilio://ACCOUNT_SID:AUTH_TOKEN@api.twilio.com)"
            )
        if urlsplit(base_url).scheme not in {"http", "https"} or not urlsplit(base_url).netloc:
            raise ImproperlyConfigured(
                f"The Twilio SMS backend's base URL {base_url!r} is not an http(s) URL"
            )
        if timeout <= 0:
            raise ImproperlyConfigured("The Twilio SMS backend's timeout must be above 0 seconds")
        self.account_sid, self.auth_token = account_sid, auth_token
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.status_callback = status_callback
        self._client: httpx.Client | None = None

    # --- sending ------------------------------------------------------------------------

    def open(self) -> bool:
        if self._client is not None:
            return False
        self._client = httpx.Client(
            base_url=self.base_url,
            auth=(self.account_sid, self.auth_token),
            timeout=httpx.Timeout(self.timeout, connect=min(self.timeout, 5.0)),
            headers={"User-Agent": "Clientela"},
        )
        return True

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def _callback_url(self, reference: str) -> str:
        url = settings.CLIENTELA_PUBLIC_URL + reverse("core:sms-inbound", args=[self.name])
        return f"{url}?{urlencode({'reference': reference})}" if reference else url

    def send_one(self, message: SmsMessage) -> SmsResult:
        assert self._client is not None  # send_messages opens it
        data = {"To": message.to, "From": message.sender, "Body": message.body}
        if self.status_callback:
            data["StatusCallback"] = self._callback_url(message.reference)
        path = f"/{API_VERSION}/Accounts/{self.account_sid}/Messages.json"
        host = urlsplit(self.base_url).netloc
        try:
            response = self._client.post(path, data=data)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            error = _("Could not reach the SMS provider at %(host)s: %(error)s") % {
                "host": host,
                "error": exc,
            }
            return SmsResult(message, error=error, retryable=True)
        except httpx.TimeoutException:
            error = _(
                "The SMS provider at %(host)s did not answer within %(seconds)s seconds; "
                "the message may have been sent."
            ) % {"host": host, "seconds": f"{self.timeout:g}"}
            return SmsResult(message, error=error)
        except httpx.HTTPError as exc:
            error = _("The connection to the SMS provider at %(host)s failed: %(error)s") % {
                "host": host,
                "error": exc,
            }
            return SmsResult(message, error=error)
        return self._result(message, response)

    def _result(self, message: SmsMessage, response: httpx.Response) -> SmsResult:
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            answer = {}
        if response.status_code in (200, 201):
            sid = answer.get("sid")
            if isinstance(sid, str) and sid:
                return SmsResult(message, provider_id=sid)
            return SmsResult(message, error=_("The SMS provider answered without a message id."))
        said = answer.get("message")
        if not isinstance(said, str) or not said:
            said = response.text[:200].strip() or response.reason_phrase
        code = answer.get("code")
        facts = {"status": response.status_code, "code": code, "said": said}
        if isinstance(code, int | str) and code != "":
            error = (
                _(
                    "The SMS provider refused the message (HTTP %(status)d, error %(code)s): "
                    "%(said)s"
                )
                % facts
            )
        else:
            error = _("The SMS provider refused the message (HTTP %(status)d): %(said)s") % facts
        return SmsResult(message, error=error, retryable=response.status_code in RETRYABLE_STATUSES)

    # --- webhooks -----------------------------------------------------------------------

    def _signed_urls(self, request: HttpRequest) -> list[str]:
        # The URL Twilio signed is the one it was given: this server's public address
        # (behind a proxy the request's own may differ in scheme or host).
        urls = [settings.CLIENTELA_PUBLIC_URL + request.get_full_path()]
        with contextlib.suppress(DisallowedHost):
            urls.append(request.build_absolute_uri())
        return urls

    def _check_signature(self, request: HttpRequest) -> None:
        given = request.headers.get("X-Twilio-Signature", "").encode()
        if not given:
            raise WebhookRefused(403, "no X-Twilio-Signature")
        params = [(name, value) for name, values in request.POST.lists() for value in values]
        for url in self._signed_urls(request):
            expected = twilio_signature(self.auth_token, url, params).encode()
            if hmac.compare_digest(given, expected):
                return
        raise WebhookRefused(403, "bad X-Twilio-Signature")

    def webhook_event(self, request: HttpRequest) -> InboundSms | SmsStatus:
        self._check_signature(request)
        post = request.POST
        if post.get("AccountSid", self.account_sid) != self.account_sid:
            raise WebhookRefused(403, "another account's post")
        sid = post.get("MessageSid", "")
        if not sid:
            raise WebhookRefused(400, "no MessageSid")
        if "MessageStatus" in post:
            return SmsStatus(
                provider_id=sid,
                status=post["MessageStatus"].strip().lower(),
                reference=request.GET.get("reference", ""),
                to=post.get("To", ""),
                error_code=post.get("ErrorCode", ""),
            )
        sender = post.get("From", "")
        if "Body" not in post or not is_e164(sender):
            raise WebhookRefused(400, "neither a delivery report nor a reply from an E.164 number")
        return InboundSms(
            from_e164=sender, to=post.get("To", ""), body=post["Body"], provider_id=sid
        )

    def webhook_response(self, event: InboundSms | SmsStatus) -> HttpResponse:
        return HttpResponse(EMPTY_TWIML, content_type="text/xml")
