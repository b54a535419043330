"""Test data for every registered kind of record: each app's tests declare, per kind,
how to make a valid record through the kind's own service (``tests/factories.py``,
found by ``autodiscover_modules`` so that ``core`` names no domain app), and the
generic tests of ``core/tests/test_kinds_*.py`` give every kind its permission matrix,
CRUD, bad-input and query-count tests from the ``RecordKind`` and this entry alone.

A kind opts out of a part only through its declaration (no ``update`` service: no
update tests); where a kind legitimately differs, the entry says so in a field with a
comment (``owner_key``, ``managers``)."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.utils.module_loading import autodiscover_modules

from clientela.core.kinds import RecordKind, record_kind, record_kinds
from clientela.core.permissions import forget_rights

_labels = itertools.count(1)


def unique_label(prefix: str = "Kindtest") -> str:
    """A word no other record holds, so a search or an export can be checked for it
    (letters only: the search folds digits and words apart)."""
    n = next(_labels)
    letters = ""
    while True:
        n, rest = divmod(n, 26)
        letters = chr(ord("a") + rest) + letters
        if not n:
            break
    return f"{prefix}{letters}"


@contextmanager
def every_right(user: Any) -> Iterator[Any]:
    """``user`` with every right for the block (in memory only: nothing is saved), so
    a factory can make a record *owned* by a user whose role may not create it (a
    read-only user's own record) through the same service as everyone else."""
    was = user.is_superuser
    user.is_superuser = True
    forget_rights(user)
    try:
        yield user
    finally:
        user.is_superuser = was
        forget_rights(user)


@dataclass(frozen=True, kw_only=True)
class KindFactory:
    """How the generic tests make and change records of one kind."""

    #: The kind's permission key ("sales.deal"), as registered in ``core.kinds``.
    resource: str
    #: ``make(owner, label)``: a valid record owned by ``owner`` with ``label`` in its
    #: searchable text, made through the kind's service with ``owner`` as the actor
    #: (the generic tests lift the owner's rights for it: ``every_right``).
    make: Callable[[Any, str], Any]
    #: ``api_body(actor, label)``: the body of ``POST /api/v1/<path>`` that creates a
    #: valid record as ``actor`` (anything it needs first, such as a customer, is made
    #: with ``actor``'s rights lifted). Required when the kind has a create service.
    api_body: Callable[[Any, str], dict[str, Any]] | None = None
    #: A valid change for ``PATCH``; its keys are also the record's attributes, so a
    #: refused change can be checked to have left them as they were.
    change: dict[str, Any] = field(default_factory=dict)
    #: A field an empty ``POST`` body must be told is missing.
    required_field: str = ""
    #: The key of the create body that gives the new record to another user; None
    #: where the creator is always the owner (interactions, appointments), so their
    #: create matrix has only the "own" side.
    owner_key: str | None = "owner_id"
    #: Whether only a record's owner (its author) and admins may change or delete it,
    #: whatever the role's scope shows (the contact history: a teammate reads a logged
    #: call but may not rewrite it); anyone else is answered as if it were hidden (404).
    author_only: bool = False
    #: For a kind without rights of its own (``RecordKind.rights`` False: products,
    #: readable by everyone signed in): the roles that may change it.
    managers: tuple[str, ...] = ()
    #: Whether the kind is personal (``RecordKind.rights`` False, yet owned: dashboards):
    #: every role keeps its own and may create them, a record is read by its owner and
    #: by the team it is shared with, and changed or deleted by its owner alone (admins
    #: included); to anyone else it does not exist (404). ``make`` shares each record
    #: with its owner's team, so a teammate's is one the user reads but may not change.
    personal: bool = False
    #: For such a kind, the roles that may read it when not everyone signed in may
    #: (the service desk's calendars and SLA policies: admins alone); to anyone else
    #: it does not exist (404 on every action). None: everyone signed in.
    readers: tuple[str, ...] | None = None
    #: Whether the kind's API list is open to roles outside ``readers`` (queues: any
    #: role that may read tickets lists them for its pickers, though only admins open
    #: or change one); the matrix then leaves that list out of their read channels.
    api_list_open: bool = False
    #: The query of the API list that shows every record the user may see (the task
    #: list shows the user's own unless asked for all).
    api_list_params: dict[str, Any] = field(default_factory=dict)
    #: Whether the list page shows every record the user may see; where it does not
    #: (the task list: one's own, the team's or the overdue ones), the page is only
    #: checked never to show a hidden record.
    list_page_shows_all: bool = True

    @property
    def kind(self) -> RecordKind:
        return record_kind(self.resource)

    def make_owned(self, owner: Any, label: str | None = None) -> Any:
        with every_right(owner):
            return self.make(owner, label or unique_label())

    def body(self, actor: Any, label: str | None = None) -> dict[str, Any]:
        assert self.api_body is not None, f"{self.resource} has no api_body"
        with every_right(actor):
            return self.api_body(actor, label or unique_label())


_FACTORIES: dict[str, KindFactory] = {}


def register_kind_factory(factory: KindFactory) -> KindFactory:
    """Called by an app's ``tests/factories.py`` for each of its kinds."""
    _FACTORIES[factory.resource] = factory
    return factory


@functools.cache
def _discover() -> None:
    autodiscover_modules("tests.factories")


def kind_factories() -> dict[str, KindFactory]:
    """Every registered kind's factory, by resource, in the kinds' order."""
    _discover()
    return {k.resource: _FACTORIES[k.resource] for k in record_kinds() if k.resource in _FACTORIES}


def kinds_without_factory() -> list[str]:
    _discover()
    return [k.resource for k in record_kinds() if k.resource not in _FACTORIES]
