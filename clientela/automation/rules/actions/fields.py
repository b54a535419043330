"""Set one field of the record the rule runs on: ``{"type": "update_field", "field":
"priority", "value": "high"}``. The field is one of the kind's simple fields
(``FIELDS``), named as the API names it; the value is what the API takes for it,
read by the kind's API change schema where the rule comes in (a bad choice or date is
refused there) and set through the kind's update service (``RecordKind.update_record``),
which checks it again as for any change (a ticket's status moves, a deal's stage in
its pipeline).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic import BaseModel
from pydantic import ValidationError as SchemaError

from clientela.automation.rules.actions import ActionProblem, ActionType, Context, Outcome, Param
from clientela.automation.rules.actions import common as c
from clientela.core.kinds import RECORD_KINDS, RecordKind

#: The fields a rule may set, by kind, as the API names them: plain values the update
#: service takes alone (not lists, custom fields, owners: "assign_owner" sets those).
FIELDS: dict[str, tuple[str, ...]] = {
    "contacts.person": ("preferred_language", "preferred_channel", "birthday", "notes"),
    "contacts.organization": ("industry", "website", "city", "country", "notes"),
    "sales.deal": (
        "status",
        "stage_id",
        "probability",
        "close_date",
        "next_step",
        "lost_reason",
        "notes",
    ),
    "sales.lead": ("status", "source", "company", "job_title", "disqualified_reason", "notes"),
    "service.ticket": ("priority", "status", "type", "language"),
    "activities.task": ("title", "description", "priority"),
}


def writable_kind(resource: str) -> RecordKind | None:
    """The kind, if its update service takes its API change schema's data."""
    kind = RECORD_KINDS.get(resource)
    if kind is None or kind.update is None or kind.api_data is None:
        return None
    return kind if patch_schema(kind) is not None else None


def patch_schema(kind: RecordKind) -> type[BaseModel] | None:
    """The kind's API change schema (None without one)."""
    schema = kind.api_patch
    return schema if isinstance(schema, type) and issubclass(schema, BaseModel) else None


def field_names(resource: str) -> tuple[str, ...]:
    """The fields a rule may set on the kind's records (those its API change takes)."""
    kind = writable_kind(resource)
    schema = patch_schema(kind) if kind is not None else None
    if schema is None:
        return ()
    return tuple(f for f in FIELDS.get(resource, ()) if f in schema.model_fields)


def _model_field(kind: RecordKind, name: str) -> Any:
    try:
        return kind.model._meta.get_field(name.removesuffix("_id"))
    except FieldDoesNotExist:
        return None


def api_values(resource: str, values: Mapping[str, Any]) -> Any:
    """``values`` as the kind's update service takes them (through its API schema)."""
    kind = RECORD_KINDS[resource]
    schema = patch_schema(kind)
    if schema is None or kind.api_data is None:
        raise ValueError(resource)
    return kind.api_data(schema.model_validate(dict(values)))


def _clean(params: Mapping[str, Any], resource: str) -> dict[str, Any]:
    c.only(params, {"field", "value"})
    names = field_names(resource)
    field = params.get("field")
    if field not in names:
        raise ActionProblem("field", _("Choose one of: %(fields)s.") % {"fields": ", ".join(names)})
    if "value" not in params:
        raise ActionProblem("value", _("Give the value to set."))
    value = params["value"]
    if isinstance(value, dict | list):
        raise ActionProblem("value", _("Give a single value."))
    kind = writable_kind(resource)
    assert kind is not None
    model_field = _model_field(kind, str(field))
    choices = [str(k) for k, _label in (getattr(model_field, "choices", None) or [])]
    if choices and value not in ("", None) and value not in choices:
        raise ActionProblem(
            "value", _("Choose one of: %(values)s.") % {"values": ", ".join(choices)}
        )
    try:
        api_values(resource, {field: value})
    except SchemaError:
        raise ActionProblem("value", _("Not a valid value for this field.")) from None
    return {"field": field, "value": value}


def _run(context: Context, params: Mapping[str, Any]) -> Outcome:
    record = c.record_of(context)
    kind = RECORD_KINDS[context.resource]
    field, value = params["field"], params["value"]
    kind.update_record(
        actor=context.actor, record=record, data=api_values(context.resource, {field: value})
    )
    model_field = _model_field(kind, field)
    label = str(getattr(model_field, "verbose_name", field))
    return Outcome(
        _("%(field)s set to “%(value)s”.")
        % {"field": label[:1].upper() + label[1:], "value": "" if value is None else value},
        c.page_of(context.resource, record),
    )


def _changes(params: Mapping[str, Any]) -> dict[str, Any]:
    """The field it sets, also by the name a trigger may watch it under ("stage" for
    "stage_id")."""
    field = params["field"]
    return {field: params["value"], field.removesuffix("_id"): params["value"]}


def _field_choices() -> list[tuple[str, Any]]:
    found: dict[str, Any] = {}
    for resource in FIELDS:
        kind = writable_kind(resource)
        for name in field_names(resource):
            model_field = _model_field(kind, name) if kind is not None else None
            found.setdefault(name, getattr(model_field, "verbose_name", name))
    return sorted(found.items())


def action_types() -> list[ActionType]:
    return [
        ActionType(
            key="update_field",
            label=gettext_lazy("Update a field"),
            params=(
                Param("field", gettext_lazy("Field"), kind="choice", choices=_field_choices),
                Param(
                    "value",
                    gettext_lazy("Value"),
                    help=gettext_lazy(
                        "As the API writes it: a choice's key, a date as YYYY-MM-DD."
                    ),
                ),
            ),
            clean=_clean,
            run=_run,
            resources=frozenset(r for r in FIELDS if field_names(r)),
            changes_record=True,
            changes=_changes,
            order=30,
        )
    ]
