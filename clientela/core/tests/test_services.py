"""Writes of the core domain: roles, users, tokens, tags, saved views, settings, and the
generic trash helpers every domain's services use."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from clientela.contacts.models import EmailAddress, Organization, Person
from clientela.contacts.services import person_trash
from clientela.core.choices import AuditAction, RoleKey, Scope
from clientela.core.errors import NotFound, VersionConflict
from clientela.core.models import (
    ApiToken,
    AuditEntry,
    Role,
    RolePermission,
    SavedView,
    SiteSettings,
    Tag,
    Team,
    User,
)
from clientela.core.permissions import RESOURCES
from clientela.core.services import (
    api_token_create,
    api_token_revoke,
    check_version,
    hash_token,
    roles_ensure_defaults,
    saved_view_delete,
    saved_view_save,
    site_settings_update,
    tags_from_names,
    team_get_or_create,
    trash_purge,
    user_create,
    user_update_preferences,
)
from conftest import PASSWORD, WhenRun

pytestmark = pytest.mark.django_db


def test_default_roles_exist_with_a_rights_row_per_resource(db: Any) -> None:
    roles_ensure_defaults()
    assert set(Role.objects.values_list("key", flat=True)) == set(RoleKey.values)
    assert RolePermission.objects.count() == len(RoleKey.values) * len(RESOURCES)


def test_ensuring_defaults_again_keeps_what_an_admin_changed(db: Any) -> None:
    roles_ensure_defaults()
    RolePermission.objects.filter(role__key=RoleKey.SALES).update(scope=Scope.ALL)
    roles_ensure_defaults()
    assert set(
        RolePermission.objects.filter(role__key=RoleKey.SALES).values_list("scope", flat=True)
    ) == {Scope.ALL}
    assert RolePermission.objects.count() == len(RoleKey.values) * len(RESOURCES)


def test_user_create_puts_the_user_in_role_and_team(make_user: Any) -> None:
    user = make_user("new_rep", "sales", "East", email="rep@example.com")
    assert (user.role.key, user.team.name, user.is_staff) == ("sales", "East", False)
    assert user.check_password(PASSWORD)
    assert make_user("boss", "admin", "East").is_staff
    assert Team.objects.filter(name="East").count() == 1


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"role_key": "wizard"}, "role"),
        ({"username": "Nora_North"}, "username"),
        ({"password": "123"}, "password"),
        ({"password": "password"}, "password"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"language": "tlh"}, "language"),
        ({"email": "not-an-email"}, "email"),
        ({"username": "bad name!"}, "username"),
    ],
)
def test_user_create_rejects_bad_input(rep_north: User, kwargs: dict[str, Any], field: str) -> None:
    count = User.objects.count()
    args = {
        "username": "fresh",
        "password": PASSWORD,
        "role_key": "sales",
        "team_name": "North",
        **kwargs,
    }
    with pytest.raises(ValidationError) as exc:
        user_create(**args)
    assert field in exc.value.message_dict
    assert User.objects.count() == count


def test_team_needs_a_name(db: Any) -> None:
    with pytest.raises(ValidationError):
        team_get_or_create(name="  ")
    assert team_get_or_create(name=" West ") == team_get_or_create(name="West")


def test_user_preferences(rep_north: User) -> None:
    user_update_preferences(user=rep_north, language="es", time_zone="Europe/Madrid")
    rep_north.refresh_from_db()
    assert (rep_north.language, rep_north.time_zone) == ("es", "Europe/Madrid")
    with pytest.raises(ValidationError):
        user_update_preferences(user=rep_north, language="xx", time_zone="UTC")
    with pytest.raises(ValidationError):
        user_update_preferences(user=rep_north, language="en", time_zone="Nowhere/City")


def test_api_token_is_stored_hashed_and_shown_once(rep_north: User) -> None:
    token, clear = api_token_create(
        user=rep_north, name=" laptop ", scopes=["contacts:read", "contacts:read"]
    )
    assert clear.startswith("clt_")
    assert len(clear) > 40
    assert token.token_hash == hash_token(clear)
    assert clear not in (token.token_hash, token.prefix, token.name)
    assert (token.name, token.scopes, token.is_active) == ("laptop", ["contacts:read"], True)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"scopes": []}, "scopes"),
        ({"scopes": ["  "]}, "scopes"),
        ({"scopes": ["contacts:read", "root:all"]}, "scopes"),
        ({"name": ""}, "name"),
        (
            {
                "expires_at": WhenRun(
                    "a minute ago", lambda: timezone.now() - datetime.timedelta(minutes=1)
                )
            },
            "expires_at",
        ),
    ],
)
def test_api_token_rejects_bad_input(rep_north: User, kwargs: dict[str, Any], field: str) -> None:
    args = {"user": rep_north, "name": "t", "scopes": ["contacts:read"], **WhenRun.resolve(kwargs)}
    with pytest.raises(ValidationError) as exc:
        api_token_create(**args)
    assert field in exc.value.message_dict
    assert not ApiToken.objects.exists()


def test_only_the_owner_revokes_a_token(rep_north: User, rep_south: User) -> None:
    token, _clear = api_token_create(user=rep_north, name="t", scopes=["contacts:write"])
    with pytest.raises(NotFound):
        api_token_revoke(user=rep_south, token=token)
    assert ApiToken.objects.get(pk=token.pk).is_active
    api_token_revoke(user=rep_north, token=token)
    assert not ApiToken.objects.get(pk=token.pk).is_active


def test_tags_from_names_dedupes_case_insensitively(db: Any) -> None:
    Tag.objects.create(name="Newsletter")
    tags = tags_from_names(["newsletter", " VIP ", "vip", "", None])  # type: ignore[list-item]
    assert [t.name for t in tags] == ["Newsletter", "VIP"]
    assert Tag.objects.count() == 2


@pytest.mark.parametrize("names", ["vip", 5, None, [5], [["a"]], ["x" * 51]])
def test_tags_from_names_rejects_bad_input(db: Any, names: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        tags_from_names(names)
    assert "tags" in exc.value.message_dict


def test_saved_views_are_per_user_and_replace_by_name(rep_north: User, rep_south: User) -> None:
    first = saved_view_save(user=rep_north, resource="contacts.person", name=" VIPs ", query="a=1")
    second = saved_view_save(user=rep_north, resource="contacts.person", name="VIPs", query="a=2")
    assert first.pk == second.pk
    assert second.query == "a=2"
    with pytest.raises(ValidationError):
        saved_view_save(user=rep_north, resource="contacts.person", name="  ", query="")
    with pytest.raises(NotFound):
        saved_view_delete(user=rep_south, view_id=first.pk)
    saved_view_delete(user=rep_north, view_id=first.pk)
    assert not SavedView.objects.exists()


def test_only_admins_change_site_settings(admin: User, rep_north: User) -> None:
    with pytest.raises(NotFound):
        site_settings_update(actor=rep_north, require_two_factor=True)
    assert not SiteSettings.load().require_two_factor
    site_settings_update(actor=admin, require_two_factor=True)
    assert SiteSettings.load().require_two_factor


def test_check_version(admin: User, person_factory: Any) -> None:
    person = person_factory(admin)
    check_version(person, None)
    check_version(person, 1)
    with pytest.raises(VersionConflict) as exc:
        check_version(person, 7)
    assert exc.value.current_version == 1


def test_trash_purge_deletes_only_expired_records_and_audits_it(
    admin: User, person_factory: Any
) -> None:
    expired = person_factory(admin, email="gone@example.com")
    recent = person_factory(admin)
    live = person_factory(admin)
    for person in (expired, recent):
        person_trash(actor=admin, person=person)
    Person.objects.filter(pk=expired.pk).update(
        deleted_at=timezone.now() - datetime.timedelta(days=31)
    )
    assert trash_purge(models=[Person, Organization]) >= 1
    assert set(Person.objects.values_list("pk", flat=True)) == {recent.pk, live.pk}
    assert not EmailAddress.objects.filter(address="gone@example.com").exists()
    purge = AuditEntry.objects.get(action=AuditAction.PURGE)
    assert (purge.object_id, purge.actor) == (expired.pk, None)
