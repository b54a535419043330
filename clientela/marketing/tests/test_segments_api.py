"""The segments and lists API: create with rules, retrieve with the count the caller
sees, bad rules answered 422 naming the part, members paged, list members added and
removed, invisible records 404."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from clientela.contacts.details import AddressInput
from clientela.core.testing.api import Api, fields
from clientela.marketing.models import ListMember

pytestmark = pytest.mark.django_db
RW = ("marketing:read", "marketing:write")


@pytest.fixture
def madrid(rep_north: Any, rep_south: Any, person_factory: Any) -> list[Any]:
    where = [AddressInput("ES", city="Madrid", is_primary=True)]
    return [
        person_factory(rep_north, last_name="North1", addresses=where),
        person_factory(rep_north, last_name="North2", addresses=where),
        person_factory(rep_south, last_name="South1", addresses=where),
    ]


def test_create_retrieve_count_and_members(
    marketer: Any, rep_north: Any, madrid: list[Any]
) -> None:
    api = Api(marketer, RW)
    rules = {"all": [{"field": "city", "op": "eq", "value": "Madrid"}]}
    created = api.post("/api/v1/segments", {"name": "Madrid", "rules": rules})
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["rules"], body["count"]) == (rules, 3)
    got = api.get(f"/api/v1/segments/{body['id']}").json()
    assert got["count"] == 3
    # A sales rep reads segments, and counts only the people they see.
    as_rep = Api(rep_north, ("marketing:read",)).get(f"/api/v1/segments/{body['id']}")
    assert as_rep.json()["count"] == 2
    page = api.get(f"/api/v1/segments/{body['id']}/members", {"limit": 2}).json()
    assert [p["last_name"] for p in page["items"]] == ["North1", "North2"]
    rest = api.get(
        f"/api/v1/segments/{body['id']}/members", {"limit": 2, "cursor": page["next_cursor"]}
    ).json()
    assert [p["last_name"] for p in rest["items"]] == ["South1"]
    patched = api.patch(f"/api/v1/segments/{body['id']}", {"rules": {"any": []}})
    assert patched.json()["count"] == 0
    assert api.delete(f"/api/v1/segments/{body['id']}").status_code == 204


def test_bad_rules_are_422_naming_the_part(marketer: Any) -> None:
    api = Api(marketer, RW)
    bad = {"all": [{"field": "city", "op": "eq", "value": "x"}, {"field": "cty", "op": "eq"}]}
    response = api.post("/api/v1/segments", {"name": "Bad", "rules": bad})
    assert response.status_code == 422
    assert fields(response) == {"rules.all[1].field"}
    deep: dict[str, Any] = {"all": []}
    for _n in range(200):
        deep = {"all": [deep]}
    assert api.post("/api/v1/segments", {"name": "Deep", "rules": deep}).status_code == 422
    assert api.post("/api/v1/segments", {"name": "X", "rules": []}).status_code == 422


def test_fields_are_listed(marketer: Any) -> None:
    listed = {f["key"]: f for f in Api(marketer, RW).get("/api/v1/segments/fields").json()}
    assert {"city", "tags", "purchases.spent", "last_interaction", "analytics.rfm_segment"} <= set(
        listed
    )
    assert listed["city"]["ops"] == ["eq", "ne", "in", "contains", "exists"]


def test_list_members_added_listed_removed(
    marketer: Any, rep_north: Any, madrid: list[Any], person_factory: Any
) -> None:
    api = Api(marketer, RW)
    made = api.post("/api/v1/lists", {"name": "Fair"})
    assert made.status_code == 201
    url = f"/api/v1/lists/{made.json()['id']}/members"
    ids = [p.pk for p in madrid]
    assert api.post(url, {"person_ids": ids}).json() == {"changed": 3}
    assert api.post(url, {"person_ids": ids[:1]}).json() == {"changed": 0}
    assert ListMember.objects.filter(source="api").count() == 3
    listed = api.get(url).json()["items"]
    assert [p["last_name"] for p in listed] == ["North1", "North2", "South1"]
    assert [
        p["last_name"] for p in Api(rep_north, ("marketing:read",)).get(url).json()["items"]
    ] == [
        "North1",
        "North2",
    ]
    assert api.delete(url, {"person_ids": ids[:2]}).json() == {"changed": 2}
    missing = api.post(url, {"person_ids": [ids[0], 10**12]})
    assert missing.status_code == 422
    assert fields(missing) == {"person_ids"}
    assert ListMember.objects.count() == 1  # nothing half-added
    assert Api(rep_north, RW).post(url, {"person_ids": ids}).status_code in (403, 404)


def test_invisible_list_is_404(marketer: Any, rep_north: Any) -> None:
    from clientela.core.models import RolePermission  # noqa: PLC0415
    from clientela.core.permissions import forget_rights  # noqa: PLC0415

    made = Api(marketer, RW).post("/api/v1/lists", {"name": "Mine"}).json()
    url = f"/api/v1/lists/{made['id']}/members"
    rep = Api(rep_north, RW)
    assert rep.get(url).status_code == 200
    RolePermission.objects.filter(role=rep_north.role, resource="marketing.list").update(
        scope="own"
    )
    type(rep_north.role).objects.filter(pk=rep_north.role_id).update(updated_at=timezone.now())
    forget_rights(rep_north)
    assert rep.get(url).status_code == 404
    assert rep.get(f"/api/v1/lists/{made['id']}").status_code == 404
    assert rep.post(url, {"person_ids": [1]}).status_code == 404
    assert Api(marketer, RW).get("/api/v1/lists/999999/members").status_code == 404
