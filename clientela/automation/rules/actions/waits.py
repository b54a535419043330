"""Wait, then go on with the next action: ``{"type": "wait", "days": 2, "hours": 4}``
(at least an hour in all, at most 365 days). The engine parks the run until then
(``RuleRun.resume_at``); the worker's sweep resumes it (``engine.resume_run``). A wait
is never a rule's last action (``definition.parse_rule``)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clientela.automation.rules.actions import ActionProblem, ActionType, Context, Outcome, Param
from clientela.automation.rules.actions import common as c

MAX_DAYS = 365
MAX_HOURS = 24 * MAX_DAYS


def _clean(params: Mapping[str, Any], resource: str) -> dict[str, Any]:
    c.only(params, {"days", "hours"})
    days = c.whole(params, "days", 0, MAX_DAYS, 0)
    hours = c.whole(params, "hours", 0, MAX_HOURS, 0)
    total = days * 24 + hours
    if total < 1:
        raise ActionProblem("hours", _("Wait at least an hour."))
    if total > MAX_HOURS:
        raise ActionProblem("days", _("Wait at most %(n)s days.") % {"n": MAX_DAYS})
    found = {}
    if days:
        found["days"] = days
    if hours:
        found["hours"] = hours
    return found


def delay(params: Mapping[str, Any]) -> datetime.timedelta:
    return datetime.timedelta(days=params.get("days", 0), hours=params.get("hours", 0))


def _run(context: Context, params: Mapping[str, Any]) -> Outcome:
    # The engine never runs a wait (it parks the run by ``delay``): a no-op for safety.
    return Outcome(_("Waited."))


def action_types() -> list[ActionType]:
    return [
        ActionType(
            key="wait",
            label=gettext_lazy("Wait"),
            params=(
                Param("days", gettext_lazy("Days"), kind="int", required=False),
                Param("hours", gettext_lazy("Hours"), kind="int", required=False),
            ),
            clean=_clean,
            run=_run,
            delay=delay,
            order=90,
        )
    ]
