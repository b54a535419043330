"""Campaigns and their deliveries (issue 15, items 5 to 9).

A campaign sends one message for one consent purpose to an audience: its segments and
lists, minus the excluded ones, minus suppressed addresses, only people who consented
to the purpose on the channel, and only people its owner may see. Before anything is
sent the audience is written down as one ``Delivery`` row per recipient; the worker
then claims rows in batches, sends each and marks it sent, so a recipient gets the
message at most once even when a worker is killed mid-send (``services.sending``).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from clientela.core.models import CRMRecord
from clientela.marketing.choices import (
    AbMetric,
    BounceKind,
    CampaignChannel,
    CampaignStatus,
    DeliveryStatus,
)


class Campaign(CRMRecord):
    """One message to an audience for a purpose, sent now or at a time, optionally at
    that wall-clock time in each recipient's time zone, at most ``throttle`` messages
    a minute, with an optional A/B test of its variants."""

    RESOURCE = "marketing.campaign"

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    channel = models.CharField(
        _("channel"), max_length=10, choices=CampaignChannel, default=CampaignChannel.EMAIL
    )
    purpose = models.ForeignKey(
        "marketing.ConsentPurpose",
        verbose_name=_("purpose"),
        on_delete=models.PROTECT,
        related_name="campaigns",
    )
    segments = models.ManyToManyField(
        "marketing.Segment", blank=True, related_name="campaigns", verbose_name=_("segments")
    )
    lists = models.ManyToManyField(
        "marketing.StaticList", blank=True, related_name="campaigns", verbose_name=_("lists")
    )
    excluded_segments = models.ManyToManyField(
        "marketing.Segment",
        blank=True,
        related_name="excluded_from",
        verbose_name=_("excluded segments"),
    )
    excluded_lists = models.ManyToManyField(
        "marketing.StaticList",
        blank=True,
        related_name="excluded_from",
        verbose_name=_("excluded lists"),
    )
    template = models.ForeignKey(
        "marketing.EmailTemplate",
        verbose_name=_("template"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="campaigns",
    )
    from_name = models.CharField(_("sender name"), max_length=100, blank=True)
    from_email = models.EmailField(_("sender address"), max_length=254, blank=True)
    reply_to = models.EmailField(_("reply-to"), max_length=254, blank=True)
    send_at = models.DateTimeField(_("send at"), null=True, blank=True)
    local_time = models.BooleanField(_("at that time in each recipient's time zone"), default=False)
    throttle = models.PositiveIntegerField(
        _("messages per minute"), null=True, blank=True, help_text=_("Empty: as fast as possible.")
    )
    # --- A/B test: each variant goes to ``ab_share`` % of the audience, the winner by
    # ``ab_metric`` after ``ab_wait_minutes`` goes to the rest.
    ab_share = models.PositiveSmallIntegerField(_("test share per variant (%)"), default=0)
    ab_metric = models.CharField(
        _("winner by"), max_length=10, choices=AbMetric, default=AbMetric.OPENS
    )
    ab_wait_minutes = models.PositiveIntegerField(_("decide after (minutes)"), default=240)
    ab_winner = models.CharField(_("winning variant"), max_length=1, blank=True)
    ab_p_value = models.FloatField(_("p-value"), null=True, blank=True)
    ab_decided_at = models.DateTimeField(_("winner chosen"), null=True, blank=True)
    cost = models.DecimalField(_("cost"), max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=CampaignStatus, default=CampaignStatus.DRAFT
    )
    #: When the audience was written down as deliveries (None: not yet).
    planned_at = models.DateTimeField(_("audience written"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    #: The worker sending the campaign holds it until ``lease_until`` (renewed each
    #: batch), so two workers never send it at once and a dead one's hold runs out.
    lease_token = models.CharField(max_length=32, blank=True, editable=False)
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    recipients = models.PositiveIntegerField(_("recipients"), default=0)
    tags = models.ManyToManyField("core.Tag", blank=True, related_name="campaigns")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        indexes = [
            models.Index(fields=["status", "send_at"], name="marketing_campaign_due"),
            models.Index(fields=["owner", "team"], name="marketing_campaign_scope"),
        ]

    def __str__(self) -> str:
        return self.name


class CampaignVariant(models.Model):
    """One version of a campaign's message ("A", "B"…): its own subject and HTML, or
    the template's where blank. A campaign without an A/B test has variant "A" only."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="variants")
    key = models.CharField(_("variant"), max_length=1)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    html = models.TextField(_("HTML"), max_length=500_000, blank=True)
    body = models.TextField(_("SMS text"), max_length=1600, blank=True)

    class Meta:
        ordering = ["campaign", "key"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "key"], name="marketing_variant_unique")
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.key}"


