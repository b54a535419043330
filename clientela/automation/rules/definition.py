"""A rule's definition checked whole where it comes in (``parse_rule``): the trigger,
the condition tree and the actions, each problem reported with its path
("trigger.event", "conditions.all[0].field", "actions[1].tag") and a translated
message, so the rule editor shows it beside the part and the API answers 422.

Triggers:

- an event: ``{"event": "deal.stage_changed"}``, optionally on a field's change:
  ``{"event": "deal.updated", "field": "status", "from": "open", "to": "won"}``
  (``to`` is compared with the record's new value, ``from`` with the old one; a
  named value such as a stage matches by its name or its id);
- a date: ``{"resource": "contacts.person", "date": "birthday", "days": 7, "when":
  "before", "business_days": false}`` (``when``: before, after or on);
- a schedule: ``{"resource": "contacts.person", "schedule": "weekly", "weekday": 0}``
  (``daily``; ``weekly`` with ``weekday`` 0–6, Monday first; ``monthly`` with ``day``
  1–28), every record meeting the conditions, once a day at most.

A contradiction between trigger and actions is refused: an action that changes the
record on a trigger whose record is gone (``*.deleted``), an action for another kind
of record, or one that sets the very field the trigger watches to another value than
the trigger's ``to`` (it would undo what fired it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from django.utils.translation import gettext as _

from clientela.automation.rules.actions import ActionProblem, action_type, action_types
from clientela.core.conditions import (
    Condition,
    ConditionError,
    condition_resources,
    parse_conditions,
)
from clientela.core.conditions.dates import trigger_date, trigger_dates
from clientela.core.events import event_type, event_types
from clientela.core.kinds import RECORD_KINDS

MAX_ACTIONS = 20
MAX_DAYS = 3650
WHEN = ("before", "after", "on")
SCHEDULES = ("daily", "weekly", "monthly")
EMPTY: dict[str, Any] = {"all": []}


class RuleError(Exception):
    """A bad rule: ``path`` is where ("trigger.event"), ``message`` what is wrong."""

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}" if path else message)


@dataclass(frozen=True)
class Trigger:
    kind: str  # "event", "date" or "schedule"
    resource: str
    event: str = ""
    field: str = ""
    has_from: bool = False
    from_value: Any = None
    has_to: bool = False
    to_value: Any = None
    date: str = ""
    days: int = 0
    when: str = "on"
    business_days: bool = False
    schedule: str = ""
    weekday: int = 0
    day: int = 1


@dataclass(frozen=True)
class Definition:
    resource: str
    trigger: Trigger
    trigger_json: dict[str, Any]
    conditions: Condition
    conditions_json: dict[str, Any]
    actions: list[dict[str, Any]]


def _keys(data: Mapping[str, Any], path: str, allowed: set[str]) -> None:
    extra = sorted(set(data) - allowed)
    if extra:
        raise RuleError(f"{path}.{str(extra[0])[:30]}", _("Unknown key."))


def _int(data: Mapping[str, Any], key: str, path: str, low: int, high: int, default: int) -> int:
    value = data.get(key, default)
    if type(value) is not int or not low <= value <= high:
        raise RuleError(
            f"{path}.{key}",
            _("Give a whole number from %(low)s to %(high)s.") % {"low": low, "high": high},
        )
    return value


def _resource(data: Mapping[str, Any], path: str) -> str:
    resource = data.get("resource")
    known = sorted({d.resource for d in trigger_dates()} | set(condition_resources()))
    if not isinstance(resource, str) or resource not in RECORD_KINDS:
        raise RuleError(
            f"{path}.resource", _("Choose one of: %(kinds)s.") % {"kinds": ", ".join(known)}
        )
    return resource


def _event_trigger(data: Mapping[str, Any]) -> Trigger:
    _keys(data, "trigger", {"event", "field", "from", "to"})
    name = data["event"]
    found = event_type(name) if isinstance(name, str) else None
    if found is None:
        raise RuleError(
            "trigger.event",
            _("Unknown event “%(name)s”. The catalogue is at /api/v1/events.")
            % {"name": str(name)[:100]},
        )
    if not found.resource:
        raise RuleError("trigger.event", _("This event is about no record a rule can act on."))
    field = data.get("field", "")
    if not isinstance(field, str) or len(field) > 100:
        raise RuleError("trigger.field", _("Give the name of a field, as the API names it."))
    if (field == "") and ("from" in data or "to" in data):
        raise RuleError("trigger.field", _("Name the field whose change “from” and “to” test."))
    if field and not _has_field(found.schema, field):
        raise RuleError(
            "trigger.field",
            _("The event “%(event)s” has no field “%(field)s”.")
            % {"event": found.name, "field": field[:100]},
        )
    return Trigger(
        kind="event",
        resource=found.resource,
        event=found.name,
        field=field,
        has_from="from" in data,
        from_value=data.get("from"),
        has_to="to" in data,
        to_value=data.get("to"),
    )


def _has_field(schema: Mapping[str, Any], field: str) -> bool:
    props = schema.get("properties") or {}
    return field in props or (field in {"stage"} and "to_stage" in props)


def _date_trigger(data: Mapping[str, Any]) -> Trigger:
    _keys(data, "trigger", {"resource", "date", "days", "when", "business_days"})
    resource = _resource(data, "trigger")
    key = data["date"]
    found = trigger_date(resource, key) if isinstance(key, str) else None
    if found is None:
        offered = ", ".join(d.key for d in trigger_dates(resource)) or _("none")
        raise RuleError(
            "trigger.date",
            _("Unknown date “%(key)s”. Dates of this kind: %(dates)s.")
            % {"key": str(key)[:50], "dates": offered},
        )
    when = data.get("when", "on")
    if when not in WHEN:
        raise RuleError("trigger.when", _("Choose one of: %(ops)s.") % {"ops": ", ".join(WHEN)})
    days = _int(data, "days", "trigger", 0, MAX_DAYS, 0)
    if when == "on" and days:
        raise RuleError("trigger.days", _("“on” the date takes no days; choose before or after."))
    business = data.get("business_days", False)
    if not isinstance(business, bool):
        raise RuleError("trigger.business_days", _("Give true or false."))
    return Trigger(
        kind="date",
        resource=resource,
        date=found.key,
        days=days,
        when=when,
        business_days=business,
    )


def _schedule_trigger(data: Mapping[str, Any]) -> Trigger:
    _keys(data, "trigger", {"resource", "schedule", "weekday", "day"})
    resource = _resource(data, "trigger")
    every = data["schedule"]
    if every not in SCHEDULES:
        raise RuleError(
            "trigger.schedule", _("Choose one of: %(ops)s.") % {"ops": ", ".join(SCHEDULES)}
        )
    weekday = _int(data, "weekday", "trigger", 0, 6, 0) if every == "weekly" else 0
    day = _int(data, "day", "trigger", 1, 28, 1) if every == "monthly" else 1
    return Trigger(kind="schedule", resource=resource, schedule=every, weekday=weekday, day=day)


def parse_trigger(data: Any) -> Trigger:
    if not isinstance(data, dict):
        raise RuleError("trigger", _("Expected an object with an event, a date or a schedule."))
    if "event" in data:
        return _event_trigger(data)
    if "date" in data:
        return _date_trigger(data)
    if "schedule" in data:
        return _schedule_trigger(data)
    raise RuleError("trigger", _("Give an “event”, a “date” or a “schedule”."))


def trigger_json(trigger: Trigger) -> dict[str, Any]:
    """The trigger as stored and shown by the API (defaults filled in)."""
    if trigger.kind == "event":
        found: dict[str, Any] = {"event": trigger.event}
        if trigger.field:
            found["field"] = trigger.field
        if trigger.has_from:
            found["from"] = trigger.from_value
        if trigger.has_to:
            found["to"] = trigger.to_value
        return found
    if trigger.kind == "date":
        return {
            "resource": trigger.resource,
            "date": trigger.date,
            "days": trigger.days,
            "when": trigger.when,
            "business_days": trigger.business_days,
        }
    found = {"resource": trigger.resource, "schedule": trigger.schedule}
    if trigger.schedule == "weekly":
        found["weekday"] = trigger.weekday
    if trigger.schedule == "monthly":
        found["day"] = trigger.day
    return found


def _conditions(resource: str, data: Any) -> Condition:
    if data is None:
        data = EMPTY
    if data != EMPTY and resource not in condition_resources():
        raise RuleError("conditions", _("Records of this kind take no conditions yet."))
    try:
        return parse_conditions(resource, data)
    except ConditionError as exc:
        path = f"conditions.{exc.path}" if exc.path else "conditions"
        raise RuleError(path, exc.message) from None


def _action(trigger: Trigger, data: Any, path: str) -> dict[str, Any]:
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        raise RuleError(path, _("Expected an action with a type."))
    found = action_type(data["type"])
    if found is None or not found.applies_to(trigger.resource):
        offered = ", ".join(a.key for a in action_types(trigger.resource))
        raise RuleError(
            f"{path}.type",
            _("Unknown action for this kind of record. Choose one of: %(types)s.")
            % {"types": offered},
        )
    if found.changes_record and trigger.event.endswith(".deleted"):
        raise RuleError(
            f"{path}.type",
            _("The record is deleted when this trigger fires: this action cannot change it."),
        )
    params = {k: v for k, v in data.items() if k != "type"}
    try:
        cleaned = found.clean(params, trigger.resource)
    except ActionProblem as exc:
        raise RuleError(f"{path}.{exc.param}" if exc.param else path, exc.message) from None
    if trigger.field and found.changes is not None:
        sets = found.changes(cleaned)
        if trigger.field in sets and (
            not trigger.has_to or sets[trigger.field] != trigger.to_value
        ):
            raise RuleError(
                path,
                _(
                    "This action sets “%(field)s”, the field whose change fires the rule: "
                    "it would undo that change."
                )
                % {"field": trigger.field},
            )
    return {"type": found.key, **cleaned}


def parse_match(trigger: Any, conditions: Any) -> Definition:
    """The trigger and conditions checked, without actions: which records a rule
    would act on (a dry run of a draft whose actions are not written yet)."""
    parsed = parse_trigger(trigger)
    condition = _conditions(parsed.resource, conditions)
    return Definition(
        resource=parsed.resource,
        trigger=parsed,
        trigger_json=trigger_json(parsed),
        conditions=condition,
        conditions_json=condition.to_json(),
        actions=[],
    )


def parse_rule(trigger: Any, conditions: Any, actions: Any) -> Definition:
    """The whole definition checked; ``RuleError`` at the first problem."""
    matched = parse_match(trigger, conditions)
    if not isinstance(actions, list) or not actions:
        raise RuleError("actions", _("Add at least one action."))
    if len(actions) > MAX_ACTIONS:
        raise RuleError("actions", _("At most %(n)s actions.") % {"n": MAX_ACTIONS})
    cleaned = [_action(matched.trigger, a, f"actions[{n}]") for n, a in enumerate(actions)]
    if cleaned[-1]["type"] == "wait":
        raise RuleError(f"actions[{len(cleaned) - 1}]", _("A wait needs an action after it."))
    return replace(matched, actions=cleaned)


def event_names_for_rules() -> list[str]:
    """The events a rule may listen to (those about a record)."""
    return [t.name for t in event_types() if t.resource]
