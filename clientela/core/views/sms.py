"""``POST /sms/inbound/<backend>/``: the SMS provider's webhook, public (no login, no
CSRF: the provider signs each post instead). The configured backend checks the
signature and reads the post into a reply or a delivery report, which goes to the
handlers the apps registered (``core.sms.handlers``). A backend that is not the
configured one, or receives no webhooks, is a 404; a bad signature a 403 and a post
without what it needs a 400, nothing done either way. Posts are rate-limited per client
address, and those with a bad signature far more tightly."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from clientela.core.client_ip import client_ip_key
from clientela.core.rate_limits import Limit, Usage, usage, usages
from clientela.core.sms import WebhookRefused, get_backend
from clientela.core.sms.handlers import dispatch

logger = logging.getLogger("clientela.sms")

POSTS, FAILURES = "sms-inbound", "sms-inbound-failures"


def _too_many(request: HttpRequest) -> Usage | None:
    """The limit this post goes over, if any (the post counted)."""
    key = client_ip_key(request)
    posts, failures = usages(
        [
            Limit(POSTS, key, settings.CLIENTELA_SMS_INBOUND_RATE),
            Limit(FAILURES, key, settings.CLIENTELA_SMS_INBOUND_FAILURE_RATE, increment=False),
        ]
    )
    if posts is not None and posts.exceeded:
        return posts
    if failures is not None and failures.exhausted:
        return failures
    return None


@csrf_exempt
@require_POST
def sms_inbound(request: HttpRequest, backend: str) -> HttpResponse:
    try:
        configured = get_backend()
    except ImproperlyConfigured:
        logger.exception("The SMS backend is not usable: no webhook is taken")
        raise Http404() from None
    if configured.name != backend or not configured.receives_webhooks:
        raise Http404()
    over = _too_many(request)
    if over is not None:
        response = HttpResponse("Too many requests", status=429, content_type="text/plain")
        response["Retry-After"] = str(over.retry_after)
        return response
    try:
        event = configured.webhook_event(request)
    except WebhookRefused as refused:
        if refused.status == 403:
            usage(
                group=FAILURES,
                key=client_ip_key(request),
                rate=settings.CLIENTELA_SMS_INBOUND_FAILURE_RATE,
            )
        logger.warning("SMS webhook refused (%s): %s", refused.status, refused.reason)
        return HttpResponse(refused.reason, status=refused.status, content_type="text/plain")
    dispatch(event)
    return configured.webhook_response(event)
