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
up here. A kind that gives some roles rights of its own (``RecordKind.default_rights``,
seeing all records) expects for those roles what those rights allow.
A kind without rights (``RecordKind.rights`` False: the catalogue) is read by
everyone signed in and changed by its factory's ``managers``; "own/team/other" does
not apply to it, so its records have the one side ``any``. A personal kind without
rights (``KindFactory.personal``: dashboards) has the three sides, with the same
outcomes for every role (``PERSONAL``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import NoReverseMatch, reverse

from clientela.core.choices import Scope
from clientela.core.errors import NotFound, PermissionDenied
from clientela.core.kinds import RecordKind
from clientela.core.models import RolePermission
from clientela.core.services import role_permission_update
from clientela.core.testing.api import Api
from clientela.core.testing.kinds import KindFactory, kind_factories

#: The fixtures (``conftest.py``) of the six default roles: North is the admin's and
#: the manager's and rep's team, South the others'. No default role sees only its own
#: records, so ``OWN_SCOPED`` is a North rep whose role an admin narrowed to its own
#: records of the kind (``role_user``): without it "own" and "team" would never differ.
OWN_SCOPED = "rep_own_scope"
ROLE_USERS = ("admin", "manager_north", "rep_north", "marketer", "support", "reader", OWN_SCOPED)
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
    OWN_SCOPED: {
        "read": (OK, HIDDEN, HIDDEN),
        "update": (OK, HIDDEN, HIDDEN),
        "delete": (OK, HIDDEN, HIDDEN),
        "create": (OK, INVALID, INVALID),
    },
}


# action -> outcome on (own, team, other) of a personal kind, whatever the role: the
# teammate's record is shared with the team (its factory shares every record), the
# other team's is shared with that team. Its creator is always its owner.
PERSONAL: dict[str, tuple[str, str, str]] = {
    "read": (OK, OK, HIDDEN),
    "update": (OK, HIDDEN, HIDDEN),
    "delete": (OK, HIDDEN, HIDDEN),
    "create": (OK, INVALID, INVALID),
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


def role_user(request: Any, role: str, resource: str) -> Any:
    """The user of a case's role (a fixture; ``OWN_SCOPED`` made here)."""
    if role != OWN_SCOPED:
        return request.getfixturevalue(role)
    admin = request.getfixturevalue("admin")
    user = request.getfixturevalue("make_user")("olga_own", "sales", "North")
    role_permission_update(
        actor=admin,
        permission=RolePermission.objects.get(role=user.role, resource=resource),
        can_create=True,
        can_read=True,
        can_update=True,
        can_delete=True,
        scope=Scope.OWN,
    )
    return user


def owner_for(request: Any, user: Any, side: str) -> Any:
    """The owner of the record a case acts on: ``user`` itself, a teammate, or a user of
    the other team (fixtures, through pytest's ``request``); "any" for unowned kinds."""
    team = user.team.name
    name = {"team": TEAMMATE[team], "other": OTHER_TEAM[team]}.get(side)
    return user if name is None else request.getfixturevalue(name)


def _has_action(kind: RecordKind, action: str) -> bool:
    """Whether the kind's declaration has the service an action needs."""
    service = {"read": kind.get_selector, "update": kind.update, "delete": kind.trash}
    return (kind.create if action == "create" else service[action]) is not None


def _unowned_expected(factory: KindFactory, role_key: str, action: str) -> str:
    if factory.readers is not None and role_key not in factory.readers:
        return HIDDEN  # a kind the role may not even read does not exist for it
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
    OWN_SCOPED: "sales",
}


def _authors_only(role: str, action: str, side: str) -> bool:
    """Whether a kind changed by its authors and admins alone (``author_only``) hides
    this case's record from the role: someone else's, changed by anyone but an admin."""
    return action in ("update", "delete") and side != "own" and role != "admin"


def _given_table(rights: Any) -> dict[str, tuple[str, str, str]]:
    """The outcomes of a role the kind gives rights of its own (``RecordKind.
    default_rights``: marketing's kinds are kept by the marketing role and read by
    sales reps), seeing all records: each action allowed on every side or refused."""
    assert rights.scope == Scope.ALL, "a kind's own default rights see all records"
    return {
        action: (OK, OK, OK) if getattr(rights, action) else (REFUSED, REFUSED, REFUSED)
        for action in ACTIONS
    }


def _outcomes(factory: KindFactory, role: str, action: str) -> list[tuple[str, str]]:
    """The (side, expected outcome) pairs of one role and action on the factory's kind."""
    kind = factory.kind
    if not kind.rights and role == OWN_SCOPED:
        return []  # no rights to narrow
    if not kind.rights and not factory.personal:
        return [("any", _unowned_expected(factory, ROLE_KEYS[role], action))]
    given = kind.default_rights.get(ROLE_KEYS[role]) if role != OWN_SCOPED else None
    if factory.personal:
        table = PERSONAL
    elif given is not None:
        table = _given_table(given)
    else:
        table = EXPECTED[role]
    found = []
    for i, side in enumerate(SIDES):
        if action == "create" and side != "own" and factory.owner_key is None:
            continue
        expected = table[action][i]
        if factory.author_only and _authors_only(role, action, side):
            expected = HIDDEN
        found.append((side, expected))
    return found


def cases(actions: tuple[str, ...]) -> list[Case]:
    """Every (kind, role, action, side) of ``actions`` the kinds' declarations have."""
    found = []
    for resource, factory in kind_factories().items():
        for action in actions:
            if not _has_action(factory.kind, action):
                continue
            for role in ROLE_USERS:
                for side, expected in _outcomes(factory, role, action):
                    found.append(Case(resource, role, action, side, expected))
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
    return f"/api/v1/{kind.api_route}" + ("" if pk is None else f"/{pk}")


