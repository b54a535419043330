"""The settings area: its index and the two-factor and custom-field sections (the
users, teams, roles and company sections have their own modules).

Only admins see it; anyone else gets 404, as for any record they may not see. Each
section is its own page in the settings navigation (``core/settings/base.html``,
built from ``core.registry.settings_nav_for``); the index links them all and keeps
the anchors of the single page it replaces (``/settings/#roles``…).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from clientela.core import selectors, services
from clientela.core.forms import CustomFieldForm, TwoFactorSettingForm, add_service_errors
from clientela.core.health import background_health
from clientela.core.models import CustomField, SiteSettings, User
from clientela.core.permissions import Resource, custom_field_resources
from clientela.core.registry import settings_links_in_order
from clientela.core.views.records import require_admin


@dataclass
class FieldGroup:
    resource: Resource
    fields: list[CustomField]


@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    require_admin(request)
    # Each section's card has the section's key as its id: the anchors of the single
    # page this index replaced (/settings/#roles, #two-factor, #custom-fields, #users)
    # land on the card that leads to the section now.
    return render(request, "core/settings/index.html", {"sections": settings_links_in_order()})


# --- two-factor -----------------------------------------------------------------------


def _two_factor_counts() -> dict[str, int]:
    active = User.objects.filter(is_active=True)
    return {
        "users": active.count(),
        "with_device": active.filter(totpdevice__confirmed=True).distinct().count(),
    }


@login_required
@require_http_methods(["GET", "POST"])
def settings_two_factor(request: HttpRequest) -> HttpResponse:
    require_admin(request)
    site = SiteSettings.load()
    form = TwoFactorSettingForm(
        request.POST if request.method == "POST" else None,
        initial={"require_two_factor": site.require_two_factor},
    )
    if request.method == "POST" and form.is_valid():
        required = form.cleaned_data["require_two_factor"]
        services.site_settings_update(actor=request.user, require_two_factor=required)
        if required:
            messages.success(request, _("Two-factor login is now required for everyone."))
        else:
            messages.success(request, _("Two-factor login is now optional."))
        return redirect("core:settings-two-factor")
    return render(
        request,
        "core/settings/two_factor.html",
        {"form": form, "counts": _two_factor_counts()},
    )


# --- custom fields --------------------------------------------------------------------


def _field_groups() -> list[FieldGroup]:
    return [
        FieldGroup(resource, list(selectors.custom_field_list(resource=key)))
        for key, resource in custom_field_resources().items()
    ]


def _existing_keys(groups: list[FieldGroup]) -> set[tuple[str, str]]:
    return {(f.resource, f.key) for group in groups for f in group.fields}


@login_required
@require_http_methods(["GET", "POST"])
def custom_fields(request: HttpRequest) -> HttpResponse:
    """The custom fields of each kind of record, and the form to add one."""
    require_admin(request)
    groups = _field_groups()
    data = request.POST if request.method == "POST" else None
    form = CustomFieldForm(data, existing_keys=_existing_keys(groups))
    if request.method == "POST" and form.is_valid():
        cleaned = form.cleaned_data
        try:
            created = services.custom_field_create(
                actor=request.user,
                resource=cleaned["resource"],
                key=cleaned["key"],
                label=cleaned["label"],
                field_type=cleaned["field_type"],
                choices=cleaned["choices"],
                required=cleaned["required"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Custom field “%(label)s” added.") % {"label": created})
            return redirect("core:custom-field-list")
    return render(
        request, "core/settings/custom_fields.html", {"form": form, "field_groups": groups}
    )


@login_required
@require_GET
def settings_background(request: HttpRequest) -> HttpResponse:
    """The health of background work: recurring jobs, the queue (admins only)."""
    require_admin(request)
    return render(request, "core/settings/background.html", {"health": background_health()})
