"""What an admin sets once for the whole service desk: categories and root causes, the
ticket number's prefix and what each status does to the SLA clocks."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db import models
from django.utils.translation import gettext_lazy as _

from clientela.core.models import TimeStampedModel
from clientela.service.choices import DEFAULT_SLA_BEHAVIOUR, CategoryKind

PREFIX_CACHE_KEY = "service:ticket-prefix"


class Category(TimeStampedModel):
    """An admin-defined label: a ticket's category, a complaint's category or a
    complaint's root cause (the reports group by them)."""

    kind = models.CharField(_("kind"), max_length=12, choices=CategoryKind)
    name = models.CharField(_("name"), max_length=100)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [
            models.UniqueConstraint(fields=["kind", "name"], name="service_category_unique")
        ]

    def __str__(self) -> str:
        return self.name


def _default_behaviours() -> dict[str, str]:
    return dict(DEFAULT_SLA_BEHAVIOUR)


class ServiceSettings(models.Model):
    """The service desk's settings (one row, ``load()``)."""

    ticket_prefix = models.CharField(_("ticket number prefix"), max_length=10, default="T-")
    #: status -> SlaBehaviour: whether the clocks run, pause or stop in that status.
    sla_behaviours = models.JSONField(_("SLA clock per status"), default=_default_behaviours)
    #: Share of a target elapsed at which the assignee is warned (0.8: at 80 %).
    warn_ratio = models.DecimalField(
        _("warn at (share of the target)"), max_digits=3, decimal_places=2, default=0.8
    )
    #: Whether a solved ticket's customer is asked "How did we do?" by e-mail.
    csat_enabled = models.BooleanField(_("ask customers to rate solved tickets"), default=True)
    #: How long the rating links of that e-mail work.
    csat_valid_days = models.PositiveSmallIntegerField(
        _("rating links valid for (days)"), default=14
    )

    class Meta:
        verbose_name = _("service settings")
        verbose_name_plural = _("service settings")

    def __str__(self) -> str:
        return str(_("Service settings"))

    @classmethod
    def load(cls) -> ServiceSettings:
        settings, _created = cls.objects.get_or_create(pk=1)
        return settings

    @classmethod
    def prefix(cls) -> str:
        """The ticket numbers' prefix, read once a minute per process at most (every
        ticket label shows it); changing the settings forgets it here at once."""
        value = cache.get(PREFIX_CACHE_KEY)
        if value is None:
            value = cls.load().ticket_prefix
            cache.set(PREFIX_CACHE_KEY, value, 60)
        return str(value)

    def behaviour(self, status: Any) -> str:
        return str(self.sla_behaviours.get(str(status), DEFAULT_SLA_BEHAVIOUR[status]))
