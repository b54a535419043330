"""Canned answers: replies agents insert and adapt, with merge fields."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from clientela.core.choices import Language
from clientela.core.models import TimeStampedModel


class CannedAnswer(TimeStampedModel):
    """A ready reply ("Your refund is on its way, {{ customer_first_name }}"), in one
    language (or any) and for one queue (or all). Its merge fields are rendered in a
    sandbox (``services.canned``): no code in it runs."""

    RESOURCE = "service.canned_answer"

    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("text"), max_length=10000)
    language = models.CharField(
        _("language"), max_length=5, choices=Language, blank=True, default=""
    )
    queue = models.ForeignKey(
        "service.Queue",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="canned_answers",
        verbose_name=_("queue"),
    )
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("canned answer")
        verbose_name_plural = _("canned answers")

    def __str__(self) -> str:
        return self.title
