"""What every kind of CRM record can carry: tags, admin-defined custom fields, saved
list views and the search index entry."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from clientela.core.choices import CustomFieldType
from clientela.core.models.base import TimeStampedModel


class Tag(TimeStampedModel):
    """A free label ("VIP", "newsletter") shared by all kinds of record."""

    name = models.CharField(_("name"), max_length=50)
    color = models.CharField(_("colour"), max_length=20, default="secondary")

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="uniq_tag_name_ci")]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


class CustomField(TimeStampedModel):
    """An admin-defined field on a kind of record; values live in the record's
    ``custom`` JSON under ``key`` and are validated by ``core.custom_fields``."""

    resource = models.CharField(_("kind of record"), max_length=50)
    key = models.SlugField(_("key"), max_length=50)
    label = models.CharField(_("label"), max_length=100)
    field_type = models.CharField(_("type"), max_length=10, choices=CustomFieldType)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=False)
    help_text = models.CharField(_("help text"), max_length=200, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["resource", "position", "label"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "key"], name="uniq_custom_field_key"),
        ]
        verbose_name = _("custom field")
        verbose_name_plural = _("custom fields")

    def __str__(self) -> str:
        return self.label


class SavedView(TimeStampedModel):
    """A user's named list filter (the list page's query string)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    resource = models.CharField(max_length=50)
    name = models.CharField(_("name"), max_length=100)
    query = models.CharField(max_length=2000, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "resource", "name"], name="uniq_saved_view_name"
            ),
        ]
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")

    def __str__(self) -> str:
        return self.name


class SearchEntry(models.Model):
    """One searchable record: normalized text (lower case, accents stripped, phone
    digits) plus owner and team so search can apply visibility before ranking, and the
    title's words normalized alike (``name``) to rank the hits whose name matches first.
    Kept by ``core.search.index_record``; queried through the FTS5 table on SQLite
    and a GIN full-text index on PostgreSQL (see ``core.search``)."""

    resource = models.CharField(max_length=50)
    object_id = models.BigIntegerField()
    owner_id = models.BigIntegerField(null=True)
    team_id = models.BigIntegerField(null=True)
    title = models.CharField(max_length=300)
    subtitle = models.CharField(max_length=300, blank=True)
    name = models.TextField(blank=True, db_default="")
    text = models.TextField()
    #: Not a column: the rank ``core.search`` gives each hit it returns (best 0).
    search_rank: int

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "object_id"], name="uniq_search_entry"),
        ]
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")

    def __str__(self) -> str:
        return self.title
