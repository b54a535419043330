from django.db import models
from django.utils.translation import gettext_lazy as _


class InteractionChannel(models.TextChoices):
    NOTE = "note", _("Note")
    CALL = "call", _("Call")
    EMAIL = "email", _("E-mail")
    MEETING = "meeting", _("Meeting")
    LETTER = "letter", _("Letter")
    SMS = "sms", _("SMS")
    CHAT = "chat", _("Chat")
    WEB_FORM = "web_form", _("Web form")


class Direction(models.TextChoices):
    INBOUND = "in", _("Inbound")
    OUTBOUND = "out", _("Outbound")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")


class UnmatchedStatus(models.TextChoices):
    OPEN = "open", _("To review")
    DONE = "done", _("Logged")
    IGNORED = "ignored", _("Ignored")
