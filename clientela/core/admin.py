"""The Django admin for what admins manage outside the CRM pages: users (with role and
team), teams, roles and their rights, custom fields, tags and the site settings."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from clientela.core.models import (
    CustomField,
    Role,
    RolePermission,
    SiteSettings,
    Tag,
    Team,
    User,
)


class ClientelaAdminMixin:
    """Users whose Clientela role is admin manage these models; Django's per-model
    permissions are not used by Clientela, so they would otherwise see an empty admin."""

    def _allowed(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_staff and getattr(user, "is_admin", False))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)


@admin.register(User)
class UserAdmin(ClientelaAdminMixin, DjangoUserAdmin[User]):
    list_display = ("username", "email", "first_name", "last_name", "role", "team", "is_active")
    list_filter = ("role", "team", "is_active", "is_staff", "is_superuser")
    list_select_related = ("role", "team")
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("Clientela"), {"fields": ("role", "team", "language", "time_zone")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Clientela"), {"fields": ("email", "role", "team", "language", "time_zone")}),
    )


@admin.register(Team)
class TeamAdmin(ClientelaAdminMixin, admin.ModelAdmin[Team]):
    list_display = ("name", "created_at")
    search_fields = ("name",)


class RolePermissionInline(ClientelaAdminMixin, admin.TabularInline[RolePermission, Role]):
    model = RolePermission
    extra = 0
    fields = ("resource", "can_create", "can_read", "can_update", "can_delete", "scope")


@admin.register(Role)
class RoleAdmin(ClientelaAdminMixin, admin.ModelAdmin[Role]):
    list_display = ("name", "key")
    search_fields = ("name", "key")
    inlines = (RolePermissionInline,)


@admin.register(CustomField)
class CustomFieldAdmin(ClientelaAdminMixin, admin.ModelAdmin[CustomField]):
    list_display = ("label", "key", "resource", "field_type", "required", "position")
    list_filter = ("resource", "field_type", "required")
    search_fields = ("label", "key")


@admin.register(Tag)
class TagAdmin(ClientelaAdminMixin, admin.ModelAdmin[Tag]):
    list_display = ("name", "color")
    search_fields = ("name",)


@admin.register(SiteSettings)
class SiteSettingsAdmin(ClientelaAdminMixin, admin.ModelAdmin[SiteSettings]):
    """A single row: it can be changed but neither added twice nor deleted."""

    list_display = ("__str__", "require_two_factor")

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self._allowed(request) and not SiteSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
