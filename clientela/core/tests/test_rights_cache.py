"""Role rights are cached per process (``core.permissions._ROLE_RIGHTS``), checked
against the role row each request loads anyway: no query for rights on a warm cache,
and a change made anywhere (this process, another one, the admin site) is seen at the
next request."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clientela.contacts.models import Person
from clientela.core import permissions
from clientela.core.choices import RoleKey, Scope
from clientela.core.models import Role, RolePermission, User
from clientela.core.permissions import Rights, rights_for
from clientela.core.services import role_permission_update

pytestmark = pytest.mark.django_db

PERSON = Person.RESOURCE


def next_request(user: User) -> User:
    """The user as a new request (an API token, a session page) loads it."""
    return User.objects.select_related("role", "team").get(pk=user.pk)


def test_a_warm_cache_costs_no_query(rep_north: User) -> None:
    rights_for(next_request(rep_north), PERSON)
    user = next_request(rep_north)
    with CaptureQueriesContext(connection) as ctx:
        assert rights_for(user, PERSON).scope == Scope.TEAM
    assert ctx.captured_queries == []


def test_a_change_through_the_service_is_seen_at_the_next_request(
    admin: User, rep_north: User
) -> None:
    assert rights_for(next_request(rep_north), PERSON).scope == Scope.TEAM
    perm = RolePermission.objects.get(role__key=RoleKey.SALES, resource=PERSON)
    role_permission_update(
        actor=admin,
        permission=perm,
        can_create=False,
        can_read=True,
        can_update=False,
        can_delete=False,
        scope=Scope.ALL,
    )
    assert rights_for(next_request(rep_north), PERSON) == Rights(
        False, True, False, False, Scope.ALL
    )


def test_a_change_made_by_another_process_is_seen_at_the_next_request(
    rep_north: User,
) -> None:
    assert rights_for(next_request(rep_north), PERSON).create
    # Another process saved the rights: the rows and the role's stamp change in the
    # database, while this process's cache still holds the old rights.
    cached = dict(permissions._ROLE_RIGHTS)
    perm = RolePermission.objects.get(role__key=RoleKey.SALES, resource=PERSON)
    perm.can_create = False
    perm.save()
    permissions._ROLE_RIGHTS.update(cached)
    assert not rights_for(next_request(rep_north), PERSON).create


def test_saving_rights_anywhere_stamps_the_role(db: Any) -> None:
    role = Role.objects.get(key=RoleKey.SALES)
    before = role.updated_at
    perm = role.permissions.get(resource=PERSON)
    perm.scope = Scope.OWN
    perm.save()  # what the admin site's inline does
    role.refresh_from_db()
    assert role.updated_at > before


def test_a_user_without_a_role_has_no_rights(make_user: Any) -> None:
    user = make_user("no_role")
    User.objects.filter(pk=user.pk).update(role=None)
    assert rights_for(next_request(user), PERSON) == permissions.NO_RIGHTS
