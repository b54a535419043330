"""One rule on one record: does it match, then its actions in order, logged as a
``RuleRun``.

``start_run`` is called once the trigger fired and the conditions hold; each action
runs in a savepoint as the system user "Automation" under ``acting_rule`` (so the
events its changes emit carry the rule, for the loop protection): a failing action's
writes are undone, its error logged, and the run stops there. A "wait" parks the run
(``resume_at``); ``resume_run`` goes on from the next action. Runs write only to the
database, inside the caller's transaction (the events dispatcher's, whose mark commits
with them: each event runs each rule once, even when the worker is killed).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.automation.choices import RunStatus, StepStatus
from clientela.automation.models import Rule, RuleRun, RuleVersion
from clientela.automation.rules.actions import ActionProblem, Context, action_type, as_stored
from clientela.automation.rules.definition import Definition, Trigger, parse_rule
from clientela.core.conditions import compile_conditions
from clientela.core.context import acting_rule
from clientela.core.errors import NotFound, PermissionDenied, VersionConflict
from clientela.core.kinds import RECORD_KINDS
from clientela.core.permissions import restrict
from clientela.core.services.users import system_user

logger = logging.getLogger("clientela.automation")

#: A chain of rules firing each other stops at this depth, logged.
MAX_CHAIN = 5
LABEL_CHARS = 300
#: Errors a service raises for bad data or a record gone: logged in the run alone.
EXPECTED = (ValidationError, ActionProblem, NotFound, PermissionDenied, VersionConflict)

#: Parsed definitions by their JSON (the same text always parses the same; a bounded
#: number are kept).
_parsed: dict[str, Definition] = {}
PARSED_KEPT = 500


def automation_user() -> Any:
    """The system user rules act as."""
    return system_user("automation", str(_("Automation")))


def definition_of(rule: Rule) -> Definition:
    """The rule's stored definition, parsed (once per process and definition)."""
    key = json.dumps([rule.trigger, rule.conditions, rule.actions], sort_keys=True)
    found = _parsed.get(key)
    if found is None:
        with as_stored():  # what its actions name is looked up when they run
            found = parse_rule(rule.trigger, rule.conditions, rule.actions)
        if len(_parsed) >= PARSED_KEPT:
            _parsed.clear()
        _parsed[key] = found
    return found


# --- which records ------------------------------------------------------------------


def _rows(resource: str) -> QuerySet[Any]:
    model = RECORD_KINDS[resource].model
    qs = model._default_manager.all()
    if any(f.name == "deleted_at" for f in model._meta.get_fields()):
        qs = qs.filter(deleted_at__isnull=True)
    return qs


def matching(definition: Definition, user: Any) -> QuerySet[Any]:
    """The records of the rule's kind that meet its conditions now, among those
    ``user`` may see (the system user sees all)."""
    qs = restrict(_rows(definition.resource), user, definition.resource)
    return qs.filter(compile_conditions(user, definition.resource, definition.conditions))


def holds_for(definition: Definition, record_id: int | None, actor: Any) -> bool:
    if record_id is None:
        return False
    return matching(definition, actor).filter(pk=record_id).exists()


def _same(value: Any, wanted: Any) -> bool:
    if isinstance(value, Mapping):
        return any(_same(value.get(k), wanted) for k in ("id", "name", "key") if k in value)
    if value is None or wanted is None:
        return value is wanted
    return value == wanted or str(value).casefold() == str(wanted).casefold()


def event_fires(trigger: Trigger, event_type: str, data: Mapping[str, Any]) -> bool:
    """Whether an event of ``event_type`` with ``data`` fires ``trigger`` (its type,
    and the field's change "from"/"to" when the trigger names one)."""
    if trigger.kind != "event" or trigger.event != event_type:
        return False
    if not trigger.field:
        return True
    field = trigger.field
    if event_type.endswith(".updated") and field not in (data.get("changed_fields") or ()):
        return False
    if field == "stage" and "to_stage" in data:
        new, old = data.get("to_stage"), data.get("from_stage")
    else:
        new, old = data.get(field), (data.get("previous") or {}).get(field)
    if trigger.has_to and not _same(new, trigger.to_value):
        return False
    return not (trigger.has_from and not _same(old, trigger.from_value))


# --- a run ---------------------------------------------------------------------------


def _label(record: Model | None) -> str:
    return str(record)[:LABEL_CHARS] if record is not None else ""


def _load(resource: str, record_id: int | None, actor: Any) -> Model | None:
    if record_id is None:
        return None
    try:
        return RECORD_KINDS[resource].get(user=actor, pk=record_id)  # type: ignore[no-any-return]
    except NotFound:
        return None


