"""Which interface (web, API, CLI, import, system) the current code runs for.

Each entry point sets it once (middleware, API auth, management commands, the
importer); services read it when they write the audit entry, so no service needs
an extra argument to know where a change came from.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from clientela.core.choices import Interface

_interface: ContextVar[str] = ContextVar("clientela_interface", default=Interface.SYSTEM)


def current_interface() -> str:
    return _interface.get()


@contextmanager
def interface(name: str) -> Iterator[None]:
    token = _interface.set(name)
    try:
        yield
    finally:
        _interface.reset(token)


def set_interface(name: str) -> None:
    """For entry points that own the whole thread of execution (a CLI command)."""
    _interface.set(name)
