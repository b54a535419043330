"""The generic writes of a record, the ceremony every domain service shares.

``record_create`` and ``record_update`` are the CRM form of HackSoft's ``model_update``:
the shell owns the transaction, the permission check, the row lock, the version check,
the snapshots before and after, the version bump and the audit entry; the domain
supplies only ``apply(actor, record, data)``, which validates the whole input, sets it
on the record and saves it (with its lines, links and search entry), raising
``ValidationError`` with every problem at once. ``snapshot(record)`` is the kind's
audited view of a record (``person_snapshot``, ``deal_snapshot``…).

Any change of a record goes through the shell, not only a form's edit: a status step
(send, accept) or a conversion is an ``apply`` of its own, bound with ``RecordWrites``.
A service that keeps its own ceremony says why, and builds it from the steps below.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from django.conf import settings
from django.db import models, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from clientela.core import search
from clientela.core.audit import changes_between, created_changes, record_audit
from clientela.core.choices import AuditAction
from clientela.core.errors import NotFound, VersionConflict
from clientela.core.events import records as events
from clientela.core.models import CRMRecord, Trashable
from clientela.core.permissions import can, can_see_record, require
from clientela.core.registry import record_written

R = TypeVar("R", bound=CRMRecord)
M = TypeVar("M", bound=models.Model)
D = TypeVar("D")

#: ``apply(actor, record, data)``: validate ``data``, set it on ``record`` and save it.
Apply = Callable[[Any, M, D], object]
#: The kind's audited view of a record: ``{field: value}``.
Snapshot = Callable[[M], Mapping[str, Any]]


def check_version(record: CRMRecord, expected: int | None) -> None:
    """Raise ``VersionConflict`` when the client edited an older version."""
    if expected is not None and expected != record.version:
        raise VersionConflict(record.version)


def lock_for_update(
    record: R,
    user: Any,
    action: str = "update",
    *,
    allowed: Callable[[R, Any], bool] | None = None,
) -> R:
    """Re-read ``record`` inside the transaction (row-locked on PostgreSQL), refusing
    it when it is gone, in the trash, or outside what the user may see; then check
    the action right. ``allowed(fresh, user)`` is a kind's own rule on top of the
    role's (an interaction is changed by its author and admins only): a record it
    refuses is ``NotFound`` too, before the role is asked, so its id is not told."""
    model = type(record)
    fresh = (
        model._default_manager.select_for_update()
        .filter(pk=record.pk, deleted_at__isnull=True)
        .first()
    )
    if fresh is None or not can_see_record(user, fresh):
        raise NotFound()
    if allowed is not None and not allowed(cast(R, fresh), user):
        raise NotFound()
    require(user, action, model.RESOURCE)
    return cast(R, fresh)


@transaction.atomic
def record_create(
    *,
    actor: Any,
    record: M,
    data: D,
    apply: Apply[M, D],
    snapshot: Snapshot[M],
    authorize: Callable[[Any], None] | None = None,
) -> M:
    """Create ``record`` (new, unsaved) from ``data``: the create right on its resource
    (or ``authorize(actor)`` for settings kept by admins), ``apply``, and the audit entry
    with every value set."""
    if authorize is None:
        require(actor, "create", cast(Any, record).RESOURCE)
    else:
        authorize(actor)
    apply(actor, record, data)
    after = snapshot(record)
    record_audit(
        actor=actor, instance=record, action=AuditAction.CREATE, changes=created_changes(after)
    )
    events.record_created(actor, record, after)
    _tell_written(record)
    return record


@transaction.atomic
def record_update(
    *,
    actor: Any,
    record: M,
    data: D,
    apply: Apply[M, D],
    snapshot: Snapshot[M],
    expected_version: int | None = None,
    lock: Callable[[M, Any], M] | None = None,
) -> M:
    """Change ``record`` with ``data`` and return the fresh copy: the record re-read
    under a lock (``lock(record, actor)``, by default ``lock_for_update``: visible, not
    in the trash, the update right), the version the client edited checked, ``apply``,
    then — only if the audited values changed — the version bumped and the audit entry
    with the changes. Records without a version (settings) skip the version steps."""
    fresh = lock(record, actor) if lock is not None else lock_for_update(cast(Any, record), actor)
    versioned = isinstance(fresh, CRMRecord)
    if versioned:
        check_version(cast(CRMRecord, fresh), expected_version)
    before = snapshot(fresh)
    apply(actor, fresh, data)
    after = snapshot(fresh)
    changes = changes_between(before, after)
    if changes:
        if versioned:
            cast(CRMRecord, fresh).version += 1
            fresh.save(update_fields=["version", "updated_at"])
        record_audit(actor=actor, instance=fresh, action=AuditAction.UPDATE, changes=changes)
        events.record_updated(actor, fresh, before, after, changes)
        _tell_written(fresh)
    return fresh


def _tell_written(record: models.Model) -> None:
    """Queue the callbacks higher apps registered for the record's kind
    (``core.registry.register_record_written``) to run once the write commits; one
    that fails is logged (``robust``), the write stands."""
    resource = getattr(record, "RESOURCE", "")
    for callback in record_written(resource) if resource else []:
        pk = record.pk
        transaction.on_commit(lambda c=callback, pk=pk: c(pk), robust=True)  # type: ignore[misc]


@dataclass(frozen=True)
class RecordWrites(Generic[M]):
    """One kind's ``apply`` and ``snapshot`` (and ``lock``/``authorize`` where they are
    not the default) bound once, so its create and update services are one line each.
    ``apply_new`` is the step of a new record where it differs from an update's."""

    apply: Apply[M, Any]
    snapshot: Snapshot[M]
    apply_new: Apply[M, Any] | None = None
    lock: Callable[[M, Any], M] | None = None
    authorize: Callable[[Any], None] | None = None

    def create(self, actor: Any, record: M, data: Any) -> M:
        return record_create(
            actor=actor,
            record=record,
            data=data,
            apply=self.apply_new or self.apply,
            snapshot=self.snapshot,
            authorize=self.authorize,
        )

    def update(self, actor: Any, record: M, data: Any, expected_version: int | None = None) -> M:
        return record_update(
            actor=actor,
            record=record,
            data=data,
            apply=self.apply,
            snapshot=self.snapshot,
            expected_version=expected_version,
            lock=self.lock,
        )


