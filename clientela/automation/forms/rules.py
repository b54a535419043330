"""The rule editor's form: the name and description, the trigger (an event, a date or
a schedule, each with its fields), the conditions (the condition tree as JSON, which
the condition editor ``static/clientela/conditions.js`` writes; a text area without
JavaScript) and the ordered actions, posted as ``action-<n>-type`` and
``action-<n>-<param>`` fields. ``editor_change`` applies the editor's own buttons (add,
remove, move up or down an action; show the fields of a new trigger or action type)
to the posted state; ``to_data`` gives the JSON the rule services take."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from clientela.automation.models import Rule
from clientela.automation.rules.actions import ActionType, Param, action_type, action_types
from clientela.automation.rules.definition import MAX_ACTIONS, event_names_for_rules
from clientela.automation.rules.words import kind_name, weekday_name
from clientela.core.conditions import condition_resources
from clientela.core.conditions.dates import trigger_dates
from clientela.core.events import event_type
from clientela.core.forms import BootstrapMixin, set_choices
from clientela.core.kinds import RECORD_KINDS

TRIGGER_KINDS = (
    ("event", _("When something happens")),
    ("date", _("Days before or after a date")),
    ("schedule", _("On a schedule")),
)
WHEN = (("before", _("before")), ("after", _("after")), ("on", _("on the day")))
SCHEDULES = (("daily", _("Every day")), ("weekly", _("Every week")), ("monthly", _("Every month")))


def rule_resources() -> list[str]:
    """The kinds of record a date or schedule trigger may name."""
    found = set(condition_resources()) | {d.resource for d in trigger_dates()}
    return sorted(r for r in found if r in RECORD_KINDS)


def editor_attrs(url: str, part: str) -> dict[str, str]:
    """The htmx attributes of an editor control: post the form back as an editor
    change and swap ``part`` (by id) with the one in the answer."""
    return {
        "hx-post": url,
        "hx-vals": '{"editor": "refresh"}',
        "hx-trigger": "change",
        "hx-select": f"#{part}",
        "hx-target": f"#{part}",
        "hx-swap": "outerHTML",
    }


@dataclass
class ActionRow:
    """One action as the editor shows it: its type and each parameter's value."""

    index: int
    type: ActionType | None
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    @property
    def prefix(self) -> str:
        return f"action-{self.index}"

    def params(self) -> list[tuple[Param, Any, str, list[tuple[str, Any]]]]:
        """(param, value, input name, choices) for the template."""
        if self.type is None:
            return []
        return [
            (
                p,
                self.values.get(p.name, ""),
                f"{self.prefix}-{p.name}",
                [(str(v), label) for v, label in p.choices()] if p.choices else [],
            )
            for p in self.type.params
        ]

    def to_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {"type": self.type.key if self.type else ""}
        for param in self.type.params if self.type else ():
            value = self.values.get(param.name)
            if param.kind == "bool":
                found[param.name] = bool(value)
            elif value in ("", None):
                if param.required:
                    found[param.name] = ""
            elif param.kind == "int":
                found[param.name] = int(value) if str(value).lstrip("-").isdigit() else value
            else:
                found[param.name] = value
        return found


class RuleForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=2000, widget=forms.Textarea({"rows": 2})
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    trigger_kind = forms.ChoiceField(
        label=_("The rule runs"), choices=TRIGGER_KINDS, initial="event", widget=forms.RadioSelect
    )
    event = forms.ChoiceField(label=_("Event"), required=False)
    field = forms.CharField(
        label=_("Only when this field changes"),
        required=False,
        max_length=100,
        help_text=_("Optional: the field's name as the API names it (e.g. status, stage)."),
    )
    change_from = forms.CharField(label=_("From"), required=False, max_length=200)
    change_to = forms.CharField(label=_("To"), required=False, max_length=200)
    resource = forms.ChoiceField(label=_("Kind of record"), required=False)
    date = forms.ChoiceField(label=_("Date"), required=False)
    days = forms.IntegerField(label=_("Days"), required=False, min_value=0, initial=0)
    when = forms.ChoiceField(label=_("When"), choices=WHEN, required=False, initial="before")
    business_days = forms.BooleanField(label=_("Count business days only"), required=False)
    schedule = forms.ChoiceField(label=_("How often"), choices=SCHEDULES, required=False)
    weekday = forms.TypedChoiceField(label=_("Weekday"), coerce=int, required=False)
    day = forms.IntegerField(
        label=_("Day of the month"), required=False, min_value=1, max_value=28, initial=1
    )
    conditions = forms.CharField(
        label=_("Conditions (JSON)"),
        required=False,
        max_length=100000,
        widget=forms.Textarea({"rows": 4, "class": "font-monospace"}),
        help_text=_("Leave empty to act on every record the trigger brings."),
    )
    new_action = forms.ChoiceField(label=_("Type of the new action"), required=False)

    def __init__(self, *args: Any, editor_url: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        source = self.data if self.is_bound else self.initial
        # A change of these shows other fields (and, for the kind of record, other
        # conditions and actions): htmx posts the form back and swaps the definition.
        for name in ("trigger_kind", "event", "resource", "schedule"):
            self.fields[name].widget.attrs.update(editor_attrs(editor_url, "rule-definition"))
        events = []
        for name in event_names_for_rules():
            found = event_type(name)
            events.append((name, f"{name} — {found.description}" if found else name))
        set_choices(self, "event", [("", "—"), *events])
        set_choices(self, "resource", [(r, kind_name(r).capitalize()) for r in rule_resources()])
        resource = self.resource_value()
        dates = [(d.key, str(d.label)) for d in trigger_dates(resource)]
        set_choices(self, "date", dates or [("", _("No date of this kind of record yet"))])
        set_choices(self, "weekday", [(n, weekday_name(n)) for n in range(7)])
        offered = [(a.key, str(a.label)) for a in action_types(resource)] if resource else []
        set_choices(self, "new_action", offered)
        self.actions = self._action_rows(source)
        self.part_errors: dict[str, list[str]] = {}

    # the posted state ----------------------------------------------------------------

    def raw(self, name: str) -> Any:
        source = self.data if self.is_bound else self.initial
        return source.get(name, self.fields[name].initial)

    def trigger_kind_value(self) -> str:
        kind = self.raw("trigger_kind")
        return kind if kind in dict(TRIGGER_KINDS) else "event"

    def resource_value(self) -> str:
        """The kind of record the rule is about: the event's, or the one named."""
        if self.trigger_kind_value() == "event":
            found = event_type(self.raw("event") or "")
            return found.resource if found is not None else ""
        resource = self.raw("resource") or ""
        offered = rule_resources()
        return resource if resource in offered else (offered[0] if offered else "")

    def _action_rows(self, source: Any) -> list[ActionRow]:
        rows: list[ActionRow] = []
        if not self.is_bound:
            for n, action in enumerate(source.get("actions") or []):
                kept = {k: v for k, v in action.items() if k != "type"}
                rows.append(ActionRow(n, action_type(action.get("type", "")), kept))
            return rows
        for n in range(MAX_ACTIONS):
            key = source.get(f"action-{n}-type")
            if key is None:
                break
            found = action_type(key)
            values: dict[str, Any] = {}
            for param in found.params if found else ():
                name = f"action-{n}-{param.name}"
                values[param.name] = (
                    name in source if param.kind == "bool" else (source.get(name) or "").strip()
                )
            rows.append(ActionRow(n, found, values))
        return rows

    def editor_change(self, change: str) -> None:
        """Apply an editor button ("add", "remove:2", "up:1", "down:0", "refresh")."""
        verb, _colon, where = change.partition(":")
        index = int(where) if where.isdigit() else -1
        rows = self.actions
        if verb == "add" and len(rows) < MAX_ACTIONS:
            found = action_type(self.data.get("new_action") or "")
            if found is not None:
                rows.append(ActionRow(len(rows), found, {}))
        elif verb == "remove" and 0 <= index < len(rows):
            rows.pop(index)
        elif verb == "up" and 0 < index < len(rows):
            rows[index - 1], rows[index] = rows[index], rows[index - 1]
        elif verb == "down" and 0 <= index < len(rows) - 1:
            rows[index], rows[index + 1] = rows[index + 1], rows[index]
        for n, row in enumerate(rows):
            row.index = n

    # to and from the rule ------------------------------------------------------------

    @classmethod
    def initial_for(cls, rule: Rule) -> dict[str, Any]:
        trigger = rule.trigger or {}
        kind = "event" if "event" in trigger else "date" if "date" in trigger else "schedule"
        initial: dict[str, Any] = {
            "name": rule.name,
            "description": rule.description,
            "version": rule.version,
            "trigger_kind": kind,
            "conditions": json.dumps(rule.conditions) if rule.conditions else "",
            "actions": rule.actions,
        }
        for key in ("event", "field", "resource", "date", "days", "when", "business_days"):
            if key in trigger:
                initial[key] = trigger[key]
        for key in ("schedule", "weekday", "day"):
            if key in trigger:
                initial[key] = trigger[key]
        if "from" in trigger:
            initial["change_from"] = trigger["from"]
        if "to" in trigger:
            initial["change_to"] = trigger["to"]
        return initial

    def clean_conditions(self) -> Any:
        text = self.cleaned_data.get("conditions") or ""
        if not text.strip():
            return None
        try:
            return json.loads(text)
        except ValueError:
            raise forms.ValidationError(_("The conditions are not valid JSON.")) from None

    def trigger_json(self) -> dict[str, Any]:
        c = self.cleaned_data
        kind = c["trigger_kind"]
        if kind == "event":
            trigger: dict[str, Any] = {"event": c.get("event") or ""}
            if c.get("field"):
                trigger["field"] = c["field"].strip()
                if c.get("change_from"):
                    trigger["from"] = c["change_from"].strip()
                if c.get("change_to"):
                    trigger["to"] = c["change_to"].strip()
            return trigger
        if kind == "date":
            when = c.get("when") or "on"
            return {
                "resource": c.get("resource") or "",
                "date": c.get("date") or "",
                "days": 0 if when == "on" else (c.get("days") or 0),
                "when": when,
                "business_days": bool(c.get("business_days")),
            }
        trigger = {"resource": c.get("resource") or "", "schedule": c.get("schedule") or "daily"}
        if trigger["schedule"] == "weekly":
            trigger["weekday"] = c.get("weekday") or 0
        if trigger["schedule"] == "monthly":
            trigger["day"] = c.get("day") or 1
        return trigger

    def to_data(self, rule: Rule | None) -> dict[str, Any]:
        c = self.cleaned_data
        return {
            "name": c["name"],
            "description": c["description"],
            "trigger": self.trigger_json(),
            "conditions": c["conditions"] if c["conditions"] is not None else {"all": []},
            "actions": [row.to_json() for row in self.actions],
        }

    def set_part_errors(self, errors: dict[str, list[str]]) -> None:
        """The service's errors by part; an action's own ("actions[1].tag: …") beside
        that action."""
        for part, messages in errors.items():
            for message in messages:
                where = message.split(":", 1)[0] if part == "actions" else ""
                if where.startswith("actions[") and "]" in where:
                    index = where[len("actions[") : where.index("]")]
                    if index.isdigit() and int(index) < len(self.actions):
                        self.actions[int(index)].errors.append(message)
                        continue
                self.part_errors.setdefault(part, []).append(message)


class RuleFilterForm(BootstrapMixin, forms.Form):
    """The rule list's filter panel (it only renders; ``RuleFilters`` parses)."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    resource = forms.ChoiceField(label=_("Kind of record"), required=False)
    enabled = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=(("", _("All")), ("true", _("Enabled")), ("false", _("Disabled"))),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kinds = [(r, kind_name(r).capitalize()) for r in rule_resources()]
        set_choices(self, "resource", [("", _("All")), *kinds])


def rule_filter_form(*, user: Any, initial: dict[str, Any], resource: str) -> RuleFilterForm:
    """The filter panel of the rule list (``RecordKind.filter_form``)."""
    return RuleFilterForm(initial=initial)
