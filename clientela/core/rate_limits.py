"""Rate limits, counted where every web process sees the same numbers.

A limit is a count per fixed window (``600/m``, ``3/h``, ``50/15m``) for one key within
a group ("api-token", "login-failures-ip"…). The windows end at a moment spread by a
hash of the key, so not every client's window ends at once (as django-ratelimit spreads
them). The counts live in the store ``CLIENTELA_CACHE_URL`` names:

* ``db://`` (the default): a table of the database (``RateCount``), one row per key,
  counted by one ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` for all the limits of a
  request (SQLite 3.35+ and PostgreSQL);
* ``redis://host:6379/1``: one pipelined round trip of ``INCRBY`` and ``EXPIREAT`` per
  request, on keys that carry their window's end;
* ``locmem://``: this process's memory (a single process, and the tests).

Why not django-ratelimit and Django's cache, which this module used before: they take
two cache operations per limit (``add``, then ``incr``), and the database cache's
``add`` also counts the table and tries an insert that rolls back. With the three
limits of an API request that made 26 queries, and cut the API's throughput from 44 %
to 17 % of a bare Django view (``make bench``). Counting every limit of a request in
one statement or one round trip, and the API's high limits in batches per process
(``_Batches``), keeps the API at its speed.

A store that fails (Redis down, the database busy past its timeout) limits nothing:
the request goes through and the error is logged.
"""

from __future__ import annotations

import logging
import random
import re
import threading
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import redis
from django.conf import settings
from django.db import connections

from clientela.core.models import RateCount

logger = logging.getLogger("clientela.rate_limits")

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RATE = re.compile(r"([1-9][0-9]*)/([1-9][0-9]*)?([smhd])")


def parse_rate(rate: str) -> tuple[int, int]:
    """``"50/15m"`` -> ``(50, 900)``: the count and the window in seconds."""
    found = _RATE.fullmatch(rate.strip())
    if found is None:
        raise ValueError(f"{rate!r} is not a rate (600/m, 10/h, 50/15m)")
    count, multiplier, unit = found.groups()
    return int(count), _PERIODS[unit] * int(multiplier or 1)


@dataclass(frozen=True)
class Limit:
    """One count a request takes: ``key`` within ``group`` against ``rate``; with
    ``increment=False`` the count is only read."""

    group: str
    key: str
    rate: str
    increment: bool = True


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


@dataclass(frozen=True)
class Count:
    """A limit as a store counts it: the stored key, the end of its window (Unix
    seconds) and how much to add (0 reads)."""

    key: str
    window_end: int
    delta: int


class Store(Protocol):
    def count(self, counts: Sequence[Count], now: int) -> list[int]:
        """Add each count's delta in its window (a new window starts from 0) and return
        the counts, in order, in one operation."""


def _window_end(key: str, period: int, now: int) -> int:
    if period == 1:
        return now + 1
    end = now - (now % period) + (zlib.crc32(key.encode()) % period)
    return end + period if end <= now else end


#: Limits above this many requests a window are counted in batches (see ``_Batches``).
BATCH_ABOVE = 100
#: A batched count reaches the store at least this often (seconds)…
BATCH_SECONDS = 1
#: …and on every request once it is within this share of its limit.
BATCH_NEAR = 0.9


@dataclass
class _Seen:
    window_end: int
    shared: int  # the store's count at the last round trip
    pending: int  # this process's requests since then
    synced_at: int


class _Batches:
    """This process's view of the high limits (the API's 600 and 1,200 a minute).

    Counting each of their requests in the store would cost a write per request (on
    SQLite, one of the few a second the database can take). Instead the process adds
    its requests up and sends them with the next round trip: at the latest a second
    later, at once for a key it has not seen in this window, and on every request once
    the count is within 10 % of the limit. A process sees the others' requests at most
    a second late, so near the limit every request is counted in the store, and a key
    can go over its limit by at most about a second of the other processes' requests
    before they are refused. Low limits (logins, password resets, wrong tokens) are
    always counted in the store; a count that is only read (the address's wrong tokens,
    on every API request) is taken from the last round trip when that was less than a
    second ago."""

    def __init__(self) -> None:
        self.seen: dict[str, _Seen] = {}
        self.lock = threading.Lock()

    def local(self, item: Count, allowed: int, now: int) -> int | None:
        """The count without a round trip, when it may be had; else None."""
        seen = self.seen.get(item.key)
        if seen is None or seen.window_end != item.window_end:
            return None
        if now - seen.synced_at >= BATCH_SECONDS:
            return None
        if item.delta and (
            allowed <= BATCH_ABOVE
            or seen.shared + seen.pending + item.delta >= allowed * BATCH_NEAR
        ):
            return None
        seen.pending += item.delta
        return seen.shared + seen.pending

    def outgoing(self, item: Count) -> Count:
        """The count to send: this request's and the ones waiting in its window."""
        seen = self.seen.get(item.key)
        if seen is None or seen.window_end != item.window_end or not seen.pending:
            return item
        return Count(item.key, item.window_end, item.delta + seen.pending)

    def synced(self, item: Count, shared: int, now: int) -> None:
        self.seen[item.key] = _Seen(item.window_end, shared, 0, now)
        if len(self.seen) > 10_000:
            self.seen = {k: v for k, v in self.seen.items() if v.window_end > now}

    def clear(self) -> None:
        with self.lock:
            self.seen.clear()


_batches = _Batches()


def forget_batches() -> None:
    """Drop this process's batched counts (the tests start each from none)."""
    _batches.clear()


