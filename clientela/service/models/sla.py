"""Business calendars and SLA policies: how long an answer and a solution may take, in
working time (``service.sla.clock`` does the arithmetic)."""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clientela.core.models import TimeStampedModel
from clientela.service.choices import TicketPriority


def _no_hours() -> list[list[list[int]]]:
    return [[] for _day in range(7)]


class BusinessCalendar(TimeStampedModel):
    """When the service desk works: intervals per weekday in a time zone, minus the
    public holidays of a country (and region) and the company's own days off."""

    RESOURCE = "service.business_calendar"

    name = models.CharField(_("name"), max_length=100, unique=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Madrid")
    #: Monday first: each day a list of ``[start, end]`` in minutes after local midnight.
    hours = models.JSONField(_("working hours"), default=_no_hours)
    country = models.CharField(_("holidays of country"), max_length=2, blank=True)
    subdivision = models.CharField(_("and region"), max_length=10, blank=True)
    #: The company's own days off, ISO dates.
    extra_holidays = models.JSONField(_("other days off"), default=list, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")

    def __str__(self) -> str:
        return self.name


class SlaPolicy(TimeStampedModel):
    """Targets per priority on a calendar. A ticket gets the first active policy (by
    ``position``) whose condition it meets: its organization, a tag of its customer, or
    no condition at all."""

    RESOURCE = "service.sla_policy"

    name = models.CharField(_("name"), max_length=100, unique=True)
    calendar = models.ForeignKey(
        BusinessCalendar,
        on_delete=models.PROTECT,
        related_name="policies",
        verbose_name=_("business calendar"),
    )
    position = models.PositiveIntegerField(_("order"), default=0)
    organization = models.ForeignKey(
        "contacts.Organization",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("only for organization"),
    )
    customer_tag = models.ForeignKey(
        "core.Tag",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("only for customers tagged"),
    )
    active = models.BooleanField(_("active"), default=True)
    #: What a breach does besides telling the queue's manager.
    breach_raises_priority = models.BooleanField(
        _("on breach, raise the priority one step"), default=False
    )
    breach_reassigns = models.BooleanField(
        _("on breach, give the ticket to another agent of the queue"), default=False
    )

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")

    def __str__(self) -> str:
        return self.name


class SlaTarget(models.Model):
    """A policy's targets for one priority, in business minutes."""

    policy = models.ForeignKey(SlaPolicy, on_delete=models.CASCADE, related_name="targets")
    priority = models.CharField(_("priority"), max_length=10, choices=TicketPriority)
    first_response_minutes = models.PositiveIntegerField(
        _("first response within (business minutes)"), validators=[MinValueValidator(1)]
    )
    resolution_minutes = models.PositiveIntegerField(
        _("resolution within (business minutes)"), validators=[MinValueValidator(1)]
    )

    class Meta:
        ordering = ["policy", "priority"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "priority"], name="sla_target_unique"),
            models.CheckConstraint(
                condition=Q(first_response_minutes__gte=1) & Q(resolution_minutes__gte=1),
                name="sla_target_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy_id} {self.priority}"
