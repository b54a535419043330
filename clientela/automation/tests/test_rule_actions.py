"""The rules' action types end to end (records, owners, lists, waits): a rule made with
``rule_create``, the trigger's event produced by a real service call, the events
dispatched, then the effect checked, written by the system user "Automation" through
the owning service (its audit entry names it), and the run's step message. Bad
parameters are refused where the rule comes in, with the path; a step that fails at
run time fails the run with its message and leaves nothing of itself behind.

The actions that reach out (e-mail, tickets, webhooks) are in
``test_rule_actions_out.py``."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from clientela.activities.models import Task
from clientela.automation.choices import RunStatus
from clientela.automation.models import RuleRun, RuleTurn
from clientela.automation.rules.actions.waits import delay
from clientela.automation.rules.definition import RuleError, parse_rule
from clientela.automation.rules.engine import automation_user
from clientela.automation.services.rules import rule_create
from clientela.core.events.dispatch import dispatch_pending
from clientela.core.models import AuditEntry, Team, User
from clientela.marketing.choices import ListMemberSource
from clientela.marketing.models import ListMember
from clientela.marketing.services.segments import list_create, list_trash
from clientela.sales.tests.deal_helpers import make_deal, make_pipeline

pytestmark = pytest.mark.django_db

PERSON_CREATED = {"event": "person.created"}


def _rule(actor: Any, actions: list[dict[str, Any]], trigger: Any = None) -> Any:
    return rule_create(
        actor=actor,
        data={
            "name": "Rule",
            "enabled": True,
            "trigger": trigger or PERSON_CREATED,
            "actions": actions,
        },
    )


def _run(rule: Any) -> RuleRun:
    [run] = RuleRun.objects.filter(rule=rule)
    return run


def _audited_by_automation(record: Any, action: str) -> bool:
    entry = AuditEntry.objects.filter(object_id=str(record.pk), action=action).latest("pk")
    return bool(entry.actor_id == automation_user().pk)


# --- create_task ------------------------------------------------------------------------


def test_create_task_for_the_owner_linked_to_the_person(
    admin: Any, rep_north: Any, person_factory: Any
) -> None:
    rule = _rule(
        admin,
        [{"type": "create_task", "title": "Call them", "due_in_days": 2, "priority": "high"}],
    )
    person = person_factory(rep_north, first_name="Vera")
    dispatch_pending()
    task = Task.objects.get(title="Call them")
    assert (task.assignee, task.owner, task.priority) == (rep_north, rep_north, "high")
    assert [p.pk for p in task.people.all()] == [person.pk]
    assert task.due_at is not None
    assert round((task.due_at - task.created_at).total_seconds() / 86400) == 2
    assert _audited_by_automation(task, "create")
    run = _run(rule)
    assert run.status == RunStatus.DONE
    assert "Call them" in run.steps[0]["message"]
    assert run.steps[0]["url"] == f"/tasks/{task.pk}/"


def test_create_task_on_a_deal_links_the_deal(admin: Any, rep_north: Any, rep_north2: Any) -> None:
    _rule(
        admin,
        [{"type": "create_task", "title": "Onboarding", "assignee": rep_north2.pk}],
        trigger={"event": "deal.created"},
    )
    deal = make_deal(rep_north, make_pipeline())
    dispatch_pending()
    task = Task.objects.get(title="Onboarding")
    assert (task.related_type, task.related_id, task.assignee) == (
        "sales.deal",
        deal.pk,
        rep_north2,
    )


# --- update_field -------------------------------------------------------------------------


def test_update_field_sets_the_deal_field_through_its_service(admin: Any, rep_north: Any) -> None:
    rule = _rule(
        admin,
        [
            {"type": "update_field", "field": "next_step", "value": "Send the offer"},
            {"type": "update_field", "field": "close_date", "value": "2027-03-31"},
        ],
        trigger={"event": "deal.created"},
    )
    deal = make_deal(rep_north, make_pipeline())
    dispatch_pending()
    deal.refresh_from_db()
    assert (deal.next_step, str(deal.close_date)) == ("Send the offer", "2027-03-31")
    assert _audited_by_automation(deal, "update")
    run = _run(rule)
    assert run.status == RunStatus.DONE
    assert "Send the offer" in run.steps[0]["message"]
    assert run.steps[1]["url"] == f"/deals/{deal.pk}/"


def test_update_field_refused_by_the_service_fails_the_run(admin: Any, rep_north: Any) -> None:
    """A complaint is closed only with its resolution written down: the service
    refuses, the run logs why, the ticket is as it was."""
    from clientela.service.services.tickets import ticket_create  # noqa: PLC0415

    rule = _rule(
        admin,
        [{"type": "update_field", "field": "status", "value": "closed"}],
        trigger={"event": "ticket.created"},
    )
    ticket = ticket_create(actor=rep_north, data={"subject": "Broken oven", "type": "complaint"})
    dispatch_pending()
    ticket.refresh_from_db()
    assert ticket.status == "new"
    run = _run(rule)
    assert run.status == RunStatus.FAILED
    assert run.steps[0]["status"] == "failed"
    assert "resolved" in run.steps[0]["message"]


# --- assign_owner -------------------------------------------------------------------------


def test_round_robin_over_three_members_assigns_in_turn(
    admin: Any, make_user: Any, rep_north: Any, person_factory: Any
) -> None:
    members = [make_user(f"east{n}", team="East") for n in range(3)]
    gone = make_user("east_gone", team="East")
    User.objects.filter(pk=gone.pk).update(is_active=False)
    team = Team.objects.get(name="East")
    rule = _rule(admin, [{"type": "assign_owner", "team": team.pk}])
    people = [person_factory(rep_north, first_name=f"P{n}") for n in range(4)]
    for person in people:  # one by one: the turn is the order of the runs
        dispatch_pending()
        person.refresh_from_db()
    owners = [p.owner for p in people]
    assert owners == [*members, members[0]]
    assert all(p.team == team for p in people)
    assert RuleTurn.objects.get(rule=rule, step=0).last_member == members[0].pk
    assert _audited_by_automation(people[0], "update")
    assert RuleRun.objects.filter(rule=rule, status=RunStatus.DONE).count() == 4
    assert (
        str(members[1])
        in RuleRun.objects.get(rule=rule, record_id=people[1].pk).steps[0]["message"]
    )


def test_assign_owner_to_a_named_user(
    admin: Any, rep_north: Any, rep_south: Any, person_factory: Any
) -> None:
    _rule(admin, [{"type": "assign_owner", "user": rep_south.pk}])
    person = person_factory(rep_north)
    dispatch_pending()
    person.refresh_from_db()
    assert (person.owner, person.team.name) == (rep_south, "South")


# --- add_to_list --------------------------------------------------------------------------


def test_add_to_list_puts_the_person_on_it(admin: Any, rep_north: Any, person_factory: Any) -> None:
    static_list = list_create(actor=admin, data={"name": "Newcomers"})
    rule = _rule(admin, [{"type": "add_to_list", "list": static_list.pk}])
    person = person_factory(rep_north)
    dispatch_pending()
    member = ListMember.objects.get(list=static_list)
    assert (member.person_id, member.source) == (person.pk, ListMemberSource.RULE)
    assert member.added_by == automation_user()
    run = _run(rule)
    assert run.status == RunStatus.DONE
    assert "Newcomers" in run.steps[0]["message"]


def test_a_list_deleted_since_fails_the_run(
    admin: Any, rep_north: Any, person_factory: Any
) -> None:
    static_list = list_create(actor=admin, data={"name": "Old list"})
    rule = _rule(
        admin,
        [{"type": "add_tag", "tag": "Seen"}, {"type": "add_to_list", "list": static_list.pk}],
    )
    list_trash(actor=admin, static_list=static_list)
    person = person_factory(rep_north)
    dispatch_pending()
    run = _run(rule)
    assert run.status == RunStatus.FAILED
    assert [s["status"] for s in run.steps] == ["done", "failed"]
    assert run.steps[1]["message"] == "The list no longer exists."
    assert not ListMember.objects.exists()
    assert [t.name for t in person.tags.all()] == ["Seen"]  # the step before stays


# --- wait -----------------------------------------------------------------------------------


def test_wait_parks_the_run_before_the_next_action(
    admin: Any, rep_north: Any, person_factory: Any
) -> None:
    rule = _rule(
        admin, [{"type": "wait", "days": 1, "hours": 2}, {"type": "add_tag", "tag": "Later"}]
    )
    person = person_factory(rep_north)
    dispatch_pending()
    run = _run(rule)
    assert (run.status, run.next_step) == (RunStatus.WAITING, 1)
    assert run.resume_at is not None
    assert run.resume_at > run.started_at
    assert [t.name for t in person.tags.all()] == []
    assert delay(rule.actions[0]).total_seconds() == 26 * 3600


# --- bad parameters ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "path"),
    [
        ({"type": "create_task"}, "actions[0].title"),
        ({"type": "create_task", "title": "x", "due_in_days": 400}, "actions[0].due_in_days"),
        ({"type": "create_task", "title": "x", "assignee": 10**9}, "actions[0].assignee"),
        ({"type": "create_task", "title": "x", "colour": "red"}, "actions[0].colour"),
        ({"type": "send_email", "template": 10**9}, "actions[0].template"),
        ({"type": "update_field", "field": "owner_id", "value": 1}, "actions[0].field"),
        (
            {"type": "update_field", "field": "preferred_language", "value": "xx"},
            "actions[0].value",
        ),
        ({"type": "update_field", "field": "birthday", "value": "soon"}, "actions[0].value"),
        ({"type": "assign_owner", "team": 10**9}, "actions[0].team"),
        ({"type": "assign_owner"}, "actions[0].team"),
        ({"type": "add_to_list", "list": 10**9}, "actions[0].list"),
        ({"type": "create_ticket", "priority": "high"}, "actions[0].subject"),
        ({"type": "create_ticket", "subject": "x", "queue": 10**9}, "actions[0].queue"),
        ({"type": "call_webhook", "webhook": 10**9}, "actions[0].webhook"),
        ({"type": "wait", "hours": 0}, "actions[0].hours"),
        ({"type": "wait", "days": 366}, "actions[0].days"),
    ],
)
def test_bad_parameters_are_refused_with_their_path(
    action: dict[str, Any], path: str, rep_north: Any
) -> None:
    with pytest.raises(RuleError) as caught:
        parse_rule(PERSON_CREATED, None, [action, {"type": "add_tag", "tag": "x"}])
    assert caught.value.path == path
    assert caught.value.message


def test_rule_create_names_the_bad_parameter(admin: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        _rule(admin, [{"type": "add_tag", "tag": "x"}, {"type": "send_email", "template": 10**9}])
    [message] = caught.value.message_dict["actions[1].template"]
    assert message


def test_update_field_contradicting_the_trigger_is_refused() -> None:
    trigger = {"event": "deal.updated", "field": "status", "to": "won"}
    with pytest.raises(RuleError) as caught:
        parse_rule(trigger, None, [{"type": "update_field", "field": "status", "value": "lost"}])
    assert caught.value.path == "actions[0]"
    parse_rule(trigger, None, [{"type": "update_field", "field": "status", "value": "won"}])


def test_assign_owner_on_an_owner_trigger_is_refused(rep_north: Any) -> None:
    trigger = {"event": "person.updated", "field": "owner_id"}
    with pytest.raises(RuleError):
        parse_rule(trigger, None, [{"type": "assign_owner", "user": rep_north.pk}])


def test_an_action_for_another_kind_is_refused() -> None:
    with pytest.raises(RuleError) as caught:
        parse_rule(
            PERSON_CREATED, None, [{"type": "update_field", "field": "probability", "value": 5}]
        )
    assert caught.value.path == "actions[0].field"
