"""The API's rate limits (counted by ``core.rate_limits`` in the shared store):

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
from clientela.core.rate_limits import Limit, Usage, usages
from clientela.core.services import hash_token

#: The usages of this request that its headers report, on the request.
_SEEN = "clientela_rate_limits"
#: What ``count_client`` already counted for the token and read of the address's
#: failures, on the request: (token hash or "", the token's usage, the failures' usage).
_TAKEN = "clientela_rate_limits_taken"


def _seen(request: HttpRequest) -> list[Usage]:
    seen: list[Usage] | None = getattr(request, _SEEN, None)
    if seen is None:
        seen = []
        setattr(request, _SEEN, seen)
    return seen


def _bearer_hash(request: HttpRequest) -> str:
    scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
    return hash_token(token.strip()) if scheme.lower() == "bearer" and token.strip() else ""


def _failures(request: HttpRequest, *, increment: bool) -> Limit:
    return Limit(
        "api-auth-failures",
        client_ip_key(request),
        settings.CLIENTELA_API_AUTH_FAILURE_RATE,
        increment=increment,
    )


def _token(token_hash: str) -> Limit:
    return Limit("api-token", token_hash, settings.CLIENTELA_API_RATE_PER_TOKEN)


def count_client(request: HttpRequest) -> HttpResponse | None:
    """Count the request against its address, and, in the same round trip to the
    store, against the token it presents (keyed by the token's hash, as the token's
    own count is) and read its address's token failures; the 429 answer when the
    address went over."""
    address = Limit("api-ip", client_ip_key(request), settings.CLIENTELA_API_RATE_PER_IP)
    token_hash = _bearer_hash(request)
    if not token_hash:
        found = usages([address])[0]
    else:
        found, by_token, failures = usages(
            [address, _token(token_hash), _failures(request, increment=False)]
        )
        setattr(request, _TAKEN, (token_hash, by_token, failures))
    if found is not None:
        _seen(request).append(found)
        if found.exceeded:
            return too_many_requests(found)
    return None


def _taken(request: HttpRequest) -> tuple[str, Usage | None, Usage | None] | None:
    taken: tuple[str, Usage | None, Usage | None] | None = getattr(request, _TAKEN, None)
    return taken


def count_token(request: HttpRequest, token: ApiToken) -> None:
    """Count the request against the token that authenticated it (already done by
    ``count_client`` for the token the request presented)."""
    taken = _taken(request)
    if taken is not None and taken[0] == token.token_hash:
        found = taken[1]
    else:
        limit = _token(token.token_hash)
        found = usages([limit])[0]
    if found is not None:
        _seen(request).append(found)
        if found.exceeded:
            raise RateLimited(found)


def refuse_after_auth_failures(request: HttpRequest) -> None:
    """Before a token is looked up: refuse it if its address has no failures left."""
    taken = _taken(request)
    if taken is not None:
        found = taken[2]
    else:
        limit = _failures(request, increment=False)
        found = usages([limit])[0]
    if found is not None and found.exhausted:
        _seen(request).append(found)
        raise RateLimited(found)


def count_auth_failure(request: HttpRequest) -> None:
    """A token that did not authenticate: one failure more for its address."""
    limit = _failures(request, increment=True)
    found = usages([limit])[0]
    if found is not None:
        _seen(request).append(found)


def add_headers(request: HttpRequest, response: HttpResponse) -> None:
    """The ``RateLimit-*`` headers of the limit with the fewest requests left."""
    seen = getattr(request, _SEEN, None)
    if not seen:
        return
    closest = min(seen, key=lambda found: found.remaining)
    response["RateLimit-Limit"] = str(closest.limit)
    response["RateLimit-Remaining"] = str(closest.remaining)
    response["RateLimit-Reset"] = str(closest.reset)
