"""Workflow rules in Chromium, on a desktop's and a phone's width, in English and
Spanish: a manager builds a rule (an event trigger, a condition in the condition
editor, two actions added through the editor's htmx buttons), saves it, dry-runs it,
enables it, makes it fire (a matching person created through the service, then the
events dispatched) and reads the run; the page never scrolls sideways and breaks no
Content Security Policy rule."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from clientela.automation.models import Rule, RuleRun
from clientela.core.events.dispatch import dispatch_pending
from clientela.core.testing.browser import SCREEN_IDS, SCREENS, shot_that_fits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _add_action(page: Any, key: str, index: int, tag: str) -> None:
    page.select_option("#id_new_action", key)
    page.click("#add-action")
    field = page.locator(f"#action-{index}-tag")
    field.wait_for()
    field.fill(tag)


@pytest.mark.parametrize(("width", "language"), SCREENS, ids=SCREEN_IDS)
def test_build_dry_run_enable_fire_and_read_the_run_log(
    open_as: Any,
    manager_north: Any,
    rep_north: Any,
    person_factory: Any,
    artifacts_dir: Any,
    width: int,
    language: str,
) -> None:
    vera = person_factory(rep_north, first_name="Vera", last_name="Early", tags=["VIP"])
    person_factory(rep_north, first_name="Otto", last_name="Plain")
    dispatch_pending()  # those events are gone before the rule exists
    page = open_as(manager_north, width, language=language)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if "Content Security" in m.text else None)

    page.goto("/rules/new/")
    page.fill("#id_name", "VIP follow-up")
    page.select_option("#id_event", "person.created")
    # htmx brings the conditions and actions of people.
    page.locator("#condition-editor .btn-outline-primary").first.wait_for()
    page.locator("#condition-editor .btn-outline-primary").first.click()
    leaf = page.locator("#condition-editor .rule-leaf").first
    leaf.locator("select").first.select_option("tags")
    leaf.locator("select").nth(1).select_option("contains")
    leaf.locator("input").first.fill("VIP")
    _add_action(page, "add_tag", 0, "Follow-up")
    _add_action(page, "remove_tag", 1, "Cold")
    assert page.locator("#action-0-tag").input_value() == "Follow-up"
    shot_that_fits(page, artifacts_dir / f"rule-editor-{width}-{language}.png", full_page=True)
    page.click("#rule-form .btn-primary[type=submit]")
    page.wait_for_url("**/rules/*/")
    rule = Rule.objects.get()
    assert rule.conditions == {"all": [{"field": "tags", "op": "contains", "value": "VIP"}]}
    assert [a["type"] for a in rule.actions] == ["add_tag", "remove_tag"]
    assert "VIP" in page.locator("#rule-words").inner_text()

    page.click("#dry-run-button")
    page.locator("#dry-run-records").wait_for()
    assert page.locator("#dry-run-records li").all_inner_texts() == [str(vera)]

    page.click("#rule-toggle")
    page.wait_for_load_state()
    page.locator("#rule-toggle.btn-outline-secondary").wait_for()
    rule.refresh_from_db()
    assert rule.enabled

    paula = person_factory(rep_north, first_name="Paula", last_name="Vip", tags=["VIP"])
    dispatch_pending()
    [run] = RuleRun.objects.filter(rule=rule)
    assert run.record_id == paula.pk
    page.reload()
    log = page.locator("#run-log")
    assert str(paula) in log.inner_text()
    with translation.override(language):
        assert translation.gettext("Run log") in page.locator("#runs-title").inner_text()
    assert log.locator(f'a[href="/people/{paula.pk}/"]').count() == 1
    assert len(log.locator("ol li").all()) == 2
    shot_that_fits(page, artifacts_dir / f"rule-{width}-{language}.png", full_page=True)
    assert problems == []
