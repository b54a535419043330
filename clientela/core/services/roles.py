"""The Roles section's writes: a new role (starting from another's rights), its name,
its rights (all rows of a role at once, or none), and deleting a role of one's own
that nobody has; admin-only, audited."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypedDict

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from clientela.core.audit import changes_between, record_audit
from clientela.core.choices import AuditAction, RoleKey
from clientela.core.models import Role, RolePermission, User
from clientela.core.permissions import forget_rights
from clientela.core.services.records import _require_admin, rename_audited
from clientela.core.services.users import Errors, _add, _clean_text


def _clean_role_name(name: Any, role: Role | None = None) -> str:
    errors: Errors = {}
    cleaned = _clean_text(errors, "name", name, 100)
    if not cleaned and not errors:
        _add(errors, "name", _("Enter a name for the role."))
    others = Role.objects.all() if role is None else Role.objects.exclude(pk=role.pk)
    if cleaned and any(r.display_name.casefold() == cleaned.casefold() for r in others):
        _add(errors, "name", _("There is already a role with this name."))
    if errors:
        raise ValidationError(errors)
    return cleaned


def _role_key(name: str) -> str:
    base = slugify(name)[:40].strip("-") or "role"
    key, n = base, 1
    while key in RoleKey.values or Role.objects.filter(key=key).exists():
        n += 1
        key = f"{base}-{n}"
    return key


@transaction.atomic
def role_create(*, actor: Any, name: str, copy_from: Role) -> Role:
    """A new role with the rights of ``copy_from`` to start from."""
    _require_admin(actor)
    errors: Errors = {}
    try:
        cleaned = _clean_role_name(name)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        cleaned = ""
    if not isinstance(copy_from, Role) or copy_from.pk is None:
        _add(errors, "copy_from", _("Choose the role whose rights the new one starts with."))
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            role = Role.objects.create(key=_role_key(cleaned), name=cleaned)
    except IntegrityError:
        raise ValidationError({"name": [_("There is already a role with this name.")]}) from None
    RolePermission.objects.bulk_create(
        RolePermission(
            role=role,
            resource=perm.resource,
            can_create=perm.can_create,
            can_read=perm.can_read,
            can_update=perm.can_update,
            can_delete=perm.can_delete,
            scope=perm.scope,
        )
        for perm in copy_from.permissions.all()
    )
    record_audit(
        actor=actor,
        instance=role,
        action=AuditAction.CREATE,
        changes={"name": [None, role.name], "copy_from": [None, copy_from.name]},
    )
    return role


@transaction.atomic
def role_rename(*, actor: Any, role: Role, name: str) -> Role:
    _require_admin(actor)
    return rename_audited(actor=actor, instance=role, name=_clean_role_name(name, role))


@transaction.atomic
def role_delete(*, actor: Any, role: Role) -> None:
    """Delete a role of one's own making that no user has (the built-in ones stay)."""
    _require_admin(actor)
    if role.key in RoleKey.values:
        raise ValidationError({"role": [_("Built-in roles cannot be deleted.")]})
    users = User.objects.filter(role=role).count()
    if users:
        raise ValidationError(
            {
                "role": [
                    _("Give the %(count)d users of this role another role first.")
                    % {"count": users}
                ]
            }
        )
    record_audit(actor=actor, instance=role, action=AuditAction.PURGE)
    role.delete()


class RightsData(TypedDict):
    can_create: bool
    can_read: bool
    can_update: bool
    can_delete: bool
    scope: str


RIGHT_NAMES = ("can_create", "can_read", "can_update", "can_delete", "scope")


@transaction.atomic
def role_rights_update(
    *, actor: Any, role: Role, rows: Sequence[tuple[RolePermission, RightsData]]
) -> int:
    """Set the rights of several kinds of record of one role at once, or none of them
    when one row is wrong; one audit entry for the role. Returns how many rows
    changed."""
    _require_admin(actor)
    errors: Errors = {}
    changes: dict[str, list[str | None]] = {}
    changed: list[RolePermission] = []
    for permission, values in rows:
        if permission.role_id != role.pk:
            _add(errors, permission.resource, _("This right belongs to another role."))
            continue
        if not values["can_read"] and (values["can_update"] or values["can_delete"]):
            _add(errors, permission.resource, _("Update and delete need the read right."))
        before = {name: getattr(permission, name) for name in RIGHT_NAMES}
        for name in RIGHT_NAMES:
            setattr(permission, name, values[name])  # type: ignore[literal-required]
        try:
            permission.full_clean()
        except ValidationError as exc:
            errors.setdefault(permission.resource, []).extend(exc.messages)
        for name, pair in changes_between(before, values).items():
            changes[f"{permission.resource}.{name.removeprefix('can_')}"] = pair
        if before != {name: getattr(permission, name) for name in RIGHT_NAMES}:
            changed.append(permission)
    if errors:
        raise ValidationError(errors)
    for permission in changed:
        permission.save()
    if changes:
        record_audit(actor=actor, instance=role, action=AuditAction.UPDATE, changes=changes)
    forget_rights(actor)
    return len(changed)
