"""Leads, pipelines and deals, the product catalogue, quotes and orders.

Leads, deals, quotes and orders are CRM records (owner, team, trash, audit). Pipelines,
stages, products, price lists and exchange rates are the company's configuration, kept
by admins and read by everyone. Amounts are ``Decimal`` with a currency (``money.py``);
quote and order totals are computed by the services and stored, so lists and reports
sum columns instead of lines.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.expressions import Combinable
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from clientela.core.choices import Language
from clientela.core.models import CRMRecord, TimeStampedModel, Trashable
from clientela.sales.choices import (
    DealStatus,
    LeadSource,
    LeadStatus,
    OrderStatus,
    ProductKind,
    QuoteStatus,
)
from clientela.sales.money import DECIMAL_PLACES, MAX_DIGITS
from clientela.sales.sequences import DocumentSequence as DocumentSequence  # listed here


def money_field(
    verbose_name: StrOrPromise, **kwargs: Any
) -> models.DecimalField[Decimal | int | str | Combinable, Decimal]:
    return models.DecimalField(
        verbose_name, max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES, **kwargs
    )


def currency_field() -> models.CharField:  # type: ignore[type-arg]
    return models.CharField(_("currency"), max_length=3)


def percent_field(verbose_name: str | object, **kwargs: object) -> models.DecimalField:  # type: ignore[type-arg]
    """A percentage 0–100 with two decimals (tax rates, discounts)."""
    return models.DecimalField(
        verbose_name,  # type: ignore[arg-type]
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        **kwargs,  # type: ignore[arg-type]
    )


def _live(name: str, *fields: str) -> models.Index:
    return models.Index(fields=list(fields), name=name, condition=Q(deleted_at__isnull=True))


# --- leads ------------------------------------------------------------------------------


class Lead(CRMRecord):
    """Someone who may become a customer, before qualification. Conversion creates or
    links a person, an organization and optionally a deal, and keeps the links here."""

    RESOURCE = "sales.lead"

    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), max_length=254, blank=True)  # normalized
    phone = models.CharField(_("phone"), max_length=20, blank=True)  # E.164
    company = models.CharField(_("company"), max_length=200, blank=True)
    job_title = models.CharField(_("job title"), max_length=100, blank=True)
    source = models.CharField(
        _("source"), max_length=20, choices=LeadSource, default=LeadSource.MANUAL
    )
    status = models.CharField(
        _("status"), max_length=20, choices=LeadStatus, default=LeadStatus.NEW
    )
    disqualified_reason = models.CharField(_("disqualification reason"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), max_length=10000, blank=True)
    #: How likely the lead is to convert, 0–100, and the main reasons why ("+ Source:
    #: Referral"), computed by analytics' lead scoring and written only through
    #: ``services.leads.lead_scores_set`` (derived data: no version, no audit). None:
    #: not scored yet.
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    score_reasons = models.JSONField(_("score reasons"), default=list, blank=True)
    converted_at = models.DateTimeField(_("converted"), null=True, blank=True)
    converted_person = models.ForeignKey(
        "contacts.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="leads"
    )
    converted_organization = models.ForeignKey(
        "contacts.Organization",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
    )
    converted_deal = models.ForeignKey(
        "sales.Deal", null=True, blank=True, on_delete=models.SET_NULL, related_name="leads"
    )
    tags = models.ManyToManyField("core.Tag", blank=True, related_name="leads")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        indexes = [
            _live("lead_created_idx", "created_at", "id", "team"),
            _live("lead_status_idx", "status", "created_at", "id"),
            _live("lead_owner_idx", "owner", "created_at", "id"),
            models.Index(fields=["email"], name="lead_email_idx"),
        ]

    def __str__(self) -> str:
        name = f"{self.first_name} {self.last_name}".strip()
        return name or self.company or self.email or str(_("Lead"))


# --- pipelines and deals ------------------------------------------------------------------


class Pipeline(TimeStampedModel):
    """A sales process: ordered stages a deal moves through. Kept by admins; a valid
    pipeline has exactly one won stage and at least one lost stage (``services``)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("pipeline")
        verbose_name_plural = _("pipelines")

    def __str__(self) -> str:
        return self.name