class CampaignLink(models.Model):
    """A link of a campaign's message, by number: the only URLs its click redirect
    goes to."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="links")
    number = models.PositiveSmallIntegerField(_("number"))
    url = models.URLField(_("URL"), max_length=2000)

    class Meta:
        ordering = ["campaign", "number"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "number"], name="marketing_link_unique")
        ]

    def __str__(self) -> str:
        return self.url


class Delivery(models.Model):
    """One recipient of a campaign, written before anything is sent: what was sent to
    whom (the address at the time), when, and what came of it."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="deliveries")
    person = models.ForeignKey(
        "contacts.Person", null=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    variant = models.CharField(_("variant"), max_length=1, default="A")
    address = models.CharField(_("address"), max_length=254)
    language = models.CharField(_("language"), max_length=10, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus, default=DeliveryStatus.PENDING
    )
    #: Not before this time (the campaign's time, or that wall-clock time in the
    #: recipient's time zone); a held row (the rest of an A/B test) has none yet.
    send_after = models.DateTimeField(_("send after"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    opened_at = models.DateTimeField(_("first opened"), null=True, blank=True)
    opens = models.PositiveIntegerField(_("opens"), default=0)
    unsubscribed_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True)
    bounced_at = models.DateTimeField(_("bounced"), null=True, blank=True)
    bounce_kind = models.CharField(_("bounce"), max_length=4, choices=BounceKind, blank=True)
    complained_at = models.DateTimeField(_("complained"), null=True, blank=True)

    class Meta:
        ordering = ["campaign", "id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "person"], name="marketing_delivery_once_per_person"
            )
        ]
        indexes = [
            # The worker's claim: a campaign's due rows in order.
            models.Index(
                fields=["campaign", "status", "send_after", "id"], name="marketing_delivery_due"
            ),
            models.Index(fields=["person", "sent_at"], name="marketing_delivery_person"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} → {self.address}"


class Click(models.Model):
    """One click on a tracked link: all a click writes. Whether and how often a delivery
    was clicked, per variant and per link, is counted from these rows when read
    (``selectors.campaigns``), so clicks never queue on their delivery's row."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="click_log")
    number = models.PositiveSmallIntegerField(_("link"))
    at = models.DateTimeField(_("at"))

    class Meta:
        ordering = ["delivery", "at"]
        indexes = [models.Index(fields=["delivery", "number"], name="marketing_click_link")]

    def __str__(self) -> str:
        return f"{self.delivery_id}#{self.number}"


class BounceRecord(models.Model):
    """One bounce or complaint about an address (whether or not a delivery of ours
    could be named): three soft bounces of an address in 30 days suppress it."""

    address = models.CharField(_("address"), max_length=254)
    kind = models.CharField(_("kind"), max_length=10)  # hard, soft, complaint
    status = models.CharField(_("status"), max_length=20, blank=True)
    diagnostic = models.CharField(_("diagnostic"), max_length=500, blank=True)
    delivery = models.ForeignKey(
        Delivery, null=True, blank=True, on_delete=models.SET_NULL, related_name="bounces"
    )
    at = models.DateTimeField(_("at"))

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["address", "kind", "at"], name="marketing_bounce_recent")]

    def __str__(self) -> str:
        return f"{self.kind} {self.address}"


class CampaignAttribution(models.Model):
    """A lead a campaign brought: through a form that named it, or a tracked click of
    the lead's person before the lead was created (first and last touch)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="attributions")
    lead = models.ForeignKey("sales.Lead", on_delete=models.CASCADE, related_name="+")
    first_touch = models.BooleanField(_("first touch"), default=False)
    last_touch = models.BooleanField(_("last touch"), default=False)
    at = models.DateTimeField(_("at"))

    class Meta:
        ordering = ["campaign", "at"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "lead"], name="marketing_attribution_once")
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} ← lead {self.lead_id}"
