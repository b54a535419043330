"""The admin settings page: who may see it, the two-factor switch, the roles matrix and
custom fields, each with bad input."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from clientela.core.models import CustomField, Role, RolePermission, SiteSettings, User
from clientela.core.permissions import rights_for
from clientela.core.tests.test_auth import enable_two_factor

SETTINGS = "/settings/"
TWO_FACTOR = "/settings/two-factor/"
ROLES = "/settings/roles/"
FIELDS = "/settings/custom-fields/"


@pytest.fixture
def admin_client(client: Client, admin: User) -> Client:
    client.force_login(admin)
    return client


def matrix_data(**changes: dict[str, Any]) -> dict[str, Any]:
    """The roles form as the page submits it, with ``changes`` keyed
    ``"<role key>/<resource>"`` applied on top."""
    data: dict[str, Any] = {}
    for perm in RolePermission.objects.select_related("role"):
        values = {
            "can_create": perm.can_create,
            "can_read": perm.can_read,
            "can_update": perm.can_update,
            "can_delete": perm.can_delete,
            "scope": perm.scope,
        }
        values.update(changes.get(f"{perm.role.key}/{perm.resource}", {}))
        for name, value in values.items():
            if name == "scope":
                data[f"p{perm.pk}-scope"] = value
            elif value:
                data[f"p{perm.pk}-{name}"] = "on"
    return data


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
    assert client.get(SETTINGS).status_code == 404
    assert client.post(TWO_FACTOR, {"require_two_factor": "on"}).status_code == 404
    assert (
        client.post(ROLES, matrix_data(**{"sales/contacts.person": {"scope": "all"}})).status_code
        == 404
    )
    field = {"resource": "contacts.person", "key": "vip", "label": "VIP", "field_type": "text"}
    assert client.post(FIELDS, field).status_code == 404
    assert snapshot() == before
    assert not SiteSettings.load().require_two_factor
    assert not CustomField.objects.exists()


def test_anonymous_visitors_are_sent_to_login(db: Any, client: Client) -> None:
    response = client.get(SETTINGS)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:login"))
    assert client.post(ROLES, {}).status_code == 302


def test_admin_sees_every_section(admin_client: Client) -> None:
    response = admin_client.get(SETTINGS)
    assert response.status_code == 200
    body = response.content.decode()
    for text in ("Two-factor login", "Roles", "Custom fields", "Users and teams", "Read-only"):
        assert text in body
    assert 'name="require_two_factor"' in body
    assert f'name="p{perm("sales").pk}-scope"' in body
    assert reverse("admin:index") in body
    assert reverse("admin:core_user_changelist") in body


def test_settings_get_and_post_only_where_expected(admin_client: Client) -> None:
    for url in (TWO_FACTOR, ROLES, FIELDS):
        assert admin_client.get(url).status_code == 405


# --- two-factor switch ----------------------------------------------------------------


def test_admin_turns_the_two_factor_requirement_on_and_off(admin_client: Client) -> None:
    response = admin_client.post(TWO_FACTOR, {"require_two_factor": "on"})
    assert response.status_code == 302
    assert SiteSettings.load().require_two_factor
    # The admin has no device yet, so the requirement applies to them too.
    assert admin_client.get(SETTINGS)["Location"].startswith(reverse("core:2fa-setup"))


def test_admin_with_two_factor_lifts_the_requirement(client: Client, admin: User) -> None:
    enable_two_factor(client, admin)
    client.post(TWO_FACTOR, {"require_two_factor": "on"})
    assert SiteSettings.load().require_two_factor
    response = client.post(TWO_FACTOR, {})  # an unchecked box is not sent at all
    assert response.status_code == 302
    assert not SiteSettings.load().require_two_factor


# --- roles matrix ---------------------------------------------------------------------


def test_admin_changes_a_roles_rights_and_scope(admin_client: Client, rep_north: User) -> None:
    data = matrix_data(**{"sales/contacts.person": {"can_delete": False, "scope": "own"}})
    response = admin_client.post(ROLES, data)
    assert response.status_code == 302
    sales = perm("sales")
    assert (sales.can_delete, sales.scope) == (False, "own")
    assert sales.can_read
    assert sales.can_create
    # Other rows are untouched.
    assert perm("sales", "contacts.organization").scope == "team"
    assert perm("manager").scope == "team"
    rights = rights_for(User.objects.get(pk=rep_north.pk), "contacts.person")
    assert (rights.delete, rights.scope) == (False, "own")


@pytest.mark.parametrize(
    "change",
    [
        {"scope": "galaxy"},
        {"scope": ""},
        {"can_read": False, "can_update": True},
        {"can_read": False, "can_delete": True},
    ],
)
def test_a_bad_row_saves_nothing_of_the_matrix(
    admin_client: Client, change: dict[str, Any]
) -> None:
    before = snapshot()
    data = matrix_data(
        **{
            "marketing/contacts.person": {"scope": "own"},  # valid, but must not be saved
            "sales/contacts.person": change,
        }
    )
    response = admin_client.post(ROLES, data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "table-danger" in body
    assert "Some rights could not be saved" in body
    assert snapshot() == before


def test_a_missing_scope_field_is_an_error_not_a_crash(admin_client: Client) -> None:
    before = snapshot()
    data = matrix_data()
    del data[f"p{perm('sales').pk}-scope"]
    assert admin_client.post(ROLES, data).status_code == 200
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
    assert "shoe_size" in admin_client.get(SETTINGS).content.decode()


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
    body = admin_client.get(SETTINGS).content.decode()
    assert "&lt;script&gt;x()&lt;/script&gt;" in body
    assert "<script>x()</script>" not in body


# --- Django admin -------------------------------------------------------------------------


def test_the_django_admin_lists_users_with_role_and_team(admin_client: Client) -> None:
    response = admin_client.get(reverse("admin:core_user_changelist"))
    assert response.status_code == 200
    assert "alice_admin" in response.content.decode()
    for name in ("core_team", "core_role", "core_customfield", "core_tag", "core_sitesettings"):
        assert admin_client.get(reverse(f"admin:{name}_changelist")).status_code == 200
    role = perm("sales").role
    page = admin_client.get(reverse("admin:core_role_change", args=[role.pk]))
    assert page.status_code == 200
    assert "contacts.person" in page.content.decode()


def test_non_admins_cannot_use_the_django_admin(client: Client, rep_north: User) -> None:
    client.force_login(rep_north)
    response = client.get(reverse("admin:core_user_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_built_in_role_names_follow_the_users_language(db: Any, admin: Any) -> None:
    role = Role.objects.get(key="read_only")
    with translation.override("es"):
        assert role.display_name == "Solo lectura"
    with translation.override("en"):
        assert role.display_name == "Read-only"
