"""Rate limits on the shared cache (``CACHES["default"]``, ``CLIENTELA_CACHE_URL``).

The counting is django-ratelimit's ``get_usage``: a fixed window per key (its end
spread by a hash of the key, so not every window ends at once), the count kept in the
cache, so every web process sees the same numbers. Its core functions, not its view
decorator: our callers need the numbers (the API's ``RateLimit-*`` headers), count
only some outcomes (a failed login, a wrong token) and answer in their own way (the
API's error body, the lock-out page, a reset page that looks the same either way).

The limits themselves: ``core.api.limits`` (API), ``core.auth_limits`` (logins and
password-reset e-mails).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.http import HttpRequest
from django_ratelimit.core import get_usage

logger = logging.getLogger("clientela.rate_limits")


@dataclass(frozen=True)
class Usage:
    """Where one key stands in its window: ``count`` requests of ``limit``, the window
    ending in ``reset`` seconds."""

    limit: int
    count: int
    reset: int

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.count)

    @property
    def exceeded(self) -> bool:
        """The request just counted went over the limit."""
        return self.count > self.limit

    @property
    def exhausted(self) -> bool:
        """No request is left in this window (for a check that does not count)."""
        return self.count >= self.limit

    @property
    def retry_after(self) -> int:
        """Whole seconds to wait before a new window starts (at least 1)."""
        return max(1, self.reset)


def usage(
    request: HttpRequest, *, group: str, key: str, rate: str, increment: bool = True
) -> Usage | None:
    """Count this request against ``rate`` (``600/m``, ``3/h``…) for ``key`` within
    ``group``, or only read the count (``increment=False``). ``None`` when the count
    cannot be had: a cache that is down must not take the site down with it, so the
    request goes through and the error is logged."""
    try:
        found = get_usage(
            request,
            group=group,
            key=lambda _group, _request: key,
            rate=rate,
            increment=increment,
        )
    except Exception:  # the cache's own errors: redis, the database, the network
        logger.exception("rate limit %s could not be counted; not limiting", group)
        return None
    if found is None:  # RATELIMIT_ENABLE off, or the cache answered nothing
        return None
    return Usage(limit=found["limit"], count=found["count"], reset=max(0, found["time_left"]))
