"""Every default role x every action x a record of the user's own team and of the other
team, for people and organizations, through the selectors, services and search.

Outcomes: ``ok``; ``404`` (NotFound: the record is hidden, so its id is not disclosed);
``403`` (PermissionDenied: visible, but the role may not do this); ``422``
(ValidationError: e.g. handing a record to a team the user cannot give to).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from clientela.contacts import selectors, services
from clientela.contacts.filters import ContactFilters
from clientela.contacts.models import Organization, Person
from clientela.core import search
from clientela.core.errors import NotFound, PermissionDenied
from clientela.core.models import Team, User

pytestmark = pytest.mark.django_db

ROLE_USERS = ["admin", "manager_north", "rep_north", "marketer", "support", "reader"]


@dataclass(frozen=True)
class Kind:
    name: str
    model: type[Person] | type[Organization]
    get: Callable[..., Any]
    list: Callable[..., Any]
    create: Callable[..., Any]
    update: Callable[..., Any]
    trash: Callable[..., Any]
    rename: dict[str, str]


KINDS = {
    "person": Kind(
        "person",
        Person,
        selectors.person_get,
        selectors.person_list,
        lambda actor, **data: services.person_create(actor=actor, data=data),
        lambda actor, record, data: services.person_update(actor=actor, person=record, data=data),
        lambda actor, record: services.person_trash(actor=actor, person=record),
        {"last_name": "Renamed"},
    ),
    "organization": Kind(
        "organization",
        Organization,
        selectors.organization_get,
        selectors.organization_list,
        lambda actor, **data: services.organization_create(actor=actor, data=data),
        lambda actor, record, data: services.organization_update(
            actor=actor, organization=record, data=data
        ),
        lambda actor, record: services.organization_trash(actor=actor, organization=record),
        {"name": "Renamed Ltd"},
    ),
}

# role -> action -> (outcome on own team's record, outcome on the other team's record)
EXPECTED: dict[str, dict[str, tuple[str, str]]] = {
    "admin": {
        "get": ("ok", "ok"),
        "list": ("ok", "ok"),
        "search": ("ok", "ok"),
        "update": ("ok", "ok"),
        "trash": ("ok", "ok"),
        "create": ("ok", "ok"),
    },
    "manager_north": {
        "get": ("ok", "404"),
        "list": ("ok", "404"),
        "search": ("ok", "404"),
        "update": ("ok", "404"),
        "trash": ("ok", "404"),
        "create": ("ok", "422"),
    },
    "rep_north": {
        "get": ("ok", "404"),
        "list": ("ok", "404"),
        "search": ("ok", "404"),
        "update": ("ok", "404"),
        "trash": ("ok", "404"),
        "create": ("ok", "422"),
    },
    "marketer": {
        "get": ("ok", "ok"),
        "list": ("ok", "ok"),
        "search": ("ok", "ok"),
        "update": ("ok", "ok"),
        "trash": ("403", "403"),
        "create": ("ok", "ok"),
    },
    "support": {
        "get": ("ok", "ok"),
        "list": ("ok", "ok"),
        "search": ("ok", "ok"),
        "update": ("ok", "ok"),
        "trash": ("403", "403"),
        "create": ("ok", "ok"),
    },
    "reader": {
        "get": ("ok", "ok"),
        "list": ("ok", "ok"),
        "search": ("ok", "ok"),
        "update": ("403", "403"),
        "trash": ("403", "403"),
        "create": ("403", "403"),
    },
}

CASES = [
    (kind, role, action, side, EXPECTED[role][action][i])
    for kind in KINDS
    for role in ROLE_USERS
    for action in EXPECTED[role]
    for i, side in enumerate(("own_team", "other_team"))
]


def _outcome(fn: Callable[[], Any]) -> str:
    try:
        fn()
    except NotFound:
        return "404"
    except PermissionDenied:
        return "403"
    except ValidationError:
        return "422"
    return "ok"


def _visible(found: bool) -> None:
    if not found:
        raise NotFound()


@pytest.mark.parametrize(
    ("kind_name", "role", "action", "side", "expected"),
    CASES,
    ids=[f"{k}-{r}-{a}-{s}" for k, r, a, s, _e in CASES],
)
def test_matrix(
    request: pytest.FixtureRequest,
    admin: User,
    rep_north2: User,
    rep_south: User,
    kind_name: str,
    role: str,
    action: str,
    side: str,
    expected: str,
) -> None:
    kind = KINDS[kind_name]
    user: User = request.getfixturevalue(role)
    own_team = user.team.name if user.team else "North"
    owners = {"North": rep_north2, "South": rep_south}
    other_team = "South" if own_team == "North" else "North"
    team_name = own_team if side == "own_team" else other_team
    label = f"Matrixtarget {team_name}"
    base = {"name": label} if kind_name == "organization" else {"last_name": label}
    record = kind.create(admin, owner=owners[team_name], **base)
    model = kind.model

    def get() -> None:
        kind.get(user=user, pk=record.pk)

    def list_() -> None:
        _visible(kind.list(user=user, filters=ContactFilters()).filter(pk=record.pk).exists())

    def find() -> None:
        hits = search.search(user=user, query="matrixtarget", resources=[model.RESOURCE])
        _visible(any(h.object_id == record.pk for h in hits))

    def update() -> None:
        kind.update(user, record, dict(kind.rename))

    def trash() -> None:
        kind.trash(user, record)

    def create() -> None:
        kind.create(user, team=Team.objects.get(name=team_name), **base)

    actions = {
        "get": get,
        "list": list_,
        "search": find,
        "update": update,
        "trash": trash,
        "create": create,
    }
    before = model.objects.count()
    outcome = _outcome(actions[action])
    assert outcome == expected
    record.refresh_from_db()
    if action == "update":
        changed = kind.rename == {k: getattr(record, k) for k in kind.rename}
        assert changed == (outcome == "ok")
    if action == "trash":
        assert (record.deleted_at is not None) == (outcome == "ok")
    if action == "create":
        assert model.objects.count() == before + (1 if outcome == "ok" else 0)
    if outcome != "ok" and action in ("update", "trash"):
        assert record.version == 1
