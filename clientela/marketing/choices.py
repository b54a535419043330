"""The marketing app's fixed vocabularies."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ConsentChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    PHONE = "phone", _("Phone")
    POST = "post", _("Post")


class ConsentSource(models.TextChoices):
    """Where a grant or withdrawal came from."""

    FORM = "form", _("Web form")
    IMPORT = "import", _("Import")
    API = "api", _("API")
    USER = "user", _("Recorded by a user")
    #: A reply to a message: STOP to a text message.
    REPLY = "reply", _("Reply to a message")


class LegalBasis(models.TextChoices):
    """The GDPR Art. 6 basis a message of a purpose is sent on."""

    CONSENT = "consent", _("Consent")
    CONTRACT = "contract", _("Contract")
    LEGITIMATE_INTEREST = "legitimate_interest", _("Legitimate interest")
    LEGAL_OBLIGATION = "legal_obligation", _("Legal obligation")
    VITAL_INTERESTS = "vital_interests", _("Vital interests")
    PUBLIC_TASK = "public_task", _("Public task")


class SuppressionReason(models.TextChoices):
    UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
    HARD_BOUNCE = "hard_bounce", _("Hard bounce")
    SOFT_BOUNCES = "soft_bounces", _("Repeated soft bounces")
    COMPLAINT = "complaint", _("Spam complaint")
    ERASED = "erased", _("Personal data erased")
    MANUAL = "manual", _("Added by hand")


#: The reasons a grant of consent lifts (a bounce, a complaint or an erasure stays).
LIFTED_BY_GRANT = (SuppressionReason.UNSUBSCRIBED,)
#: The channels whose address is an e-mail address, and those whose is a phone number.
EMAIL_CHANNELS = (ConsentChannel.EMAIL,)
PHONE_CHANNELS = (ConsentChannel.SMS, ConsentChannel.PHONE)


class ListMemberSource(models.TextChoices):
    """How a person got onto a static list."""

    SELECTION = "selection", _("Selection")
    IMPORT = "import", _("Import")
    API = "api", _("API")
    FORM = "form", _("Form")
    RULE = "rule", _("Workflow rule")


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
    #: Written in full to the mail server, its final "." on its way: the server has it
    #: unless the connection broke at that very moment (taken as sent).
    HANDED = "handed", _("Handed to the mail server")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    #: Left out at sending time: suppressed or consent withdrawn since it was planned.
    SKIPPED = "skipped", _("Skipped")
    CANCELLED = "cancelled", _("Cancelled")


class AbMetric(models.TextChoices):
    OPENS = "opens", _("Opens")
    CLICKS = "clicks", _("Clicks")


class BounceKind(models.TextChoices):
    HARD = "hard", _("Hard")
    SOFT = "soft", _("Soft")


class FormFieldType(models.TextChoices):
    """The inputs a web-to-lead form may show."""

    TEXT = "text", _("Text")
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    TEXTAREA = "textarea", _("Long text")
    SELECT = "select", _("Choice list")
    CHECKBOX = "checkbox", _("Checkbox")


class SpamVerdict(models.TextChoices):
    """What the spam checks made of a stored submission (refused ones are not stored)."""

    CLEAN = "clean", _("Clean")
    SUSPECT = "suspect", _("Suspect")
