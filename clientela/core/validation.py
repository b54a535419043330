"""Input checks every domain's services share: text within the model's limits, aware
datetimes, lists of ids, active users, and the owner/team rule.

Each check adds messages to an ``errors`` dict keyed by the input field, so a service
reports every problem of a request at once and saves nothing; ``raise_errors`` turns
the dict into a ``ValidationError``. Checks about one domain's records live with that
domain (``contacts.links`` for the people and organization a record names).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clientela.core.choices import Scope
from clientela.core.models import Team, User
from clientela.core.permissions import rights_for

Errors = dict[str, list[str]]


def add(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def raise_errors(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors)


def clean_text(
    model: type[Model], data: Any, names: tuple[str, ...], errors: Errors
) -> dict[str, str]:
    """The text fields present in ``data``, stripped and within the model's limits
    (``full_clean`` does not check ``max_length`` of TextFields)."""
    cleaned: dict[str, str] = {}
    for name in names:
        if name not in data:
            continue
        value = data[name]
        if value is not None and not isinstance(value, str):
            add(errors, name, _("Enter text."))
            continue
        value = (value or "").strip()
        limit = getattr(model._meta.get_field(name), "max_length", None)
        if limit is not None and len(value) > limit:
            add(
                errors,
                name,
                _("At most %(limit)s characters (this has %(n)s).")
                % {"limit": limit, "n": len(value)},
            )
            continue
        cleaned[name] = value
    return cleaned


def clean_datetime(
    value: Any, field: str, errors: Errors, *, required: bool
) -> datetime.datetime | None:
    if value is None:
        if required:
            add(errors, field, _("This field is required."))
        return None
    if not isinstance(value, datetime.datetime):
        add(errors, field, _("Enter a date and time."))
        return None
    if timezone.is_naive(value):
        add(errors, field, _("Give the time zone of the date and time."))
        return None
    return value


def clean_ids(value: Any, field: str, errors: Errors) -> list[int] | None:
    """A list of whole-number ids, without repeats, in the order given."""
    if not isinstance(value, list | tuple) or any(type(i) is not int for i in value):
        add(errors, field, _("Give a list of whole-number ids."))
        return None
    return list(dict.fromkeys(value))


def clean_users(value: Any, field: str, errors: Errors) -> list[User] | None:
    """The active users of a list of ids."""
    ids = clean_ids(value, field, errors)
    if ids is None:
        return None
    found = {u.pk: u for u in User.objects.filter(pk__in=ids, is_active=True)}
    unknown = [str(i) for i in ids if i not in found]
    if unknown:
        add(errors, field, _("Unknown user id(s): %(ids)s.") % {"ids": ", ".join(unknown)})
        return None
    return [found[i] for i in ids]


# --- owner and team -------------------------------------------------------------------


@dataclass(frozen=True)
class OwnerRule:
    """The input field and the words with which ``assign_owner_team`` refuses an owner:
    each domain's forms name the owner differently ("owner", "owner_id", the task's
    "assignee_id"), so each reports where its users look."""

    inactive: tuple[str, Any]
    no_team: tuple[str, Any]
    not_own: tuple[str, Any]
    not_team: tuple[str, Any]


#: How the customer base words it (its forms have an owner and a team field).
RECORD_OWNER = OwnerRule(
    inactive=("owner", gettext_lazy("The owner must be an active user.")),
    no_team=("team", gettext_lazy("Choose a team: the owner belongs to none.")),
    not_own=("owner", gettext_lazy("You can only own records yourself.")),
    not_team=("team", gettext_lazy("You can only give records to your own team.")),
)


def assign_owner_team(
    actor: User,
    resource: str,
    owner: User | None,
    errors: Errors,
    *,
    team: Team | None = None,
    rule: OwnerRule = RECORD_OWNER,
) -> tuple[User, Team] | None:
    """(owner, team) of a new or reassigned record of ``resource``: the owner defaults
    to the actor and the team to the owner's (else the actor's). A role scoped to its
    own records may only give records to itself, one scoped to its team only within its
    team, so nobody hands a record to where they could no longer see it. None when
    refused (the reason is in ``errors``, placed and worded by ``rule``)."""
    owner = owner or actor
    team = team or owner.team or actor.team
    scope = rights_for(actor, resource).scope
    if not owner.is_active:
        field, message = rule.inactive
    elif team is None:
        field, message = rule.no_team
    elif scope == Scope.OWN and owner.pk != actor.pk:
        field, message = rule.not_own
    elif scope == Scope.TEAM and team.pk != actor.team_id:
        field, message = rule.not_team
    else:
        return owner, team
    add(errors, field, str(message))
    return None


__all__ = [
    "RECORD_OWNER",
    "Errors",
    "OwnerRule",
    "add",
    "assign_owner_team",
    "clean_datetime",
    "clean_ids",
    "clean_text",
    "clean_users",
    "raise_errors",
]
