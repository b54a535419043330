"""Writes of the core domain (roles, users, tokens, tags, saved views, custom fields,
settings). The generic record helpers every domain service uses (the create and update
shells, version check, lock, trash, restore, purge) are in ``records`` and re-exported
here, so ``from clientela.core.services import record_trash`` keeps working."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.core.audit import changes_between, created_changes, display, record_audit
from clientela.core.choices import AuditAction, RoleKey
from clientela.core.company import default_language, default_time_zone
from clientela.core.custom_fields import clean_custom_values
from clientela.core.errors import NotFound
from clientela.core.models import (
    ApiToken,
    CustomField,
    IdempotencyKey,
    Role,
    RolePermission,
    SavedView,
    SiteSettings,
    Tag,
    Team,
    User,
)
from clientela.core.permissions import (
    DEFAULT_ROLE_RIGHTS,
    RESOURCES,
    ROLE_NAMES,
    custom_field_resources,
    forget_rights,
)
from clientela.core.services.records import (
    RecordWrites,
    _require_admin,
    check_version,
    lock_for_update,
    may_restore,
    record_create,
    record_purge,
    record_restore,
    record_trash,
    record_update,
    trash_cutoff,
    trash_purge,
)

__all__ = [
    "RecordWrites",
    "check_version",
    "lock_for_update",
    "may_restore",
    "record_create",
    "record_purge",
    "record_restore",
    "record_trash",
    "record_update",
    "trash_cutoff",
    "trash_purge",
]

#: Scopes a token may carry; domain apps add theirs with ``register_scopes``.
API_SCOPES: set[str] = set()


def register_scopes(*scopes: str) -> None:
    API_SCOPES.update(scopes)


# --- roles, teams, users --------------------------------------------------------------


@transaction.atomic
def roles_ensure_defaults() -> None:
    """Create the six built-in roles with default rights on every registered resource
    (existing rights are left as an admin set them). One query finds the rights that
    exist; only missing ones are written (every user a test creates calls this)."""
    existing = set(RolePermission.objects.values_list("role__key", "resource"))
    for key, rights in DEFAULT_ROLE_RIGHTS.items():
        role, _created = Role.objects.get_or_create(
            key=key, defaults={"name": str(ROLE_NAMES[key])}
        )
        missing = [
            RolePermission(
                role=role,
                resource=resource,
                can_create=given.create,
                can_read=given.read,
                can_update=given.update,
                can_delete=given.delete,
                scope=given.scope,
            )
            for resource, about in RESOURCES.items()
            if (key, resource) not in existing
            for given in [about.default_rights.get(key, rights)]
        ]
        # A right another process wrote meanwhile is kept as it is.
        RolePermission.objects.bulk_create(missing, ignore_conflicts=True)


@transaction.atomic
def role_permission_update(
    *,
    actor: Any,
    permission: RolePermission,
    can_create: bool,
    can_read: bool,
    can_update: bool,
    can_delete: bool,
    scope: str,
) -> RolePermission:
    _require_admin(actor)
    before = _rights_of(permission)
    permission.can_create, permission.can_read = can_create, can_read
    permission.can_update, permission.can_delete = can_update, can_delete
    permission.scope = scope
    permission.full_clean()
    permission.save()
    changes = {
        f"{permission.resource}.{name.removeprefix('can_')}": pair
        for name, pair in changes_between(before, _rights_of(permission)).items()
    }
    if changes:
        record_audit(
            actor=actor, instance=permission.role, action=AuditAction.UPDATE, changes=changes
        )
    forget_rights(actor)
    return permission


def _rights_of(permission: RolePermission) -> dict[str, Any]:
    return {
        "can_create": permission.can_create,
        "can_read": permission.can_read,
        "can_update": permission.can_update,
        "can_delete": permission.can_delete,
        "scope": permission.scope,
    }


def team_get_or_create(*, name: str) -> Team:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"team": [_("Enter a team name.")]})
    team, _created = Team.objects.get_or_create(name=name)
    return team


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    role_key: str,
    team_name: str | None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    language: str | None = None,
    time_zone: str | None = None,
) -> User:
    """A user with a password (the ``createuser`` command, the demo, the tests); the
    settings pages invite users instead (``users.user_invite``). Language and time
    zone default to the company's."""
    errors: dict[str, list[str]] = {}
    role = Role.objects.filter(key=role_key).first()
    if role is None:
        errors["role"] = [
            _("Unknown role “%(role)s”; choose one of: %(choices)s.")
            % {"role": role_key, "choices": ", ".join(RoleKey.values)}
        ]
    if User.objects.filter(username__iexact=username).exists():
        errors["username"] = [_("A user with that username already exists.")]
    user = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        role=role,
        language=language or default_language(),
        time_zone=time_zone or default_time_zone(),
        is_staff=role_key == RoleKey.ADMIN,
    )
    try:
        validate_password(password, user)
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    try:
        user.full_clean(exclude=["password", "team", "role"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    if team_name:
        user.team = team_get_or_create(name=team_name)
    user.set_password(password)
    user.save()
    return user


@transaction.atomic
def user_update_preferences(*, user: User, language: str, time_zone: str) -> User:
    user.language = language
    user.time_zone = time_zone
    user.full_clean(exclude=["password"])
    user.save(update_fields=["language", "time_zone"])
    return user


@transaction.atomic
def site_settings_update(*, actor: Any, require_two_factor: bool) -> SiteSettings:
    _require_admin(actor)
    site = SiteSettings.load()
    if site.require_two_factor != require_two_factor:
        old = site.require_two_factor
        site.require_two_factor = require_two_factor
        site.save()
        record_audit(
            actor=actor,
            instance=site,
            action=AuditAction.UPDATE,
            changes={"require_two_factor": [display(old), display(require_two_factor)]},
        )
    return site


# --- API tokens -----------------------------------------------------------------------

TOKEN_PREFIX = "clt_"  # noqa: S105 - a public marker, not a secret


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def api_token_create(
    *,
    user: User,
    name: str,
    scopes: list[str],
    expires_at: datetime.datetime | None = None,
) -> tuple[ApiToken, str]:
    """Create a token; returns the model and the clear token, which is never stored."""
    errors: dict[str, list[str]] = {}
    scopes = sorted({s.strip() for s in scopes if s.strip()})
    unknown = [s for s in scopes if s not in API_SCOPES]
    if not scopes:
        errors["scopes"] = [_("Choose at least one scope.")]
    elif unknown:
        errors["scopes"] = [
            _("Unknown scope(s): %(unknown)s. Known: %(known)s.")
            % {"unknown": ", ".join(unknown), "known": ", ".join(sorted(API_SCOPES))}
        ]
    if not (name or "").strip():
        errors["name"] = [_("Give the token a name.")]
    if expires_at is not None and expires_at <= timezone.now():
        errors["expires_at"] = [_("The expiry must be in the future.")]
    if errors:
        raise ValidationError(errors)
    clear = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=name.strip()[:100],
        prefix=clear[:12],
        token_hash=hash_token(clear),
        scopes=scopes,
        expires_at=expires_at,
    )
    token.full_clean()
    token.save()
    return token, clear


@transaction.atomic
def api_token_revoke(*, user: User, token: ApiToken) -> None:
    if token.user_id != user.pk:
        raise NotFound()
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at", "updated_at"])


# --- tags, saved views, custom fields ---------------------------------------------------


def tags_by_name(names: set[str]) -> dict[str, Tag]:
    """The tags with these names, by folded name (``casefold``), creating the missing
    ones: one query for many records (the importer's chunks). Names over 50 characters
    are left out (``tags_from_names`` reports them per record)."""
    wanted = {n.strip().casefold(): n.strip() for n in names if n and n.strip()}
    wanted = {k: v for k, v in wanted.items() if len(v) <= 50}
    found = {t.name.casefold(): t for t in Tag.objects.filter(name__in=list(wanted.values()))}
    for key, name in wanted.items():
        if key not in found:
            tag = Tag.objects.filter(name__iexact=name).first() or Tag.objects.create(name=name)
            found[key] = tag
    return found


def tags_from_names(names: list[str]) -> list[Tag]:
    """The tags with these names (case-insensitive), creating the missing ones."""
    # A bare string would otherwise be iterated letter by letter into one tag each.
    if not isinstance(names, list | tuple) or not all(
        isinstance(n, str) or n is None for n in names
    ):
        raise ValidationError({"tags": [_("Give the tags as a list of names.")]})
    tags: list[Tag] = []
    seen: set[str] = set()
    for raw in names:
        name = (raw or "").strip()
        if not name or name.casefold() in seen:
            continue
        if len(name) > 50:
            raise ValidationError({"tags": [_("A tag has at most 50 characters.")]})
        seen.add(name.casefold())
        tag = Tag.objects.filter(name__iexact=name).first() or Tag.objects.create(name=name)
        tags.append(tag)
    return tags


def clean_tags_and_custom(
    record: Any, resource: str, data: Any, errors: dict[str, list[str]]
) -> list[Tag] | None:
    """What every CRM record's write takes alike: ``data["custom"]`` checked against the
    kind's custom fields and set on ``record`` (a new record's required fields checked
    even when absent), and ``data["tags"]`` as tags, returned to set once the record is
    saved (None: leave them). Problems go to ``errors``."""
    if "custom" in data or record.pk is None:
        try:
            record.custom = clean_custom_values(
                resource, data.get("custom", {}), existing=record.custom
            )
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if "tags" not in data:
        return None
    try:
        return tags_from_names(data["tags"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
        return None


@transaction.atomic
def saved_view_save(*, user: User, resource: str, name: str, query: str) -> SavedView:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("Give the view a name.")]})
    view, _created = SavedView.objects.update_or_create(
        user=user, resource=resource, name=name[:100], defaults={"query": query[:2000]}
    )
    return view