def usages(limits: Sequence[Limit]) -> list[Usage | None]:
    """Count (or read) every limit of ``limits``, those that need the store in one
    round trip. Each answer is ``None`` when the store failed: the request goes
    through and the error is logged."""
    if not limits:
        return []
    now = int(time.time())
    parsed = [parse_rate(limit.rate) for limit in limits]
    rates = [allowed for allowed, _period in parsed]
    counts = []
    for limit, (_allowed, period) in zip(limits, parsed, strict=True):
        # The rate is part of the key: a changed setting counts afresh.
        key = f"{limit.group}:{limit.rate}:{limit.key}"
        counts.append(
            Count(key=key, window_end=_window_end(key, period, now), delta=int(limit.increment))
        )
    found: list[int | None] = []
    with _batches.lock:
        found = [
            _batches.local(item, allowed, now) for item, allowed in zip(counts, rates, strict=True)
        ]
        send = [i for i, value in enumerate(found) if value is None]
        if send:
            try:
                shared = store().count([_batches.outgoing(counts[i]) for i in send], now)
            except Exception:  # the store's own errors: redis, the database, the network
                logger.exception(
                    "rate limits %s could not be counted; not limiting",
                    [limits[i].group for i in send],
                )
                shared = []
            for i, value in zip(send, shared, strict=False):
                _batches.synced(counts[i], value, now)
                found[i] = value
    return [
        None
        if value is None
        else Usage(limit=allowed, count=value, reset=max(0, item.window_end - now))
        for allowed, item, value in zip(rates, counts, found, strict=True)
    ]


def usage(*, group: str, key: str, rate: str, increment: bool = True) -> Usage | None:
    """Count one limit (or only read it, ``increment=False``); see ``usages``."""
    return usages([Limit(group=group, key=key, rate=rate, increment=increment)])[0]


# --- the stores ----------------------------------------------------------------------


class MemoryStore:
    """``locmem://``: this process only."""

    def __init__(self) -> None:
        self._counts: dict[str, tuple[int, int]] = {}
        self._lock = threading.Lock()

    def count(self, counts: Sequence[Count], now: int) -> list[int]:
        found = []
        with self._lock:
            for item in counts:
                window_end, value = self._counts.get(item.key, (item.window_end, 0))
                value = value + item.delta if window_end == item.window_end else item.delta
                self._counts[item.key] = (item.window_end, value)
                found.append(value)
            if len(self._counts) > 100_000:
                self._counts = {k: v for k, v in self._counts.items() if v[0] > now}
        return found

    def clear(self) -> None:
        with self._lock:
            self._counts.clear()


#: Of the database store's calls, about one in this many also deletes the rows whose
#: window has ended.
PURGE_EVERY = 1000


class DatabaseStore:
    """``db://``: the ``RateCount`` table, through the default database connection in
    autocommit (a count is not part of the request's own transaction)."""

    def __init__(self, alias: str = "default") -> None:
        self.alias = alias

    def count(self, counts: Sequence[Count], now: int) -> list[int]:
        connection = connections[self.alias]
        quote = connection.ops.quote_name
        table = quote(RateCount._meta.db_table)
        key, end, value = (quote(c) for c in ("key", "window_end", "count"))
        rows = ", ".join(["(%s, %s, %s)"] * len(counts))
        # Identifiers come from the model and are quoted; values are parameters.
        sql = (
            f"INSERT INTO {table} ({key}, {end}, {value}) VALUES {rows} "  # noqa: S608
            f"ON CONFLICT ({key}) DO UPDATE SET "
            f"{value} = CASE WHEN {table}.{end} = excluded.{end} "
            f"THEN {table}.{value} + excluded.{value} ELSE excluded.{value} END, "
            f"{end} = excluded.{end} "
            f"RETURNING {key}, {value}"
        )
        params = [p for item in counts for p in (item.key, item.window_end, item.delta)]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            by_key = dict(cursor.fetchall())
            if random.randrange(PURGE_EVERY) == 0:  # noqa: S311 - not for security
                cursor.execute(f"DELETE FROM {table} WHERE {end} <= %s", [now])  # noqa: S608
        return [int(by_key[item.key]) for item in counts]

    def purge(self, now: int) -> int:
        """Delete the rows whose window has ended; how many went."""
        deleted, _kinds = RateCount.objects.filter(window_end__lte=now).delete()
        return deleted


class RedisStore:
    """``redis://``: one pipelined round trip per call; a key names its window's end and
    expires with it."""

    def __init__(self, url: str, prefix: str = "clientela:rate") -> None:
        self.client = redis.Redis.from_url(url)
        self.prefix = prefix

    def count(self, counts: Sequence[Count], now: int) -> list[int]:
        pipe = self.client.pipeline(transaction=False)
        for item in counts:
            key = f"{self.prefix}:{item.key}:{item.window_end}"
            pipe.incrby(key, item.delta)
            pipe.expireat(key, item.window_end + 1)
        answers = pipe.execute()
        return [int(answer) for answer in answers[::2]]


_stores: dict[tuple[Any, ...], Store] = {}
_stores_lock = threading.Lock()


def store() -> Store:
    """The store ``settings.CLIENTELA_RATE_STORE`` describes (from ``CLIENTELA_CACHE_URL``,
    see ``env.env_cache_url``), one per process and description."""
    described = settings.CLIENTELA_RATE_STORE
    ident = tuple(sorted(described.items()))
    found = _stores.get(ident)
    if found is None:
        with _stores_lock:
            found = _stores.get(ident)
            if found is None:
                found = _make_store(described)
                _stores[ident] = found
    return found


def _make_store(described: dict[str, Any]) -> Store:
    kind = described["STORE"]
    if kind == "db":
        return DatabaseStore()
    if kind == "redis":
        return RedisStore(described["LOCATION"], described.get("PREFIX", "clientela:rate"))
    if kind == "locmem":
        return MemoryStore()
    raise ValueError(f"unknown rate-limit store {kind!r}")
