"""The worker's sweep of workflow rules (the recurring job ``automation.rules``, every
minute): date and schedule triggers, and waiting runs whose time has come.

- A date trigger ("7 days before the birthday", "1 business day after the expected
  close date") fires today for the records whose date is a day ``D`` with
  ``shift(D, ±days) == today`` (one day, or up to three with business days: a weekend's
  dates count from the Monday), that meet the rule's conditions now. Each runs once
  per (rule, record, ``D``): the run's ``occurrence`` is ``D``, and the database's
  unique constraint on it makes a second worker's attempt fail and be skipped.
- A schedule (daily, weekly on a weekday, monthly on a day) runs on every record that
  meets the conditions, once a day (``occurrence``: today).
- A waiting run whose ``resume_at`` has passed goes on (``engine.resume_run``), each in
  its own transaction, locked (``SELECT … FOR UPDATE SKIP LOCKED`` where the database
  has it) and claimed with a conditional update, so no two workers resume it twice.

"Today" is the company's calendar day (its time zone, ``core.company``), and the days
of date-times are counted in it. A rule's date and schedule triggers are looked at
again every ``RECHECK`` (a record whose date is set during the day is caught then);
``Rule.checked_at`` records the last look. Each sweep starts at most ``MAX_STARTED``
runs and resumes at most ``MAX_RESUMED``: the rest is the next sweep's (a rule cut
short is looked at again at once).
"""

from __future__ import annotations

import datetime
import logging
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.automation.choices import RunStatus
from clientela.automation.models import Rule, RuleRun
from clientela.automation.rules.definition import Definition, RuleError, Trigger
from clientela.automation.rules.engine import (
    automation_user,
    definition_of,
    matching,
    resume_run,
    start_run,
)
from clientela.core.company import default_time_zone
from clientela.core.conditions.dates import dates_due, trigger_date

logger = logging.getLogger("clientela.automation")

#: Runs started by date and schedule triggers in one sweep, at most.
MAX_STARTED = 5000
#: Waiting runs resumed in one sweep, at most.
MAX_RESUMED = 1000
#: How often a rule's date or schedule trigger is looked at again the same day.
RECHECK = datetime.timedelta(minutes=15)


@dataclass(frozen=True)
class Swept:
    """What a sweep did: runs started and waiting runs resumed."""

    started: int = 0
    resumed: int = 0


def scheduled_today(trigger: Trigger, today: datetime.date) -> bool:
    if trigger.schedule == "weekly":
        return today.weekday() == trigger.weekday
    if trigger.schedule == "monthly":
        return today.day == trigger.day
    return True


def _checked_lately(rule: Rule, now: datetime.datetime, today: datetime.date) -> bool:
    last = rule.checked_at
    return last is not None and last <= now < last + RECHECK and timezone.localdate(last) == today


def _not_run(
    records: QuerySet[Any], rule: Rule, definition: Definition, occurrence: str, limit: int
) -> list[int]:
    """The ids of ``records`` the rule has not run on for ``occurrence``, at most
    ``limit``."""
    done = RuleRun.objects.filter(
        rule=rule,
        resource=definition.resource,
        occurrence=occurrence,
        record_id__isnull=False,
    ).values("record_id")
    rows = records.exclude(pk__in=done).order_by("pk").values_list("pk", flat=True)
    return list(rows[:limit])


def _start_once(rule: Rule, record_id: int, occurrence: str, reason: str) -> bool:
    """Run the rule on the record for ``occurrence`` unless a run of it exists (another
    worker's); whether this one ran it."""
    try:
        with transaction.atomic():
            start_run(rule, record_id=record_id, occurrence=occurrence, reason=reason)
    except IntegrityError:
        return False
    except Exception:
        logger.exception("Rule %s on record %s failed to start", rule.pk, record_id)
        return False
    return True


def _due(
    definition: Definition, today: datetime.date, actor: Any
) -> Iterable[tuple[str, QuerySet[Any], str]]:
    """(occurrence, records, reason) of what the trigger makes due today."""
    trigger = definition.trigger
    base = matching(definition, actor)
    if trigger.kind == "schedule":
        if scheduled_today(trigger, today):
            yield today.isoformat(), base, _("Scheduled run of %(day)s.") % {"day": today}
        return
    found = trigger_date(definition.resource, trigger.date)
    if found is None:
        return
    for day in dates_due(today, trigger.days, trigger.when, business=trigger.business_days):
        reason = _("Its date “%(date)s” is %(day)s.") % {"date": found.label, "day": day}
        yield day.isoformat(), base.filter(found.on_day(day)), reason


def _sweep_rule(rule: Rule, today: datetime.date, actor: Any, budget: int) -> tuple[int, bool]:
    """Start the rule's due runs, at most ``budget``: (started, whether all were)."""
    try:
        definition = definition_of(rule)
    except RuleError as exc:
        logger.warning("Rule %s no longer holds: %s", rule.pk, exc)
        return 0, True
    started = 0
    for occurrence, records, reason in _due(definition, today, actor):
        room = budget - started
        ids = _not_run(records, rule, definition, occurrence, room + 1)
        for record_id in ids[:room]:
            started += _start_once(rule, record_id, occurrence, reason)
        if len(ids) > room:
            return started, False
    return started, True


def start_due_runs(now: datetime.datetime, limit: int = MAX_STARTED) -> int:
    """Start the runs the enabled rules' date and schedule triggers make due."""
    today = timezone.localdate(now)
    actor = automation_user()
    started = 0
    for rule in Rule.objects.filter(enabled=True, event="").order_by("pk"):
        if started >= limit:
            break
        if _checked_lately(rule, now, today):
            continue
        made, complete = _sweep_rule(rule, today, actor, limit - started)
        started += made
        if complete:
            Rule.objects.filter(pk=rule.pk).update(checked_at=now)
    return started


def _resume_one(pk: int, now: datetime.datetime) -> bool:
    with transaction.atomic():
        runs = RuleRun.objects.filter(pk=pk, status=RunStatus.WAITING, resume_at__lte=now)
        if connection.features.has_select_for_update_skip_locked:
            runs = runs.select_for_update(skip_locked=True, of=("self",))
        run = runs.select_related("rule").first()
        # The claim: one worker's conditional update alone finds the run still waiting.
        if run is None or not runs.filter(resume_at=run.resume_at).update(resume_at=None):
            return False
        resume_run(run)
    return True


def resume_due_runs(now: datetime.datetime, limit: int = MAX_RESUMED) -> int:
    """Go on with the waiting runs whose time has come, the longest waiting first."""
    due = RuleRun.objects.filter(status=RunStatus.WAITING, resume_at__lte=now)
    resumed = 0
    for pk in due.order_by("resume_at", "pk").values_list("pk", flat=True)[:limit]:
        try:
            resumed += _resume_one(pk, now)
        except Exception:
            logger.exception("Rule run %s failed to go on", pk)
    return resumed


def rules_sweep(now: datetime.datetime | None = None) -> Swept:
    """One sweep: date and schedule triggers due today, then waiting runs due ``now``,
    in the company's time zone."""
    now = now or timezone.now()
    with timezone.override(zoneinfo.ZoneInfo(default_time_zone())):
        started = start_due_runs(now)
        resumed = resume_due_runs(now)
    return Swept(started=started, resumed=resumed)
