"""The API's rate limits (counted by ``core.rate_limits`` in the shared cache):

* per client address, every request: ``CLIENTELA_API_RATE_PER_IP``;
* per token, every request it authenticates: ``CLIENTELA_API_RATE_PER_TOKEN``;
* per client address, tokens that fail to authenticate:
  ``CLIENTELA_API_AUTH_FAILURE_RATE``. Once an address has used it up, its tokens are
  refused before they are looked up, until the window ends: guessing tokens gains
  nothing, even a right guess.

Over a limit the answer is 429 with ``Retry-After``; every answer carries the
``RateLimit-Limit``, ``RateLimit-Remaining`` and ``RateLimit-Reset`` headers (IETF
draft "RateLimit header fields for HTTP") of the limit closest to running out.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from clientela.core.api.errors import RateLimited, too_many_requests
from clientela.core.client_ip import client_ip_key
from clientela.core.models import ApiToken
from clientela.core.rate_limits import Usage, usage

#: The usages of this request that its headers report, on the request.
_SEEN = "clientela_rate_limits"


def _seen(request: HttpRequest) -> list[Usage]:
    seen: list[Usage] | None = getattr(request, _SEEN, None)
    if seen is None:
        seen = []
        setattr(request, _SEEN, seen)
    return seen


def _count(request: HttpRequest, group: str, key: str, rate: str) -> Usage | None:
    found = usage(request, group=group, key=key, rate=rate)
    if found is not None:
        _seen(request).append(found)
    return found


def count_client(request: HttpRequest) -> HttpResponse | None:
    """Count the request against its address; the 429 answer when that went over."""
    found = _count(request, "api-ip", client_ip_key(request), settings.CLIENTELA_API_RATE_PER_IP)
    if found is not None and found.exceeded:
        return too_many_requests(found)
    return None


def count_token(request: HttpRequest, token: ApiToken) -> None:
    """Count the request against the token that authenticated it."""
    found = _count(request, "api-token", str(token.pk), settings.CLIENTELA_API_RATE_PER_TOKEN)
    if found is not None and found.exceeded:
        raise RateLimited(found)


def refuse_after_auth_failures(request: HttpRequest) -> None:
    """Before a token is looked up: refuse it if its address has no failures left."""
    found = usage(
        request,
        group="api-auth-failures",
        key=client_ip_key(request),
        rate=settings.CLIENTELA_API_AUTH_FAILURE_RATE,
        increment=False,
    )
    if found is not None and found.exhausted:
        _seen(request).append(found)
        raise RateLimited(found)


def count_auth_failure(request: HttpRequest) -> None:
    """A token that did not authenticate: one failure more for its address."""
    _count(
        request,
        "api-auth-failures",
        client_ip_key(request),
        settings.CLIENTELA_API_AUTH_FAILURE_RATE,
    )


def add_headers(request: HttpRequest, response: HttpResponse) -> None:
    """The ``RateLimit-*`` headers of the limit with the fewest requests left."""
    seen = getattr(request, _SEEN, None)
    if not seen:
        return
    closest = min(seen, key=lambda found: found.remaining)
    response["RateLimit-Limit"] = str(closest.limit)
    response["RateLimit-Remaining"] = str(closest.remaining)
    response["RateLimit-Reset"] = str(closest.reset)
