"""The worker's sweep of workflow rules (``automation.rules.sweep``): date triggers
(birthdays with and without a year, 29 February, business days after a deal's close
date, a task's due day in the company's time zone), weekly schedules, conditions, each
record run once per occurrence however often it is swept, and waiting runs going on
after their time (or stopping when the rule was disabled or its actions changed). Every
sweep is given its ``now``: nothing depends on today's date."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest

from clientela.activities.services.tasks import task_create
from clientela.automation.choices import RunStatus
from clientela.automation.models import Rule, RuleRun
from clientela.automation.rules import actions
from clientela.automation.rules.actions import ActionProblem, ActionType, Outcome
from clientela.automation.rules.sweep import rules_sweep
from clientela.automation.services.rules import rule_create, rule_set_enabled, rule_update
from clientela.core.conditions.dates import dates_due, shift, trigger_dates
from clientela.core.events.dispatch import dispatch_pending
from clientela.core.registry import recurring_jobs, worker_startup_hooks
from clientela.sales.services.deals import deal_create
from clientela.sales.services.orders import order_create
from clientela.sales.tests.deal_helpers import make_pipeline

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def at(day: str, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


@pytest.fixture
def mark_action() -> Iterator[None]:
    """A test-only action for every kind that only says which record it ran on."""
    actions.register_action(
        ActionType(
            key="test_mark",
            label="Mark",
            clean=lambda params, resource: {},
            run=lambda context, params: Outcome(f"Marked {context.record.pk}."),
        )
    )
    yield
    del actions._types["test_mark"]


def _rule(actor: Any, **data: Any) -> Rule:
    return rule_create(actor=actor, data={"name": "Rule", "enabled": True, **data})  # type: ignore[typeddict-item]


def _ran(rule: Rule) -> list[tuple[int | None, str]]:
    return sorted(RuleRun.objects.filter(rule=rule).values_list("record_id", "occurrence"))


def _birthday_rule(actor: Any, **trigger: Any) -> Rule:
    return _rule(
        actor,
        trigger={"resource": "contacts.person", "date": "birthday", **trigger},
        actions=[{"type": "add_tag", "tag": "Birthday"}],
    )


def test_the_date_keys_of_each_kind() -> None:
    keys = {(d.resource, d.key) for d in trigger_dates()}
    assert {
        ("contacts.person", "birthday"),
        ("contacts.person", "last_order"),
        ("contacts.organization", "last_order"),
        ("sales.deal", "close_date"),
        ("service.ticket", "next_due"),
        ("service.ticket", "resolution_due"),
        ("activities.task", "due_at"),
    } <= keys


@pytest.mark.parametrize("days", [-12, -5, -1, 0, 1, 3, 5, 6, 11, 40])
def test_the_dates_due_are_every_date_the_business_shift_brings_to_the_day(days: int) -> None:
    when = "on" if days == 0 else ("after" if days > 0 else "before")
    for today in (datetime.date(2026, 3, 2) + datetime.timedelta(days=n) for n in range(7)):
        expected = [
            day
            for n in range(-90, 90)
            if shift(day := today + datetime.timedelta(days=n), days, business=True) == today
        ]
        assert dates_due(today, abs(days), when, business=True) == expected
    monday = datetime.date(2026, 3, 2)
    assert dates_due(monday, 7, "after", business=False) == [datetime.date(2026, 2, 23)]


def test_a_birthday_seven_days_ahead_fires_once_for_that_person_alone(
    admin: Any, rep_north: Any, person_factory: Any
) -> None:
    rule = _birthday_rule(admin, days=7, when="before")
    ana = person_factory(rep_north, first_name="Ana", birthday="1980-03-09")
    person_factory(rep_north, first_name="Bea", birthday="1980-03-10")
    person_factory(rep_north, first_name="Cai", birthday="1990-03-02")
    person_factory(rep_north, first_name="Dan")

    assert rules_sweep(at("2026-03-02", 9)).started == 1
    assert _ran(rule) == [(ana.pk, "2026-03-09")]
    assert [t.name for t in ana.tags.all()] == ["Birthday"]
    [run] = RuleRun.objects.filter(rule=rule)
    assert run.status == RunStatus.DONE
    assert "2026-03-09" in run.reason
    rule.refresh_from_db()
    assert rule.checked_at == at("2026-03-02", 9)
    # Swept again the same day, after the rule is due a new look: still one run.
    assert rules_sweep(at("2026-03-02", 18)).started == 0
    assert _ran(rule) == [(ana.pk, "2026-03-09")]
    # The next day it is Bea's turn.
    rules_sweep(at("2026-03-03", 9))
    assert len(_ran(rule)) == 2


def test_a_birthday_without_a_year_and_the_conditions(
    admin: Any, rep_north: Any, person_factory: Any
) -> None:
    rule = _rule(
        admin,
        trigger={"resource": "contacts.person", "date": "birthday", "days": 2, "when": "before"},
        conditions={"all": [{"field": "tags", "op": "contains", "value": "VIP"}]},
        actions=[{"type": "add_tag", "tag": "Birthday"}],
    )
    vip = person_factory(rep_north, first_name="Vera", birthday="--05-21", tags=["VIP"])
    person_factory(rep_north, first_name="Otto", birthday="--05-21")
    rules_sweep(at("2026-05-19"))
    assert _ran(rule) == [(vip.pk, "2026-05-21")]


def test_29_february_is_celebrated_on_28_february_in_other_years(
    admin: Any, rep_north: Any, person_factory: Any
) -> None:
    rule = _birthday_rule(admin, when="on")
    leap = person_factory(rep_north, first_name="Leo", birthday="2000-02-29")
    feb28 = person_factory(rep_north, first_name="Fay", birthday="--02-28")
    rules_sweep(at("2027-02-28"))
    assert _ran(rule) == sorted([(leap.pk, "2027-02-28"), (feb28.pk, "2027-02-28")])
    rules_sweep(at("2027-03-01"))
    assert len(_ran(rule)) == 2
    # A leap year: the 28th is Fay's alone, the 29th Leo's.
    rules_sweep(at("2028-02-28"))
    assert (leap.pk, "2028-02-28") not in _ran(rule)
    assert (feb28.pk, "2028-02-28") in _ran(rule)
    rules_sweep(at("2028-02-29"))
    assert (leap.pk, "2028-02-29") in _ran(rule)


@pytest.mark.usefixtures("mark_action")
def test_one_business_day_after_a_friday_close_date_is_the_monday(admin: Any) -> None:
    pipeline = make_pipeline()

    def deal(title: str, close: str) -> Any:
        return deal_create(
            actor=admin,
            data={"title": title, "pipeline_id": pipeline.pk, "close_date": close},
        )

    friday = deal("Friday", "2026-03-06")
    thursday = deal("Thursday", "2026-03-05")
    rule = _rule(
        admin,
        trigger={
            "resource": "sales.deal",
            "date": "close_date",
            "days": 1,
            "when": "after",
            "business_days": True,
        },
        actions=[{"type": "test_mark"}],
    )
    rules_sweep(at("2026-03-06"))
    assert _ran(rule) == [(thursday.pk, "2026-03-05")]
    rules_sweep(at("2026-03-07"))
    rules_sweep(at("2026-03-08"))
    assert len(_ran(rule)) == 1
    rules_sweep(at("2026-03-09"))
    assert _ran(rule) == sorted([(thursday.pk, "2026-03-05"), (friday.pk, "2026-03-06")])
    assert RuleRun.objects.get(rule=rule, record_id=friday.pk).steps[0]["message"] == (
        f"Marked {friday.pk}."
    )


def test_two_days_after_the_last_order_not_cancelled(
    admin: Any, rep_north: Any, person_factory: Any
) -> None:
    rule = _rule(
        admin,
        trigger={"resource": "contacts.person", "date": "last_order", "days": 2, "when": "after"},
        actions=[{"type": "add_tag", "tag": "Thank you"}],
    )
    lines = [{"description": "Desk", "quantity": "1", "unit_price": "50.00", "tax_rate": "21"}]

    def order(person: Any, day: str, **more: Any) -> None:
        data = {"person_id": person.pk, "currency": "EUR", "lines": lines, "ordered_at": at(day)}
        order_create(actor=rep_north, data=data | {"external_id": f"{person.pk}-{day}"} | more)  # type: ignore[arg-type]

    once = person_factory(rep_north, first_name="Once")
    again = person_factory(rep_north, first_name="Again")
    cancelled = person_factory(rep_north, first_name="Cancelled")
    order(once, "2026-03-01")
    order(again, "2026-03-01")
    order(again, "2026-03-02")
    order(cancelled, "2026-03-01")
    order(cancelled, "2026-03-02", status="cancelled")
    rules_sweep(at("2026-03-03"))
    assert _ran(rule) == sorted([(once.pk, "2026-03-01"), (cancelled.pk, "2026-03-01")])


@pytest.mark.usefixtures("mark_action")
def test_a_task_due_counts_its_day_in_the_company_time_zone(
    admin: Any, rep_north: Any, settings: Any
) -> None:
    settings.TIME_ZONE = "America/New_York"
    # 02:00 UTC on the 3rd is still the 2nd in New York.
    task = task_create(
        actor=rep_north,
        data={"title": "Call", "due_at": datetime.datetime(2026, 3, 3, 2, tzinfo=UTC)},
    )
    rule = _rule(
        admin,
        trigger={"resource": "activities.task", "date": "due_at", "when": "on"},
        actions=[{"type": "test_mark"}],
    )
    rules_sweep(at("2026-03-03", 12))
    assert _ran(rule) == []
    rules_sweep(at("2026-03-02", 15))
    assert _ran(rule) == [(task.pk, "2026-03-02")]
    assert RuleRun.objects.get(rule=rule).steps[0]["message"] == f"Marked {task.pk}."


def test_a_weekly_schedule_runs_on_mondays_once_a_day(
    admin: Any, rep_north: Any, person_factory: Any
) -> None:
    rule = _rule(
        admin,
        trigger={"resource": "contacts.person", "schedule": "weekly", "weekday": 0},
        conditions={"all": [{"field": "tags", "op": "contains", "value": "Weekly"}]},
        actions=[{"type": "add_tag", "tag": "Seen"}],
    )
    ana = person_factory(rep_north, first_name="Ana", tags=["Weekly"])
    person_factory(rep_north, first_name="Otto")
    rules_sweep(at("2026-03-08"))  # a Sunday
    assert _ran(rule) == []
    rules_sweep(at("2026-03-09", 8))  # Monday
    rules_sweep(at("2026-03-09", 16))
    assert _ran(rule) == [(ana.pk, "2026-03-09")]
    rules_sweep(at("2026-03-10"))
    rules_sweep(at("2026-03-16"))
    assert _ran(rule) == [(ana.pk, "2026-03-09"), (ana.pk, "2026-03-16")]


def test_a_disabled_rule_and_an_event_rule_are_not_swept(
    admin: Any, rep_north: Any, person_factory: Any
) -> None:
    rule = _birthday_rule(admin, when="on")
    rule_set_enabled(actor=admin, rule=rule, enabled=False)
    person_factory(rep_north, birthday="--03-02")
    assert rules_sweep(at("2026-03-02")).started == 0
    assert _ran(rule) == []


# --- waiting runs ---------------------------------------------------------------------


def _clean_wait(params: Any, resource: str) -> dict[str, Any]:
    if type(params.get("hours")) is not int:
        raise ActionProblem("hours", "Give hours.")
    return {"hours": params["hours"]}


def _never(context: Any, params: Any) -> Outcome:
    raise AssertionError("A wait is never run.")


@pytest.fixture
def wait_action() -> Iterator[None]:
    """A "wait" action type, unless the catalogue has one already."""
    if actions.action_type("wait") is not None:
        yield
        return
    actions.register_action(
        ActionType(
            key="wait",
            label="Wait",
            clean=_clean_wait,
            run=_never,
            delay=lambda params: datetime.timedelta(hours=params["hours"]),
        )
    )
    yield
    del actions._types["wait"]


def _waiting_run(
    admin: Any, rep_north: Any, person_factory: Any
) -> tuple[Rule, RuleRun, Any, datetime.datetime]:
    rule = _rule(
        admin,
        trigger={"event": "person.created"},
        actions=[
            {"type": "add_tag", "tag": "First"},
            {"type": "wait", "hours": 24},
            {"type": "add_tag", "tag": "Second"},
        ],
    )
    person = person_factory(rep_north, first_name="Ana")
    dispatch_pending()
    [run] = RuleRun.objects.filter(rule=rule)
    assert (run.status, run.next_step) == (RunStatus.WAITING, 2)
    assert run.resume_at is not None
    return rule, run, person, run.resume_at


@pytest.mark.usefixtures("wait_action")
def test_a_waiting_run_goes_on_after_its_time_and_not_before(
    admin: Any, rep_north: Any, person_factory: Any
) -> None:
    rule, run, person, due = _waiting_run(admin, rep_north, person_factory)
    assert rules_sweep(due - datetime.timedelta(minutes=1)).resumed == 0
    run.refresh_from_db()
    assert run.status == RunStatus.WAITING
    assert [t.name for t in person.tags.all()] == ["First"]
    # A new name is no change of the actions: it goes on.
    rule_update(actor=admin, rule=rule, data={"name": "Renamed"})
    later = due + datetime.timedelta(minutes=1)
    assert rules_sweep(later).resumed == 1
    run.refresh_from_db()
    assert (run.status, run.resume_at) == (RunStatus.DONE, None)
    assert sorted(t.name for t in person.tags.all()) == ["First", "Second"]
    assert [s["type"] for s in run.steps] == ["add_tag", "wait", "add_tag"]
    assert rules_sweep(later).resumed == 0


@pytest.mark.usefixtures("wait_action")
def test_a_waiting_run_stops_when_the_rule_was_disabled(
    admin: Any, rep_north: Any, person_factory: Any
) -> None:
    rule, run, person, due = _waiting_run(admin, rep_north, person_factory)
    rule_set_enabled(actor=admin, rule=rule, enabled=False)
    rules_sweep(due + datetime.timedelta(minutes=1))
    run.refresh_from_db()
    assert run.status == RunStatus.STOPPED
    assert "disabled" in run.reason
    assert [t.name for t in person.tags.all()] == ["First"]


@pytest.mark.usefixtures("wait_action")
def test_a_waiting_run_stops_when_the_actions_changed(
    admin: Any, rep_north: Any, person_factory: Any
) -> None:
    rule, run, person, due = _waiting_run(admin, rep_north, person_factory)
    rule_update(
        actor=admin,
        rule=rule,
        data={
            "actions": [
                {"type": "add_tag", "tag": "First"},
                {"type": "wait", "hours": 24},
                {"type": "add_tag", "tag": "Other"},
            ]
        },
    )
    rules_sweep(due + datetime.timedelta(minutes=1))
    run.refresh_from_db()
    assert run.status == RunStatus.STOPPED
    assert "changed" in run.reason
    assert [t.name for t in person.tags.all()] == ["First"]


def test_the_sweep_is_a_recurring_job_started_with_the_worker() -> None:
    job = recurring_jobs["automation.rules"]
    assert job.task_path == "clientela.automation.tasks.rules_due"
    assert job.period == datetime.timedelta(minutes=1)
    assert "automation.rules" in worker_startup_hooks
