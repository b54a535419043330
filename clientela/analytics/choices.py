"""The fixed lists of the analytics app."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AnalysisKind(models.TextChoices):
    ABC = "abc", _("ABC analysis")
    RFM = "rfm", _("RFM segmentation")
    BASKET_RULES = "basket_rules", _("Products bought together")
    CYCLES = "cycles", _("Purchase cycles")
    CLV = "clv", _("Lifetime value and churn")
    LEAD_SCORES = "lead_scores", _("Lead scoring")
    REVENUE = "revenue", _("Revenue by month")


class SnapshotStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("analysis status", "Queued")
    RUNNING = "running", pgettext_lazy("analysis status", "Running")
    DONE = "done", pgettext_lazy("analysis status", "Done")
    FAILED = "failed", pgettext_lazy("analysis status", "Failed")


class AbcOf(models.TextChoices):
    CUSTOMERS = "customers", _("Customers")
    PRODUCTS = "products", _("Products")


class AbcClass(models.TextChoices):
    A = "A", "A"
    B = "B", "B"
    C = "C", "C"


class Segment(models.TextChoices):
    """The eleven RFM segments, from the best to the worst (docs/analytics.md)."""

    CHAMPIONS = "champions", _("Champions")
    LOYAL = "loyal", _("Loyal")
    POTENTIAL_LOYALISTS = "potential_loyalists", _("Potential loyalists")
    NEW = "new", pgettext_lazy("RFM segment", "New")
    PROMISING = "promising", _("Promising")
    NEED_ATTENTION = "need_attention", _("Need attention")
    ABOUT_TO_SLEEP = "about_to_sleep", _("About to sleep")
    AT_RISK = "at_risk", _("At risk")
    CANT_LOSE = "cant_lose", _("Can't lose them")
    HIBERNATING = "hibernating", _("Hibernating")
    LOST = "lost", _("Lost")


class OfferGrouping(models.TextChoices):
    """How the offer figures are grouped (``analytics.offers``)."""

    REP = "rep", _("By rep")
    PRODUCT = "product", _("By product")
    MONTH = "month", _("By month")


class ScoringMethod(models.TextChoices):
    """How lead scores are computed: a model learnt from past leads, or fixed rules
    while there are too few of them (``analytics.leadscore``)."""

    MODEL = "model", _("Model trained on past leads")
    RULES = "rules", _("Rules")


class BasketKind(models.TextChoices):
    """What one basket of the association rules is (``analytics.baskets``)."""

    ORDER = "order", pgettext_lazy("basket", "Order")
    CUSTOMER = "customer", pgettext_lazy("basket", "Customer")
