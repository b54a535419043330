"""Reads shared within one unit of work (``memo_scope``): a mailbox poll's batch
reads the desk's settings, queues and SLA policies once, not once per message.

Outside a scope ``memoized`` simply loads: a page or an API call always reads what is
stored now. Inside one, the first load of a key is kept until the scope ends, so a
scope must be short (a batch of work, not a process) and must not change what it
memoizes; a value memoized is shared, and read-only by convention.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

T = TypeVar("T")

_store: ContextVar[dict[Hashable, Any] | None] = ContextVar("clientela_memo", default=None)


@contextmanager
def memo_scope() -> Iterator[None]:
    """Keep what ``memoized`` loads until the block ends (nested scopes share the
    outermost one)."""
    if _store.get() is not None:
        yield
        return
    token = _store.set({})
    try:
        yield
    finally:
        _store.reset(token)


def memoized(key: Hashable, load: Callable[[], T]) -> T:
    """``load()``, or inside a ``memo_scope`` what it gave the first time for ``key``."""
    store = _store.get()
    if store is None:
        return load()
    if key not in store:
        store[key] = load()
    return store[key]  # type: ignore[no-any-return]
