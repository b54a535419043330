"""The Teams and Roles sections of the settings: teams created, renamed and deleted
only when empty; roles created from another's rights, renamed, deleted only when
unused and not built in; every write audited, bad input refused with nothing saved."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from clientela.core.models import AuditEntry, Role, RolePermission, Team, User
from clientela.core.permissions import RESOURCES

TEAMS = "/settings/teams/"
ROLES = "/settings/roles/"


@pytest.fixture
def admin_client(client: Client, admin: User) -> Client:
    client.force_login(admin)
    return client


def entries(model: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(content_type__model=model).order_by("id"))


# --- teams ----------------------------------------------------------------------------


def test_admin_creates_renames_and_deletes_an_empty_team(admin_client: Client) -> None:
    response = admin_client.post(TEAMS, {"name": "  West  "})
    assert response.status_code == 302
    west = Team.objects.get(name="West")
    page = admin_client.get(TEAMS).content.decode()
    assert "West" in page
    assert "0 members" in page

    assert (
        admin_client.post(f"{TEAMS}{west.pk}/", {f"team{west.pk}-name": "Westside"}).status_code
        == 302
    )
    west.refresh_from_db()
    assert west.name == "Westside"

    assert admin_client.post(f"{TEAMS}{west.pk}/delete/").status_code == 302
    assert not Team.objects.filter(pk=west.pk).exists()
    assert [(e.action, e.changes) for e in entries("team") if e.object_id == west.pk] == [
        ("create", {"name": [None, "West"]}),
        ("update", {"name": ["West", "Westside"]}),
        ("purge", {}),
    ]


def test_a_team_with_members_or_records_is_kept(
    admin_client: Client, rep_south: User, admin: User, person_factory: Any
) -> None:
    south = Team.objects.get(name="South")
    response = admin_client.post(f"{TEAMS}{south.pk}/delete/", follow=True)
    assert "Move the 1 members of this team to another team first." in response.content.decode()
    assert Team.objects.filter(pk=south.pk).exists()
    # Without members, records still name it.
    person_factory(rep_south, first_name="Sol")
    rep_south.team = Team.objects.get(name="North")
    rep_south.save()
    response = admin_client.post(f"{TEAMS}{south.pk}/delete/", follow=True)
    assert "records still belong to this team" in response.content.decode()
    assert Team.objects.filter(pk=south.pk).exists()
    assert not [e for e in entries("team") if e.action == "purge"]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "This field is required."),
        ("   ", "This field is required."),
        ("north", "There is already a team with this name."),
        ("x" * 101, "at most 100 characters"),
    ],
)
def test_bad_team_names_are_refused(
    admin_client: Client, rep_north: User, rep_south: User, name: str, message: str
) -> None:
    count = Team.objects.count()
    response = admin_client.post(TEAMS, {"name": name})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Team.objects.count() == count
    south = Team.objects.get(name="South")
    response = admin_client.post(f"{TEAMS}{south.pk}/", {f"team{south.pk}-name": name})
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    assert f'id="rename-{south.pk}"' in body
    assert "collapse show" in body  # the form with the error stays open
    assert Team.objects.filter(name="South").exists()
    assert not entries("team")


def test_unknown_teams_are_404(admin_client: Client) -> None:
    assert admin_client.post(f"{TEAMS}999999/", {"team999999-name": "X"}).status_code == 404
    assert admin_client.post(f"{TEAMS}999999/delete/").status_code == 404


# --- roles ----------------------------------------------------------------------------


def test_admin_creates_a_role_from_anothers_rights(admin_client: Client) -> None:
    reader = Role.objects.get(key="read_only")
    response = admin_client.post(ROLES, {"name": "Auditor", "copy_from": reader.pk})
    auditor = Role.objects.get(name="Auditor")
    assert response.status_code == 302
    assert response["Location"] == f"{ROLES}{auditor.pk}/"
    assert auditor.key == "auditor"
    copied = {p.resource: (p.can_read, p.can_update, p.scope) for p in auditor.permissions.all()}
    assert copied == {
        p.resource: (p.can_read, p.can_update, p.scope) for p in reader.permissions.all()
    }
    assert set(copied) >= set(RESOURCES)
    (entry,) = entries("role")
    assert entry.changes == {"name": [None, "Auditor"], "copy_from": [None, "Read-only"]}
    # It is offered to users at once.
    assert "Auditor" in admin_client.get("/settings/users/invite/").content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": ""}, "This field is required."),
        ({"name": "Sales"}, "There is already a role with this name."),
        ({"name": "read-only"}, "There is already a role with this name."),
        ({"name": "x" * 101}, "at most 100 characters"),
        ({"name": "Auditor", "copy_from": "999999"}, "Select a valid choice"),
    ],
)
def test_bad_new_roles_are_refused(
    admin_client: Client, data: dict[str, Any], message: str
) -> None:
    count = Role.objects.count()
    data.setdefault("copy_from", Role.objects.get(key="sales").pk)
    response = admin_client.post(ROLES, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Role.objects.count() == count
    assert not entries("role")


def test_rename_and_delete_a_role_of_ones_own(admin_client: Client, make_user: Any) -> None:
    admin_client.post(ROLES, {"name": "Auditor", "copy_from": Role.objects.get(key="sales").pk})
    auditor = Role.objects.get(name="Auditor")
    assert (
        admin_client.post(f"{ROLES}{auditor.pk}/rename/", {"name": "Controller"}).status_code == 302
    )
    auditor.refresh_from_db()
    assert auditor.name == "Controller"
    # In use: kept.
    user = make_user("carl_controller", "sales")
    user.role = auditor
    user.save()
    response = admin_client.post(f"{ROLES}{auditor.pk}/delete/", follow=True)
    assert "Give the 1 users of this role another role first." in response.content.decode()
    assert Role.objects.filter(pk=auditor.pk).exists()
    user.role = Role.objects.get(key="sales")
    user.save()
    assert admin_client.post(f"{ROLES}{auditor.pk}/delete/").status_code == 302
    assert not Role.objects.filter(pk=auditor.pk).exists()
    assert not RolePermission.objects.filter(role_id=auditor.pk).exists()
    assert [e.action for e in entries("role") if e.object_id == auditor.pk] == [
        "create",
        "update",
        "purge",
    ]


def test_built_in_roles_are_kept_and_renamed_only_to_a_free_name(admin_client: Client) -> None:
    sales = Role.objects.get(key="sales")
    page = admin_client.get(f"{ROLES}{sales.pk}/").content.decode()
    assert "Delete the role" not in page
    response = admin_client.post(f"{ROLES}{sales.pk}/delete/", follow=True)
    assert "Built-in roles cannot be deleted." in response.content.decode()
    assert Role.objects.filter(pk=sales.pk).exists()
    response = admin_client.post(f"{ROLES}{sales.pk}/rename/", {"name": "Manager"})
    assert response.status_code == 200
    assert "There is already a role with this name." in response.content.decode()
    assert (
        admin_client.post(f"{ROLES}{sales.pk}/rename/", {"name": "Field sales"}).status_code == 302
    )
    sales.refresh_from_db()
    assert sales.display_name == "Field sales"


def test_unknown_roles_are_404(admin_client: Client) -> None:
    assert admin_client.get(f"{ROLES}999999/").status_code == 404
    assert admin_client.post(f"{ROLES}999999/rename/", {"name": "X"}).status_code == 404
    assert admin_client.post(f"{ROLES}999999/delete/").status_code == 404
