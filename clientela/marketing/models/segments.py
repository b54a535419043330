"""Segments (people picked by a condition tree, re-evaluated each time) and static
lists (people put on them by hand, an import, the API or a form)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.core.models import CRMRecord
from clientela.marketing.choices import ListMemberSource


def _empty_rules() -> dict[str, list[object]]:
    return {"all": []}


class Segment(CRMRecord):
    """A dynamic segment of people: ``rules`` is a condition tree over
    ``contacts.person`` (``core.conditions``), kept as the parser wrote it back. Its
    members are whoever meets it *and* the asking user may see; ``last_count`` is the
    count its owner last saw (a cache for the list page, never a member list)."""

    RESOURCE = "marketing.segment"

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    rules = models.JSONField(_("rules"), default=_empty_rules)
    last_count = models.PositiveIntegerField(_("people"), null=True, blank=True)
    counted_at = models.DateTimeField(_("counted"), null=True, blank=True)
    tags = models.ManyToManyField("core.Tag", blank=True, related_name="segments")

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        indexes = [models.Index(fields=["name", "id"], name="mkt_segment_name_idx")]

    def __str__(self) -> str:
        return self.name


class StaticList(CRMRecord):
    """A list of people kept by hand: filled from the people list's selection, an
    import, the API or a form; changes only when someone adds or removes people."""

    RESOURCE = "marketing.list"

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    tags = models.ManyToManyField("core.Tag", blank=True, related_name="static_lists")

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("list")
        verbose_name_plural = _("lists")
        indexes = [models.Index(fields=["name", "id"], name="mkt_list_name_idx")]

    def __str__(self) -> str:
        return self.name


class ListMember(models.Model):
    """A person on a static list, once: when, by whom and how they were added."""

    list = models.ForeignKey(
        StaticList, on_delete=models.CASCADE, related_name="members", verbose_name=_("list")
    )
    person = models.ForeignKey(
        "contacts.Person", on_delete=models.CASCADE, related_name="+", verbose_name=_("person")
    )
    added_at = models.DateTimeField(_("added"), default=timezone.now)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("added by"),
    )
    source = models.CharField(_("source"), max_length=10, choices=ListMemberSource)

    class Meta:
        ordering = ["list", "-added_at", "id"]
        verbose_name = _("list member")
        verbose_name_plural = _("list members")
        constraints = [
            models.UniqueConstraint(fields=["list", "person"], name="mkt_list_member_unique")
        ]
        indexes = [models.Index(fields=["person"], name="mkt_list_member_person_idx")]

    def __str__(self) -> str:
        return f"{self.person_id} @ {self.list_id}"
