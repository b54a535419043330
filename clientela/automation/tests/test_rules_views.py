"""The workflow rule pages: the editor saves a good rule and shows a bad one's problems
beside their part (nothing saved), its own buttons add, move and remove actions without
saving; the rule's page says the rule in words, enables and disables it, dry-runs it
(the htmx partial) and shows the run a real change made; 404 for anyone but admins and
managers, on every page."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from clientela.automation.models import Rule, RuleRun, RuleVersion
from clientela.automation.services.rules import rule_create
from clientela.core.events.dispatch import dispatch_pending

pytestmark = pytest.mark.django_db

VIP = {"all": [{"field": "tags", "op": "contains", "value": "VIP"}]}
GOOD = {
    "name": "VIP follow-up",
    "description": "Tag new VIPs",
    "trigger_kind": "event",
    "event": "person.created",
    "conditions": json.dumps(VIP),
    "action-0-type": "add_tag",
    "action-0-tag": "Follow-up",
    "action-1-type": "remove_tag",
    "action-1-tag": "Cold",
}


def _rule(actor: Any, **data: Any) -> Rule:
    body = {
        "name": "VIP follow-up",
        "trigger": {"event": "person.created"},
        "conditions": VIP,
        "actions": [{"type": "add_tag", "tag": "Follow-up"}],
        **data,
    }
    return rule_create(actor=actor, data=body)  # type: ignore[arg-type]


@pytest.fixture
def manager_client(client: Client, manager_north: Any) -> Client:
    client.force_login(manager_north)
    return client


def test_a_manager_creates_a_rule_from_the_editor(manager_client: Client) -> None:
    page = manager_client.get(reverse("automation:rule-create")).content.decode()
    assert 'value="person.created"' in page
    assert "data-condition-builder" not in page  # no event chosen: no kind yet
    response = manager_client.post(reverse("automation:rule-create"), GOOD)
    rule = Rule.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("automation:rule-detail", kwargs={"pk": rule.pk})
    assert (rule.resource, rule.enabled, rule.trigger) == (
        "contacts.person",
        False,
        {"event": "person.created"},
    )
    assert rule.conditions == VIP
    assert rule.actions == [
        {"type": "add_tag", "tag": "Follow-up"},
        {"type": "remove_tag", "tag": "Cold"},
    ]
    assert RuleVersion.objects.filter(rule=rule).count() == 1


def test_bad_input_is_shown_beside_its_part_and_nothing_is_saved(manager_client: Client) -> None:
    url = reverse("automation:rule-create")
    bad_action = {**GOOD, "action-1-tag": "  "}
    html = manager_client.post(url, bad_action).content.decode()
    assert 'id="action-1-errors"' in html
    assert "actions[1].tag: Enter a tag." in html
    bad_condition = {**GOOD, "conditions": json.dumps({"all": [{"field": "nope", "op": "eq"}]})}
    html = manager_client.post(url, bad_condition).content.decode()
    assert 'id="conditions-errors"' in html
    assert "all[0].field" in html
    html = manager_client.post(url, {**GOOD, "event": ""}).content.decode()
    assert 'id="trigger-errors"' in html
    html = manager_client.post(url, {**GOOD, "conditions": "{not json"}).content.decode()
    assert "The conditions are not valid JSON." in html
    html = manager_client.post(url, {**GOOD, "name": ""}).content.decode()
    assert 'id="id_name-errors"' in html
    assert not Rule.objects.exists()


def test_the_editor_buttons_change_the_form_without_saving(manager_client: Client) -> None:
    url = reverse("automation:rule-create")
    added = manager_client.post(url, {**GOOD, "editor": "add", "new_action": "add_tag"})
    html = added.content.decode()
    assert added.status_code == 200
    assert 'id="action-2"' in html
    assert 'id="id_name-errors"' not in html
    moved = manager_client.post(url, {**GOOD, "editor": "up:1"}).content.decode()
    assert moved.index('value="Cold"') < moved.index('value="Follow-up"')
    removed = manager_client.post(url, {**GOOD, "editor": "remove:0"}).content.decode()
    assert 'value="Follow-up"' not in removed
    assert 'value="Cold"' in removed
    schedule = {"trigger_kind": "schedule", "resource": "contacts.person", "editor": "refresh"}
    dated = manager_client.post(url, {**GOOD, **schedule}).content.decode()
    assert 'name="schedule"' in dated
    assert not Rule.objects.exists()


def test_editing_makes_a_new_version(manager_client: Client, manager_north: Any) -> None:
    rule = _rule(manager_north)
    url = reverse("automation:rule-edit", kwargs={"pk": rule.pk})
    page = manager_client.get(url).content.decode()
    assert 'value="Follow-up"' in page
    assert "data-condition-builder" in page
    data = {**GOOD, "name": "VIP", "version": rule.version}
    assert manager_client.post(url, data).status_code == 302
    rule.refresh_from_db()
    assert (rule.name, rule.version, len(rule.actions)) == ("VIP", 2, 2)
    stale = manager_client.post(url, {**data, "name": "Again", "version": 1}).content.decode()
    assert "Someone changed this record after you opened this page." in stale
    rule.refresh_from_db()
    assert rule.name == "VIP"


def test_the_page_says_the_rule_and_enables_and_disables_it(
    manager_client: Client, manager_north: Any
) -> None:
    rule = _rule(manager_north, actions=[{"type": "add_tag", "tag": "Key account"}])
    detail = reverse("automation:rule-detail", kwargs={"pk": rule.pk})
    html = manager_client.get(detail).content.decode()
    assert "Add a tag (Tag: Key account)" in html
    assert "contains VIP" in html
    enable = reverse("automation:rule-enable", kwargs={"pk": rule.pk})
    page = manager_client.post(enable, {"enabled": "1"}, follow=True)
    rule.refresh_from_db()
    assert rule.enabled
    assert "Rule enabled." in page.content.decode()
    manager_client.post(enable, {"enabled": "0"})
    rule.refresh_from_db()
    assert not rule.enabled


def test_the_dry_run_lists_the_records_matching_now(
    manager_client: Client, manager_north: Any, rep_north: Any, person_factory: Any
) -> None:
    rule = _rule(manager_north)
    vip = person_factory(rep_north, first_name="Vera", tags=["VIP"])
    person_factory(rep_north, first_name="Otto")
    url = reverse("automation:rule-dry-run", kwargs={"pk": rule.pk})
    partial = manager_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert partial.startswith('<div id="dry-run"')
    assert "1 record meets the conditions now." in partial
    assert str(vip) in partial
    assert "Otto" not in partial
    whole = manager_client.get(url).content.decode()
    assert "<html" in whole
    assert "1 record meets the conditions now." in whole
    assert not RuleRun.objects.exists()


def test_the_run_log_shows_a_run_made_by_a_real_change(
    manager_client: Client, manager_north: Any, rep_north: Any, person_factory: Any
) -> None:
    rule = _rule(manager_north, enabled=True)
    vip = person_factory(rep_north, first_name="Vera", tags=["VIP"])
    dispatch_pending()
    run = RuleRun.objects.get(rule=rule)
    detail = reverse("automation:rule-detail", kwargs={"pk": rule.pk})
    html = manager_client.get(detail).content.decode()
    assert f'data-run="{run.pk}"' in html
    assert reverse("contacts:person-detail", kwargs={"pk": vip.pk}) in html
    assert "person.created" in html
    assert "tagged “Follow-up”." in html
    partial = manager_client.get(
        detail, {"status": "failed"}, headers={"HX-Request": "true", "HX-Target": "rule-runs"}
    ).content.decode()
    assert "<html" not in partial
    assert "No run has this status." in partial


def test_the_list_filters_and_links_the_rules(manager_client: Client, manager_north: Any) -> None:
    rule = _rule(manager_north, enabled=True)
    _rule(manager_north, name="Quiet one")
    url = reverse("automation:rule-list")
    html = manager_client.get(url, {"enabled": "true"}).content.decode()
    assert reverse("automation:rule-detail", kwargs={"pk": rule.pk}) in html
    assert "Quiet one" not in html
    assert "When: " in html
    none = manager_client.get(url, {"q": "nothing like it"}).content.decode()
    assert "No rule matches these filters." in none


def test_the_links_show_to_those_who_keep_rules(client: Client, admin: Any, rep_north: Any) -> None:
    client.force_login(admin)
    assert reverse("automation:rule-list") in client.get(reverse("core:settings")).content.decode()
    client.force_login(rep_north)
    assert reverse("automation:rule-list") not in client.get("/").content.decode()


@pytest.mark.parametrize("role", ["rep_north", "marketer", "support", "reader"])
def test_every_page_is_404_for_anyone_else(
    request: pytest.FixtureRequest, client: Client, manager_north: Any, role: str
) -> None:
    rule = _rule(manager_north)
    client.force_login(request.getfixturevalue(role))
    pk = {"pk": rule.pk}
    for name, kwargs in [
        ("rule-list", None),
        ("rule-create", None),
        ("rule-detail", pk),
        ("rule-edit", pk),
        ("rule-delete", pk),
        ("rule-dry-run", pk),
    ]:
        assert client.get(reverse(f"automation:{name}", kwargs=kwargs)).status_code == 404
    for name, kwargs in [
        ("rule-create", None),
        ("rule-edit", pk),
        ("rule-delete", pk),
        ("rule-enable", pk),
    ]:
        response = client.post(reverse(f"automation:{name}", kwargs=kwargs), {"enabled": "1"})
        assert response.status_code == 404
    rule.refresh_from_db()
    assert not rule.enabled
    assert Rule.objects.count() == 1


def test_delete_confirms_then_removes_the_rule(manager_client: Client, manager_north: Any) -> None:
    rule = _rule(manager_north)
    url = reverse("automation:rule-delete", kwargs={"pk": rule.pk})
    assert rule.name in manager_client.get(url).content.decode()
    response = manager_client.post(url, {"version": rule.version})
    assert response["Location"] == reverse("automation:rule-list")
    assert not Rule.objects.exists()


def test_a_schedule_rule_from_the_editor(manager_client: Client) -> None:
    data = {
        "name": "Monday tags",
        "trigger_kind": "schedule",
        "resource": "contacts.person",
        "schedule": "weekly",
        "weekday": "0",
        "action-0-type": "add_tag",
        "action-0-tag": "Week",
    }
    html = manager_client.post(reverse("automation:rule-create"), {**data, "editor": "refresh"})
    assert 'name="weekday"' in html.content.decode()
    assert manager_client.post(reverse("automation:rule-create"), data).status_code == 302
    rule = Rule.objects.get()
    assert rule.trigger == {"resource": "contacts.person", "schedule": "weekly", "weekday": 0}
    page = manager_client.get(reverse("automation:rule-detail", kwargs={"pk": rule.pk}))
    assert "Every Monday, for each person" in page.content.decode()
