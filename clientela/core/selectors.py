"""Reads of the core domain, each scoped to the asking user."""

from __future__ import annotations

from typing import Any, TypeVar, cast

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet

from clientela.core.errors import NotFound
from clientela.core.kinds import parse_id
from clientela.core.models import (
    ApiToken,
    AuditEntry,
    CRMRecord,
    CustomField,
    Role,
    SavedView,
    Tag,
    Team,
    User,
)
from clientela.core.permissions import restrict
from clientela.core.services import trash_cutoff

R = TypeVar("R", bound=CRMRecord)


def record_get(model: type[R], *, user: Any, pk: Any, queryset: QuerySet[R] | None = None) -> R:
    """One live record ``user`` may see, or ``NotFound`` (missing, trashed, not
    visible and a malformed id are never told apart). ``queryset`` adds the kind's
    joins and prefetches."""
    qs = model._default_manager.all() if queryset is None else queryset
    record = (
        restrict(qs.filter(deleted_at__isnull=True), user, model.RESOURCE)
        .filter(pk=parse_id(pk))
        .first()
    )
    if record is None:
        raise NotFound()
    return cast(R, record)


def record_trash_get(model: type[R], *, user: Any, pk: Any) -> R:
    """One record in the trash, for an admin to restore; ``NotFound`` for anyone else
    and for a record that is missing or not trashed."""
    if not getattr(user, "is_admin", False):
        raise NotFound()
    record = model._default_manager.filter(pk=parse_id(pk), deleted_at__isnull=False).first()
    if record is None:
        raise NotFound()
    return cast(R, record)


def audit_history(*, record: CRMRecord) -> QuerySet[AuditEntry]:
    """The history of a record the caller has already fetched through a scoped selector."""
    ct = ContentType.objects.get_for_model(record, for_concrete_model=True)
    return AuditEntry.objects.filter(content_type=ct, object_id=record.pk).select_related("actor")


def trash_list(*, user: Any, model: type[CRMRecord]) -> QuerySet[Any]:
    """Records in the trash and still restorable; admins only (others see nothing)."""
    if not getattr(user, "is_admin", False):
        return model._default_manager.none()
    return model._default_manager.filter(deleted_at__gte=trash_cutoff()).order_by("-deleted_at")


def tag_list() -> QuerySet[Tag]:
    return Tag.objects.all()


def team_list() -> QuerySet[Team]:
    return Team.objects.all()


def role_list() -> QuerySet[Role]:
    return Role.objects.prefetch_related("permissions")


def user_choices() -> QuerySet[User]:
    """Active users, for owner pickers and filters."""
    return (
        User.objects.filter(is_active=True)
        .select_related("team")
        .order_by("first_name", "last_name", "username")
    )


def custom_field_list(*, resource: str) -> QuerySet[CustomField]:
    return CustomField.objects.filter(resource=resource)


def saved_view_list(*, user: Any, resource: str) -> QuerySet[SavedView]:
    return SavedView.objects.filter(user=user, resource=resource)


def api_token_list(*, user: Any) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)
