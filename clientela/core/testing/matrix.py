"""The permission matrix of every registered kind: each default role × each action
(read, create, update, delete) × a record of the user's own, of a teammate's and of
the other team's, through every channel that reaches the record: the service or
selector, the pages, the REST API, the header search and the exports.

Outcomes: ``ok``; ``404`` (the record is hidden, so its id is not disclosed — never a
403 for a record the user may not see); ``403`` (visible, but the role may not do
this); ``422`` (e.g. giving a new record to a team the user cannot give to).

Every role gets the same default rights on every kind with rights
(``core.permissions.DEFAULT_ROLE_RIGHTS``), so one table serves all of them; it is
written out by hand, not derived from those defaults, so that a change to them shows
up here. A kind without rights (``RecordKind.rights`` False: the catalogue) is read by
everyone signed in and changed by its factory's ``managers``; "own/team/other" does
not apply to it, so its records have the one side ``any``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import NoReverseMatch, reverse

from clientela.core.errors import NotFound, PermissionDenied
from clientela.core.kinds import RecordKind
from clientela.core.testing.api import Api
from clientela.core.testing.kinds import KindFactory, kind_factories

#: The fixtures (``conftest.py``) of the six default roles: North is the admin's and
#: the manager's and rep's team, South the others'.
ROLE_USERS = ("admin", "manager_north", "rep_north", "marketer", "support", "reader")
#: Per team, a colleague of the role's user and a user of the other team, both reps.
TEAMMATE = {"North": "rep_north2", "South": "rep_south"}
OTHER_TEAM = {"North": "rep_south", "South": "rep_north2"}
SIDES = ("own", "team", "other")
ACTIONS = ("read", "update", "delete", "create")

OK, HIDDEN, REFUSED, INVALID = "ok", "404", "403", "422"

# role -> action -> outcome on (own, team, other)
EXPECTED: dict[str, dict[str, tuple[str, str, str]]] = {
    "admin": {
        "read": (OK, OK, OK),
        "update": (OK, OK, OK),
        "delete": (OK, OK, OK),
        "create": (OK, OK, OK),
    },
    "manager_north": {
        "read": (OK, OK, HIDDEN),
        "update": (OK, OK, HIDDEN),
        "delete": (OK, OK, HIDDEN),
        "create": (OK, OK, INVALID),
    },
    "rep_north": {
        "read": (OK, OK, HIDDEN),
        "update": (OK, OK, HIDDEN),
        "delete": (OK, OK, HIDDEN),
        "create": (OK, OK, INVALID),
    },
    "marketer": {
        "read": (OK, OK, OK),
        "update": (OK, OK, OK),
        "delete": (REFUSED, REFUSED, REFUSED),
        "create": (OK, OK, OK),
    },
    "support": {
        "read": (OK, OK, OK),
        "update": (OK, OK, OK),
        "delete": (REFUSED, REFUSED, REFUSED),
        "create": (OK, OK, OK),
    },
    "reader": {
        "read": (OK, OK, OK),
        "update": (REFUSED, REFUSED, REFUSED),
        "delete": (REFUSED, REFUSED, REFUSED),
        "create": (REFUSED, REFUSED, REFUSED),
    },
}


@dataclass(frozen=True)
class Case:
    resource: str
    role: str
    action: str
    side: str
    expected: str

    @property
    def id(self) -> str:
        return f"{self.resource}-{self.role}-{self.action}-{self.side}"


def _has_action(kind: RecordKind, action: str) -> bool:
    """Whether the kind's declaration has the service an action needs."""
    service = {"read": kind.get_selector, "update": kind.update, "delete": kind.trash}
    return (kind.create if action == "create" else service[action]) is not None


def _unowned_expected(factory: KindFactory, role_key: str, action: str) -> str:
    if action == "read":
        return OK
    return OK if role_key in factory.managers else REFUSED


