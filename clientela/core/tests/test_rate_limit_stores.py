"""Where the rate-limit counts live (``CLIENTELA_CACHE_URL``): a table of the database
by default, Redis when configured, this process's memory for one process. Every store
is shared by all its clients (as two web processes are), counts every limit of a
request in one statement or round trip, starts each window from zero, and a store that
is down limits nothing and takes nothing down."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from clientela.core import rate_limits
from clientela.core.models import RateCount, User
from clientela.core.rate_limits import (
    Count,
    DatabaseStore,
    Limit,
    MemoryStore,
    RedisStore,
    parse_rate,
    usage,
    usages,
)
from clientela.core.services import api_token_create
from clientela.env import env_cache_url
from conftest import RateClock

REDIS_URL = "redis://127.0.0.1:6379/0"


def count(rate: str = "100/h", key: str = "k") -> int | None:
    found = usage(group="test", key=key, rate=rate)
    return None if found is None else found.count


@pytest.fixture
def database_store(settings: Any, db: Any) -> None:
    settings.CLIENTELA_RATE_STORE = env_cache_url("CLIENTELA_TEST_UNSET", "db://")


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    prefix = f"clientela-test-{uuid.uuid4().hex}"
    yield prefix
    store = RedisStore(REDIS_URL, prefix)
    for key in store.client.scan_iter(f"{prefix}:*"):
        store.client.delete(key)


def test_the_urls_name_the_stores() -> None:
    assert env_cache_url("CLIENTELA_TEST_UNSET", "db://") == {"STORE": "db"}
    assert env_cache_url("CLIENTELA_TEST_UNSET", "locmem://") == {"STORE": "locmem"}
    assert env_cache_url("CLIENTELA_TEST_UNSET", REDIS_URL) == {
        "STORE": "redis",
        "LOCATION": REDIS_URL,
    }


@pytest.mark.parametrize(
    ("rate", "expected"), [("600/m", (600, 60)), ("3/h", (3, 3600)), ("50/15m", (50, 900))]
)
def test_rates_are_a_count_per_window(rate: str, expected: tuple[int, int]) -> None:
    assert parse_rate(rate) == expected


@pytest.mark.parametrize("rate", ["", "0/m", "10", "10/x", "ten/m", "10/0m"])
def test_a_rate_that_is_not_one_is_refused(rate: str) -> None:
    with pytest.raises(ValueError, match="is not a rate"):
        parse_rate(rate)


def test_migrate_creates_the_table_of_counts(db: Any) -> None:
    assert RateCount._meta.db_table in connection.introspection.table_names()


def test_database_counts_are_seen_by_every_client_of_the_table(
    database_store: None, rate_clock: RateClock
) -> None:
    assert [count(), count(), count()] == [1, 2, 3]
    # Another client of the table, as another web process has.
    other = DatabaseStore()
    assert other is not rate_limits.store()
    (window_end,) = RateCount.objects.values_list("window_end", flat=True)
    assert other.count([Count("test:100/h:k", window_end, 1)], int(rate_clock.now)) == [4]
    assert count() == 5
    assert RateCount.objects.get().count == 5  # one row for the key


def test_database_counts_every_limit_of_a_request_in_one_statement(
    database_store: None, rate_clock: RateClock
) -> None:
    limits = [
        Limit("a", "1", "10/m"),
        Limit("b", "1", "10/h"),
        Limit("c", "1", "10/m", increment=False),
    ]
    with CaptureQueriesContext(connection) as queries:
        found = usages(limits)
    assert len(queries) == 1
    assert [u.count if u else None for u in found] == [1, 1, 0]
    assert [u.count if u else None for u in usages(limits)] == [2, 2, 0]


def test_each_window_starts_from_zero(database_store: None, rate_clock: RateClock) -> None:
    assert [count("2/m"), count("2/m"), count("2/m")] == [1, 2, 3]
    found = usage(group="test", key="k", rate="2/m")
    assert found is not None
    assert found.exceeded
    assert 0 < found.reset <= 60
    rate_clock.advance(found.reset)  # the window has ended
    assert [count("2/m"), count("2/m")] == [1, 2]


def test_a_read_does_not_count(database_store: None, rate_clock: RateClock) -> None:
    assert count() == 1
    read = usage(group="test", key="k", rate="100/h", increment=False)
    assert read is not None
    assert read.count == 1
    assert read.remaining == 99
    assert count() == 2


def test_windows_end_at_different_moments_for_different_keys(rate_clock: RateClock) -> None:
    resets = {
        found.reset for found in usages([Limit("test", str(n), "1/h") for n in range(20)]) if found
    }
    assert len(resets) > 10  # spread by a hash of the key, not all at the hour


def test_ended_windows_are_purged(database_store: None, rate_clock: RateClock) -> None:
    count(key="old")
    rate_clock.advance(3600)
    count(key="new")
    store = rate_limits.store()
    assert isinstance(store, DatabaseStore)
    assert store.purge(int(rate_clock.now)) == 1
    assert list(RateCount.objects.values_list("key", flat=True)) == ["test:100/h:new"]


def test_memory_counts_are_this_process_only() -> None:
    first, second = MemoryStore(), MemoryStore()
    assert first.count([Count("k", 100, 1), Count("k2", 100, 1)], 50) == [1, 1]
    assert first.count([Count("k", 100, 1)], 50) == [2]
    assert second.count([Count("k", 100, 1)], 50) == [1]
    assert first.count([Count("k", 200, 1)], 150) == [1]  # a new window


def test_redis_counts_are_shared_between_two_clients(
    settings: Any, redis_prefix: str, rate_clock: RateClock
) -> None:
    settings.CLIENTELA_RATE_STORE = {
        "STORE": "redis",
        "LOCATION": REDIS_URL,
        "PREFIX": redis_prefix,
    }
    assert [count(), count(), count()] == [1, 2, 3]
    # Another client with its own connection, as another web process has.
    other = RedisStore(REDIS_URL, redis_prefix)
    assert other.client is not rate_limits.store().client  # type: ignore[attr-defined]
    found = usage(group="test", key="k", rate="100/h", increment=False)
    assert found is not None
    window_end = int(rate_clock.now) + found.reset
    assert other.count([Count("test:100/h:k", window_end, 1)], int(rate_clock.now)) == [4]
    assert count() == 5
    # The key expires with its window.
    assert other.client.expiretime(f"{redis_prefix}:test:100/h:k:{window_end}") == window_end + 1


def test_a_redis_that_is_down_limits_nothing_and_is_logged(
    settings: Any, make_user: Any, caplog: pytest.LogCaptureFixture
) -> None:
    # A real Redis URL on a port where nothing listens.
    settings.CLIENTELA_RATE_STORE = {"STORE": "redis", "LOCATION": "redis://127.0.0.1:1/0"}
    settings.CLIENTELA_API_RATE_PER_TOKEN = "1/m"
    user: User = make_user("api_user", "admin")
    _token, clear = api_token_create(user=user, name="t", scopes=["contacts:read"])
    answers = [
        Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {clear}").status_code
        for _ in range(3)
    ]
    assert answers == [200, 200, 200]
    assert "could not be counted" in caplog.text


def test_an_api_request_counts_its_limits_in_one_statement_then_in_batches(
    database_store: None, make_user: Any, rate_clock: RateClock
) -> None:
    user: User = make_user("api_user", "admin")
    _token, clear = api_token_create(user=user, name="t", scopes=["contacts:read"])
    client = Client(HTTP_AUTHORIZATION=f"Bearer {clear}")

    def counting_statements() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/v1/me").status_code == 200
        return len([q for q in queries if RateCount._meta.db_table in q["sql"]])

    # The first request of the window: the address and the token counted, the
    # address's token failures read, in one statement.
    assert counting_statements() == 1
    assert sorted(RateCount.objects.values_list("count", flat=True)) == [0, 1, 1]
    # The API's limits are high (600 and 1,200 a minute): within the next second the
    # process adds its requests up…
    assert [counting_statements() for _ in range(3)] == [0, 0, 0]
    assert sorted(RateCount.objects.values_list("count", flat=True)) == [0, 1, 1]
    # …and sends them with the next round trip (a key whose window has just ended
    # starts again from this request: the keys' windows end at moments of their own).
    ends = dict(RateCount.objects.values_list("key", "window_end"))
    rate_clock.advance(1)
    assert counting_statements() == 1
    counted = dict(RateCount.objects.values_list("key", "count"))
    for key, count in counted.items():
        if key.startswith("api-auth-failures"):
            assert count == 0
        else:
            assert count == (5 if ends[key] > rate_clock.now else 1), key


def test_a_batched_limit_sees_other_processes_within_a_second_and_counts_every_request_near_it(
    database_store: None, rate_clock: RateClock
) -> None:
    def count_api(n: int = 1) -> list[int | None]:
        return [count("200/m", key="api") for _ in range(n)]

    assert count_api(3) == [1, 2, 3]
    assert RateCount.objects.get().count == 1  # two requests wait in this process
    # Another process counts 100 requests of the same key.
    (window_end,) = RateCount.objects.values_list("window_end", flat=True)
    DatabaseStore().count([Count("test:200/m:api", window_end, 100)], int(rate_clock.now))
    assert count_api() == [4]  # not seen yet
    rate_clock.advance(1)
    assert count_api() == [105]  # seen at the next round trip, with this one's waiting
    # Within 10 % of the limit every request goes to the store.
    DatabaseStore().count([Count("test:200/m:api", window_end, 75)], int(rate_clock.now))
    rate_clock.advance(1)
    assert count_api() == [181]
    assert count_api(2) == [182, 183]
    assert RateCount.objects.get().count == 183
