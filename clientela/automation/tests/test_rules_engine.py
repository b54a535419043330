"""Workflow rules end to end through the events layer: a person created fires the
rule listening to person.created, the conditions decide, the action acts through the
owning service as the system user "Automation", the run is logged; a rule's own change
does not fire it again, and a chain of rules stops at depth 5 with a logged reason."""

from __future__ import annotations

from typing import Any

import pytest

from clientela.automation.choices import RunStatus
from clientela.automation.models import RuleRun
from clientela.automation.rules.engine import MAX_CHAIN, automation_user
from clientela.automation.services.rules import rule_create
from clientela.contacts.services import person_update
from clientela.core.events.dispatch import dispatch_pending
from clientela.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def _rule(actor: Any, **data: Any) -> Any:
    return rule_create(actor=actor, data={"name": "Rule", "enabled": True, **data})  # type: ignore[typeddict-item]


def test_a_person_created_with_the_tag_gets_the_follow_up_tag(
    admin: Any, rep_north: Any, person_factory: Any
) -> None:
    rule = _rule(
        admin,
        name="VIP follow-up",
        trigger={"event": "person.created"},
        conditions={"all": [{"field": "tags", "op": "contains", "value": "VIP"}]},
        actions=[{"type": "add_tag", "tag": "Follow-up"}],
    )
    vip = person_factory(rep_north, first_name="Vera", tags=["VIP"])
    other = person_factory(rep_north, first_name="Otto")
    dispatch_pending()
    assert sorted(t.name for t in vip.tags.all()) == ["Follow-up", "VIP"]
    assert [t.name for t in other.tags.all()] == []
    [run] = RuleRun.objects.filter(rule=rule)
    assert (run.record_id, run.status, run.version) == (vip.pk, RunStatus.DONE, 1)
    assert run.steps[0]["status"] == "done"
    assert "Follow-up" in run.steps[0]["message"]
    entry = AuditEntry.objects.filter(object_id=str(vip.pk), action="update").latest("pk")
    assert entry.actor_id == automation_user().pk
    # Dispatched again: nothing runs twice.
    dispatch_pending()
    assert RuleRun.objects.filter(rule=rule).count() == 1


def test_a_rule_never_fires_on_its_own_change(
    admin: Any, rep_north: Any, person_factory: Any
) -> None:
    rule = _rule(
        admin,
        trigger={"event": "person.updated"},
        actions=[{"type": "add_tag", "tag": "Touched"}],
    )
    person = person_factory(rep_north, first_name="Ana")
    person_update(actor=rep_north, person=person, data={"last_name": "Ruiz"})
    for _ in range(3):
        dispatch_pending()
    assert RuleRun.objects.filter(rule=rule).count() == 1
    assert [t.name for t in person.tags.all()] == ["Touched"]


def test_a_chain_of_rules_stops_at_depth_five(
    admin: Any, rep_north: Any, person_factory: Any
) -> None:
    """Rule n fires on a person tagged T(n-1) and tags them T(n): each rule's change
    fires the next, a chain the limit stops at the sixth rule."""
    rules = [
        _rule(
            admin,
            name=f"Step {n}",
            trigger={"event": "person.updated"},
            conditions={"all": [{"field": "tags", "op": "contains", "value": f"T{n - 1}"}]}
            if n
            else {"all": []},
            actions=[{"type": "add_tag", "tag": f"T{n}"}],
        )
        for n in range(MAX_CHAIN + 2)
    ]
    person = person_factory(rep_north, first_name="Ana")
    person_update(actor=rep_north, person=person, data={"last_name": "Ruiz"})
    for _ in range(MAX_CHAIN + 4):
        dispatch_pending()
    done = RuleRun.objects.filter(status=RunStatus.DONE)
    assert sorted(r.rule.name for r in done) == [f"Step {n}" for n in range(MAX_CHAIN)]
    [stopped] = RuleRun.objects.filter(status=RunStatus.STOPPED)
    assert stopped.rule == rules[MAX_CHAIN]
    assert len(stopped.chain) == MAX_CHAIN
    assert "Step 0 → Step 1" in stopped.reason
    assert "limit of 5" in stopped.reason
    assert sorted(t.name for t in person.tags.all()) == [f"T{n}" for n in range(MAX_CHAIN)]
