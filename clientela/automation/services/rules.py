"""Every write to workflow rules: create, change (each change of the definition a new
version), enable and disable, delete. Rules are company configuration kept by admins
and managers (``require_rule_editor``: ``NotFound`` for anyone else, so pages and API
are 404), with no trash: a delete is for good, with the rule's versions and run log.

The definition (trigger, conditions, actions) is checked whole before anything is
written (``rules.definition.parse_rule``); its problems come back as field errors keyed
by their full path ("trigger.event", "conditions.all[0].field", "actions[1].tag"; the
API names it as it is, a page puts it by its part: ``definition_part``), so nothing is
ever half-saved.
"""

from __future__ import annotations

from typing import Any, TypedDict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from clientela.automation.models import Rule, RuleVersion
from clientela.automation.rules.definition import Definition, RuleError, parse_match, parse_rule
from clientela.core.audit import record_audit
from clientela.core.choices import AuditAction, RoleKey
from clientela.core.errors import NotFound, VersionConflict
from clientela.core.services import RecordWrites
from clientela.core.validation import Errors, add, clean_text, raise_errors

DEFINITION = ("trigger", "conditions", "actions")


class RuleData(TypedDict, total=False):
    name: str
    description: str
    trigger: dict[str, Any]
    conditions: dict[str, Any]
    actions: list[dict[str, Any]]
    enabled: bool


def may_edit_rules(user: Any) -> bool:
    """Admins and managers keep the rules."""
    if getattr(user, "is_admin", False):
        return True
    role = getattr(user, "role", None)
    return bool(
        getattr(user, "is_active", False) and role is not None and role.key == RoleKey.MANAGER
    )


def require_rule_editor(actor: Any) -> None:
    if not may_edit_rules(actor):
        raise NotFound()


def _locked(rule: Rule, actor: Any) -> Rule:
    require_rule_editor(actor)
    fresh = Rule.objects.select_for_update().filter(pk=rule.pk).first()
    if fresh is None:
        raise NotFound()
    return fresh


def rule_definition(rule: Rule) -> dict[str, Any]:
    """What a version keeps: the rule as the API shows its definition."""
    return {
        "name": rule.name,
        "description": rule.description,
        "trigger": rule.trigger,
        "conditions": rule.conditions,
        "actions": rule.actions,
        "enabled": rule.enabled,
    }


def rule_snapshot(rule: Rule) -> dict[str, Any]:
    return {
        "name": rule.name,
        "description": rule.description,
        "enabled": rule.enabled,
        "version": rule.version,
    }


def _clean_definition(rule: Rule, data: RuleData, errors: Errors) -> bool:
    """Check and apply the definition given (whole, with what is not given kept);
    whether it changed."""
    if not any(key in data for key in DEFINITION):
        return False
    trigger = data.get("trigger", rule.trigger)
    conditions = data.get("conditions", rule.conditions or None)
    actions = data.get("actions", rule.actions)
    try:
        parsed = parse_rule(trigger, conditions, actions)
    except RuleError as exc:
        add(errors, exc.path or "trigger", exc.message)
        return False
    changed: bool = (
        parsed.trigger_json != rule.trigger
        or parsed.conditions_json != rule.conditions
        or parsed.actions != rule.actions
    )
    rule.resource = parsed.resource
    rule.trigger, rule.conditions, rule.actions = (
        parsed.trigger_json,
        parsed.conditions_json,
        parsed.actions,
    )
    rule.event = parsed.trigger.event
    return changed


def definition_part(key: str) -> str:
    """The part of the rule an error's key is about ("actions[1].tag" -> "actions"),
    for a form with one input per part."""
    return key.split(".", 1)[0].split("[", 1)[0]


def checked_definition(trigger: Any, conditions: Any, actions: Any = None) -> Definition:
    """A definition as a dry run reads it: checked whole (``actions`` None: the trigger
    and conditions alone), its problem a ``ValidationError`` keyed by its path."""
    try:
        if actions is None:
            return parse_match(trigger, conditions)
        return parse_rule(trigger, conditions, actions)
    except RuleError as exc:
        raise ValidationError({exc.path or "trigger": [exc.message]}) from None


def _apply(actor: Any, rule: Rule, data: RuleData) -> None:
    errors: Errors = {}
    text = clean_text(Rule, data, ("name", "description"), errors)
    before = (rule.name, rule.description)
    if "name" in data or rule.pk is None:
        name = " ".join(text.get("name", "").split())
        if "name" not in errors and not name:
            add(errors, "name", _("Enter a name."))
        rule.name = name
    if "description" in text:
        rule.description = text["description"]
    if rule.pk is None and "trigger" not in data:
        add(errors, "trigger", _("Choose what fires the rule."))
    if rule.pk is None and "actions" not in data:
        add(errors, "actions", _("Add at least one action."))
    changed = _clean_definition(rule, data, errors)
    if "enabled" in data:
        if not isinstance(data["enabled"], bool):
            add(errors, "enabled", _("Give true or false."))
        else:
            changed = changed or rule.enabled != data["enabled"]
            rule.enabled = data["enabled"]
    raise_errors(errors)
    new = rule.pk is None
    if new:
        rule.created_by = actor if getattr(actor, "pk", None) else None
    elif changed or (rule.name, rule.description) != before:
        rule.version += 1
    rule.save()
    if new or rule.version != RuleVersion.objects.filter(rule=rule).count():
        RuleVersion.objects.create(
            rule=rule,
            number=rule.version,
            definition=rule_definition(rule),
            created_by=actor if getattr(actor, "pk", None) else None,
        )


RULE_WRITES = RecordWrites(
    apply=_apply, snapshot=rule_snapshot, lock=_locked, authorize=require_rule_editor
)


def rule_create(*, actor: Any, data: RuleData) -> Rule:
    """A new rule (disabled unless ``enabled`` is given true), version 1."""
    return RULE_WRITES.create(actor, Rule(), data)


def rule_update(
    *, actor: Any, rule: Rule, data: RuleData, expected_version: int | None = None
) -> Rule:
    """Change what ``data`` names; a change of the definition, name or state is a new
    version. ``expected_version`` (the rule's ``version``) refuses a stale edit
    (``VersionConflict``)."""
    with transaction.atomic():
        _check_version(_locked(rule, actor), expected_version)
        return RULE_WRITES.update(actor, rule, data)


def _check_version(rule: Rule, expected: int | None) -> None:
    if expected is not None and expected != rule.version:
        raise VersionConflict(rule.version)


def rule_set_enabled(*, actor: Any, rule: Rule, enabled: bool) -> Rule:
    return rule_update(actor=actor, rule=rule, data={"enabled": enabled})


def rule_delete(*, actor: Any, rule: Rule, expected_version: int | None = None) -> None:
    """Delete for good, with its versions and run log."""
    with transaction.atomic():
        fresh = _locked(rule, actor)
        _check_version(fresh, expected_version)
        record_audit(actor=actor, instance=fresh, action=AuditAction.DELETE)
        fresh.delete()
