"""The admin settings page: the two-factor switch, the roles matrix and custom fields.

Only admins see it; anyone else gets 404, as for any record they may not see. Each
section posts to its own URL and the page is rendered again with that section's
errors, so a mistake in one never loses what the others show.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clientela.core import selectors, services
from clientela.core.forms import (
    CustomFieldForm,
    RolePermissionForm,
    TwoFactorSettingForm,
    add_service_errors,
)
from clientela.core.models import CustomField, Role, RolePermission, SiteSettings
from clientela.core.permissions import RESOURCES, Resource, custom_field_resources
from clientela.core.registry import settings_links_in_order
from clientela.core.views.records import require_admin


@dataclass
class RoleRow:
    resource: Resource
    permission: RolePermission
    form: RolePermissionForm


@dataclass
class RoleBlock:
    role: Role
    rows: list[RoleRow] = field(default_factory=list)


@dataclass
class FieldGroup:
    resource: Resource
    fields: list[CustomField]


def _role_blocks(data: Any = None) -> list[RoleBlock]:
    """One block per role, one row per registered resource, each with its form
    (bound to ``data`` when given). Rows of resources no app registers are left out."""
    order = {key: i for i, key in enumerate(RESOURCES)}
    blocks: list[RoleBlock] = []
    for role in selectors.role_list():
        block = RoleBlock(role=role)
        perms = sorted(
            (p for p in role.permissions.all() if p.resource in RESOURCES),
            key=lambda p: order[p.resource],
        )
        for perm in perms:
            initial = {
                "can_create": perm.can_create,
                "can_read": perm.can_read,
                "can_update": perm.can_update,
                "can_delete": perm.can_delete,
                "scope": perm.scope,
            }
            form = RolePermissionForm(data, prefix=f"p{perm.pk}", initial=initial)
            block.rows.append(RoleRow(RESOURCES[perm.resource], perm, form))
        blocks.append(block)
    return blocks


def _field_groups() -> list[FieldGroup]:
    return [
        FieldGroup(resource, list(selectors.custom_field_list(resource=key)))
        for key, resource in custom_field_resources().items()
    ]


def _existing_keys(groups: list[FieldGroup]) -> set[tuple[str, str]]:
    return {(f.resource, f.key) for group in groups for f in group.fields}


def _render(
    request: HttpRequest,
    *,
    two_factor_form: TwoFactorSettingForm | None = None,
    role_blocks: list[RoleBlock] | None = None,
    field_form: CustomFieldForm | None = None,
    field_groups: list[FieldGroup] | None = None,
) -> HttpResponse:
    site = SiteSettings.load()
    groups = field_groups if field_groups is not None else _field_groups()
    context = {
        "two_factor_form": two_factor_form
        or TwoFactorSettingForm(initial={"require_two_factor": site.require_two_factor}),
        "role_blocks": role_blocks if role_blocks is not None else _role_blocks(),
        "field_form": field_form or CustomFieldForm(existing_keys=_existing_keys(groups)),
        "field_groups": groups,
        "settings_links": settings_links_in_order(),
    }
    return render(request, "core/settings/settings.html", context)


@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    require_admin(request)
    return _render(request)


@login_required
@require_POST
def settings_two_factor(request: HttpRequest) -> HttpResponse:
    require_admin(request)
    form = TwoFactorSettingForm(request.POST)
    if form.is_valid():
        required = form.cleaned_data["require_two_factor"]
        services.site_settings_update(actor=request.user, require_two_factor=required)
        if required:
            messages.success(request, _("Two-factor login is now required for everyone."))
        else:
            messages.success(request, _("Two-factor login is now optional."))
        return redirect("core:settings")
    return _render(request, two_factor_form=form)


@login_required
@require_POST
def settings_roles(request: HttpRequest) -> HttpResponse:
    """Save the whole matrix, or nothing when any row is wrong."""
    require_admin(request)
    blocks = _role_blocks(request.POST)
    rows = [row for block in blocks for row in block.rows]
    if all(row.form.is_valid() for row in rows):
        changed = [row for row in rows if row.form.has_changed()]
        try:
            with transaction.atomic():
                for row in changed:
                    services.role_permission_update(
                        actor=request.user, permission=row.permission, **row.form.cleaned_data
                    )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Roles saved."))
            return redirect("core:settings")
    else:
        messages.error(request, _("Some rights could not be saved; see the marked rows."))
    return _render(request, role_blocks=blocks)


@login_required
@require_POST
def settings_custom_field_create(request: HttpRequest) -> HttpResponse:
    require_admin(request)
    groups = _field_groups()
    form = CustomFieldForm(request.POST, existing_keys=_existing_keys(groups))
    if form.is_valid():
        data = form.cleaned_data
        try:
            created = services.custom_field_create(
                actor=request.user,
                resource=data["resource"],
                key=data["key"],
                label=data["label"],
                field_type=data["field_type"],
                choices=data["choices"],
                required=data["required"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Custom field “%(label)s” added.") % {"label": created})
            return redirect("core:settings")
    return _render(request, field_form=form, field_groups=groups)