#: Role key of each role fixture (for a kind's ``managers``).
ROLE_KEYS = {
    "admin": "admin",
    "manager_north": "manager",
    "rep_north": "sales",
    "marketer": "marketing",
    "support": "support",
    "reader": "read_only",
}


def cases(actions: tuple[str, ...]) -> list[Case]:
    """Every (kind, role, action, side) of ``actions`` the kinds' declarations have."""
    found = []
    for resource, factory in kind_factories().items():
        kind = factory.kind
        for action in actions:
            if not _has_action(kind, action):
                continue
            for role in ROLE_USERS:
                if not kind.rights:
                    expected = _unowned_expected(factory, ROLE_KEYS[role], action)
                    found.append(Case(resource, role, action, "any", expected))
                    continue
                for i, side in enumerate(SIDES):
                    if action == "create" and side != "own" and factory.owner_key is None:
                        continue
                    found.append(Case(resource, role, action, side, EXPECTED[role][action][i]))
    return found


# --- the channels ---------------------------------------------------------------------


def outcome(fn: Callable[[], Any]) -> str:
    """A service's or selector's answer as an outcome."""
    try:
        fn()
    except NotFound:
        return HIDDEN
    except PermissionDenied:
        return REFUSED
    except ValidationError:
        return INVALID
    return OK


def status_outcome(status: int) -> str:
    """An HTTP status as an outcome; anything unexpected is shown as itself."""
    if status in (200, 201, 204, 302):
        return OK
    return {404: HIDDEN, 403: REFUSED, 422: INVALID}.get(status, f"HTTP {status}")


def page_url(kind: RecordKind, action: str, pk: int | None = None) -> str | None:
    """The URL of one of the kind's pages, or None where the kind has no such page
    (interactions are logged on the timeline; orders change by status only)."""
    try:
        return reverse(kind.url(action), kwargs={"pk": pk} if pk is not None else None)
    except NoReverseMatch:
        return None


def record_links(kind: RecordKind, pk: int) -> list[str]:
    """The URLs a list or search result links a record by."""
    links = (page_url(kind, action, pk) for action in ("detail", "edit"))
    return [f'href="{url}"' for url in links if url]


def api_url(kind: RecordKind, pk: Any = None) -> str:
    return f"/api/v1/{kind.path}" + ("" if pk is None else f"/{pk}")


def api_for(kind: RecordKind, user: Any) -> Api:
    return Api(user, tuple(kind.api_scopes))


def browser(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_ids(api: Api, factory: KindFactory) -> set[int]:
    response = api.get(api_url(factory.kind), {"limit": 100, **factory.api_list_params})
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


def seen(found: bool) -> str:
    return OK if found else HIDDEN


def read_outcomes(factory: KindFactory, user: Any, record: Any, label: str) -> dict[str, str]:
    """Whether ``user`` sees ``record`` through each channel that shows it."""
    kind, pk = factory.kind, record.pk
    api, client = api_for(kind, user), browser(user)
    links = record_links(kind, pk)
    found = {
        "selector": outcome(lambda: kind.get(user=user, pk=pk)),
        "api get": status_outcome(api.get(api_url(kind, pk)).status_code),
        "api list": seen(pk in api_ids(api, factory)),
    }
    detail = page_url(kind, "detail", pk)
    if detail is not None:
        found["detail page"] = status_outcome(client.get(detail).status_code)
    listing = page_url(kind, "list")
    if listing is not None:
        # A row shows the label, and links the record where the user may open it.
        html = client.get(listing).content.decode()
        shown = label in html or any(link in html for link in links)
        if shown or factory.list_page_shows_all:
            found["list page"] = seen(shown)
    if kind.searchable and links:
        html = client.get(reverse("core:search"), {"q": label}).content.decode()
        found["header search"] = seen(any(link in html for link in links))
    if kind.exportable:
        response = client.get(reverse("integrations:export", args=[kind.path, "csv"]))
        found["export"] = seen(label in b"".join(response.streaming_content).decode())
    return found
