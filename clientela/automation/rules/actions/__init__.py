"""The registry of action types a rule's ``actions`` may use.

An action type is a key ("create_task"), a label, the parameters its editor shows
(``Param``), the kinds of record it applies to, ``clean(params, resource)`` that checks
the parameters where they come in (``ActionProblem`` naming the parameter) and returns
them as stored, and ``run(context, params)`` that acts through the owning app's service
as ``context.actor`` (the system user) and says what it did (``Outcome``). ``run``
raises to report a failure: the engine rolls back that action's writes (a savepoint)
and logs the error. The action types are registered by ``automation.apps``.
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ImproperlyConfigured


class ActionProblem(Exception):
    """A bad parameter: ``param`` is its name ("" for the whole action)."""

    def __init__(self, param: str, message: str) -> None:
        self.param = param
        self.message = message
        super().__init__(f"{param}: {message}" if param else message)


@dataclass(frozen=True)
class Param:
    """One parameter of an action, as the rule editor shows it. ``kind`` is one of
    text, longtext, int, choice, bool; a choice's ``choices()`` gives (value, label)."""

    name: str
    label: Any
    kind: str = "text"
    required: bool = True
    choices: Callable[[], Sequence[tuple[str, Any]]] | None = None
    help: Any = ""


@dataclass
class Context:
    """What an action runs with: the rule, its run, the actor (the system user), the
    record the rule runs on (None for a record gone) and its kind."""

    rule: Any
    run: Any
    actor: Any
    resource: str
    record: Any


@dataclass(frozen=True)
class Outcome:
    """What an action did, for the run log: a sentence and, if it made or changed a
    record with a page, that page's URL."""

    message: str
    url: str = ""


@dataclass(frozen=True, kw_only=True)
class ActionType:
    key: str
    label: Any
    params: tuple[Param, ...] = ()
    clean: Callable[[Mapping[str, Any], str], dict[str, Any]]
    run: Callable[[Context, Mapping[str, Any]], Outcome]
    #: The kinds of record it applies to (None: every kind).
    resources: frozenset[str] | None = None
    #: Whether it changes the record the rule runs on (refused on a trigger whose
    #: record is gone: "deleted"); and the record's fields it sets, for the check
    #: against a trigger on a field's change (``changes(params) -> field names``).
    changes_record: bool = False
    changes: Callable[[Mapping[str, Any]], Mapping[str, Any]] | None = None
    #: For "wait": how long the run waits before the next action.
    delay: Callable[[Mapping[str, Any]], datetime.timedelta] | None = None
    order: int = 100
    extra: Mapping[str, Any] = field(default_factory=dict)

    def applies_to(self, resource: str) -> bool:
        return self.resources is None or resource in self.resources


_types: dict[str, ActionType] = {}

_check_references: ContextVar[bool] = ContextVar("rules_check_references", default=True)


def checks_references() -> bool:
    """Whether ``clean`` looks up what the action names (a template, a list, a user…):
    where a rule comes in, yes; when a stored rule is parsed to run (``as_stored``),
    no: one deleted since fails the step that needs it, in the run log, instead of
    the whole rule being skipped."""
    return _check_references.get()


@contextlib.contextmanager
def as_stored() -> Iterator[None]:
    token = _check_references.set(False)
    try:
        yield
    finally:
        _check_references.reset(token)


def register_action(action: ActionType) -> ActionType:
    known = _types.get(action.key)
    if known is not None and known != action:
        raise ImproperlyConfigured(f"Action type {action.key!r} registered twice.")
    _types[action.key] = action
    return action


def action_type(key: str) -> ActionType | None:
    return _types.get(key)


def action_types(resource: str | None = None) -> list[ActionType]:
    """Every action type (those that apply to ``resource``, when given)."""
    found = [a for a in _types.values() if resource is None or a.applies_to(resource)]
    return sorted(found, key=lambda a: (a.order, a.key))
