"""The merge pages and API: side by side, picks, errors, permissions, redirects of
merged ids (pages 301, API 308, chains), undo, the trash."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from clientela.contacts import data_quality
from clientela.contacts.merge import person_merge
from clientela.contacts.models import Merge, Organization, Person
from clientela.core.testing.api import Api

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def two(rep_north: Any, person_factory: Any) -> tuple[Person, Person]:
    a = person_factory(rep_north, first_name="Maria", last_name="Lopez")
    b = person_factory(rep_north, first_name="María", last_name="López", notes="Likes tea")
    return a, b


# --- pages --------------------------------------------------------------------------------


def test_duplicates_page_links_to_the_merge_page(rep_north: Any, two: Any) -> None:
    a, b = two
    data_quality.duplicate_scan_request(actor=rep_north, kind="person")
    page = client_for(rep_north).get("/people/duplicates/", {"min_score": "0.6"})
    html = page.content.decode()
    assert f"/people/merge/?a={a.pk}&amp;b={b.pk}" in html


def test_side_by_side_then_merge_with_a_pick(rep_north: Any, two: Any) -> None:
    a, b = two
    client = client_for(rep_north)
    page = client.get("/people/merge/", {"a": b.pk, "b": a.pk})
    html = page.content.decode()
    assert page.status_code == 200
    assert "María" in html
    assert "Likes tea" in html
    assert f'name="survivor" id="keep-{a.pk}" value="{a.pk}" checked' in html  # the older
    answer = client.post(
        "/people/merge/",
        {
            "a": a.pk,
            "b": b.pk,
            "survivor": a.pk,
            "pick-first_name": "other",
            f"version-{a.pk}": a.version,
            f"version-{b.pk}": b.version,
        },
    )
    assert answer.status_code == 302
    assert answer["Location"] == f"/people/{a.pk}/"
    fresh = Person.objects.get(pk=a.pk)
    assert fresh.first_name == "María"
    assert fresh.notes == "Likes tea"
    merge = Merge.objects.get()
    detail = client.get(f"/people/{a.pk}/").content.decode()
    assert f"/merges/{merge.pk}/undo/" in detail  # the undo button (message and note)
    assert client.get(f"/people/{b.pk}/").status_code == 301
    undo = client.post(f"/merges/{merge.pk}/undo/")
    assert undo.status_code == 302
    assert undo["Location"] == f"/people/{b.pk}/"
    assert Person.objects.get(pk=b.pk).deleted_at is None
    assert Person.objects.get(pk=a.pk).first_name == "Maria"


def test_choosing_the_newer_record_to_keep(rep_north: Any, two: Any) -> None:
    a, b = two
    client = client_for(rep_north)
    html = client.get("/people/merge/", {"a": a.pk, "b": b.pk, "survivor": b.pk}).content
    assert f'id="keep-{b.pk}" value="{b.pk}" checked'.encode() in html
    client.post("/people/merge/", {"a": a.pk, "b": b.pk, "survivor": b.pk})
    assert Person.objects.get(pk=a.pk).deleted_at is not None


@pytest.mark.parametrize(
    "params",
    [{}, {"a": "1"}, {"a": "x", "b": "2"}, "same"],
)
def test_bad_ids_show_an_error(rep_north: Any, two: Any, params: Any) -> None:
    a, _b = two
    if params == "same":
        params = {"a": a.pk, "b": a.pk}
    page = client_for(rep_north).get("/people/merge/", params)
    assert page.status_code == 400
    assert "alert-danger" in page.content.decode()


def test_unknown_pick_shows_an_error_and_saves_nothing(rep_north: Any, two: Any) -> None:
    a, b = two
    page = client_for(rep_north).post(
        "/people/merge/", {"a": a.pk, "b": b.pk, "pick-nickname": "other", "pick-notes": "both"}
    )
    assert page.status_code == 400
    html = page.content.decode()
    assert "nickname" in html
    assert "Choose one of" in html
    assert not Merge.objects.exists()


def test_other_teams_records_are_not_found(rep_south: Any, two: Any) -> None:
    a, b = two
    client = client_for(rep_south)
    assert client.get("/people/merge/", {"a": a.pk, "b": b.pk}).status_code == 404
    assert client.post("/people/merge/", {"a": a.pk, "b": b.pk}).status_code == 404
    assert Person.objects.get(pk=b.pk).deleted_at is None


def test_reader_cannot_merge(reader: Any, two: Any) -> None:
    a, b = two
    client = client_for(reader)
    assert client.get("/people/merge/", {"a": a.pk, "b": b.pk}).status_code == 403
    assert client.post("/people/merge/", {"a": a.pk, "b": b.pk}).status_code == 403


def test_old_urls_redirect_through_chains(
    rep_north: Any, rep_south: Any, person_factory: Any
) -> None:
    a, b, c = (person_factory(rep_north) for _ in range(3))
    person_merge(actor=rep_north, survivor=b, other=a)
    person_merge(actor=rep_north, survivor=c, other=b)
    client = client_for(rep_north)
    answer = client.get(f"/people/{a.pk}/edit/")
    assert answer.status_code == 301
    assert answer["Location"] == f"/people/{c.pk}/edit/"
    assert client.get(f"/people/{b.pk}/")["Location"] == f"/people/{c.pk}/"
    assert client_for(rep_south).get(f"/people/{a.pk}/").status_code == 404


def test_merged_records_are_hidden_from_the_trash(admin: Any, person_factory: Any) -> None:
    a, b = person_factory(admin), person_factory(admin, last_name="Zed")
    person_merge(actor=admin, survivor=a, other=b)
    client = client_for(admin)
    assert "Zed" not in client.get("/trash/").content.decode()
    answer = client.post(f"/people/{b.pk}/restore/", follow=True)
    assert "merged into another record" in answer.content.decode()
    assert Person.objects.get(pk=b.pk).deleted_at is not None


def test_organization_merge_page(rep_north: Any, organization_factory: Any) -> None:
    a = organization_factory(rep_north, name="Acme")
    b = organization_factory(rep_north, name="ACME", industry="Tools")
    client = client_for(rep_north)
    assert "Tools" in client.get("/organizations/merge/", {"a": a.pk, "b": b.pk}).content.decode()
    client.post("/organizations/merge/", {"a": a.pk, "b": b.pk})
    assert Organization.objects.get(pk=a.pk).industry == "Tools"
    assert client.get(f"/organizations/{b.pk}/")["Location"] == f"/organizations/{a.pk}/"


# --- API ------------------------------------------------------------------------------------


def test_api_merge_redirect_and_undo(rep_north: Any, two: Any) -> None:
    a, b = two
    api = Api(rep_north)
    answer = api.post(
        f"/api/v1/people/{a.pk}/merge",
        {"other_id": b.pk, "picks": {"first_name": "other"}, "version": 1, "other_version": 1},
    )
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["id"] == a.pk
    assert body["first_name"] == "María"
    assert body["merge_id"]
    moved = api.get(f"/api/v1/people/{b.pk}")
    assert moved.status_code == 308
    assert moved["Location"] == f"/api/v1/people/{a.pk}"
    patched = api.patch(f"/api/v1/people/{b.pk}", {"notes": "x"})
    assert patched.status_code == 308
    undone = api.post(f"/api/v1/merges/{body['merge_id']}/undo", None)
    assert undone.status_code == 200
    assert undone.json()["undone_at"]
    assert api.get(f"/api/v1/people/{b.pk}").status_code == 200
    again = api.post(f"/api/v1/merges/{body['merge_id']}/undo", None)
    assert again.status_code == 422


def test_api_merge_errors(rep_north: Any, rep_south: Any, reader: Any, two: Any) -> None:
    a, b = two
    api = Api(rep_north)
    url = f"/api/v1/people/{a.pk}/merge"

    def fields(answer: Any) -> set[str]:
        return {e["field"] for e in answer.json()["errors"]}

    same = api.post(url, {"other_id": a.pk})
    assert same.status_code == 422
    assert "other_id" in fields(same)
    unknown = api.post(url, {"other_id": b.pk, "picks": {"nickname": "other"}})
    assert unknown.status_code == 422
    assert "picks.nickname" in fields(unknown)
    bad = api.post(url, {"other_id": b.pk, "picks": {"first_name": "both"}})
    assert bad.status_code == 422
    assert "picks.first_name" in fields(bad)
    bad_value = api.post(url, {"other_id": b.pk, "picks": {"first_name": "mine"}})
    assert bad_value.status_code == 422
    stale = api.post(url, {"other_id": b.pk, "other_version": 7})
    assert stale.status_code == 412
    assert Api(rep_south).post(url, {"other_id": b.pk}).status_code == 404
    assert Api(reader).post(url, {"other_id": b.pk}).status_code == 403
    read_only = Api(rep_north, scopes=("contacts:read",))
    assert read_only.post(url, {"other_id": b.pk}).status_code == 403
    assert api.post("/api/v1/merges/999999/undo", None).status_code == 404
    assert not Merge.objects.exists()


def test_api_organization_merge(rep_north: Any, organization_factory: Any) -> None:
    a = organization_factory(rep_north, name="Acme")
    b = organization_factory(rep_north, name="ACME")
    api = Api(rep_north)
    answer = api.post(f"/api/v1/organizations/{a.pk}/merge", {"other_id": b.pk})
    assert answer.status_code == 200
    assert answer.json()["merge_id"]
    moved = api.get(f"/api/v1/organizations/{b.pk}")
    assert moved.status_code == 308
    assert moved["Location"] == f"/api/v1/organizations/{a.pk}"
