"""Webhook subscriptions, their deliveries and each delivery's attempts (issue 16 item 3).

A subscription is company configuration kept by admins (like the service desk's
settings: no owner-based visibility, no trash; a delete is for good and takes its
deliveries with it). A delivery is one event for one subscription: its body is stored
exactly as sent, so every attempt (and a redelivery) sends the same bytes under the
same ``webhook-id``; only the timestamp and signature are made anew each time, since
receivers refuse old timestamps.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from clientela.automation.choices import DeliveryStatus
from clientela.core.models import TimeStampedModel

#: The longest response excerpt kept per attempt (bytes of the body, as text).
EXCERPT_BYTES = 1024


class WebhookSubscription(TimeStampedModel):
    """A URL that receives the events named in ``events`` (``"*"``: all), signed with
    ``secret``; ``previous_secret`` also signs until ``previous_expires_at`` (a
    rotation gives receivers time to switch). ``failing_since`` is the first failure
    after the last success: three days of it disable the subscription."""

    RESOURCE = "automation.webhook"

    url = models.URLField(_("URL"), max_length=2000)
    events = models.JSONField(_("events"), default=list)
    description = models.CharField(_("description"), max_length=500, blank=True, default="")
    secret = models.CharField(_("signing secret"), max_length=100)
    previous_secret = models.CharField(max_length=100, blank=True, default="")
    previous_expires_at = models.DateTimeField(null=True, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    disabled_reason = models.CharField(_("why disabled"), max_length=500, blank=True, default="")
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    #: The admin told when the subscription is disabled (the one who created it); when
    #: none (deactivated), every active admin is.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("admin to notify"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ("url", "id")
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(TimeStampedModel):
    """One event for one subscription. ``attempts`` and ``started_at`` count the current
    round (a redelivery starts a new one); ``lease_until``/``lease_token`` mark the
    worker sending it now, so two workers never send the same attempt."""

    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_id = models.CharField(_("event id"), max_length=64)
    event_type = models.CharField(_("event"), max_length=100)
    body = models.TextField(_("body"))
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    started_at = models.DateTimeField(_("started"))
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    #: A ping is tried once, while the admin waits.
    once = models.BooleanField(default=False)
    lease_until = models.DateTimeField(null=True, blank=True)
    lease_token = models.CharField(max_length=32, blank=True, default="")

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [
            models.UniqueConstraint(
                fields=("subscription", "event_id"), name="webhook_delivery_once_per_event"
            )
        ]
        indexes = [models.Index(fields=("status", "next_attempt_at"), name="webhook_due")]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}"


class WebhookAttempt(models.Model):
    """One HTTP request of a delivery: the answer's status (None when none came), how
    long it took, the start of the answer's body and the error, if any."""

    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log"
    )
    at = models.DateTimeField(_("time"))
    status_code = models.PositiveIntegerField(_("HTTP status"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    response = models.TextField(_("response"), blank=True, default="")
    error = models.CharField(_("error"), max_length=500, blank=True, default="")
    succeeded = models.BooleanField(default=False)

    class Meta:
        ordering = ("-at", "-id")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.status_code or self.error}"
