"""Writing audit entries: the helpers every service calls in its transaction."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, cast

from django.contrib.contenttypes.models import ContentType
from django.db import models

from clientela.core.choices import AuditAction
from clientela.core.context import current_interface
from clientela.core.models import AuditEntry


def display(value: Any) -> str | None:
    """A stable string for an audited value (None stays None)."""
    if value is None:
        return None
    kind = type(value)
    if kind is str:
        return cast(str, value)
    if kind is list:  # the commonest after text (e-mails, phones, tags): no ABC checks
        if all(type(v) is str for v in value):
            return ", ".join(value)
        return ", ".join(str(display(v)) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal | int | float):
        return str(value)
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, Mapping):
        return ", ".join(f"{k}={display(v)}" for k, v in sorted(value.items()))
    if isinstance(value, Iterable) and not isinstance(value, str):
        return ", ".join(str(display(v)) for v in value)
    return str(value)


def changes_between(
    before: Mapping[str, Any], after: Mapping[str, Any]
) -> dict[str, list[str | None]]:
    """``{field: [old, new]}`` for every field whose display value differs."""
    changes: dict[str, list[str | None]] = {}
    for key in sorted(set(before) | set(after)):
        old, new = display(before.get(key)), display(after.get(key))
        if old != new:
            changes[key] = [old, new]
    return changes


def record_audit(
    *,
    actor: Any,
    instance: models.Model,
    action: str,
    changes: dict[str, list[str | None]] | None = None,
) -> AuditEntry:
    return AuditEntry.objects.create(
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=True),
        object_id=instance.pk,
        object_repr=str(instance)[:300],
        action=action,
        actor=actor if getattr(actor, "pk", None) else None,
        interface=current_interface(),
        changes=changes or {},
    )


def created_changes(snapshot: Mapping[str, Any]) -> dict[str, list[str | None]]:
    """The changes of a new record: ``{field: [None, value]}`` for every value set
    (each displayed once: the importer writes these for thousands of records)."""
    changes: dict[str, list[str | None]] = {}
    for key in sorted(snapshot):
        shown = display(snapshot[key])
        if shown not in (None, ""):
            changes[key] = [None, shown]
    return changes


__all__ = ["AuditAction", "changes_between", "created_changes", "display", "record_audit"]
