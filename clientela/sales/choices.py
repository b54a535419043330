"""The fixed lists of the sales domain."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class LeadSource(models.TextChoices):
    WEB_FORM = "web_form", _("Web form")
    IMPORT = "import", _("Import")
    REFERRAL = "referral", _("Referral")
    EVENT = "event", _("Event")
    CAMPAIGN = "campaign", _("Campaign")
    MANUAL = "manual", _("Manual")
    OTHER = "other", _("Other")


class LeadStatus(models.TextChoices):
    NEW = "new", _("New")
    CONTACTED = "contacted", _("Contacted")
    QUALIFIED = "qualified", _("Qualified")
    DISQUALIFIED = "disqualified", _("Disqualified")
    CONVERTED = "converted", _("Converted")


class DealStatus(models.TextChoices):
    # A context per status list: Spanish agrees the word with "oportunidad" / "pedido".
    OPEN = "open", pgettext_lazy("deal status", "Open")
    WON = "won", pgettext_lazy("deal status", "Won")
    LOST = "lost", pgettext_lazy("deal status", "Lost")


class QuoteStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    EXPIRED = "expired", _("Expired")
    #: Deleted: in the trash, its number still taken (numbering has no gaps).
    VOID = "void", _("Void")


class OrderStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("order status", "Open")
    FULFILLED = "fulfilled", pgettext_lazy("order status", "Fulfilled")
    CANCELLED = "cancelled", pgettext_lazy("order status", "Cancelled")


class ProductKind(models.TextChoices):
    PRODUCT = "product", _("Product")
    SERVICE = "service", _("Service")