class Stage(TimeStampedModel):
    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveIntegerField(_("position"), default=0)
    #: The win probability (percent) a deal takes when it enters the stage.
    probability = models.PositiveSmallIntegerField(
        _("probability (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    is_won = models.BooleanField(_("won"), default=False)
    is_lost = models.BooleanField(_("lost"), default=False)

    class Meta:
        ordering = ["pipeline", "position", "id"]
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        constraints = [
            models.CheckConstraint(
                condition=~Q(is_won=True, is_lost=True), name="stage_not_won_and_lost"
            ),
            models.CheckConstraint(condition=Q(probability__lte=100), name="stage_probability_max"),
        ]

    def __str__(self) -> str:
        return self.name


class Deal(CRMRecord):
    """A sale in progress: an amount in a currency, at a stage of a pipeline.

    ``status`` follows the stage (open, or won/lost on the pipeline's won/lost stages);
    ``probability`` starts at the stage's default and may be overridden.
    """

    RESOURCE = "sales.deal"

    title = models.CharField(_("title"), max_length=200)
    pipeline = models.ForeignKey(
        Pipeline, on_delete=models.PROTECT, related_name="deals", verbose_name=_("pipeline")
    )
    stage = models.ForeignKey(
        Stage, on_delete=models.PROTECT, related_name="deals", verbose_name=_("stage")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=DealStatus, default=DealStatus.OPEN
    )
    amount = money_field(_("amount"), default=0)
    currency = currency_field()
    probability = models.PositiveSmallIntegerField(
        _("probability (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    close_date = models.DateField(_("expected close date"), null=True, blank=True)
    organization = models.ForeignKey(
        "contacts.Organization",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deals",
        verbose_name=_("organization"),
    )
    people = models.ManyToManyField(
        "contacts.Person", blank=True, related_name="deals", verbose_name=_("contacts")
    )
    next_step = models.CharField(_("next step"), max_length=200, blank=True)
    lost_reason = models.CharField(_("lost reason"), max_length=200, blank=True)
    stage_entered_at = models.DateTimeField(_("in stage since"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    notes = models.TextField(_("notes"), max_length=10000, blank=True)
    tags = models.ManyToManyField("core.Tag", blank=True, related_name="deals")

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("deal")
        verbose_name_plural = _("deals")
        indexes = [
            # The board's column totals: a pipeline's open deals grouped by stage and
            # currency, read from the index alone (team and owner for the role scope).
            _live(
                "deal_board_idx",
                "pipeline",
                "status",
                "stage",
                "currency",
                "team",
                "owner",
                "amount",
            ),
            # The board's won and lost columns: what closed since the month began.
            _live("deal_closed_idx", "pipeline", "status", "closed_at"),
            # The forecast: deals closing in a period, summed per owner and currency,
            # read from the index alone.
            _live(
                "deal_close_idx",
                "close_date",
                "status",
                "owner",
                "team",
                "currency",
                "pipeline",
                "amount",
                "probability",
            ),
            _live("deal_updated_idx", "updated_at", "id", "team"),
            _live("deal_org_idx", "organization", "updated_at"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(probability__lte=100), name="deal_probability_max"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="deal_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return self.title


class DealStageChange(models.Model):
    """When a deal entered a stage (and left it): time in stage and stage-to-stage
    conversion are computed from these rows."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.ForeignKey(
        Stage, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(_("entered"))
    left_at = models.DateTimeField(_("left"), null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["deal", "entered_at", "id"]
        indexes = [models.Index(fields=["stage", "entered_at"], name="stage_change_stage_idx")]

    def __str__(self) -> str:
        return f"{self.deal_id}: {self.stage_id} ({self.entered_at:%Y-%m-%d})"


# --- catalogue, price lists, exchange rates -------------------------------------------------


class Product(TimeStampedModel, Trashable):
    """Something we sell: a product or a service, with a list price in a currency.

    Not a CRM record (no owner or team: everyone signed in reads the catalogue, admins
    and managers keep it), but it goes to the trash like one: quote and order lines
    keep their own description and price, and lose only the link when it is purged."""

    RESOURCE = "sales.product"

    sku = models.CharField(_("SKU"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    kind = models.CharField(
        _("kind"), max_length=10, choices=ProductKind, default=ProductKind.PRODUCT
    )
    unit = models.CharField(_("unit"), max_length=20, default="unit")
    unit_price = money_field(_("unit price"), default=0)
    currency = currency_field()
    tax_rate = percent_field(_("tax rate (%)"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [
            models.CheckConstraint(
                condition=Q(unit_price__gte=0), name="product_price_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sku} · {self.name}"


class PriceList(TimeStampedModel):
    """Prices of products in one currency (e.g. "Mexico retail, MXN")."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    currency = currency_field()
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")

    def __str__(self) -> str:
        return f"{self.name} ({self.currency})"


class PriceListItem(models.Model):
    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="prices")
    unit_price = money_field(_("unit price"))

    class Meta:
        ordering = ["price_list", "product"]
        constraints = [
            models.UniqueConstraint(fields=["price_list", "product"], name="price_list_product"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="price_item_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} @ {self.unit_price}"


class SalesSettings(models.Model):
    """The company's sales settings, a single row (pk=1) an admin edits."""

    base_currency = models.CharField(_("base currency"), max_length=3, default="USD")
    quote_validity_days = models.PositiveSmallIntegerField(
        _("quotes valid for (days)"), default=30, validators=[MinValueValidator(1)]
    )

    class Meta:
        verbose_name = _("sales settings")
        verbose_name_plural = _("sales settings")

    def __str__(self) -> str:
        return str(_("Sales settings"))

    @classmethod
    def load(cls) -> SalesSettings:
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj


class ExchangeRate(TimeStampedModel):
    """From ``valid_from`` on, one unit of ``currency`` is worth ``rate`` units of the
    company's base currency (``SalesSettings.base_currency``). Entered by hand: no
    network fetch."""

    currency = currency_field()
    rate = models.DecimalField(_("rate"), max_digits=20, decimal_places=10)
    valid_from = models.DateField(_("valid from"))

    class Meta:
        ordering = ["currency", "-valid_from"]
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        constraints = [
            models.UniqueConstraint(fields=["currency", "valid_from"], name="rate_currency_day"),
            models.CheckConstraint(condition=Q(rate__gt=0), name="rate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.rate} ({self.valid_from})"


# --- quotes and orders ----------------------------------------------------------------------


class SalesDocument(CRMRecord):
    """What quotes and orders share: the customer, the currency, stored totals.

    Their numbers have no gaps, so deleting one voids it (a quote) or cancels it (an
    order) and puts it in the trash, which keeps it for good (``PURGEABLE``); restoring
    it gives back the status it had (``status_before_void``)."""

    PURGEABLE = False

    person = models.ForeignKey(
        "contacts.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="%(class)ss",
        verbose_name=_("person"),
    )
    organization = models.ForeignKey(
        "contacts.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="%(class)ss",
        verbose_name=_("organization"),
    )
    deal = models.ForeignKey(
        Deal,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="%(class)ss",
        verbose_name=_("deal"),
    )
    currency = currency_field()
    subtotal = money_field(_("subtotal"), default=0)
    tax_total = money_field(_("tax"), default=0)
    total = money_field(_("total"), default=0)
    notes = models.TextField(_("notes"), max_length=10000, blank=True)
    #: The status the document had when it was deleted (voided or cancelled); empty
    #: while it is not in the trash.
    status_before_void = models.CharField(max_length=10, blank=True, editable=False)

    class Meta:
        abstract = True


class Quote(SalesDocument):
    """An offer to a customer. ``number`` is shared by a quote's revisions
    (``revision`` 1, 2, …); only the newest revision of a number can be sent or
    accepted. Accepting creates the order."""

    RESOURCE = "sales.quote"

    number = models.CharField(_("number"), max_length=20)
    revision = models.PositiveSmallIntegerField(_("revision"), default=1)
    previous = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="next_revision"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=QuoteStatus, default=QuoteStatus.DRAFT
    )
    issue_date = models.DateField(_("date"))
    valid_until = models.DateField(_("valid until"))
    language = models.CharField(_("language"), max_length=5, choices=Language, default=Language.EN)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    decided_at = models.DateTimeField(_("accepted or rejected"), null=True, blank=True)

    class Meta:
        ordering = ["-issue_date", "-id"]
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        indexes = [
            _live("quote_date_idx", "issue_date", "id", "team"),
            _live("quote_status_idx", "status", "valid_until"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["number", "revision"], name="quote_number_revision"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.number if self.revision == 1 else f"{self.number}-{self.revision}"


class Order(SalesDocument):
    """A sale that happened: from an accepted quote, entered by hand, or pushed by a
    shop or ERP through the API (``external_id`` makes that push idempotent)."""

    RESOURCE = "sales.order"

    number = models.CharField(_("number"), max_length=20, unique=True)
    quote = models.OneToOneField(
        Quote,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="order",
        verbose_name=_("quote"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=OrderStatus, default=OrderStatus.OPEN
    )
    ordered_at = models.DateTimeField(_("ordered"))
    fulfilled_at = models.DateTimeField(_("fulfilled"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        ordering = ["-ordered_at", "-id"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        indexes = [
            _live("order_date_idx", "ordered_at", "id", "team"),
            _live("order_person_idx", "person", "ordered_at"),
            _live("order_org_idx", "organization", "ordered_at"),
            # The analyses' read of the orders (analytics.compute: ABC, RFM and the
            # check of their currencies) from the index alone: every column they filter,
            # group and sum, the period first. ``deleted_at`` (always NULL here) is kept
            # as a column because SQLite reads it otherwise from the table for the
            # query's own ``deleted_at IS NULL``; with it the read covers and SQLite
            # picks this index without statistics (bench/README.md, 2026-12-07).
            _live(
                "order_sale_idx",
                "ordered_at",
                "status",
                "currency",
                "person",
                "organization",
                "subtotal",
                "deleted_at",
                # A rep's reads are scoped to their team's (or their own) orders: with
                # these the scoped reads are covered too, such as a segment's "ordered
                # since" (bench/README.md, "Segment count": 6 times faster for a rep).
                "team",
                "owner",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~Q(external_id=""),
                name="order_external_id_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class DocumentLine(models.Model):
    """What quote and order lines share: a product from the catalogue or free text."""

    position = models.PositiveSmallIntegerField(default=0)
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    description = models.CharField(_("description"), max_length=500)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    #: What the quantity counts (unit, hour, kg…): the product's unit unless given.
    unit = models.CharField(_("unit"), max_length=20, blank=True, default="")
    unit_price = money_field(_("unit price"))
    discount_percent = percent_field(_("discount (%)"), default=0)
    tax_rate = percent_field(_("tax rate (%)"), default=0)
    subtotal = money_field(_("subtotal"))
    tax = money_field(_("tax"))
    total = money_field(_("total"))

    class Meta:
        abstract = True
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.description


class QuoteLine(DocumentLine):
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")

    class Meta(DocumentLine.Meta):
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="quote_line_quantity_pos"),
        ]


class OrderLine(DocumentLine):
    # Indexed by ``order_line_sale_idx`` below, which leads with it.
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines", db_index=False)

    class Meta(DocumentLine.Meta):
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="order_line_quantity_pos"),
        ]
        indexes = [
            models.Index(fields=["product", "order"], name="order_line_product_idx"),
            # An order's lines, and what the product ABC sums of them read from the
            # index alone (analytics.compute), instead of the key's plain index.
            models.Index(fields=["order", "product", "subtotal"], name="order_line_sale_idx"),
        ]
