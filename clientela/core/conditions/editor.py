"""What the condition editor (``static/clientela/conditions.js``) is given for a kind
of record: its fields with their operators and choices, and the editor's words. The
segment form (people) and the rule editor (any kind with conditions) share both."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from clientela.core.conditions.fields import condition_fields


def builder_fields(resource: str) -> list[dict[str, Any]]:
    """What the condition editor offers on ``resource``: each field with its operators
    and choices."""
    return [
        {
            "key": f.key,
            "label": str(f.label),
            "group": str(f.group),
            "type": f.type,
            "ops": list(f.allowed_ops),
            "choices": f.choice_list() if f.choices else None,
            "help": str(f.help),
        }
        for f in condition_fields(resource)
    ]


def builder_labels() -> dict[str, str]:
    """The editor's words, in the user's language."""
    return {
        "all": _("All of these"),
        "any": _("Any of these"),
        "add": _("Add a condition"),
        "group": _("Add a group"),
        "remove": _("Remove"),
        "field": _("Field"),
        "op": _("Operator"),
        "value": _("Value"),
        "yes": _("yes"),
        "no": _("no"),
        "amount": _("Amount"),
        "days": _("Days"),
        "eq": _("is"),
        "ne": _("is not"),
        "in": _("is one of"),
        "contains": _("contains"),
        "gt": _("more than"),
        "lt": _("less than"),
        "before": _("before"),
        "after": _("after"),
        "exists": _("is filled in"),
        "comma": _("Separate values with commas."),
    }
