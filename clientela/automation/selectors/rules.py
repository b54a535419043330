"""Reads of workflow rules, their versions and runs: admins and managers only
(``NotFound`` for anyone else: the pages and endpoints do not exist for them)."""

from __future__ import annotations

import datetime
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Max, Q, QuerySet

from clientela.automation.filters import RuleFilters
from clientela.automation.models import Rule, RuleRun, RuleVersion
from clientela.automation.rules.definition import Definition
from clientela.automation.rules.engine import matching
from clientela.automation.services.rules import require_rule_editor
from clientela.core.conditions.dates import dates_due, trigger_date
from clientela.core.errors import NotFound
from clientela.core.kinds import parse_id


def rule_list(*, user: Any, filters: RuleFilters | None = None) -> QuerySet[Rule]:
    require_rule_editor(user)
    qs = Rule.objects.select_related("created_by")
    if filters is None:
        return qs
    for word in filters.q.split()[:5]:
        qs = qs.filter(Q(name__icontains=word) | Q(description__icontains=word))
    if filters.resource:
        qs = qs.filter(resource=filters.resource)
    if filters.enabled in ("true", "false"):
        qs = qs.filter(enabled=filters.enabled == "true")
    return qs.order_by(*filters.order_by())


def rule_get(*, user: Any, pk: Any) -> Rule:
    found = rule_list(user=user).filter(pk=parse_id(pk)).first()
    if found is None:
        raise NotFound()
    return found


def run_list(
    *, user: Any, rule: Rule, status: str = "", record_id: int | None = None
) -> QuerySet[RuleRun]:
    """A rule's runs, newest first (those of one status, on one record)."""
    require_rule_editor(user)
    qs = RuleRun.objects.filter(rule=rule)
    if record_id is not None:
        qs = qs.filter(record_id=record_id)
    return qs.filter(status=status) if status else qs


def version_list(*, user: Any, rule: Rule) -> QuerySet[RuleVersion]:
    """A rule's saved definitions, newest first."""
    require_rule_editor(user)
    return RuleVersion.objects.filter(rule=rule).select_related("created_by")


def last_run_times(*, user: Any, rules: list[Rule]) -> dict[int, Any]:
    """When each of ``rules`` last ran (rules that never ran are left out)."""
    require_rule_editor(user)
    found = (
        RuleRun.objects.filter(rule__in=rules)
        .values("rule_id")
        .annotate(last=Max("started_at"))
        .values_list("rule_id", "last")
    )
    return dict(found)


def rule_dry_run(*, user: Any, definition: Definition, day: datetime.date) -> QuerySet[Any]:
    """The records the rule would act on now, among those ``user`` may see: those
    meeting its conditions; for a date trigger, only those whose date makes it due on
    ``day`` (today). An event trigger's records are those the next such event would
    find matching; a schedule's, all of them."""
    require_rule_editor(user)
    found = matching(definition, user)
    trigger = definition.trigger
    if trigger.kind == "date":
        date = trigger_date(definition.resource, trigger.date)
        days = dates_due(day, trigger.days, trigger.when, business=trigger.business_days)
        if date is None or not days:
            return found.none()
        found = found.filter(reduce(or_, (date.on_day(d) for d in days)))
    return found.order_by("pk")
