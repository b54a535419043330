"""Users, teams, roles with per-resource rights, and site-wide settings."""

from __future__ import annotations

import zoneinfo

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from clientela.core.choices import Language, RoleKey, Scope
from clientela.core.models.base import TimeStampedModel


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


class Team(TimeStampedModel):
    """A group of users who share records when their role's scope is "team"."""

    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class Role(TimeStampedModel):
    """A named bundle of rights; each user has one. Rights live in ``RolePermission``."""

    key = models.SlugField(_("key"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name in the reader's language: built-in roles are stored with their English
        name, which is shown translated until an admin renames the role."""
        if self.key in RoleKey.values:
            label = RoleKey(self.key).label
            with translation.override("en"):
                english = str(label)
            if self.name == english:
                return str(label)
        return self.name

    @property
    def is_admin(self) -> bool:
        return self.key == RoleKey.ADMIN


class RolePermission(models.Model):
    """What a role may do with one kind of record, and which of those records it sees."""

    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="permissions")
    resource = models.CharField(_("kind of record"), max_length=50)
    can_create = models.BooleanField(_("create"), default=False)
    can_read = models.BooleanField(_("read"), default=False)
    can_update = models.BooleanField(_("update"), default=False)
    can_delete = models.BooleanField(_("delete"), default=False)
    scope = models.CharField(_("visibility"), max_length=10, choices=Scope, default=Scope.OWN)

    class Meta:
        ordering = ["role", "resource"]
        constraints = [
            models.UniqueConstraint(fields=["role", "resource"], name="uniq_role_resource"),
        ]
        verbose_name = _("role permission")
        verbose_name_plural = _("role permissions")

    def __str__(self) -> str:
        return f"{self.role} / {self.resource}"


class User(AbstractUser):
    """A person who logs in. Role and team decide what they see and may change."""

    role = models.ForeignKey(
        Role, verbose_name=_("role"), on_delete=models.PROTECT, null=True, blank=True
    )
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )
    language = models.CharField(_("language"), max_length=5, choices=Language, default=Language.EN)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_time_zone]
    )
    #: A named actor of the system ("Automation", the one workflow rules act as):
    #: inactive, so it never signs in nor shows among the users one picks, yet it may
    #: read and change every kind of record through the services (``rights_for``).
    is_system = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_admin(self) -> bool:
        return self.is_superuser or (self.role is not None and self.role.is_admin)


class SiteSettings(models.Model):
    """Settings an admin changes at run time; a single row (pk=1)."""

    require_two_factor = models.BooleanField(
        _("require two-factor login for everyone"), default=False
    )

    class Meta:
        verbose_name = _("site settings")
        verbose_name_plural = _("site settings")

    def __str__(self) -> str:
        return str(_("Site settings"))

    @classmethod
    def load(cls) -> SiteSettings:
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj
