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


# --- the rules acting now (automation's loop protection) ----------------------------

_chain: ContextVar[tuple[str, ...]] = ContextVar("clientela_rule_chain", default=())


def current_chain() -> tuple[str, ...]:
    """The ids of the automation rules whose actions run now, outermost first; every
    domain event emitted meanwhile carries them (``Event.chain``), so a rule can tell a
    change it caused itself and stop a chain that grows too long."""
    return _chain.get()


@contextmanager
def acting_rule(rule_id: str) -> Iterator[None]:
    """Run a rule's actions: ``rule_id`` is added to the chain for the block."""
    token = _chain.set((*_chain.get(), str(rule_id)))
    try:
        yield
    finally:
        _chain.reset(token)


@contextmanager
def chain(rule_ids: tuple[str, ...]) -> Iterator[None]:
    """Continue the chain an event carried (a handler reacting to an ``Event`` runs
    under ``chain(event.chain)``, then ``acting_rule`` for its own rule)."""
    token = _chain.set(tuple(rule_ids))
    try:
        yield
    finally:
        _chain.reset(token)
