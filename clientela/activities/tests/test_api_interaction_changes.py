"""Correcting the contact history through the API: ``PATCH`` and ``DELETE
/api/v1/interactions/{id}`` by the author and admins only (a teammate who reads the
entry gets 404), with the token's scopes, the version check, bad bodies refused, and
the trash it goes to."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from clientela.activities.models import Interaction
from clientela.core.models import AuditEntry
from clientela.core.testing.api import Api, fields

pytestmark = pytest.mark.django_db

INTERACTIONS = "/api/v1/interactions"
READ_WRITE = ("activities:read", "activities:write")


@pytest.fixture
def call(rep_north: Any, person_factory: Any) -> dict[str, Any]:
    """A call rep_north logged about one of their people, as the API shows it."""
    person = person_factory(rep_north, first_name="Ana")
    body = {"channel": "call", "subject": "Asked for a quote", "person_ids": [person.pk]}
    created = Api(rep_north, READ_WRITE).post(INTERACTIONS, body)
    assert created.status_code == 201, created.content
    data: dict[str, Any] = created.json()
    return data


def stored(call: dict[str, Any]) -> tuple[str, int, bool]:
    interaction = Interaction.objects.get(pk=call["id"])
    return interaction.subject, interaction.version, interaction.deleted_at is not None


def test_the_author_patches_and_deletes(rep_north: Any, call: dict[str, Any]) -> None:
    api = Api(rep_north, READ_WRITE)
    url = f"{INTERACTIONS}/{call['id']}"
    patched = api.patch(url, {"subject": "Wants a quote by Friday"}, HTTP_IF_MATCH='"1"')
    assert patched.status_code == 200, patched.content
    assert (patched.json()["subject"], patched.json()["version"]) == ("Wants a quote by Friday", 2)
    assert patched.json()["person_ids"] == call["person_ids"]
    assert api.delete(url, HTTP_IF_MATCH='"2"').status_code == 204
    assert stored(call) == ("Wants a quote by Friday", 3, True)
    actions = AuditEntry.objects.filter(
        object_id=call["id"], content_type__model="interaction"
    ).values_list("action", "interface")
    assert sorted(actions) == [("create", "api"), ("delete", "api"), ("update", "api")]


def test_an_admin_patches_and_deletes_anyones(admin: Any, call: dict[str, Any]) -> None:
    api = Api(admin, READ_WRITE)
    url = f"{INTERACTIONS}/{call['id']}"
    assert api.patch(url, {"subject": "Corrected"}).status_code == 200
    assert api.delete(url).status_code == 204
    interaction = Interaction.objects.get(pk=call["id"])
    assert (interaction.subject, interaction.deleted_by) == ("Corrected", admin)


@pytest.mark.parametrize("who", ["rep_north2", "manager_north", "rep_south", "reader"])
def test_anyone_else_gets_404_and_changes_nothing(
    request: pytest.FixtureRequest, who: str, call: dict[str, Any]
) -> None:
    api = Api(request.getfixturevalue(who), READ_WRITE)
    url = f"{INTERACTIONS}/{call['id']}"
    readable = who != "rep_south"  # the other team does not even read it
    assert api.get(url).status_code == (200 if readable else 404)
    patched = api.patch(url, {"subject": "Rewritten"})
    assert patched.status_code == 404, patched.content
    assert patched.json()["detail"]
    assert api.delete(url).status_code == 404
    assert stored(call) == ("Asked for a quote", 1, False)


def test_a_read_only_token_may_not_change_even_its_owners_entry(
    rep_north: Any, call: dict[str, Any]
) -> None:
    api = Api(rep_north, ("activities:read",))
    url = f"{INTERACTIONS}/{call['id']}"
    assert api.get(url).status_code == 200
    assert api.patch(url, {"subject": "Rewritten"}).status_code == 403
    assert api.delete(url).status_code == 403
    other_scope = Api(rep_north, ("contacts:read", "contacts:write"))
    assert other_scope.patch(url, {"subject": "Rewritten"}).status_code == 403
    assert stored(call) == ("Asked for a quote", 1, False)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"subject": "s" * 201}, "subject"),
        ({"body": "b" * 20001}, "body"),
        ({"subject": 123}, "subject"),
        ({"channel": None}, "channel"),
        ({"channel": "fax"}, "channel"),
        ({"duration_minutes": "long"}, "duration_minutes"),
        ({"occurred_at": "yesterday"}, "occurred_at"),
        ({"is_private": "maybe"}, "is_private"),
        ({"person_ids": [999999]}, "person_ids"),
        ({"version": "one"}, "version"),
        ({"subjet": "typo"}, "subjet"),
    ],
)
def test_bad_bodies_are_422_naming_the_field_and_change_nothing(
    rep_north: Any, call: dict[str, Any], body: dict[str, Any], field: str
) -> None:
    response = Api(rep_north, READ_WRITE).patch(f"{INTERACTIONS}/{call['id']}", body)
    assert response.status_code == 422, response.content
    assert field in fields(response), response.json()
    assert response.json()["detail"]
    assert stored(call) == ("Asked for a quote", 1, False)


@pytest.mark.parametrize("body", ["", "not json", "[]"])
def test_an_empty_or_broken_body_is_refused_with_a_message(
    rep_north: Any, call: dict[str, Any], body: str
) -> None:
    response = Api(rep_north, READ_WRITE).patch(f"{INTERACTIONS}/{call['id']}", body)
    assert response.status_code in (400, 422), response.content
    assert response.json()["detail"]
    assert stored(call) == ("Asked for a quote", 1, False)


def test_a_stale_patch_or_delete_is_412_and_changes_nothing(
    rep_north: Any, admin: Any, call: dict[str, Any]
) -> None:
    url = f"{INTERACTIONS}/{call['id']}"
    assert Api(admin, READ_WRITE).patch(url, {"outcome": "Admin's"}).status_code == 200
    api = Api(rep_north, READ_WRITE)
    stale = api.patch(url, {"subject": "Mine"}, HTTP_IF_MATCH='"1"')
    assert stale.status_code == 412
    assert stale.json()["current_version"] == 2
    assert api.delete(url, {"version": 1}).status_code == 412
    assert stored(call) == ("Asked for a quote", 2, False)


def test_deleted_through_the_api_it_waits_in_the_deleters_trash(
    rep_north: Any, rep_north2: Any, call: dict[str, Any]
) -> None:
    assert Api(rep_north, READ_WRITE).delete(f"{INTERACTIONS}/{call['id']}").status_code == 204
    restore = reverse("core:trash-restore-one", args=["activities.interaction", call["id"]])
    teammate = Client()
    teammate.force_login(rep_north2)
    assert teammate.post(restore).status_code == 404
    deleter = Client()
    deleter.force_login(rep_north)
    back = deleter.post(restore)
    assert back.status_code == 302
    assert back["Location"] == f"/people/{call['person_ids'][0]}/"
    assert stored(call) == ("Asked for a quote", 3, False)
    fetched = Api(rep_north, READ_WRITE).get(f"{INTERACTIONS}/{call['id']}")
    assert fetched.status_code == 200