def start_run(
    rule: Rule,
    *,
    record_id: int | None,
    event_id: str = "",
    event_type: str = "",
    occurrence: str = "",
    chain: tuple[str, ...] = (),
    reason: str = "",
) -> RuleRun:
    """A new run of ``rule`` (its current version) on the record, its actions run
    until the end, a failure or a wait."""
    definition = definition_of(rule)
    actor = automation_user()
    record = _load(definition.resource, record_id, actor)
    run = RuleRun.objects.create(
        rule=rule,
        version=rule.version,
        resource=definition.resource,
        record_id=record_id,
        record_label=_label(record),
        event_id=event_id,
        event_type=event_type,
        occurrence=occurrence,
        status=RunStatus.WAITING,
        reason=reason,
        chain=list(chain),
        started_at=timezone.now(),
    )
    _go_on(rule, definition, run, record, actor)
    return run


def stopped_run(
    rule: Rule, *, record_id: int | None, event_id: str, event_type: str, chain: tuple[str, ...]
) -> RuleRun:
    """Log that ``rule`` did not run because the chain of rules is too deep."""
    now = timezone.now()
    names = dict(Rule.objects.filter(pk__in=[int(c) for c in chain]).values_list("pk", "name"))
    path = " → ".join(str(names.get(int(c), c)) for c in chain)
    return RuleRun.objects.create(
        rule=rule,
        version=rule.version,
        resource=rule.resource,
        record_id=record_id,
        event_id=event_id,
        event_type=event_type,
        status=RunStatus.STOPPED,
        reason=_("Stopped: a chain of %(n)s rules (%(path)s) reached the limit of %(max)s.")
        % {"n": len(chain), "path": path, "max": MAX_CHAIN},
        chain=list(chain),
        started_at=now,
        finished_at=now,
    )


def resume_run(run: RuleRun) -> RuleRun:
    """Go on with a waiting run from its next action (the rule's version it started
    with is not kept apart: the actions are the rule's as they are now, from the same
    position, when the rule's actions did not change; otherwise the run stops, as it
    does when the rule is disabled)."""
    rule = run.rule
    actor = automation_user()
    if not rule.enabled:
        return _finish(run, RunStatus.STOPPED, _("Stopped: the rule was disabled while it waited."))
    if rule.version != run.version and _actions_changed(rule, run.version):
        return _finish(run, RunStatus.STOPPED, _("Stopped: the rule was changed while it waited."))
    record = _load(run.resource, run.record_id, actor)
    if run.record_id is not None and record is None:
        return _finish(run, RunStatus.STOPPED, _("Stopped: the record is gone."))
    run.resume_at = None
    _go_on(rule, definition_of(rule), run, record, actor)
    return run


def _actions_changed(rule: Rule, since: int) -> bool:
    """Whether the rule's actions differ from those of its version ``since`` (a new
    name, or disabling and enabling it again, leaves a waiting run going on)."""
    then = RuleVersion.objects.filter(rule=rule, number=since).values_list("definition", flat=True)
    definition = then.first()
    return not isinstance(definition, dict) or definition.get("actions") != rule.actions


def _finish(run: RuleRun, status: str, reason: str = "") -> RuleRun:
    run.status, run.finished_at, run.resume_at = status, timezone.now(), None
    if reason:
        run.reason = reason
    run.save()
    return run


def _error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(str(m) for m in exc.messages)
    if isinstance(exc, ActionProblem):
        return exc.message
    if isinstance(exc, NotFound):
        return _("The record it needs is not found.")
    if isinstance(exc, PermissionDenied | VersionConflict):
        return str(exc)
    return _("Unexpected error (%(kind)s); the details are in the server's log.") % {
        "kind": type(exc).__name__
    }


def _step(index: int, kind: str, status: str, message: str, url: str = "") -> dict[str, Any]:
    return {
        "index": index,
        "type": kind,
        "status": status,
        "message": message[:1000],
        "url": url,
        "at": timezone.now().isoformat(),
    }


def _go_on(
    rule: Rule, definition: Definition, run: RuleRun, record: Model | None, actor: Any
) -> None:
    context = Context(rule=rule, run=run, actor=actor, resource=definition.resource, record=record)
    actions = definition.actions
    while run.next_step < len(actions):
        index = run.next_step
        params = actions[index]
        kind = action_type(params["type"])
        assert kind is not None  # parse_rule checked it
        run.next_step = index + 1
        if kind.delay is not None:
            run.resume_at = timezone.now() + kind.delay(params)
            run.steps = [*run.steps, _step(index, kind.key, StepStatus.DONE, _("Waiting."))]
            run.status = RunStatus.WAITING
            run.save()
            return
        try:
            with transaction.atomic(), acting_rule(str(rule.pk)):
                outcome = kind.run(context, params)
        except Exception as exc:
            if not isinstance(exc, EXPECTED):
                logger.exception("Rule %s, action %s failed", rule.pk, kind.key)
            run.steps = [*run.steps, _step(index, kind.key, StepStatus.FAILED, _error_text(exc))]
            _finish(run, RunStatus.FAILED)
            return
        run.steps = [
            *run.steps,
            _step(index, kind.key, StepStatus.DONE, outcome.message, outcome.url),
        ]
        if kind.changes_record:
            # The next action sees the record as this one left it (not its tags as
            # they were read before: a second tag action would undo the first).
            context.record = _load(definition.resource, run.record_id, actor)
    _finish(run, RunStatus.DONE)
