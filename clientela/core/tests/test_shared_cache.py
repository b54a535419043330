"""The shared cache that keeps the rate-limit counts: in the database by default (a
table ``migrate`` creates), in Redis when configured; either way every client of it,
in every web process, sees the same counts. A cache that is down limits nothing and
takes nothing down."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection
from django.test import Client, RequestFactory
from django.utils import timezone

from clientela.core.models import SharedCacheEntry, User
from clientela.core.rate_limits import usage
from clientela.core.services import api_token_create
from clientela.env import CACHE_TABLE, env_cache_url
from conftest import RateClock


def count(rate: str = "100/h") -> int | None:
    found = usage(RequestFactory().get("/"), group="test", key="k", rate=rate)
    return None if found is None else found.count


@pytest.fixture
def database_cache(settings: Any, db: Any) -> None:
    settings.CACHES = {"default": env_cache_url("CLIENTELA_TEST_UNSET", "db://")}


def test_migrate_creates_the_database_cache_table(db: Any) -> None:
    assert CACHE_TABLE in connection.introspection.table_names()


def test_database_cache_counts_are_seen_by_every_client_of_the_table(
    database_cache: None, settings: Any, rate_clock: RateClock
) -> None:
    settings.CACHES = {**settings.CACHES, "other": settings.CACHES["default"]}
    assert [count(), count(), count()] == [1, 2, 3]
    # Another client of the table, as another web process has.
    assert caches["default"] is not caches["other"]
    settings.RATELIMIT_USE_CACHE = "other"
    assert [count(), count()] == [4, 5]
    assert SharedCacheEntry.objects.count() == 1  # one count, in the table


def test_database_cache_increments_keep_the_expiry(database_cache: None) -> None:
    # Django's own DatabaseCache.incr writes with the default timeout (5 minutes): a count
    # in an hour-long window would expire after five quiet minutes and start from 0.
    cache = caches["default"]
    assert cache.add("hourly", 0, timeout=3600)
    before = SharedCacheEntry.objects.get().expires
    assert [cache.incr("hourly") for _ in range(3)] == [1, 2, 3]
    assert SharedCacheEntry.objects.get().expires == before
    assert before > timezone.now() + datetime.timedelta(minutes=55)


def test_database_cache_refuses_to_increment_a_missing_or_expired_key(
    database_cache: None,
) -> None:
    cache = caches["default"]
    with pytest.raises(ValueError, match="not found"):
        cache.incr("missing")
    cache.add("old", 1, timeout=60)
    SharedCacheEntry.objects.update(expires=timezone.now() - datetime.timedelta(seconds=1))
    with pytest.raises(ValueError, match="not found"):
        cache.incr("old")


@pytest.fixture
def redis_caches(settings: Any) -> Iterator[None]:
    prefix = f"clientela-test-{uuid.uuid4().hex}"
    url = env_cache_url("CLIENTELA_TEST_UNSET", "redis://127.0.0.1:6379/0")
    settings.CACHES = {
        "default": {**url, "KEY_PREFIX": prefix},
        "other": {**url, "KEY_PREFIX": prefix},
    }
    yield
    client = caches["default"]._cache.get_client(write=True)  # type: ignore[attr-defined]
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


def test_redis_counts_are_shared_between_two_clients(
    redis_caches: None, settings: Any, rate_clock: RateClock
) -> None:
    # Two cache objects with their own connections, as two web processes have.
    assert caches["default"] is not caches["other"]
    assert [count(), count(), count()] == [1, 2, 3]
    settings.RATELIMIT_USE_CACHE = "other"
    assert [count(), count()] == [4, 5]
    settings.RATELIMIT_USE_CACHE = "default"
    assert count() == 6


class DownCache(LocMemCache):
    """A cache whose server does not answer."""

    def add(self, *args: Any, **kwargs: Any) -> bool:
        raise ConnectionError("cache server unreachable")

    def incr(self, *args: Any, **kwargs: Any) -> int:
        raise ConnectionError("cache server unreachable")


def test_a_cache_that_is_down_limits_nothing_and_is_logged(
    settings: Any, make_user: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.CACHES = {"default": {"BACKEND": f"{__name__}.DownCache"}}
    settings.CLIENTELA_API_RATE_PER_TOKEN = "1/m"
    user: User = make_user("api_user", "admin")
    _token, clear = api_token_create(user=user, name="t", scopes=["contacts:read"])
    answers = [
        Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {clear}").status_code
        for _ in range(3)
    ]
    assert answers == [200, 200, 200]
    assert "could not be counted" in caplog.text
