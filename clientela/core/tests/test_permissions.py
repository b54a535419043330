"""Roles, rights and visibility (``core.permissions``), exercised on contacts records."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError

from clientela.contacts.models import Organization, Person
from clientela.core.choices import RoleKey, Scope
from clientela.core.errors import NotFound, PermissionDenied
from clientela.core.models import RolePermission, User
from clientela.core.permissions import (
    ALL_RIGHTS,
    NO_RIGHTS,
    RESOURCES,
    Rights,
    can,
    can_see_record,
    require,
    restrict,
    rights_for,
    visibility_q,
)
from clientela.core.services import role_permission_update

pytestmark = pytest.mark.django_db

PERSON = Person.RESOURCE
ORG = Organization.RESOURCE

EXPECTED_DEFAULTS: dict[str, Rights] = {
    RoleKey.ADMIN: Rights(True, True, True, True, Scope.ALL),
    RoleKey.MANAGER: Rights(True, True, True, True, Scope.TEAM),
    RoleKey.SALES: Rights(True, True, True, True, Scope.TEAM),
    RoleKey.MARKETING: Rights(True, True, True, False, Scope.ALL),
    RoleKey.SUPPORT: Rights(True, True, True, False, Scope.ALL),
    RoleKey.READ_ONLY: Rights(False, True, False, False, Scope.ALL),
}


def fresh(user: User) -> User:
    """The user as the next request loads it (rights are cached per loaded object)."""
    return User.objects.select_related("role", "team").get(pk=user.pk)


def set_rights(admin: User, role_key: str, resource: str, **changes: Any) -> None:
    perm = RolePermission.objects.get(role__key=role_key, resource=resource)
    values = {
        "can_create": perm.can_create,
        "can_read": perm.can_read,
        "can_update": perm.can_update,
        "can_delete": perm.can_delete,
        "scope": perm.scope,
        **changes,
    }
    role_permission_update(actor=admin, permission=perm, **values)


@pytest.fixture
def records(
    admin: User, rep_north: User, rep_north2: User, rep_south: User, person_factory: Any
) -> dict[str, Person]:
    return {
        "mine": person_factory(admin, owner=rep_north, last_name="Mine"),
        "teammate": person_factory(admin, owner=rep_north2, last_name="Teammate"),
        "south": person_factory(admin, owner=rep_south, last_name="South"),
    }


def test_contacts_resources_are_registered() -> None:
    assert {PERSON, ORG} <= set(RESOURCES)


@pytest.mark.parametrize("role", list(EXPECTED_DEFAULTS))
@pytest.mark.parametrize("resource", [PERSON, ORG])
def test_default_rights_per_role(make_user: Any, role: str, resource: str) -> None:
    user = make_user(f"user_{role}", role, "North")
    assert rights_for(user, resource) == EXPECTED_DEFAULTS[role]


def test_read_only_cannot_write(reader: User) -> None:
    for action in ("create", "update", "delete"):
        assert not can(reader, action, PERSON)
        with pytest.raises(PermissionDenied):
            require(reader, action, PERSON)
    require(reader, "read", PERSON)


def test_marketing_and_support_read_all_but_cannot_delete(marketer: User, support: User) -> None:
    for user in (marketer, support):
        assert rights_for(user, PERSON).scope == Scope.ALL
        assert can(user, "update", PERSON)
        assert not can(user, "delete", PERSON)


def test_superuser_has_all_rights(make_user: Any) -> None:
    boss = make_user("root_user", "read_only", None)
    boss.is_superuser = True
    boss.save()
    assert rights_for(fresh(boss), PERSON) == ALL_RIGHTS


def test_inactive_and_anonymous_users_have_no_rights(rep_north: User) -> None:
    rep_north.is_active = False
    rep_north.save()
    assert rights_for(fresh(rep_north), PERSON) == NO_RIGHTS
    assert rights_for(AnonymousUser(), PERSON) == NO_RIGHTS
    assert rights_for(None, PERSON) == NO_RIGHTS


def test_user_without_role_has_no_rights(rep_north: User) -> None:
    User.objects.filter(pk=rep_north.pk).update(role=None)
    assert rights_for(fresh(rep_north), PERSON) == NO_RIGHTS
    assert visibility_q(fresh(rep_north), PERSON) is None


def test_unknown_resource_gives_no_rights(admin: User) -> None:
    assert rights_for(admin, "nowhere.thing") == NO_RIGHTS


def test_team_scope_shows_the_whole_team_and_nothing_else(
    rep_north: User, records: dict[str, Person]
) -> None:
    seen = set(restrict(Person.objects.all(), rep_north, PERSON))
    assert seen == {records["mine"], records["teammate"]}


def test_own_scope_shows_only_own_records(
    admin: User, rep_north: User, records: dict[str, Person]
) -> None:
    set_rights(admin, RoleKey.SALES, PERSON, scope=Scope.OWN)
    seen = set(restrict(Person.objects.all(), fresh(rep_north), PERSON))
    assert seen == {records["mine"]}


def test_all_scope_shows_everything(reader: User, records: dict[str, Person]) -> None:
    assert set(restrict(Person.objects.all(), reader, PERSON)) == set(records.values())


def test_no_read_right_shows_nothing(
    admin: User, rep_north: User, records: dict[str, Person]
) -> None:
    set_rights(admin, RoleKey.SALES, PERSON, can_read=False)
    assert not restrict(Person.objects.all(), fresh(rep_north), PERSON).exists()


def test_team_scope_without_a_team_falls_back_to_own_records(
    make_user: Any, admin: User, person_factory: Any
) -> None:
    loner = make_user("lonely_rep", "sales", None)
    other_loner = make_user("other_loner", "sales", None)
    north = person_factory(admin, last_name="North")
    mine = person_factory(admin, last_name="Mine", owner=loner)
    theirs = person_factory(admin, last_name="Theirs", owner=other_loner)
    # Their own record, and only it: not nothing (a scope that hid everything would pass
    # the checks below), not the records of another user without a team.
    assert list(restrict(Person.objects.all(), loner, PERSON)) == [mine]
    assert can_see_record(loner, mine)
    assert not can_see_record(loner, north)
    assert not can_see_record(loner, theirs)


def test_admin_widening_a_roles_scope_changes_what_its_users_see(
    admin: User, rep_north: User, records: dict[str, Person]
) -> None:
    assert records["south"] not in restrict(Person.objects.all(), rep_north, PERSON)
    set_rights(admin, RoleKey.SALES, PERSON, scope=Scope.ALL)
    assert records["south"] in restrict(Person.objects.all(), fresh(rep_north), PERSON)
    # Organizations have their own rights row and stay team-scoped.
    assert rights_for(fresh(rep_north), ORG).scope == Scope.TEAM


def test_admin_narrowing_a_roles_scope_hides_teammates_records(
    admin: User, rep_north: User, records: dict[str, Person]
) -> None:
    set_rights(admin, RoleKey.SALES, PERSON, scope=Scope.OWN)
    rep = fresh(rep_north)
    assert not can_see_record(rep, records["teammate"])
    assert can_see_record(rep, records["mine"])


def test_admin_removing_a_right_is_enforced(admin: User, rep_north: User) -> None:
    set_rights(admin, RoleKey.SALES, PERSON, can_create=False)
    with pytest.raises(PermissionDenied):
        require(fresh(rep_north), "create", PERSON)


def test_only_an_admin_may_change_role_rights(rep_north: User, manager_north: User) -> None:
    perm = RolePermission.objects.get(role__key=RoleKey.SALES, resource=PERSON)
    for user in (rep_north, manager_north):
        with pytest.raises(NotFound):
            role_permission_update(
                actor=user,
                permission=perm,
                can_create=True,
                can_read=True,
                can_update=True,
                can_delete=True,
                scope=Scope.ALL,
            )
    perm.refresh_from_db()
    assert perm.scope == Scope.TEAM


def test_role_rights_reject_an_unknown_scope(admin: User) -> None:
    perm = RolePermission.objects.get(role__key=RoleKey.SALES, resource=PERSON)
    with pytest.raises(ValidationError) as exc:
        set_rights(admin, RoleKey.SALES, PERSON, scope="galaxy")
    assert "scope" in exc.value.message_dict
    perm.refresh_from_db()
    assert perm.scope == Scope.TEAM


@pytest.mark.parametrize("scope", [Scope.OWN, Scope.TEAM, Scope.ALL])
def test_can_see_record_matches_restrict(
    scope: str,
    admin: User,
    manager_north: User,
    rep_north: User,
    rep_north2: User,
    rep_south: User,
    marketer: User,
    support: User,
    reader: User,
    person_factory: Any,
    organization_factory: Any,
) -> None:
    for key in (RoleKey.SALES, RoleKey.MANAGER, RoleKey.READ_ONLY):
        set_rights(admin, key, PERSON, scope=scope)
        set_rights(admin, key, ORG, scope=scope)
    owners = [rep_north, rep_north2, rep_south, manager_north]
    people = [person_factory(admin, owner=o) for o in owners]
    orgs = [organization_factory(admin, owner=o) for o in owners]
    users = [admin, manager_north, rep_north, rep_north2, rep_south, marketer, support, reader]
    for user in map(fresh, users):
        for model, rows in ((Person, people), (Organization, orgs)):
            visible = set(restrict(model.objects.all(), user, model.RESOURCE))
            for record in rows:
                assert can_see_record(user, record) == (record in visible), (
                    user.username,
                    record,
                )
