"""What keeps ``clientela worker`` running when the database is busy or gone for a
while: "database is locked" on SQLite (another process holds the write lock longer
than the busy timeout), a dropped connection on PostgreSQL (a restart, a fail-over).

The task runner itself (``django_tasks_db``'s loop) stops at the first such error; the
worker runs each step again instead, after a wait that doubles from
``CLIENTELA_WORKER_RETRY_MS`` up to ``CLIENTELA_WORKER_RETRY_MAX_MS``, logging each
failure. Other errors (a missing table, a bug) still stop it: retrying cannot help."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings
from django.db import InterfaceError, OperationalError, connections

logger = logging.getLogger("clientela.worker")

#: The database errors a worker waits out: busy, locked, disconnected.
RETRYABLE = (OperationalError, InterfaceError)

T = TypeVar("T")


@dataclass
class Backoff:
    """Waits that double from ``first`` to ``maximum`` seconds."""

    first: float
    maximum: float
    current: float = 0.0

    @classmethod
    def from_settings(cls) -> Backoff:
        return cls(
            settings.CLIENTELA_WORKER_RETRY_MS / 1000, settings.CLIENTELA_WORKER_RETRY_MAX_MS / 1000
        )

    def next(self) -> float:
        self.current = min(self.maximum, self.current * 2 if self.current else self.first)
        return self.current

    def reset(self) -> None:
        self.current = 0.0


def until_done(
    step: Callable[[], T],
    *,
    what: str,
    backoff: Backoff | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run ``step`` until it ends without a busy or lost database; each such failure is
    logged, the connections are closed (a new one is made on the next query) and the
    next try waits longer. A step that ran well for longer than the longest wait starts
    the waits over."""
    backoff = backoff or Backoff.from_settings()
    while True:
        started = time.monotonic()
        try:
            return step()
        except RETRYABLE as exc:
            if time.monotonic() - started > backoff.maximum:
                backoff.reset()
            delay = backoff.next()
            logger.warning("%s: database error (%s); trying again in %.1f s", what, exc, delay)
            connections.close_all()
            sleep(delay)
