"""Django's admin site, kept for superusers (repairs outside the app's rules, with no
audit entries). Admins manage users, teams, roles, custom fields and the company on
the settings pages, whose writes go through the services; ``is_staff`` alone no longer
opens this site."""

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


@admin.register(User)
class UserAdmin(DjangoUserAdmin[User]):
    list_display = ("username", "email", "first_name", "last_name", "role", "team", "is_active")
    list_filter = ("role", "team", "is_active", "is_superuser")
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
class TeamAdmin(admin.ModelAdmin[Team]):
    list_display = ("name", "created_at")
    search_fields = ("name",)


class RolePermissionInline(admin.TabularInline[RolePermission, Role]):
    model = RolePermission
    extra = 0
    fields = ("resource", "can_create", "can_read", "can_update", "can_delete", "scope")


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin[Role]):
    list_display = ("name", "key")
    search_fields = ("name", "key")
    inlines = (RolePermissionInline,)


@admin.register(CustomField)
class CustomFieldAdmin(admin.ModelAdmin[CustomField]):
    list_display = ("label", "key", "resource", "field_type", "required", "position")
    list_filter = ("resource", "field_type", "required")
    search_fields = ("label", "key")


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin[Tag]):
    list_display = ("name", "color")
    search_fields = ("name",)


@admin.register(SiteSettings)
class SiteSettingsAdmin(admin.ModelAdmin[SiteSettings]):
    """A single row: it can be changed but neither added twice nor deleted."""

    list_display = ("__str__", "require_two_factor")

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return super().has_add_permission(request) and not SiteSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