@transaction.atomic
def record_trash(*, actor: Any, record: CRMRecord, expected_version: int | None = None) -> None:
    """Move a record to the trash for CLIENTELA_TRASH_DAYS, noting who did: they (and
    admins) may bring it back (``record_restore``)."""
    fresh = lock_for_update(record, actor, "delete")
    check_version(fresh, expected_version)
    events.record_trashed(actor, fresh)
    fresh.deleted_at = timezone.now()
    fresh.deleted_by = actor if getattr(actor, "pk", None) else None
    fresh.version += 1
    fresh.save(update_fields=["deleted_at", "deleted_by", "version", "updated_at"])
    search.remove_record(fresh.RESOURCE, fresh.pk)
    record_audit(actor=actor, instance=fresh, action=AuditAction.DELETE)
    record.deleted_at, record.version = fresh.deleted_at, fresh.version
    record.deleted_by = fresh.deleted_by


def _require_admin(actor: Any) -> None:
    if not getattr(actor, "is_admin", False):
        raise NotFound()


def rename_audited(*, actor: Any, instance: M, name: str) -> M:
    """Give a settings object (a role, a team) its already-checked ``name`` and audit
    the change; nothing happens when the name is the same."""
    old = instance.name  # type: ignore[attr-defined]
    if name != old:
        instance.name = name  # type: ignore[attr-defined]
        instance.save(update_fields=["name", "updated_at"])
        record_audit(
            actor=actor, instance=instance, action=AuditAction.UPDATE, changes={"name": [old, name]}
        )
    return instance


def may_restore(user: Any, record: CRMRecord) -> bool:
    """Whether ``user`` may bring ``record`` back from the trash: an admin any record;
    anyone else only what they deleted themselves and may still see and edit."""
    if getattr(user, "is_admin", False):
        return True
    if user is None or not getattr(user, "pk", None) or record.deleted_by_id != user.pk:
        return False
    return can_see_record(user, record) and can(user, "update", record.RESOURCE)


@transaction.atomic
def record_restore(*, actor: Any, record: CRMRecord, reindex: Any) -> None:
    """Bring a record back from the trash (``may_restore``: admins, or the user who
    deleted it; ``NotFound`` for anyone else). ``reindex`` is the domain's search
    indexer for the record."""
    model = type(record)
    fresh = model._default_manager.select_for_update().filter(pk=record.pk).first()
    if fresh is None or fresh.deleted_at is None or not may_restore(actor, fresh):
        raise NotFound()
    fresh.deleted_at = None
    fresh.deleted_by = None
    fresh.version += 1
    fresh.save(update_fields=["deleted_at", "deleted_by", "version", "updated_at"])
    reindex(fresh)
    record_audit(actor=actor, instance=fresh, action=AuditAction.RESTORE)
    events.record_restored(actor, fresh)
    record.deleted_at, record.deleted_by, record.version = None, None, fresh.version


def trash_cutoff() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=settings.CLIENTELA_TRASH_DAYS)


def record_purge(*, actor: Any, records: list[Trashable]) -> tuple[int, list[Trashable]]:
    """Delete trashed records for good before their time (admins only; ``NotFound``
    for anyone else), each in its own savepoint with its audit entry. Returns how many
    went and the records kept in the trash: those other records still point to, and
    those never purged (``PURGEABLE`` False: voided numbered documents)."""
    _require_admin(actor)
    purged, kept = 0, []
    for record in records:
        if record.deleted_at is None:
            raise NotFound()
        if not record.PURGEABLE:
            kept.append(record)
            continue
        try:
            with transaction.atomic():
                record_audit(actor=actor, instance=record, action=AuditAction.PURGE)
                type(record)._default_manager.filter(pk=record.pk).delete()
        except ProtectedError:
            kept.append(record)
        else:
            purged += 1
    return purged, kept


@transaction.atomic
def trash_purge(*, models: list[type[Trashable]]) -> int:
    """Delete for good whatever has been in the trash longer than the retention (not
    the kinds the trash keeps for good, ``PURGEABLE`` False)."""
    cutoff = trash_cutoff()
    total = 0
    for model in models:
        if not model.PURGEABLE:
            continue
        expired = model._default_manager.filter(deleted_at__lt=cutoff)
        for record in expired:
            record_audit(actor=None, instance=record, action=AuditAction.PURGE)
        count, _detail = expired.delete()
        total += count
    return total
