"""``/api/v1/automation/rules``: a rule read and written as the issue's example, bad
definitions as 422 naming the path with nothing saved, versions and optimistic
concurrency, the dry runs (a draft, a saved rule, a date trigger due today), the run
log, admins and managers only (404 for anyone else), the scopes, and the OpenAPI
contract (schemathesis)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
from django.db.models import Q
from freezegun import freeze_time

from clientela.automation.models import Rule, RuleRun, RuleVersion
from clientela.core.conditions import dates
from clientela.core.conditions.dates import TriggerDate, dates_due, fire_day
from clientela.core.events.dispatch import dispatch_pending
from clientela.core.testing.api import (
    Api,
    check_case,
    contract_cases,
    fields,
    kept_test_connection,
    openapi_schema,
    schema_settings,
    schema_token,
)

pytestmark = pytest.mark.django_db

SCOPES = ("automation:read", "automation:write")
RULES = "/api/v1/automation/rules"
VIP = {
    "name": "VIP follow-up",
    "trigger": {"event": "person.created"},
    "conditions": {"all": [{"field": "tags", "op": "contains", "value": "VIP"}]},
    "actions": [{"type": "add_tag", "tag": "Follow-up"}, {"type": "remove_tag", "tag": "New"}],
    "enabled": True,
}


@pytest.fixture
def api(admin: Any) -> Api:
    return Api(admin, SCOPES)


@pytest.fixture
def vip(api: Api) -> dict[str, Any]:
    created = api.post(RULES, VIP)
    assert created.status_code == 201, created.content
    body: dict[str, Any] = created.json()
    return body


def test_a_rule_reads_as_it_was_written(admin: Any, api: Api, vip: dict[str, Any]) -> None:
    for key in ("name", "trigger", "conditions", "actions", "enabled"):
        assert vip[key] == VIP[key], key
    assert vip["resource"] == "contacts.person"
    assert vip["version"] == 1
    assert vip["created_by"] == {"id": admin.pk, "username": admin.username}
    assert {"id", "created_at", "updated_at", "description"} <= set(vip)
    got = api.get(f"{RULES}/{vip['id']}")
    assert got.status_code == 200
    assert got.json() == vip
    assert got["ETag"] == '"1"'
    listed = api.get(RULES).json()
    assert [r["id"] for r in listed["items"]] == [vip["id"]]
    assert listed["next_cursor"] is None


def test_the_list_filters(api: Api, vip: dict[str, Any]) -> None:
    other = api.post(RULES, {**VIP, "name": "Quiet", "enabled": False}).json()
    assert {r["id"] for r in api.get(RULES, {"enabled": "false"}).json()["items"]} == {other["id"]}
    assert [r["id"] for r in api.get(RULES, {"q": "follow"}).json()["items"]] == [vip["id"]]
    assert [r["id"] for r in api.get(RULES, {"sort": "-name"}).json()["items"]] == [
        vip["id"],
        other["id"],
    ]
    assert api.get(RULES, {"resource": "sales.deal"}).json()["items"] == []
    assert fields(api.get(RULES, {"colour": "red"})) == {"colour"}
    assert fields(api.get(RULES, {"enabled": "yes"})) == {"enabled"}


def test_the_rule_made_through_the_api_fires(
    api: Api, vip: dict[str, Any], rep_north: Any, person_factory: Any
) -> None:
    person = person_factory(rep_north, first_name="Vera", tags=["VIP", "New"])
    dispatch_pending()
    assert [t.name for t in person.tags.all()] == ["Follow-up", "VIP"]
    runs = api.get(f"{RULES}/{vip['id']}/runs")
    assert runs.status_code == 200, runs.content
    [run] = runs.json()["items"]
    assert (run["record_id"], run["status"], run["version"]) == (person.pk, "done", 1)
    assert run["event_type"] == "person.created"
    assert [(s["index"], s["type"], s["status"]) for s in run["steps"]] == [
        (0, "add_tag", "done"),
        (1, "remove_tag", "done"),
    ]
    assert "Follow-up" in run["steps"][0]["message"]


def test_runs_filter_by_status_and_record(
    api: Api, vip: dict[str, Any], rep_north: Any, person_factory: Any
) -> None:
    one = person_factory(rep_north, tags=["VIP"])
    two = person_factory(rep_north, tags=["VIP"])
    dispatch_pending()
    base = f"{RULES}/{vip['id']}/runs"
    assert {r["record_id"] for r in api.get(base).json()["items"]} == {one.pk, two.pk}
    assert [r["record_id"] for r in api.get(base, {"record_id": two.pk}).json()["items"]] == [
        two.pk
    ]
    assert api.get(base, {"status": "failed"}).json()["items"] == []
    assert len(api.get(base, {"status": "done"}).json()["items"]) == 2
    first = api.get(base, {"limit": 1}).json()
    second = api.get(base, {"limit": 1, "cursor": first["next_cursor"]}).json()
    assert {first["items"][0]["id"], second["items"][0]["id"]} == set(
        RuleRun.objects.values_list("pk", flat=True)
    )
    assert fields(api.get(base, {"status": "lost"})) == {"status"}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"trigger": {"event": "person.exploded"}}, "trigger.event"),
        (
            {"conditions": {"all": [{"field": "shoe_size", "op": "eq", "value": 42}]}},
            "conditions.all[0].field",
        ),
        (
            {"trigger": {"event": "person.deleted"}, "conditions": {"all": []}},
            "actions[0].type",
        ),
        ({"actions": [{"type": "add_tag", "tag": "A"}, {"type": "juggle"}]}, "actions[1].type"),
        ({"actions": [{"type": "add_tag", "tag": "A"}, {"type": "add_tag"}]}, "actions[1].tag"),
        ({"actions": [{"type": "add_tag", "tag": "A"}, "add_tag"]}, "actions[1]"),
        ({"actions": []}, "actions"),
        ({"trigger": {}}, "trigger"),
        ({"name": ""}, "name"),
        ({"name": 7}, "name"),
        ({"enabled": "yes"}, "enabled"),
        ({"trigger": ["person.created"]}, "trigger"),
        ({"actions": {"type": "add_tag"}}, "actions"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_input_is_a_422_naming_the_path(api: Api, change: dict[str, Any], field: str) -> None:
    response = api.post(RULES, {**VIP, **change})
    assert response.status_code == 422, response.content
    assert fields(response) == {field}
    assert Rule.objects.count() == 0
    assert RuleVersion.objects.count() == 0


@pytest.mark.parametrize("left_out", ["name", "trigger", "actions"])
def test_a_create_needs_a_name_a_trigger_and_actions(api: Api, left_out: str) -> None:
    body = {k: v for k, v in VIP.items() if k != left_out}
    response = api.post(RULES, body)
    assert response.status_code == 422
    assert fields(response) == {left_out}
    assert Rule.objects.count() == 0


def test_a_body_that_is_not_json_is_refused(api: Api) -> None:
    response = api.post(RULES, '{"name": "VIP", ')
    assert response.status_code == 400
    assert Rule.objects.count() == 0
    assert api.post(RULES, "[1, 2]").status_code == 422
    assert Rule.objects.count() == 0


def test_an_unknown_event_is_named_in_the_message(api: Api) -> None:
    response = api.post(RULES, {**VIP, "trigger": {"event": "person.exploded"}})
    assert "person.exploded" in response.json()["errors"][0]["message"]


def test_a_bad_change_leaves_the_rule_as_it_was(api: Api, vip: dict[str, Any]) -> None:
    url = f"{RULES}/{vip['id']}"
    response = api.patch(url, {"name": "Renamed", "actions": [{"type": "add_tag", "tag": ""}]})
    assert response.status_code == 422
    assert fields(response) == {"actions[0].tag"}
    rule = Rule.objects.get()
    assert (rule.name, rule.version, rule.actions) == (VIP["name"], 1, VIP["actions"])
    assert RuleVersion.objects.count() == 1


def test_enable_disable_and_versions(api: Api, vip: dict[str, Any]) -> None:
    url = f"{RULES}/{vip['id']}"
    off = api.patch(url, {"enabled": False, "version": 1})
    assert off.status_code == 200, off.content
    assert (off.json()["enabled"], off.json()["version"]) == (False, 2)
    assert off["ETag"] == '"2"'
    assert Rule.objects.get().enabled is False
    same = api.patch(url, {"name": VIP["name"], "enabled": False})
    assert same.json()["version"] == 2
    changed = api.patch(url, {"actions": [{"type": "add_tag", "tag": "Call"}]})
    assert changed.json()["version"] == 3
    assert changed.json()["conditions"] == VIP["conditions"]
    history = api.get(url + "/versions")
    assert history.status_code == 200
    items = history.json()["items"]
    assert [v["number"] for v in items] == [3, 2, 1]
    assert items[0]["definition"]["actions"] == [{"type": "add_tag", "tag": "Call"}]
    assert items[1]["definition"]["enabled"] is False
    assert items[2]["definition"]["actions"] == VIP["actions"]


def test_a_stale_version_is_412_and_changes_nothing(api: Api, vip: dict[str, Any]) -> None:
    url = f"{RULES}/{vip['id']}"
    assert api.patch(url, {"description": "first"}).json()["version"] == 2
    stale = api.patch(url, {"enabled": False, "version": 1})
    assert stale.status_code == 412
    assert stale.json()["current_version"] == 2
    assert api.patch(url, {"enabled": False}, HTTP_IF_MATCH='"1"').status_code == 412
    assert Rule.objects.get().enabled is True
    assert api.delete(url, {"version": 1}).status_code == 412
    assert Rule.objects.count() == 1


def test_delete_removes_the_rule_its_versions_and_runs(
    api: Api, vip: dict[str, Any], rep_north: Any, person_factory: Any
) -> None:
    person_factory(rep_north, tags=["VIP"])
    dispatch_pending()
    assert RuleRun.objects.count() == 1
    assert api.delete(f"{RULES}/{vip['id']}").status_code == 204
    assert (Rule.objects.count(), RuleVersion.objects.count(), RuleRun.objects.count()) == (
        0,
        0,
        0,
    )
    assert api.get(f"{RULES}/{vip['id']}").status_code == 404


# --- dry runs -----------------------------------------------------------------------------


def test_a_dry_run_lists_the_matching_records_the_caller_may_see(
    manager_north: Any, rep_north: Any, rep_south: Any, person_factory: Any
) -> None:
    api = Api(manager_north, SCOPES)
    north = person_factory(rep_north, first_name="Vera", tags=["VIP"])
    person_factory(rep_north, first_name="Otto")
    south = person_factory(rep_south, first_name="Sven", tags=["VIP"])
    body = {k: VIP[k] for k in ("trigger", "conditions", "actions")}
    response = api.post(RULES + "/dry-run", body)
    assert response.status_code == 200, response.content
    found = response.json()
    assert found["count"] == 1
    [record] = found["records"]
    assert (record["id"], record["name"]) == (north.pk, str(north))
    assert record["url"].endswith(f"/people/{north.pk}/")
    # A rep may not dry-run; no rule was saved, nothing changed.
    assert Api(rep_north, SCOPES).post(RULES + "/dry-run", body).status_code == 404
    assert Rule.objects.count() == 0
    assert south.tags.count() == 1


def test_a_dry_run_counts_all_and_lists_fifty(
    admin: Any, api: Api, rep_north: Any, person_factory: Any
) -> None:
    for _ in range(52):
        person_factory(rep_north)
    found = api.post(RULES + "/dry-run", {"trigger": {"event": "person.created"}}).json()
    assert found["count"] == 52
    assert len({r["id"] for r in found["records"]}) == 50


def test_a_dry_run_of_a_saved_rule(
    api: Api, vip: dict[str, Any], rep_north: Any, person_factory: Any
) -> None:
    vera = person_factory(rep_north, tags=["VIP"])
    person_factory(rep_north)
    found = api.post(f"{RULES}/{vip['id']}/dry-run", {})
    assert found.status_code == 200, found.content
    assert [r["id"] for r in found.json()["records"]] == [vera.pk]
    assert api.post(f"{RULES}/999999/dry-run", {}).status_code == 404


def test_a_bad_dry_run_names_the_path(api: Api) -> None:
    response = api.post(
        RULES + "/dry-run",
        {
            "trigger": {"event": "person.created"},
            "conditions": {"any": [{"field": "nope", "op": "eq", "value": 1}]},
        },
    )
    assert response.status_code == 422
    assert fields(response) == {"conditions.any[0].field"}
    missing = api.post(RULES + "/dry-run", {"conditions": {"all": []}})
    assert fields(missing) == {"trigger"}


@pytest.fixture
def test_day(monkeypatch: pytest.MonkeyPatch) -> None:
    """A date of people for the tests: their last name, written as an ISO date."""
    date = TriggerDate(
        key="test_day",
        label="Test day",
        resource="contacts.person",
        on_day=lambda day: Q(last_name=day.isoformat()),
        value=lambda person: datetime.date.fromisoformat(person.last_name),
    )
    monkeypatch.setitem(dates._dates, (date.resource, date.key), date)


@pytest.mark.usefixtures("test_day")
@freeze_time("2026-03-02 10:00")  # a Monday
def test_a_date_trigger_s_dry_run_lists_those_due_today(
    api: Api, rep_north: Any, person_factory: Any
) -> None:
    due = person_factory(rep_north, last_name="2026-03-05")
    person_factory(rep_north, last_name="2026-03-04")
    person_factory(rep_north, last_name="2026-03-02")
    trigger = {"resource": "contacts.person", "date": "test_day", "days": 3, "when": "before"}
    found = api.post(RULES + "/dry-run", {"trigger": trigger}).json()
    assert [r["id"] for r in found["records"]] == [due.pk]
    # Two business days after: Thursday's date fires on Monday (Friday's on Tuesday;
    # a weekend's counts from Monday).
    thursday = person_factory(rep_north, last_name="2026-02-26")
    business = {**trigger, "days": 2, "when": "after", "business_days": True}
    found = api.post(RULES + "/dry-run", {"trigger": business}).json()
    assert [r["id"] for r in found["records"]] == [thursday.pk]


@pytest.mark.parametrize(
    ("day", "days", "when", "business"),
    [
        (datetime.date(2026, 3, 2), 3, "before", False),
        (datetime.date(2026, 3, 2), 0, "on", True),
        (datetime.date(2026, 3, 3), 1, "after", True),
        (datetime.date(2026, 3, 6), 1, "before", True),
        (datetime.date(2026, 3, 9), 12, "after", True),
        (datetime.date(2026, 3, 9), 5, "before", True),
        (datetime.date(2026, 3, 7), 2, "after", True),
        (datetime.date(2026, 3, 9), 400, "before", False),
    ],
)
def test_the_dates_due_on_a_day_are_exactly_those_that_fire_on_it(
    day: datetime.date, days: int, when: str, business: bool
) -> None:
    found = set(dates_due(day, days, when, business=business))
    around = {day + datetime.timedelta(days=n) for n in range(-days * 2 - 10, days * 2 + 10)}
    assert found == {d for d in around if fire_day(d, days, when, business=business) == day}


def test_a_saturday_and_sunday_fire_with_monday_on_business_days() -> None:
    monday = datetime.date(2026, 3, 2)
    assert dates_due(monday, 0, "on", business=True) == [
        datetime.date(2026, 2, 28),
        datetime.date(2026, 3, 1),
        monday,
    ]


# --- who may ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["rep_north", "marketer", "support", "reader"])
def test_anyone_but_admins_and_managers_finds_nothing(
    request: pytest.FixtureRequest, vip: dict[str, Any], role: str
) -> None:
    other = Api(request.getfixturevalue(role), SCOPES)
    base = f"{RULES}/{vip['id']}"
    assert other.get(RULES).status_code == 404
    assert other.post(RULES, VIP).status_code == 404
    assert other.get(base).status_code == 404
    assert other.patch(base, {"enabled": False}).status_code == 404
    assert other.delete(base).status_code == 404
    assert other.post(RULES + "/dry-run", {"trigger": VIP["trigger"]}).status_code == 404
    assert other.post(base + "/dry-run", {}).status_code == 404
    assert other.get(base + "/runs").status_code == 404
    assert other.get(base + "/versions").status_code == 404
    rule = Rule.objects.get()
    assert (rule.enabled, Rule.objects.count()) == (True, 1)


def test_a_manager_keeps_rules(manager_north: Any, vip: dict[str, Any]) -> None:
    manager = Api(manager_north, SCOPES)
    assert manager.get(f"{RULES}/{vip['id']}").status_code == 200
    changed = manager.patch(f"{RULES}/{vip['id']}", {"enabled": False})
    assert changed.status_code == 200
    assert manager.post(RULES, {**VIP, "name": "Mine"}).status_code == 201
    assert manager.get(f"{RULES}/{vip['id']}/versions").status_code == 200


def test_reading_needs_automation_read_and_changing_automation_write(
    admin: Any, vip: dict[str, Any]
) -> None:
    base = f"{RULES}/{vip['id']}"
    reader = Api(admin, ("automation:read",))
    assert reader.get(base + "/runs").status_code == 200
    assert reader.post(RULES + "/dry-run", {"trigger": VIP["trigger"]}).status_code == 200
    refused = reader.patch(base, {"enabled": False})
    assert refused.status_code == 403
    assert refused.json()["required_scope"] == "automation:write"
    assert reader.post(RULES, VIP).status_code == 403
    writer = Api(admin, ("automation:write",))
    for response in (
        writer.get(RULES),
        writer.get(base + "/versions"),
        writer.post(base + "/dry-run", {}),
    ):
        assert response.status_code == 403
        assert response.json()["required_scope"] == "automation:read"
    webhooks = Api(admin, ("webhooks:write",))
    assert webhooks.post(RULES, VIP).status_code == 403
    assert Rule.objects.count() == 1


# --- the OpenAPI contract -----------------------------------------------------------------

schema = openapi_schema(r"^/api/v1/automation/rules")


@pytest.fixture
def token(admin: Any, api: Api, vip: dict[str, Any]) -> Iterator[str]:
    with kept_test_connection():
        yield schema_token(admin, SCOPES)


@contract_cases(schema)
@schema_settings(max_examples=10)
def test_the_rules_api_conforms_to_its_openapi(case: Any, token: str) -> None:
    check_case(case, token)
