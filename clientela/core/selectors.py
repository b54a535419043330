"""Reads of the core domain, each scoped to the asking user."""

from __future__ import annotations

from typing import Any, TypeVar, cast

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django_otp.plugins.otp_totp.models import TOTPDevice

from clientela.core.errors import NotFound
from clientela.core.filters import UserFilters
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
from clientela.core.permissions import can, restrict
from clientela.core.services import may_restore, trash_cutoff

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
    """One record in the trash that ``user`` may bring back (an admin any, anyone else
    what they deleted and may still see and edit); ``NotFound`` otherwise, and for a
    record that is missing or not trashed."""
    record = model._default_manager.filter(pk=parse_id(pk), deleted_at__isnull=False).first()
    if record is None or not may_restore(user, record):
        raise NotFound()
    return cast(R, record)


def audit_history(*, record: CRMRecord) -> QuerySet[AuditEntry]:
    """The history of a record the caller has already fetched through a scoped selector."""
    ct = ContentType.objects.get_for_model(record, for_concrete_model=True)
    return AuditEntry.objects.filter(content_type=ct, object_id=record.pk).select_related("actor")


def trash_list(*, user: Any, model: type[CRMRecord]) -> QuerySet[Any]:
    """Records in the trash and still restorable by ``user``: an admin's every one,
    anyone else's own deletions they may still see and edit."""
    qs: QuerySet[Any] = model._default_manager.filter(deleted_at__gte=trash_cutoff())
    if not getattr(user, "is_admin", False):
        if not can(user, "update", model.RESOURCE):
            return model._default_manager.none()
        qs = restrict(qs.filter(deleted_by=user), user, model.RESOURCE)
    return qs.order_by("-deleted_at")


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


# --- the settings pages: users, teams, roles (admins only) ---------------------------


def _require_admin(user: Any) -> None:
    if not getattr(user, "is_admin", False):
        raise NotFound()


def user_admin_list(*, user: Any, filters: UserFilters) -> QuerySet[User]:
    """Every user (deactivated ones too, not the system's actors), for an admin; with
    ``has_two_factor`` (a confirmed device) and ``invited`` (never logged in, no password
    yet)."""
    _require_admin(user)
    qs = (
        User.objects.filter(is_system=False)
        .select_related("role", "team")
        .annotate(
            has_two_factor=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
            invited=Q(password__startswith=UNUSABLE_PASSWORD_PREFIX, last_login__isnull=True),
        )
    )
    if filters.q:
        for word in filters.q.split()[:5]:
            qs = qs.filter(
                Q(username__icontains=word)
                | Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(email__icontains=word)
            )
    if filters.role:
        qs = qs.filter(role_id=filters.role)
    if filters.team:
        qs = qs.filter(team_id=filters.team)
    if filters.status == "active":
        qs = qs.filter(is_active=True).exclude(invited=True)
    elif filters.status == "invited":
        qs = qs.filter(is_active=True, invited=True)
    elif filters.status == "inactive":
        qs = qs.filter(is_active=False)
    return qs.order_by(*filters.order_by())


def user_admin_get(*, user: Any, pk: Any) -> User:
    """One user for an admin's page, with the same annotations as the list."""
    _require_admin(user)
    found = user_admin_list(user=user, filters=UserFilters()).filter(pk=parse_id(pk)).first()
    if found is None:
        raise NotFound()
    return found


def user_history(*, user: Any, subject: User) -> QuerySet[AuditEntry]:
    """What was changed on a user's account, and by whom (admins only)."""
    _require_admin(user)
    ct = ContentType.objects.get_for_model(User)
    return AuditEntry.objects.filter(content_type=ct, object_id=subject.pk).select_related("actor")


def team_admin_list(*, user: Any) -> QuerySet[Team]:
    """The teams with their number of members, for an admin."""
    _require_admin(user)
    return Team.objects.annotate(
        member_count=Count("members"),
        active_count=Count("members", filter=Q(members__is_active=True)),
    ).order_by("name")


def team_admin_get(*, user: Any, pk: Any) -> Team:
    _require_admin(user)
    team = Team.objects.filter(pk=parse_id(pk)).first()
    if team is None:
        raise NotFound()
    return team


def role_admin_list(*, user: Any) -> QuerySet[Role]:
    """The roles with their rights and number of users, for an admin."""
    _require_admin(user)
    return Role.objects.prefetch_related("permissions").annotate(user_count=Count("user"))


def role_admin_get(*, user: Any, pk: Any) -> Role:
    _require_admin(user)
    role = Role.objects.prefetch_related("permissions").filter(pk=parse_id(pk)).first()
    if role is None:
        raise NotFound()
    return role
