"""Django's admin site for superusers only (its own module: ``core.admin`` imports
``django.contrib.auth.admin``, whose registrations need this class before
``core.admin`` has been read to its end)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _


class SuperuserAdminSite(admin.AdminSite):
    """The admin site for active superusers only (Django's default also lets in any
    ``is_staff`` user with model permissions). Admins work on the settings pages."""

    site_header = _("Clientela administration (superusers)")

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_superuser)
