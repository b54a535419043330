"""The marketing app's fixed vocabularies."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CampaignChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    SENDING = "sending", _("Sending")
    TESTING = "testing", _("A/B test running")
    PAUSED = "paused", _("Paused")
    SENT = "sent", _("Sent")
    CANCELLED = "cancelled", _("Cancelled")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    #: Held back until an A/B test picks its variant.
    HELD = "held", _("Held for the test's winner")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    #: Left out at sending time: suppressed or consent withdrawn since it was planned.
    SKIPPED = "skipped", _("Skipped")
    #: A worker died between claiming it and recording the outcome: not sent again.
    UNKNOWN = "unknown", _("Outcome unknown")
    CANCELLED = "cancelled", _("Cancelled")


class AbMetric(models.TextChoices):
    OPENS = "opens", _("Opens")
    CLICKS = "clicks", _("Clicks")


class BounceKind(models.TextChoices):
    HARD = "hard", _("Hard")
    SOFT = "soft", _("Soft")
