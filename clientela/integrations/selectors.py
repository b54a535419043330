"""Reads of imports, scoped: a user sees the imports they started; admins see all."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from clientela.core.errors import NotFound
from clientela.integrations.models import ImportJob, ImportMapping, ImportRowIssue


def import_list(*, user: Any) -> QuerySet[ImportJob]:
    qs = ImportJob.objects.select_related("user")
    return qs if getattr(user, "is_admin", False) else qs.filter(user=user)


def import_get(*, user: Any, pk: Any) -> ImportJob:
    try:
        return import_list(user=user).get(pk=int(pk))
    except (ImportJob.DoesNotExist, TypeError, ValueError):
        raise NotFound() from None


def import_issues(*, job: ImportJob, dry_run: bool) -> QuerySet[ImportRowIssue]:
    """The job's row report (rows that fail or were skipped), in row order; the job
    comes from ``import_get``, so it is the user's."""
    return job.issues.filter(dry_run=dry_run).order_by("row", "id")


def mapping_list(*, kind: str) -> QuerySet[ImportMapping]:
    return ImportMapping.objects.filter(kind=kind)


def mapping_get(*, kind: str, name: str) -> ImportMapping:
    saved = ImportMapping.objects.filter(kind=kind, name=name).first()
    if saved is None:
        raise NotFound()
    return saved
