"""Writes to the company's configuration kinds (the service desk's queues and
categories, webhook subscriptions, workflow rules…): admins' (or a kind's own deciders')
alone, with no trash and no version; for anyone else the pages and endpoints do not
exist (``NotFound``, so 404)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from clientela.core.audit import record_audit
from clientela.core.choices import AuditAction
from clientela.core.errors import NotFound
from clientela.core.validation import Errors, add, clean_text

M = TypeVar("M", bound=models.Model)


def require_admin(actor: Any) -> None:
    """For anyone but an admin, the configuration's pages and endpoints do not exist."""
    if not getattr(actor, "is_admin", False):
        raise NotFound()


def locked(record: M, actor: Any) -> M:
    """``record`` re-read under a row lock, for admins only."""
    require_admin(actor)
    fresh = type(record)._default_manager.select_for_update().filter(pk=record.pk).first()
    if fresh is None:
        raise NotFound()
    return fresh


def clean_int(data: Mapping[str, Any], field: str, errors: Errors, *, low: int, high: int) -> None:
    """Add an error when ``data[field]`` (if given) is not a whole number in range."""
    if field not in data:
        return
    value = data[field]
    if type(value) is not int or not low <= value <= high:
        add(
            errors,
            field,
            _("Give a whole number from %(low)s to %(high)s.") % {"low": low, "high": high},
        )


def clean_name(
    model: type[models.Model],
    data: Mapping[str, Any],
    errors: Errors,
    *,
    record: models.Model | None,
    **same: Any,
) -> str | None:
    """The (required, unique among ``same``) name given, or None with an error."""
    if "name" not in data and record is not None:
        return str(getattr(record, "name"))  # noqa: B009
    text = clean_text(model, {"name": data.get("name") or ""}, ("name",), errors)
    name = " ".join(text.get("name", "").split())
    if "name" in errors:
        return None
    if not name:
        add(errors, "name", _("Enter a name."))
        return None
    taken = model._default_manager.filter(name__iexact=name, **same)
    if record is not None:
        taken = taken.exclude(pk=record.pk)
    if taken.exists():
        add(errors, "name", _("“%(name)s” is already taken.") % {"name": name})
        return None
    return name


@transaction.atomic
def delete_unused(*, actor: Any, record: M, used: str, field: str, message: str) -> None:
    """Delete a settings record (admins), unless its ``used`` relation holds rows: then
    ``message`` (with the record's name) on ``field``, and nothing changes."""
    fresh = locked(record, actor)
    if used and getattr(fresh, used).exists():
        raise ValidationError({field: [message % {"name": str(fresh)}]})
    record_audit(actor=actor, instance=fresh, action=AuditAction.DELETE)
    fresh.delete()
