"""A rule's definition in words, for its page and the list ("When a deal moved to
another stage, and its stage changes to Won · if amount more than 5000 · then: Add a
tag (Tag: Key account)"): the trigger, the conditions and each action, in the user's
language, from the same registries the editor offers (events, dates, condition fields,
action types)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from clientela.automation.rules.actions import action_type
from clientela.core.conditions import condition_field
from clientela.core.conditions.dates import trigger_date
from clientela.core.conditions.editor import builder_labels
from clientela.core.events import event_type
from clientela.core.kinds import RECORD_KINDS

WEEKDAYS = (0, 1, 2, 3, 4, 5, 6)


@dataclass(frozen=True)
class Words:
    trigger: str
    conditions: str
    actions: list[str]


def kind_name(resource: str) -> str:
    kind = RECORD_KINDS.get(resource)
    return str(kind.singular) if kind is not None else resource


def weekday_name(number: int) -> str:
    """Monday is 0, as in the trigger."""
    return date_format(datetime.date(2024, 1, 1 + number), "l")


def _event_words(trigger: dict[str, Any]) -> str:
    found = event_type(trigger.get("event", ""))
    what = str(found.description) if found is not None else str(trigger.get("event", ""))
    text = _("When: %(what)s") % {"what": what}
    field = trigger.get("field")
    if field:
        parts = {"field": field, "from": trigger.get("from"), "to": trigger.get("to")}
        if "from" in trigger and "to" in trigger:
            text += _(", its “%(field)s” changing from “%(from)s” to “%(to)s”") % parts
        elif "to" in trigger:
            text += _(", its “%(field)s” changing to “%(to)s”") % parts
        elif "from" in trigger:
            text += _(", its “%(field)s” changing from “%(from)s”") % parts
        else:
            text += _(", its “%(field)s” changing") % parts
    return text


def _date_words(trigger: dict[str, Any]) -> str:
    resource = trigger.get("resource", "")
    found = trigger_date(resource, trigger.get("date", ""))
    args = {
        "date": str(found.label) if found is not None else trigger.get("date", ""),
        "kind": kind_name(resource),
        "days": trigger.get("days", 0),
    }
    when = trigger.get("when", "on")
    if when == "on":
        return _("On the day of the %(date)s of each %(kind)s") % args
    business = bool(trigger.get("business_days"))
    if when == "before":
        text = (
            ngettext(
                "%(days)s business day before the %(date)s of each %(kind)s",
                "%(days)s business days before the %(date)s of each %(kind)s",
                args["days"],
            )
            if business
            else ngettext(
                "%(days)s day before the %(date)s of each %(kind)s",
                "%(days)s days before the %(date)s of each %(kind)s",
                args["days"],
            )
        )
    else:
        text = (
            ngettext(
                "%(days)s business day after the %(date)s of each %(kind)s",
                "%(days)s business days after the %(date)s of each %(kind)s",
                args["days"],
            )
            if business
            else ngettext(
                "%(days)s day after the %(date)s of each %(kind)s",
                "%(days)s days after the %(date)s of each %(kind)s",
                args["days"],
            )
        )
    return text % args


def _schedule_words(trigger: dict[str, Any]) -> str:
    kind = kind_name(trigger.get("resource", ""))
    every = trigger.get("schedule")
    if every == "weekly":
        day = weekday_name(int(trigger.get("weekday", 0)) % 7)
        return _("Every %(weekday)s, for each %(kind)s") % {"weekday": day, "kind": kind}
    if every == "monthly":
        return _("On day %(day)s of each month, for each %(kind)s") % {
            "day": trigger.get("day", 1),
            "kind": kind,
        }
    return _("Every day, for each %(kind)s") % {"kind": kind}


def trigger_words(trigger: dict[str, Any]) -> str:
    if "event" in trigger:
        return _event_words(trigger)
    if "date" in trigger:
        return _date_words(trigger)
    return _schedule_words(trigger)


def _value_words(resource: str, leaf: dict[str, Any], labels: dict[str, str]) -> str:
    value = leaf.get("value")
    found = condition_field(resource, leaf.get("field", ""))
    choices = dict(found.choice_list()) if found is not None and found.choices else {}
    if isinstance(value, bool):
        return labels["yes"] if value else labels["no"]
    if isinstance(value, list):
        return ", ".join(str(choices.get(str(v), v)) for v in value)
    if isinstance(value, dict):
        return _("%(amount)s in %(days)s days") % {
            "amount": value.get("amount", ""),
            "days": value.get("days", ""),
        }
    return str(choices.get(str(value), value))


def _condition_words(resource: str, part: Any, labels: dict[str, str], depth: int) -> str:
    if isinstance(part, dict) and ("all" in part or "any" in part):
        joined = _(" and ") if "all" in part else _(" or ")
        parts = part.get("all", part.get("any")) or []
        inner = [_condition_words(resource, p, labels, depth + 1) for p in parts]
        text = joined.join(inner)
        return f"({text})" if depth and len(inner) > 1 else text
    found = condition_field(resource, part.get("field", ""))
    name = str(found.label) if found is not None else str(part.get("field", ""))
    op = labels.get(part.get("op", ""), part.get("op", ""))
    if part.get("op") == "exists":
        return f"{name} {op}" if part.get("value", True) else f"{name} {_('is empty')}"
    return f"{name} {op} {_value_words(resource, part, labels)}"


def conditions_words(resource: str, conditions: dict[str, Any]) -> str:
    """The conditions in words ("" when there are none: every record)."""
    return _condition_words(resource, conditions or {"all": []}, builder_labels(), 0)


def action_words(action: dict[str, Any]) -> str:
    found = action_type(action.get("type", ""))
    if found is None:
        return str(action.get("type", ""))
    shown = []
    for param in found.params:
        if param.name not in action or action[param.name] in ("", None):
            continue
        value = action[param.name]
        if param.kind == "choice" and param.choices is not None:
            value = dict((str(k), v) for k, v in param.choices()).get(str(value), value)
        elif param.kind == "bool":
            value = _("yes") if value else _("no")
        shown.append(f"{param.label}: {value}")
    return f"{found.label} ({'; '.join(shown)})" if shown else str(found.label)


def rule_words(rule: Any) -> Words:
    return Words(
        trigger=trigger_words(rule.trigger or {}),
        conditions=conditions_words(rule.resource, rule.conditions),
        actions=[action_words(a) for a in rule.actions or []],
    )
