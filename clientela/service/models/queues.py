"""Queues of tickets, the agents who work them, and how new tickets are shared out."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clientela.core.models import TimeStampedModel
from clientela.service.choices import AssignmentMode


class Queue(TimeStampedModel):
    """Where tickets wait for an agent ("Support", "Complaints"). Its members work it;
    ``assignment`` decides who gets a new ticket; tickets created in it belong to its
    team (their visibility follows)."""

    RESOURCE = "service.queue"

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    #: The support address customers write to (matched on inbound e-mail).
    email = models.EmailField(_("e-mail address"), blank=True)
    team = models.ForeignKey(
        "core.Team", on_delete=models.PROTECT, related_name="+", verbose_name=_("team")
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("manager"),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="QueueMember",
        related_name="service_queues",
        verbose_name=_("agents"),
    )
    assignment = models.CharField(
        _("assignment"), max_length=12, choices=AssignmentMode, default=AssignmentMode.MANUAL
    )
    #: The most open tickets an agent takes by automatic assignment (0: no limit).
    max_open_per_agent = models.PositiveIntegerField(_("most open tickets per agent"), default=0)
    #: Minutes an assignee has to answer a new ticket before it goes to another agent
    #: (0: never reassigned).
    reassign_after_minutes = models.PositiveIntegerField(
        _("reassign unanswered after (minutes)"), default=0
    )
    #: Where round-robin stands in the queue's cycle of agents (each agent appears in
    #: it ``weight`` times), so the next ticket goes to the next in the cycle.
    rotation = models.PositiveIntegerField(default=0, editable=False)
    sla_policy = models.ForeignKey(
        "service.SlaPolicy",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="queues",
        verbose_name=_("SLA policy"),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("queue")
        verbose_name_plural = _("queues")

    def __str__(self) -> str:
        return self.name


class QueueMember(models.Model):
    """An agent of a queue; ``weight`` gives a bigger share of round-robin (2: twice as
    many tickets as an agent of weight 1)."""

    queue = models.ForeignKey(Queue, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="queue_memberships"
    )
    weight = models.PositiveSmallIntegerField(
        _("weight"), default=1, validators=[MinValueValidator(1)]
    )

    class Meta:
        ordering = ["queue", "user"]
        constraints = [
            models.UniqueConstraint(fields=["queue", "user"], name="queue_member_unique"),
            models.CheckConstraint(condition=Q(weight__gte=1), name="queue_member_weight"),
        ]

    def __str__(self) -> str:
        return f"{self.queue_id}: {self.user_id}"


class AgentStatus(models.Model):
    """Whether an agent is away (holidays, sick): automatic assignment skips them."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent_status"
    )
    away = models.BooleanField(_("away"), default=False)
    away_until = models.DateTimeField(_("away until"), null=True, blank=True)

    class Meta:
        verbose_name = _("agent status")
        verbose_name_plural = _("agent statuses")

    def __str__(self) -> str:
        return f"{self.user_id}: {'away' if self.away else 'available'}"
