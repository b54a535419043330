"""What the action types share: the checks of their parameters where a rule comes in
(``ActionProblem`` naming the parameter), and the reads of the record a rule runs on
at run time: the record itself, its person and organization, its owner, its page.

A run-time failure is a ``ValidationError`` with the sentence the run log shows
(``failed``): the engine logs it as the step's message, rolls the action back and
stops the run.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from clientela.automation.rules.actions import ActionProblem, Context, checks_references
from clientela.contacts.models import Organization, Person
from clientela.core.kinds import MAX_ID, RECORD_KINDS
from clientela.core.models import User

#: The fields by which a record names its customer: a person, its people (the first
#: is the contact), a converted lead's person; its organization.
PERSON_FIELDS = ("person", "people", "converted_person")
ORGANIZATION_FIELDS = ("organization", "converted_organization")


# --- parameters, where a rule comes in --------------------------------------------------


def only(params: Mapping[str, Any], allowed: Collection[str]) -> None:
    """No other keys than ``allowed``."""
    extra = sorted(str(k) for k in set(params) - set(allowed))
    if extra:
        raise ActionProblem(extra[0][:30], _("Unknown key."))


def whole(params: Mapping[str, Any], key: str, low: int, high: int, default: int) -> int:
    value = params.get(key, default)
    if type(value) is not int or not low <= value <= high:
        raise ActionProblem(
            key, _("Give a whole number from %(low)s to %(high)s.") % {"low": low, "high": high}
        )
    return value


def known(exists: Callable[[], bool], key: str, message: str) -> None:
    """``ActionProblem(key, message)`` unless ``exists()`` (asked only where a rule
    comes in, ``checks_references``)."""
    if checks_references() and not exists():
        raise ActionProblem(key, message)


def an_id(params: Mapping[str, Any], key: str) -> int:
    """A record's id (a positive whole number; its digits as text, as a form sends)."""
    value = params.get(key)
    if isinstance(value, str) and value.isdecimal() and len(value) < 20:
        value = int(value)
    if type(value) is not int or not 0 < value < MAX_ID:
        raise ActionProblem(key, _("Give the id of a record (a whole number)."))
    return value


def text(params: Mapping[str, Any], key: str, limit: int, *, required: bool) -> str:
    """Text of at most ``limit`` characters, spaces at the ends dropped."""
    value = params.get(key, "")
    if not isinstance(value, str):
        raise ActionProblem(key, _("Give text."))
    value = value.strip()
    if required and not value:
        raise ActionProblem(key, _("This is required."))
    if len(value) > limit:
        raise ActionProblem(key, _("At most %(n)s characters.") % {"n": limit})
    return value


def choice(params: Mapping[str, Any], key: str, choices: Sequence[Any], default: str) -> str:
    """One of ``choices`` (a ``TextChoices``' values)."""
    value = params.get(key, default)
    if value not in choices:
        raise ActionProblem(
            key, _("Choose one of: %(values)s.") % {"values": ", ".join(map(str, choices))}
        )
    return str(value)


def a_user(params: Mapping[str, Any], key: str) -> int:
    """The id of an active user (not a system user)."""
    pk = an_id(params, key)
    if not checks_references():
        return pk
    if not User.objects.filter(pk=pk, is_active=True, is_system=False).exists():
        raise ActionProblem(key, _("There is no active user with this id."))
    return pk


# --- the record, at run time ------------------------------------------------------------


def failed(message: str) -> ValidationError:
    """A run-time failure with the sentence the run log shows."""
    return ValidationError(message)


def record_of(context: Context) -> Any:
    if context.record is None:
        raise failed(_("The record is gone."))
    return context.record


def _fields(model: type[Model]) -> set[str]:
    """The model's own fields (not the relations pointing at it)."""
    meta = model._meta
    return {f.name for f in [*meta.fields, *meta.many_to_many]}


def kinds_with(names: Collection[str], *models: type[Model]) -> frozenset[str]:
    """The kinds with an owner whose model is one of ``models`` or has one of the
    fields ``names``."""
    return frozenset(
        kind.resource
        for kind in RECORD_KINDS.values()
        if "owner" in _fields(kind.model)
        and (kind.model in models or _fields(kind.model) & set(names))
    )


def customer_kinds() -> frozenset[str]:
    """The kinds about a customer: people, organizations and the records that name
    one (leads, deals, quotes, orders, tickets, activities)."""
    return kinds_with((*PERSON_FIELDS, *ORGANIZATION_FIELDS), Person, Organization)


def person_kinds() -> frozenset[str]:
    """The kinds that are, or name, a person."""
    return kinds_with(PERSON_FIELDS, Person)


def _alive(found: Any) -> Any:
    return found if found is not None and getattr(found, "deleted_at", None) is None else None


def person_of(record: Any) -> Person | None:
    """The record's person: itself, its person, its first person (a deal's contact),
    a converted lead's person; None when it has none (or it is in the trash)."""
    if isinstance(record, Person):
        return record
    names = _fields(type(record))
    for name in PERSON_FIELDS:
        if name not in names:
            continue
        if name == "people":
            found = record.people.filter(deleted_at__isnull=True).order_by("pk").first()
        else:
            found = _alive(getattr(record, name))
        if found is not None:
            return found  # type: ignore[no-any-return]
    return None


def organization_of(record: Any) -> Organization | None:
    if isinstance(record, Organization):
        return record
    names = _fields(type(record))
    for name in ORGANIZATION_FIELDS:
        if name in names:
            found = _alive(getattr(record, name))
            if found is not None:
                return found  # type: ignore[no-any-return]
    return None


def owner_of(record: Any) -> User:
    """The record's owner, an active user; a failure otherwise."""
    owner = getattr(record, "owner", None)
    if owner is None or not owner.is_active or owner.is_system:
        raise failed(_("The record's owner is not an active user."))
    return owner  # type: ignore[no-any-return]


def page_of(resource: str, record: Any) -> str:
    """The URL of the record's page ("" for a kind without one)."""
    kind = RECORD_KINDS.get(resource)
    if kind is None or not kind.has_detail_page:
        return ""
    try:
        return reverse(kind.url("detail"), kwargs={"pk": record.pk})
    except NoReverseMatch:
        return ""


def step_index(context: Context) -> int:
    """The position of the running action in the rule (the engine has moved
    ``next_step`` past it)."""
    return int(context.run.next_step) - 1
