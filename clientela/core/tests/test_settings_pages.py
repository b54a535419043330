"""The settings area: who may see it, its sections and their navigation, the two-factor
switch, a role's rights and custom fields, each with bad input; Django's admin site for
superusers only. (Users, teams, roles and the company profile: test_settings_users.py,
test_settings_teams_roles.py, test_company.py.)"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from clientela.core.models import (
    AuditEntry,
    CustomField,
    Role,
    RolePermission,
    SiteSettings,
    User,
)
from clientela.core.permissions import rights_for
from clientela.core.tests.test_auth import enable_two_factor

SETTINGS = "/settings/"
TWO_FACTOR = "/settings/two-factor/"
ROLES = "/settings/roles/"
FIELDS = "/settings/custom-fields/"
#: Every page of the settings area core serves, with ids filled in by ``settings_urls``.
PAGES = [
    SETTINGS,
    TWO_FACTOR,
    ROLES,
    FIELDS,
    "/settings/company/",
    "/settings/company/logo/",
    "/settings/users/",
    "/settings/users/invite/",
    "/settings/teams/",
    "/settings/users/{user}/",
    "/settings/roles/{role}/",
]
#: What is only posted to.
ACTIONS = [
    "/settings/users/{user}/deactivate/",
    "/settings/users/{user}/reactivate/",
    "/settings/users/{user}/two-factor-reset/",
    "/settings/users/{user}/password-link/",
    "/settings/teams/{team}/",
    "/settings/teams/{team}/delete/",
    "/settings/roles/{role}/rename/",
    "/settings/roles/{role}/delete/",
]


def settings_urls(urls: list[str], user: User) -> list[str]:
    ids = {"user": user.pk, "role": perm("sales").role_id, "team": user.team_id}
    return [url.format(**ids) for url in urls]


@pytest.fixture
def admin_client(client: Client, admin: User) -> Client:
    client.force_login(admin)
    return client


def role_data(role: Role, **changes: dict[str, Any]) -> dict[str, Any]:
    """A role's rights form as its page submits it, with ``changes`` keyed by resource
    applied on top."""
    data: dict[str, Any] = {}
    for perm in RolePermission.objects.filter(role=role):
        values = {
            "can_create": perm.can_create,
            "can_read": perm.can_read,
            "can_update": perm.can_update,
            "can_delete": perm.can_delete,
            "scope": perm.scope,
        }
        values.update(changes.get(perm.resource, {}))
        for name, value in values.items():
            if name == "scope":
                data[f"p{perm.pk}-scope"] = value
            elif value:
                data[f"p{perm.pk}-{name}"] = "on"
    return data


def role_url(key: str) -> str:
    return f"{ROLES}{Role.objects.get(key=key).pk}/"


def perm(role: str, resource: str = "contacts.person") -> RolePermission:
    return RolePermission.objects.get(role__key=role, resource=resource)


def snapshot() -> list[tuple[Any, ...]]:
    return list(
        RolePermission.objects.order_by("pk").values_list(
            "can_create", "can_read", "can_update", "can_delete", "scope"
        )
    )


# --- who may see it -------------------------------------------------------------------


@pytest.mark.parametrize("who", ["rep_north", "manager_north", "marketer", "support", "reader"])
def test_non_admins_get_404_on_every_settings_url(
    client: Client, request: pytest.FixtureRequest, who: str, admin: User
) -> None:
    user = request.getfixturevalue(who)
    client.force_login(user)
    before = snapshot()
    for url in settings_urls(PAGES, admin):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"name": "x", "require_two_factor": "on"}).status_code == 404, url
    for url in settings_urls(ACTIONS, admin):
        assert client.post(url, {"team1-name": "x", "name": "x"}).status_code == 404, url
    role = perm("sales").role
    data = role_data(role, **{"contacts.person": {"scope": "all"}})
    assert client.post(f"{ROLES}{role.pk}/", data).status_code == 404
    field = {"resource": "contacts.person", "key": "vip", "label": "VIP", "field_type": "text"}
    assert client.post(FIELDS, field).status_code == 404
    assert snapshot() == before
    assert not SiteSettings.load().require_two_factor
    assert not CustomField.objects.exists()
    admin.refresh_from_db()
    assert admin.is_active
    assert admin.username == "alice_admin"


def test_anonymous_visitors_are_sent_to_login(db: Any, client: Client, admin: User) -> None:
    for url in settings_urls(PAGES, admin):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("core:login"))
    assert client.post(ROLES, {}).status_code == 302


def test_the_index_links_every_section_and_keeps_the_old_anchors(admin_client: Client) -> None:
    response = admin_client.get(SETTINGS)
    assert response.status_code == 200
    body = response.content.decode()
    for text in ("Company", "Users", "Teams", "Roles", "Two-factor login", "Custom fields"):
        assert text in body
    for url in (TWO_FACTOR, ROLES, FIELDS, "/settings/users/", "/settings/company/"):
        assert f'href="{url}"' in body
    # The single page this replaced was linked by section anchors.
    for anchor in ("two-factor", "roles", "custom-fields", "users"):
        assert f'id="{anchor}"' in body
    # Django's admin site is for superusers: an admin is not sent there.
    assert reverse("admin:index") not in body


def test_each_section_is_its_own_page_marked_in_the_navigation(admin_client: Client) -> None:
    role = perm("sales").role
    for url, label in (
        (TWO_FACTOR, "Two-factor login"),
        (ROLES, "Roles"),
        (f"{ROLES}{role.pk}/", "Roles"),
        (FIELDS, "Custom fields"),
        ("/settings/users/", "Users"),
        ("/settings/users/invite/", "Users"),
        ("/settings/teams/", "Teams"),
        ("/settings/company/", "Company"),
    ):
        body = admin_client.get(url).content.decode()
        current = re.findall(
            r'aria-current="page" href="([^"]+)"[^>]*>(?:<i[^>]*></i> )?([^<]+)<', body
        )
        assert [c[1].strip() for c in current] == [label], (url, current)


def test_settings_pages_answer_get_and_post_only_where_expected(admin_client: Client) -> None:
    for url in ("/settings/users/1/deactivate/", "/settings/teams/1/delete/"):
        assert admin_client.get(url).status_code == 405
    assert admin_client.put(TWO_FACTOR).status_code == 405


# --- two-factor switch ----------------------------------------------------------------


def test_admin_turns_the_two_factor_requirement_on_and_off(admin_client: Client) -> None:
    response = admin_client.post(TWO_FACTOR, {"require_two_factor": "on"})
    assert response.status_code == 302
    assert SiteSettings.load().require_two_factor
    # The admin has no device yet, so the requirement applies to them too.
    assert admin_client.get(SETTINGS)["Location"].startswith(reverse("core:2fa-setup"))
    entry = AuditEntry.objects.get(object_repr="Site settings")
    assert entry.changes == {"require_two_factor": ["false", "true"]}


def test_admin_with_two_factor_lifts_the_requirement(client: Client, admin: User) -> None:
    enable_two_factor(client, admin)
    client.post(TWO_FACTOR, {"require_two_factor": "on"})
    assert SiteSettings.load().require_two_factor
    response = client.post(TWO_FACTOR, {})  # an unchecked box is not sent at all
    assert response.status_code == 302
    assert not SiteSettings.load().require_two_factor


# --- roles matrix ---------------------------------------------------------------------


def test_admin_changes_a_roles_rights_and_scope(admin_client: Client, rep_north: User) -> None:
    sales = Role.objects.get(key="sales")
    data = role_data(sales, **{"contacts.person": {"can_delete": False, "scope": "own"}})
    response = admin_client.post(role_url("sales"), data)
    assert response.status_code == 302
    changed = perm("sales")
    assert (changed.can_delete, changed.scope) == (False, "own")
    assert changed.can_read
    assert changed.can_create
    # Other rows are untouched.
    assert perm("sales", "contacts.organization").scope == "team"
    assert perm("manager").scope == "team"
    rights = rights_for(User.objects.get(pk=rep_north.pk), "contacts.person")
    assert (rights.delete, rights.scope) == (False, "own")
    # One audit entry for the role, naming each change.
    entry = AuditEntry.objects.get(object_repr=str(sales), action="update")
    assert entry.changes == {
        "contacts.person.delete": ["true", "false"],
        "contacts.person.scope": ["team", "own"],
    }
    assert entry.actor == User.objects.get(username="alice_admin")


def test_a_role_page_shows_its_rights_and_the_overview_every_role(admin_client: Client) -> None:
    body = admin_client.get(role_url("sales")).content.decode()
    assert f'name="p{perm("sales").pk}-scope"' in body
    assert f'name="p{perm("manager").pk}-scope"' not in body
    overview = admin_client.get(ROLES).content.decode()
    for name in ("Admin", "Manager", "Sales", "Marketing", "Support", "Read-only"):
        assert name in overview
    assert "Own team&#x27;s records" in overview


@pytest.mark.parametrize(
    "change",
    [
        {"scope": "galaxy"},
        {"scope": ""},
        {"can_read": False, "can_update": True},
        {"can_read": False, "can_delete": True},
    ],
)
def test_a_bad_row_saves_nothing_of_the_role(admin_client: Client, change: dict[str, Any]) -> None:
    before = snapshot()
    data = role_data(
        Role.objects.get(key="sales"),
        **{
            "contacts.organization": {"scope": "own"},  # valid, but must not be saved
            "contacts.person": change,
        },
    )
    response = admin_client.post(role_url("sales"), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "table-danger" in body
    assert "Some rights could not be saved" in body
    assert snapshot() == before
    assert not AuditEntry.objects.filter(action="update").exists()


def test_a_missing_scope_field_is_an_error_not_a_crash(admin_client: Client) -> None:
    before = snapshot()
    data = role_data(Role.objects.get(key="sales"))
    del data[f"p{perm('sales').pk}-scope"]
    assert admin_client.post(role_url("sales"), data).status_code == 200
    assert snapshot() == before


def test_rights_of_another_role_posted_to_a_role_are_ignored(admin_client: Client) -> None:
    before = snapshot()
    data = role_data(Role.objects.get(key="manager"), **{"contacts.person": {"scope": "own"}})
    admin_client.post(role_url("sales"), {**role_data(Role.objects.get(key="sales")), **data})
    assert perm("manager").scope == "team"
    assert snapshot() == before


# --- custom fields --------------------------------------------------------------------


def field_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "resource": "contacts.person",
        "key": "shoe_size",
        "label": "Shoe size",
        "field_type": "number",
        "choices": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_admin_adds_a_custom_field(admin_client: Client) -> None:
    response = admin_client.post(FIELDS, field_data(required="on"))
    assert response.status_code == 302
    field = CustomField.objects.get()
    assert (field.resource, field.key, field.label, field.field_type, field.required) == (
        "contacts.person",
        "shoe_size",
        "Shoe size",
        "number",
        True,
    )
    assert "shoe_size" in admin_client.get(FIELDS).content.decode()
    entry = AuditEntry.objects.get(object_repr="Shoe size")
    assert entry.action == "create"
    assert entry.changes["key"] == [None, "shoe_size"]


def test_choices_are_split_on_commas_trimmed_and_deduplicated(admin_client: Client) -> None:
    admin_client.post(
        FIELDS,
        field_data(key="segment", field_type="choice", choices=" Gold, Silver,,Gold ,Bronze "),
    )
    assert CustomField.objects.get(key="segment").choices == ["Gold", "Silver", "Bronze"]


def test_choices_of_a_non_choice_field_are_dropped(admin_client: Client) -> None:
    admin_client.post(FIELDS, field_data(field_type="text", choices="a,b"))
    assert CustomField.objects.get().choices == []


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"field_type": "choice", "choices": " , "}, "A choice field needs at least one choice."),
        ({"key": "Shoe Size"}, "Use lower-case letters"),
        ({"key": "1size"}, "Use lower-case letters"),
        ({"key": "size-eu"}, "Use lower-case letters"),
        ({"key": ""}, "This field is required."),
        ({"label": ""}, "This field is required."),
        ({"label": "x" * 101}, "at most 100 characters"),
        ({"resource": "nosuch.kind"}, "Select a valid choice"),
        ({"field_type": "colour"}, "Select a valid choice"),
        ({"field_type": "choice", "choices": "x" * 101}, "at most 100 characters"),
    ],
)
def test_bad_custom_field_input_shows_an_inline_error_and_saves_nothing(
    admin_client: Client, overrides: dict[str, Any], message: str
) -> None:
    response = admin_client.post(FIELDS, field_data(**overrides))
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    assert "invalid-feedback" in body
    assert not CustomField.objects.exists()


def test_a_duplicate_key_is_refused_but_another_kind_of_record_may_reuse_it(
    admin_client: Client,
) -> None:
    admin_client.post(FIELDS, field_data())
    response = admin_client.post(FIELDS, field_data(label="Other"))
    assert response.status_code == 200
    assert "already has a field with this key" in response.content.decode()
    assert CustomField.objects.count() == 1
    response = admin_client.post(FIELDS, field_data(resource="contacts.organization"))
    assert response.status_code == 302
    assert CustomField.objects.count() == 2


def test_labels_are_shown_escaped(admin_client: Client) -> None:
    admin_client.post(FIELDS, field_data(label="<script>x()</script>"))
    body = admin_client.get(FIELDS).content.decode()
    assert "&lt;script&gt;x()&lt;/script&gt;" in body
    assert "<script>x()</script>" not in body


# --- Django admin -------------------------------------------------------------------------


def test_the_django_admin_is_for_superusers(client: Client, admin: User) -> None:
    boss = User.objects.create_superuser("root", "root@example.com", "Root-pw-12345")
    client.force_login(boss)
    response = client.get(reverse("admin:core_user_changelist"))
    assert response.status_code == 200
    assert "alice_admin" in response.content.decode()
    for name in ("core_team", "core_role", "core_customfield", "core_tag", "core_sitesettings"):
        assert client.get(reverse(f"admin:{name}_changelist")).status_code == 200
    role = perm("sales").role
    page = client.get(reverse("admin:core_role_change", args=[role.pk]))
    assert page.status_code == 200
    assert "contacts.person" in page.content.decode()
    # The settings index links it for them.
    assert reverse("admin:index") in client.get(SETTINGS).content.decode()


@pytest.mark.parametrize("who", ["admin", "rep_north"])
def test_staff_without_superuser_cannot_use_the_django_admin(
    client: Client, request: pytest.FixtureRequest, who: str
) -> None:
    user = request.getfixturevalue(who)
    user.is_staff = True  # the admin role's users are staff, which opened the admin before
    user.save()
    client.force_login(user)
    for url in (reverse("admin:index"), reverse("admin:core_user_changelist")):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/admin/login/" in response["Location"]


def test_built_in_role_names_follow_the_users_language(db: Any, admin: Any) -> None:
    role = Role.objects.get(key="read_only")
    with translation.override("es"):
        assert role.display_name == "Solo lectura"
    with translation.override("en"):
        assert role.display_name == "Read-only"