@transaction.atomic
def saved_view_delete(*, user: User, view_id: int) -> None:
    deleted, _detail = SavedView.objects.filter(user=user, pk=view_id).delete()
    if not deleted:
        raise NotFound()


@transaction.atomic
def custom_field_create(
    *,
    actor: Any,
    resource: str,
    key: str,
    label: str,
    field_type: str,
    choices: list[str] | None = None,
    required: bool = False,
    help_text: str = "",
) -> CustomField:
    _require_admin(actor)
    field = CustomField(
        resource=resource,
        key=key,
        label=label,
        field_type=field_type,
        choices=choices or [],
        required=required,
        help_text=help_text,
    )
    field.full_clean()
    if resource not in custom_field_resources():
        raise ValidationError({"resource": [_("This kind of record has no custom fields.")]})
    if field_type == "choice" and not field.choices:
        raise ValidationError({"choices": [_("A choice field needs at least one choice.")]})
    field.save()
    snapshot = {
        "resource": resource,
        "key": field.key,
        "label": field.label,
        "field_type": field.field_type,
        "choices": field.choices,
        "required": field.required,
    }
    record_audit(
        actor=actor,
        instance=field,
        action=AuditAction.CREATE,
        changes=created_changes(snapshot),
    )
    return field


IDEMPOTENCY_KEY_HOURS = 24


@transaction.atomic
def idempotency_keys_purge(*, hours: int = IDEMPOTENCY_KEY_HOURS) -> int:
    """Forget stored API answers older than ``hours``: a client retries within
    minutes, and the ledger must not grow forever."""
    cutoff = timezone.now() - datetime.timedelta(hours=hours)
    count, _detail = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return count