def api_for(kind: RecordKind, user: Any) -> Api:
    return Api(user, tuple(kind.api_scopes))


def browser(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_ids(api: Api, factory: KindFactory, *, reader: bool = True) -> set[int]:
    """The ids the API list shows ``api``'s user; for a kind the user may not read at
    all (``readers``, ``reader`` False) the list itself is not found."""
    response = api.get(api_url(factory.kind), {"limit": 100, **factory.api_list_params})
    if not reader:
        assert response.status_code == 404, response.content
        return set()
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


def _reads(factory: KindFactory, user: Any) -> bool:
    """Whether ``user``'s role may read the factory's kind at all (``readers``)."""
    if factory.readers is None:
        return True
    role = "admin" if user.is_admin else getattr(user.role, "key", "")
    return role in factory.readers


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
    }
    reader = _reads(factory, user)
    if reader or not factory.api_list_open:
        found["api list"] = seen(pk in api_ids(api, factory, reader=reader))
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
        # The export takes the list's filters, so the same view as the API list.
        url = reverse("integrations:export", args=[kind.path, "csv"])
        response: Any = client.get(url, factory.api_list_params)
        found["export"] = seen(label in b"".join(response.streaming_content).decode())
    return found


def _values(record: Any, keys: Any) -> dict[str, Any]:
    record.refresh_from_db()
    return {key: getattr(record, key) for key in keys}


def update_outcomes(factory: KindFactory, user: Any, record: Any) -> dict[str, str]:
    """Whether ``user`` may change ``record`` through the edit page and the API; a
    refused change must leave the record as it was (same values, same version)."""
    kind, pk = factory.kind, record.pk
    before = _values(record, factory.change)
    version = getattr(record, "version", None)
    client, api = browser(user), api_for(kind, user)
    found = {}
    edit = page_url(kind, "edit", pk)
    if edit is not None:
        found["edit page"] = status_outcome(client.get(edit).status_code)
        if found["edit page"] != OK:
            # Refused before the form is even read: an empty form is not "invalid".
            found["edit page (post)"] = status_outcome(client.post(edit, {}).status_code)
    found["api patch"] = status_outcome(api.patch(api_url(kind, pk), factory.change).status_code)
    after = _values(record, factory.change)
    if found["api patch"] == OK:
        assert after == factory.change, after
    else:
        assert after == before, after
        assert getattr(record, "version", None) == version
    return found


def delete_outcomes(factory: KindFactory, user: Any, record: Any) -> dict[str, str]:
    """Whether ``user`` may move ``record`` to the trash through the delete page and
    the API (each on a record of its own); a refused one stays where it was."""
    kind = factory.kind
    found = {}
    delete = page_url(kind, "delete", record.pk)
    # A second record of the same owner for the API (an unowned kind's: the user's).
    owner = getattr(record, "owner", user)
    targets = [record, factory.make_owned(owner)] if delete else [record]
    if delete is not None:
        found["delete page"] = status_outcome(browser(user).post(delete).status_code)
    api = api_for(kind, user)
    found["api delete"] = status_outcome(api.delete(api_url(kind, targets[-1].pk)).status_code)
    trashed = any(f.name == "deleted_at" for f in kind.model._meta.get_fields())
    for channel, target in zip(found, targets, strict=True):
        if not trashed:
            # A kind without a trash (settings) deletes for good.
            gone = not kind.model._default_manager.filter(pk=target.pk).exists()
            assert gone == (found[channel] == OK), channel
            continue
        target.refresh_from_db()
        assert (target.deleted_at is not None) == (found[channel] == OK), channel
    return found


def create_outcomes(factory: KindFactory, user: Any, owner: Any) -> dict[str, str]:
    """Whether ``user`` may create a record for ``owner`` through the API (and, for
    one's own, open the create page); a refused one creates nothing."""
    kind = factory.kind
    body = factory.body(user)
    if owner != user:
        assert factory.owner_key is not None
        body[factory.owner_key] = owner.pk
    found = {}
    create = page_url(kind, "create")
    if create is not None and owner == user:
        found["create page"] = status_outcome(browser(user).get(create).status_code)
    before = kind.model._default_manager.count()
    found["api post"] = status_outcome(api_for(kind, user).post(api_url(kind), body).status_code)
    created = kind.model._default_manager.count() - before
    assert created == (1 if found["api post"] == OK else 0)
    return found


def write_test(action: str) -> Callable[..., None]:
    """The test of ``action`` (update, delete or create) over every kind, role and
    side, for a test module to hold as ``test_<action>``: one file per action, so that
    pytest-xdist (``--dist loadfile``) can run them on different workers."""
    found_cases = cases((action,))

    @pytest.mark.django_db
    @pytest.mark.parametrize("case", found_cases, ids=[c.id for c in found_cases])
    def test(request: pytest.FixtureRequest, case: Case) -> None:
        found = write_outcomes(request, case)
        assert found == dict.fromkeys(found, case.expected)

    test.__name__ = test.__qualname__ = f"test_{action}"
    return test


def write_outcomes(request: Any, case: Case) -> dict[str, str]:
    """What each channel answered to ``case``'s user updating, deleting or creating a
    record of its kind."""
    factory = kind_factories()[case.resource]
    user = role_user(request, case.role, case.resource)
    owner = owner_for(request, user, case.side)
    if case.action == "create":
        return create_outcomes(factory, user, owner)
    record = factory.make_owned(owner)
    check = update_outcomes if case.action == "update" else delete_outcomes
    return check(factory, user, record)
