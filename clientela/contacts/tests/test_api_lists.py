"""Lists of the contacts API: filters, sorting, cursor pagination that visits every
record once under any sort, and a query count that does not grow with the page."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clientela.contacts.models import Person
from clientela.contacts.services import AddressInput, MembershipInput, person_update
from clientela.contacts.tests.test_api import ORGS, PEOPLE
from clientela.core.models import CustomField, Tag
from clientela.core.services import custom_field_create
from clientela.core.testing.api import Api, fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def north(rep_north: Any) -> Api:
    return Api(rep_north)


@pytest.fixture
def vip_field(admin: Any) -> CustomField:
    return custom_field_create(
        actor=admin,
        resource="contacts.person",
        key="vip_level",
        label="VIP level",
        field_type="choice",
        choices=["gold", "silver"],
    )


@pytest.fixture
def crowd(
    rep_north: Any, rep_north2: Any, person_factory: Any, organization_factory: Any
) -> list[Person]:
    org = organization_factory(rep_north, name="Acme")
    people = []
    cities = ["Madrid", "Lima", "", "Boston"]
    for i in range(26):
        owner = rep_north if i % 2 else rep_north2
        data: dict[str, Any] = {
            "first_name": f"P{i % 5}",
            "last_name": ["García", "Smith", "garcía", "Ølsen"][i % 4],
            "tags": ["vip"] if i % 3 == 0 else [],
            "memberships": [],
        }
        if i % 4 != 2:
            data["addresses"] = [_addr(cities[i % 4])]
        if i % 3:
            data["birthday"] = datetime.date(1970 + i % 4, 1, 1)
        if i % 5 == 0:
            data["email"] = f"p{i}@example.com"
        person = person_factory(owner, **data)
        people.append(person)
    person_update(
        actor=rep_north, person=people[0], data={"memberships": [MembershipInput(org.pk)]}
    )
    return people


def _addr(city: str) -> AddressInput:
    return AddressInput(
        country="ES" if city == "Madrid" else "PE" if city == "Lima" else "US", city=city
    )


def walk(api: Api, url: str, params: dict[str, Any]) -> list[int]:
    ids: list[int] = []
    cursor = None
    for _page in range(200):
        query = params | ({"cursor": cursor} if cursor else {})
        response = api.get(url, query)
        assert response.status_code == 200, response.content
        ids += [item["id"] for item in response.json()["items"]]
        cursor = response.json()["next_cursor"]
        if cursor is None:
            return ids
    raise AssertionError("no last page")


@pytest.mark.parametrize(
    "sort",
    [
        "name",
        "-name",
        "first_name",
        "birthday",
        "-birthday",
        "city",
        "-country",
        "email",
        "owner",
        "-team",
        "created",
        "-updated",
    ],
)
def test_cursor_walk_returns_every_record_once_in_sort_order(
    north: Api, crowd: list[Person], sort: str
) -> None:
    ids = walk(north, PEOPLE, {"sort": sort, "limit": 4})
    assert len(ids) == len(set(ids)) == len(crowd)
    assert ids == [p["id"] for p in north.get(PEOPLE, {"sort": sort, "limit": 200}).json()["items"]]


def test_cursor_walk_under_a_filter(north: Api, crowd: list[Person]) -> None:
    ids = walk(north, PEOPLE, {"tag": Tag.objects.get(name="vip").pk, "sort": "-name", "limit": 2})
    assert sorted(ids) == sorted(p.pk for i, p in enumerate(crowd) if i % 3 == 0)


def test_list_filters(
    north: Api, rep_north: Any, crowd: list[Person], vip_field: CustomField
) -> None:
    def ids(**params: Any) -> set[int]:
        response = north.get(PEOPLE, params | {"limit": 200})
        assert response.status_code == 200, response.content
        return {p["id"] for p in response.json()["items"]}

    assert ids(city="Lima") == {p.pk for i, p in enumerate(crowd) if i % 4 == 1}
    assert ids(country="ES") == {p.pk for i, p in enumerate(crowd) if i % 4 == 0}
    assert ids(owner=rep_north.pk) == {p.pk for i, p in enumerate(crowd) if i % 2}
    assert ids(team=rep_north.team_id) == {p.pk for p in crowd}
    assert ids(q="GARCIA") == {p.pk for i, p in enumerate(crowd) if i % 2 == 0}
    assert ids(role="customer") == set()
    north.patch(f"{PEOPLE}/{crowd[1].pk}", {"custom": {"vip_level": "gold"}})
    assert ids(cf_vip_level="gold") == {crowd[1].pk}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"sort": "salary"}, "sort"),
        ({"role": "friend"}, "role"),
        ({"tag": "x"}, "tag"),
        ({"cf_unknown": "1"}, "cf_unknown"),
        ({"limit": 500}, "limit"),
        ({"cursor": "xyz"}, "cursor"),
        ({"country": "España"}, "country"),
    ],
)
def test_bad_list_parameters_are_422(north: Api, params: dict[str, Any], field: str) -> None:
    response = north.get(PEOPLE, params)
    assert response.status_code == 422
    assert field in fields(response)


@pytest.mark.parametrize("url", [PEOPLE, ORGS])
def test_list_queries_do_not_grow_with_page_size(
    north: Api, rep_north: Any, crowd: list[Person], organization_factory: Any, url: str
) -> None:
    for i in range(8):
        organization_factory(rep_north, name=f"Org {i}", email=f"o{i}@example.com", tags=["x"])
    north.get(url)  # the token's first use writes last_used_at

    def count(limit: int) -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = north.get(url, {"limit": limit, "sort": "city"})
            assert response.status_code == 200
        return len(ctx.captured_queries)

    assert count(5) == count(100)
