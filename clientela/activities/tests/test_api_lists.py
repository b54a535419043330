"""Lists of the activities API: cursor pagination that visits every record once, and a
query count that does not grow with the page size."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clientela.activities.tests.test_api import (
    APPOINTMENTS,
    INTERACTIONS,
    READ_WRITE,
    TASKS,
    call_body,
    iso,
    meeting,
    soon,
)
from clientela.contacts.tests.test_api_lists import walk
from clientela.core.testing.api import Api

pytestmark = pytest.mark.django_db

COUNT = 9


@pytest.fixture
def north(rep_north: Any) -> Api:
    return Api(rep_north, READ_WRITE)


@pytest.fixture
def crowd(north: Api, rep_north: Any, rep_north2: Any, person_factory: Any) -> dict[str, set[int]]:
    """Records linked to people, with reminders and attendees, so every prefetch of a
    list has rows to fetch; several share a time, so the id must break ties."""
    people = [person_factory(rep_north).pk for _ in range(3)]
    base = soon(48)
    made: dict[str, set[int]] = {INTERACTIONS: set(), TASKS: set(), APPOINTMENTS: set()}
    for i in range(COUNT):
        links = {"person_ids": people[: 1 + i % 3]}
        same_time = "2025-03-01T09:30:00Z" if i % 2 else f"2025-03-0{1 + i % 5}T09:30:00Z"
        made[INTERACTIONS].add(
            north.post(INTERACTIONS, call_body(occurred_at=same_time, **links)).json()["id"]
        )
        due = base + datetime.timedelta(hours=i % 3)
        task = {"title": f"T{i}", "due_at": iso(due), "reminders": [{"minutes_before": 10}]}
        made[TASKS].add(north.post(TASKS, task | links).json()["id"])
        start = base + datetime.timedelta(hours=i % 4)
        appointment = meeting(
            start, attendee_ids=[rep_north.pk, rep_north2.pk], reminders=[{"minutes_before": 5}]
        )
        made[APPOINTMENTS].add(north.post(APPOINTMENTS, appointment | links).json()["id"])
    return made


@pytest.mark.parametrize(
    ("url", "params"),
    [(INTERACTIONS, {}), (TASKS, {"view": "all"}), (TASKS, {"view": "mine"}), (APPOINTMENTS, {})],
)
def test_cursor_walk_returns_every_record_once_in_order(
    north: Api, crowd: dict[str, set[int]], url: str, params: dict[str, Any]
) -> None:
    ids = walk(north, url, params | {"limit": 2})
    assert len(ids) == len(set(ids)) == COUNT
    assert set(ids) == crowd[url]
    one_page = north.get(url, params | {"limit": 200}).json()
    assert ids == [item["id"] for item in one_page["items"]]
    assert one_page["next_cursor"] is None


@pytest.mark.parametrize("url", [INTERACTIONS, TASKS, APPOINTMENTS])
def test_query_count_does_not_grow_with_the_page_size(
    north: Api, crowd: dict[str, set[int]], url: str
) -> None:
    counts = []
    for limit in (2, COUNT):
        with CaptureQueriesContext(connection) as queries:
            response = north.get(url, {"limit": limit} | ({"view": "all"} if url == TASKS else {}))
        assert response.status_code == 200
        assert len(response.json()["items"]) == limit
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


@pytest.mark.parametrize("url", [INTERACTIONS, TASKS, APPOINTMENTS])
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 201}, "limit"),
        ({"cursor": "forged"}, "cursor"),
        ({"chanel": "call"}, "chanel"),  # a misspelt filter is not silently ignored
    ],
)
def test_bad_list_parameters_are_422(
    north: Api, url: str, params: dict[str, Any], field: str
) -> None:
    response = north.get(url, params)
    assert response.status_code == 422
    assert field in {e["field"] for e in response.json()["errors"]}
