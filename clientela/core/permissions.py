"""Roles, rights and visibility: the one place that decides who may see and change what.

A *resource* is a kind of record (``"contacts.person"``). Each role has, per resource,
create/read/update/delete rights and a visibility scope (own / team / all). Selectors
narrow querysets with ``restrict``; services check actions with ``require``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.core.choices import Action, RoleKey, Scope
from clientela.core.errors import PermissionDenied

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

    from clientela.core.models import User

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class Resource:
    key: str
    label: _StrPromise | str
    #: URL name of the record's page, reversed with ``pk`` (search results link to it).
    detail_url_name: str = ""
    icon: str = "bi-card-text"
    #: Whether the kind's services, forms and API carry admin-defined custom fields
    #: (only such kinds are offered on the settings page).
    custom_fields: bool = False
    #: The built-in roles' rights on this kind where they differ from the role's usual
    #: rights (``DEFAULT_ROLE_RIGHTS``): marketing's kinds are the marketing role's to
    #: keep and only read by sales reps. Given to a role when its rights are first set.
    default_rights: Mapping[str, Rights] = field(default_factory=dict)


RESOURCES: dict[str, Resource] = {}


def register_resource(
    key: str,
    label: Any,
    *,
    detail_url_name: str = "",
    icon: str = "",
    custom_fields: bool = False,
    default_rights: Mapping[str, Rights] | None = None,
) -> None:
    """Called by a domain app's ``AppConfig.ready()`` for each kind of record it owns."""
    RESOURCES[key] = Resource(
        key=key,
        label=label,
        detail_url_name=detail_url_name,
        icon=icon or "bi-card-text",
        custom_fields=custom_fields,
        default_rights=MappingProxyType(dict(default_rights or {})),
    )


def custom_field_resources() -> dict[str, Resource]:
    """The kinds of record that carry custom fields."""
    return {key: r for key, r in RESOURCES.items() if r.custom_fields}


@dataclass(frozen=True)
class Rights:
    create: bool = False
    read: bool = False
    update: bool = False
    delete: bool = False
    scope: str = Scope.OWN

    def allows(self, action: str) -> bool:
        return bool(getattr(self, action))


NO_RIGHTS = Rights()
ALL_RIGHTS = Rights(True, True, True, True, Scope.ALL)

#: Defaults loaded for new roles (and by ``core.services.roles_ensure_defaults``).
DEFAULT_ROLE_RIGHTS: dict[str, Rights] = {
    RoleKey.ADMIN: ALL_RIGHTS,
    RoleKey.MANAGER: Rights(True, True, True, True, Scope.TEAM),
    RoleKey.SALES: Rights(True, True, True, True, Scope.TEAM),
    RoleKey.MARKETING: Rights(True, True, True, False, Scope.ALL),
    RoleKey.SUPPORT: Rights(True, True, True, False, Scope.ALL),
    RoleKey.READ_ONLY: Rights(False, True, False, False, Scope.ALL),
}

ROLE_NAMES: dict[str, Any] = {
    RoleKey.ADMIN: _("Admin"),
    RoleKey.MANAGER: _("Manager"),
    RoleKey.SALES: _("Sales"),
    RoleKey.MARKETING: _("Marketing"),
    RoleKey.SUPPORT: _("Support"),
    RoleKey.READ_ONLY: _("Read-only"),
}

_CACHE_ATTR = "_clientela_rights"

#: Rights of each role, shared by the requests of this process: role id -> (the role's
#: ``updated_at`` when the rows were read, rights by resource). Every change to a
#: role's rights stamps the role's ``updated_at`` (``_role_rights_changed``), and each
#: request compares that stamp on the role it loaded anyway (the API token query
#: selects it; pages read ``user.role`` for ``is_admin``), so another process sees a
#: change at its next request, not after a timeout, and a request costs no rights query.
_ROLE_RIGHTS: dict[int, tuple[Any, Mapping[str, Rights]]] = {}


def _load_role_rights(role_id: int) -> Mapping[str, Rights]:
    from clientela.core.models import RolePermission  # noqa: PLC0415 - core.models imports this module

    return MappingProxyType(
        {
            perm.resource: Rights(
                perm.can_create, perm.can_read, perm.can_update, perm.can_delete, perm.scope
            )
            for perm in RolePermission.objects.filter(role_id=role_id)
        }
    )


def _role_rights(user: User | Any) -> Mapping[str, Rights]:
    role = user.role
    if role is None:
        return MappingProxyType({})
    cached = _ROLE_RIGHTS.get(role.pk)
    if cached is not None and cached[0] == role.updated_at:
        return cached[1]
    rights = _load_role_rights(role.pk)
    _ROLE_RIGHTS[role.pk] = (role.updated_at, rights)
    return rights


def rights_for(user: User | Any, resource: str) -> Rights:
    """The user's rights on a resource (cached per role for the process, see
    ``_ROLE_RIGHTS``, and on the user object for the request)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return NO_RIGHTS
    if getattr(user, "is_system", False):
        return ALL_RIGHTS
    if not user.is_active:
        return NO_RIGHTS
    if user.is_superuser:
        return ALL_RIGHTS
    cache: Mapping[str, Rights] | None = getattr(user, _CACHE_ATTR, None)
    if cache is None:
        cache = _role_rights(user) if user.role_id is not None else MappingProxyType({})
        setattr(user, _CACHE_ATTR, cache)
    return cache.get(resource, NO_RIGHTS)


def forget_rights(user: Any) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def _role_rights_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    """Stamp the role whose rights changed, so every process reloads them (a signal,
    so that the admin site's inline editor is covered too, not only the service)."""
    from clientela.core.models import Role  # noqa: PLC0415 - core.models imports this module

    _ROLE_RIGHTS.pop(instance.role_id, None)
    Role.objects.filter(pk=instance.role_id).update(updated_at=timezone.now())


for _signal in (post_save, post_delete):
    _signal.connect(
        _role_rights_changed,
        sender="core.RolePermission",
        dispatch_uid=f"clientela_role_rights_{_signal is post_save}",
    )


def can(user: Any, action: str, resource: str) -> bool:
    return rights_for(user, resource).allows(action)


def require(user: Any, action: str, resource: str) -> None:
    if not can(user, action, resource):
        raise PermissionDenied(
            _("Your role does not allow you to %(action)s these records.")
            % {"action": Action(action).label.lower()}
        )


def visibility_q(
    user: Any, resource: str, *, owner_field: str = "owner_id", team_field: str = "team_id"
) -> Q | None:
    """The filter for what ``user`` may read of ``resource``; None means nothing."""
    rights = rights_for(user, resource)
    if not rights.read:
        return None
    if rights.scope == Scope.ALL:
        return Q()
    if rights.scope == Scope.TEAM and user.team_id is not None:
        return Q(**{team_field: user.team_id})
    return Q(**{owner_field: user.pk})


def restrict(qs: models.QuerySet[M], user: Any, resource: str) -> models.QuerySet[M]:
    """Narrow ``qs`` to the rows of ``resource`` the user may read."""
    q = visibility_q(user, resource)
    if q is None:
        return qs.none()
    return qs.filter(q)


def can_see_record(user: Any, record: Any) -> bool:
    """The instance-level twin of ``restrict`` for a record already loaded."""
    rights = rights_for(user, record.RESOURCE)
    if not rights.read:
        return False
    if rights.scope == Scope.ALL:
        return True
    if rights.scope == Scope.TEAM and user.team_id is not None:
        return bool(record.team_id == user.team_id)
    return bool(record.owner_id == user.pk)
