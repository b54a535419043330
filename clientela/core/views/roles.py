"""The Roles section of the settings: every role's rights at a glance (a matrix of
kinds of record by roles), a role's page to change its rights, name, or delete it, and
the form for a new role. Writes through ``core.services.roles``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from clientela.core import selectors
from clientela.core.choices import RoleKey
from clientela.core.forms import RolePermissionForm, add_service_errors
from clientela.core.models import Role, RolePermission
from clientela.core.permissions import RESOURCES, Resource
from clientela.core.services import roles as roles_services
from clientela.core.settings_forms import RoleCreateForm, RoleRenameForm
from clientela.core.views import request_user
from clientela.core.views.records import not_found_as_404, require_admin


@dataclass
class RightsRow:
    resource: Resource
    permission: RolePermission
    form: RolePermissionForm


@dataclass
class MatrixRow:
    """One kind of record in the overview: the rights of each role, in column order."""

    resource: Resource
    cells: list[RolePermission | None] = field(default_factory=list)


def _ordered(permissions: Any) -> list[RolePermission]:
    """A role's rights rows of the registered kinds, in the kinds' order (rows of kinds
    no app registers any more are left out)."""
    order = {key: i for i, key in enumerate(RESOURCES)}
    return sorted(
        (p for p in permissions if p.resource in RESOURCES), key=lambda p: order[p.resource]
    )


def _matrix(roles: list[Role]) -> list[MatrixRow]:
    by_role = {role.pk: {p.resource: p for p in role.permissions.all()} for role in roles}
    return [
        MatrixRow(resource, [by_role[role.pk].get(key) for role in roles])
        for key, resource in RESOURCES.items()
    ]


def _rights_rows(role: Role, data: Any = None) -> list[RightsRow]:
    rows = []
    for perm in _ordered(role.permissions.all()):
        initial = {name: getattr(perm, name) for name in roles_services.RIGHT_NAMES}
        form = RolePermissionForm(data, prefix=f"p{perm.pk}", initial=initial)
        rows.append(RightsRow(RESOURCES[perm.resource], perm, form))
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def role_list(request: HttpRequest) -> HttpResponse:
    """The overview, and the form for a new role (posted here)."""
    require_admin(request)
    actor = request_user(request)
    form = RoleCreateForm(
        request.POST if request.method == "POST" else None,
        initial={"copy_from": Role.objects.filter(key=RoleKey.READ_ONLY).first()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            role = roles_services.role_create(
                actor=actor,
                name=form.cleaned_data["name"],
                copy_from=form.cleaned_data["copy_from"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Role “%(name)s” added.") % {"name": role.name})
            return redirect("core:role-detail", pk=role.pk)
    roles = list(selectors.role_admin_list(user=actor))
    return render(
        request,
        "core/settings/roles.html",
        {"roles": roles, "matrix": _matrix(roles), "form": form},
    )


def _role_page(
    request: HttpRequest,
    role: Role,
    *,
    rows: list[RightsRow] | None = None,
    rename_form: RoleRenameForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "role": role,
        "rows": rows if rows is not None else _rights_rows(role),
        "rename_form": rename_form or RoleRenameForm(initial={"name": role.display_name}),
        "built_in": role.key in RoleKey.values,
    }
    return render(request, "core/settings/role_detail.html", context, status=status)


@login_required
@not_found_as_404
@require_http_methods(["GET", "POST"])
def role_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A role's rights; a POST saves them all, or none when one row is wrong."""
    require_admin(request)
    actor = request_user(request)
    role = selectors.role_admin_get(user=actor, pk=pk)
    if request.method != "POST":
        return _role_page(request, role)
    rows = _rights_rows(role, request.POST)
    if all(row.form.is_valid() for row in rows):
        try:
            roles_services.role_rights_update(
                actor=actor,
                role=role,
                rows=[(row.permission, row.form.cleaned_data) for row in rows],  # type: ignore[misc]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Rights of “%(role)s” saved.") % {"role": role})
            return redirect("core:role-detail", pk=role.pk)
    else:
        messages.error(request, _("Some rights could not be saved; see the marked rows."))
    # The page is shown again with what was posted; the rows keep the stored values.
    for row in rows:
        row.permission.refresh_from_db()
    return _role_page(request, role, rows=rows)


@login_required
@not_found_as_404
@require_POST
def role_rename(request: HttpRequest, pk: int) -> HttpResponse:
    require_admin(request)
    actor = request_user(request)
    role = selectors.role_admin_get(user=actor, pk=pk)
    form = RoleRenameForm(request.POST)
    if form.is_valid():
        try:
            roles_services.role_rename(actor=actor, role=role, name=form.cleaned_data["name"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Role renamed."))
            return redirect("core:role-detail", pk=role.pk)
    role.refresh_from_db()
    return _role_page(request, role, rename_form=form)


@login_required
@not_found_as_404
@require_POST
def role_delete(request: HttpRequest, pk: int) -> HttpResponse:
    require_admin(request)
    actor = request_user(request)
    role = selectors.role_admin_get(user=actor, pk=pk)
    name = role.display_name
    try:
        roles_services.role_delete(actor=actor, role=role)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("core:role-detail", pk=role.pk)
    messages.success(request, _("Role “%(name)s” deleted.") % {"name": name})
    return redirect("core:role-list")
