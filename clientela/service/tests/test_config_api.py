"""The settings API: /queues (read by ticket readers, changed by admins),
/sla-policies and /business-calendars (admins; 404 for others), 422 naming the field,
and the OpenAPI contract."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from clientela.core.models import Team
from clientela.core.testing.api import (
    Api,
    check_case,
    contract_cases,
    kept_test_connection,
    openapi_schema,
    schema_settings,
    schema_token,
)
from clientela.service.models import BusinessCalendar, Queue, SlaPolicy
from clientela.service.services import tickets as ticket_services
from clientela.service.tests.helpers import SPANISH_HOURS, make_policy, make_queue

pytestmark = pytest.mark.django_db

READ_WRITE = ("service:read", "service:write")


@pytest.fixture
def boss(admin: Any) -> Api:
    return Api(admin, READ_WRITE)


@pytest.fixture
def rep(rep_north: Any) -> Api:
    return Api(rep_north, READ_WRITE)


def test_queue_crud(boss: Any, rep_north: Any) -> None:
    team = Team.objects.get_or_create(name="North")[0]
    made = boss.post(
        "/api/v1/queues",
        {
            "name": "Support",
            "team_id": team.pk,
            "agents": [{"user_id": rep_north.pk, "weight": 3}],
            "assignment": "least_open",
        },
    )
    assert made.status_code == 201, made.json()
    body = made.json()
    assert body["agents"] == [{"user_id": rep_north.pk, "weight": 3}]
    url = f"/api/v1/queues/{body['id']}"
    changed = boss.patch(url, {"active": False, "max_open_per_agent": 4})
    assert (changed.json()["active"], changed.json()["max_open_per_agent"]) == (False, 4)
    assert changed.json()["agents"] == body["agents"]
    assert [q["name"] for q in boss.get("/api/v1/queues").json()["items"]] == ["Support"]
    assert boss.delete(url).status_code == 204
    assert not Queue.objects.exists()


def test_readers_list_queues_but_only_admins_change_them(rep: Any, rep_south: Any) -> None:
    queue = make_queue()
    assert [q["id"] for q in rep.get("/api/v1/queues").json()["items"]] == [queue.pk]
    url = f"/api/v1/queues/{queue.pk}"
    answers = [
        rep.get(url),
        rep.patch(url, {"name": "Mine"}),
        rep.delete(url),
        rep.post("/api/v1/queues", {"name": "X", "team_id": queue.team_id}),
    ]
    assert [a.status_code for a in answers] == [404] * 4
    assert Queue.objects.get().name == "Support"
    assert Api(rep_south, ("sales:read",)).get("/api/v1/queues").status_code == 403


def test_a_queue_with_tickets_is_refused_with_422(boss: Any, admin: Any) -> None:
    queue = make_queue()
    ticket_services.ticket_create(actor=admin, data={"subject": "Q", "queue_id": queue.pk})
    answer = boss.delete(f"/api/v1/queues/{queue.pk}")
    assert answer.status_code == 422
    assert "deactivate" in str(answer.json())


def test_calendar_crud_and_field_errors(boss: Any) -> None:
    body = {
        "name": "Madrid",
        "time_zone": "Europe/Madrid",
        "hours": SPANISH_HOURS,
        "country": "ES",
        "subdivision": "MD",
        "extra_holidays": ["2026-12-24"],
    }
    made = boss.post("/api/v1/business-calendars", body)
    assert made.status_code == 201, made.json()
    url = f"/api/v1/business-calendars/{made.json()['id']}"
    for bad, field in (
        ({"hours": [[] for _ in range(7)]}, "hours"),
        ({"subdivision": "ZZ"}, "subdivision"),
        ({"extra_holidays": ["2999-01-01"]}, "extra_holidays"),
        ({"hours": [[]]}, "hours"),
        ({"colour": "red"}, "colour"),
    ):
        answer = boss.patch(url, bad)
        assert answer.status_code == 422, bad
        assert field in str(answer.json()), answer.json()
    assert boss.get(url).json()["subdivision"] == "MD"
    assert boss.get("/api/v1/business-calendars").json()["items"][0]["hours"] == SPANISH_HOURS
    assert boss.delete(url).status_code == 204
    assert not BusinessCalendar.objects.exists()


def test_policy_crud(boss: Any) -> None:
    calendar = make_policy().calendar
    made = boss.post(
        "/api/v1/sla-policies",
        {
            "name": "Gold",
            "calendar_id": calendar.pk,
            "targets": [
                {"priority": "high", "first_response_minutes": 60, "resolution_minutes": 480}
            ],
        },
    )
    assert made.status_code == 201, made.json()
    url = f"/api/v1/sla-policies/{made.json()['id']}"
    assert made.json()["targets"] == [
        {"priority": "high", "first_response_minutes": 60, "resolution_minutes": 480}
    ]
    bad = boss.patch(
        url,
        {"targets": [{"priority": "high", "first_response_minutes": 0, "resolution_minutes": 1}]},
    )
    assert bad.status_code == 422
    assert "first_response_minutes" in str(bad.json())
    assert boss.patch(url, {"calendar_id": 999999}).status_code == 422
    assert boss.patch(url, {"breach_reassigns": True}).json()["breach_reassigns"] is True
    assert boss.delete(url).status_code == 204
    assert list(SlaPolicy.objects.values_list("name", flat=True)) == ["Standard"]


def test_policies_and_calendars_are_404_for_non_admins(rep: Any) -> None:
    policy = make_policy()
    for url in (
        "/api/v1/sla-policies",
        f"/api/v1/sla-policies/{policy.pk}",
        "/api/v1/business-calendars",
        f"/api/v1/business-calendars/{policy.calendar_id}",
    ):
        assert rep.get(url).status_code == 404, url
    assert rep.delete(f"/api/v1/sla-policies/{policy.pk}").status_code == 404
    assert rep.post("/api/v1/business-calendars", {"name": "X"}).status_code == 404
    assert SlaPolicy.objects.count() == 1


schema = openapi_schema(r"^/api/v1/(queues|sla-policies|business-calendars)")


@pytest.fixture
def token(admin: Any) -> Iterator[str]:
    make_queue()
    make_policy()
    with kept_test_connection():
        yield schema_token(admin, READ_WRITE)


@contract_cases(schema)
@schema_settings(max_examples=15)
def test_settings_api_conforms_to_its_openapi(case: Any, token: str) -> None:
    check_case(case, token)
