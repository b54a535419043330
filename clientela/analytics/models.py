"""Snapshots of the heavy analyses (issue 13, item 10): the worker computes each kind of
analysis into a ``Snapshot`` and its result rows; pages and the API read the newest
finished snapshot of a kind and show its as-of time. A new snapshot replaces the
previous one only once it is done, so a failed refresh keeps the old figures and says
why (``Snapshot.error``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clientela.analytics.choices import (
    AbcClass,
    AbcOf,
    AnalysisKind,
    BasketKind,
    ScoringMethod,
    Segment,
    SnapshotStatus,
)
from clientela.core.models.base import TimeStampedModel


class Snapshot(models.Model):
    """One computation of one kind of analysis, as of a moment, over a period."""

    kind = models.CharField(_("analysis"), max_length=20, choices=AnalysisKind)
    status = models.CharField(
        _("status"), max_length=10, choices=SnapshotStatus, default=SnapshotStatus.QUEUED
    )
    as_of = models.DateTimeField(_("as of"))
    period_start = models.DateField(_("from"), null=True, blank=True)
    period_end = models.DateField(_("to"))
    #: The analysis' parameters (thresholds…) and what it noticed (currencies left out).
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)  # percent
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("analysis snapshot")
        verbose_name_plural = _("analysis snapshots")
        indexes = [models.Index(fields=["kind", "status", "finished_at"], name="snapshot_kind_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="snapshot_progress_pct"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in (SnapshotStatus.QUEUED, SnapshotStatus.RUNNING)


def _customer_key(to: str) -> models.ForeignKey[Any, Any]:
    """A customer row's person or organization: optional, indexed by the row's own
    composite index (see ``CustomerRow``)."""
    return models.ForeignKey(
        to, null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )


class CustomerRow(models.Model):
    """What a row about a customer shares: a person or an organization (an order with an
    organization counts for the organization, otherwise for its person).

    The three keys have no index of their own: every subclass indexes ``(person,
    snapshot)``, ``(organization, snapshot)`` and one index led by ``snapshot``, which
    serve the same lookups (and the foreign-key checks). A refresh writes and deletes
    every row of a snapshot, so each index more is paid on 100,000 rows twice (bench/
    README.md, "ABC and RFM refresh")."""

    snapshot = models.ForeignKey(
        Snapshot, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    person = _customer_key("contacts.Person")
    organization = _customer_key("contacts.Organization")
    name = models.CharField(_("name"), max_length=300)

    class Meta:
        abstract = True


class AbcRow(CustomerRow):
    """A customer or a product with its revenue in the base currency over the snapshot's
    period, its share of the total, the cumulative share down the ranking and its class."""

    of = models.CharField(_("of"), max_length=10, choices=AbcOf)
    product = models.ForeignKey(
        "sales.Product", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    rank = models.PositiveIntegerField(_("rank"))
    revenue = models.DecimalField(_("revenue"), max_digits=20, decimal_places=2)
    share = models.FloatField(_("share"))
    cumulative_share = models.FloatField(_("cumulative share"))
    abc_class = models.CharField(_("class"), max_length=1, choices=AbcClass)

    class Meta:
        ordering = ["rank"]
        indexes = [
            models.Index(fields=["snapshot", "of", "rank"], name="abc_rank_idx"),
            models.Index(fields=["person", "snapshot"], name="abc_person_idx"),
            models.Index(fields=["organization", "snapshot"], name="abc_org_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.abc_class}"


class RfmRow(CustomerRow):
    """A customer's recency (days since the last order before the as-of time), frequency
    (orders), monetary value (revenue in the base currency), their 1–5 scores and the
    segment their R and F scores fall in."""

    last_order_at = models.DateTimeField(_("last order"))
    recency_days = models.PositiveIntegerField(_("recency (days)"))
    frequency = models.PositiveIntegerField(_("frequency"))
    monetary = models.DecimalField(_("monetary"), max_digits=20, decimal_places=2)
    r = models.PositiveSmallIntegerField("R")
    f = models.PositiveSmallIntegerField("F")
    m = models.PositiveSmallIntegerField("M")
    segment = models.CharField(_("segment"), max_length=20, choices=Segment)

    class Meta:
        ordering = ["-monetary", "id"]
        indexes = [
            models.Index(fields=["snapshot", "segment", "monetary"], name="rfm_segment_idx"),
            models.Index(fields=["person", "snapshot"], name="rfm_person_idx"),
            models.Index(fields=["organization", "snapshot"], name="rfm_org_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.segment}"


class CustomerCycleRow(CustomerRow):
    """A customer's purchase cycle (``analytics.cycles``): purchase days (a day's orders
    count once), the median days between them, the last and the next expected purchase
    day, how far past the cycle they are as of the snapshot (negative: not yet; also as a
    share of the cycle, the order of the "due to reorder" list) and whether that is past
    the snapshot's margin."""

    orders = models.PositiveIntegerField(_("orders"))
    median_days = models.FloatField(_("usual cycle (days)"))
    last_order = models.DateField(_("last order"))
    next_expected = models.DateField(_("next expected"))
    overdue_days = models.FloatField(_("days overdue"))
    overdue_share = models.FloatField(_("overdue (share of the cycle)"))
    due = models.BooleanField(_("due to reorder"))

    class Meta:
        ordering = ["-overdue_share", "-median_days", "id"]
        indexes = [
            models.Index(fields=["snapshot", "due", "overdue_share"], name="cycle_due_idx"),
            models.Index(fields=["person", "snapshot"], name="cycle_person_idx"),
            models.Index(fields=["organization", "snapshot"], name="cycle_org_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.median_days:g} days"


class ProductCycleRow(models.Model):
    """A product's typical repurchase interval: the median across the customers who
    bought it on at least two days of each one's median days between buying it."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey("sales.Product", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=300)
    customers = models.PositiveIntegerField(_("customers"))
    median_days = models.FloatField(_("repurchase interval (days)"))
    intervals = models.PositiveIntegerField(_("intervals"))

    class Meta:
        ordering = ["median_days", "-customers", "product_id"]
        indexes = [
            models.Index(fields=["snapshot", "median_days"], name="product_cycle_idx"),
            models.Index(fields=["product", "snapshot"], name="product_cycle_product_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.median_days:g} days"


class LeadModel(models.Model):
    """The lead scoring of a ``lead_scores`` snapshot: its method and, for a model, the
    fitted ``analytics.leadscore.model.ModelScorer`` pickled by the worker. Only the
    worker writes it and only ``analytics.lead_scores`` unpickles it (never anything a
    user sent); the web and the worker load it once per process."""

    snapshot = models.OneToOneField(Snapshot, on_delete=models.CASCADE, related_name="+")
    method = models.CharField(_("method"), max_length=10, choices=ScoringMethod)
    model = models.BinaryField(_("fitted model"), blank=True, default=b"")

    class Meta:
        verbose_name = _("lead scoring model")
        verbose_name_plural = _("lead scoring models")

    def __str__(self) -> str:
        return f"{self.method} #{self.snapshot_id}"


class ClvRow(CustomerRow):
    """A customer's lifetime-value figures as of the snapshot's day (docs/analytics.md):
    her summary (``frequency``: repeat purchase days; ``recency`` and ``age`` T, in
    weeks; ``monetary``: average repeat spend), what she spent in all (``revenue``, and
    its ``value_rank`` among all customers, 1 the most), and the models' forecasts: the
    chance she is still active, her expected purchases in the next 90 days and her
    expected revenue in the next 12 months, in the base currency."""

    frequency = models.PositiveIntegerField(_("repeat purchases"))
    recency = models.FloatField(_("recency (weeks)"))
    age = models.FloatField(_("customer for (weeks)"))
    monetary = models.DecimalField(_("average repeat spend"), max_digits=20, decimal_places=2)
    revenue = models.DecimalField(_("revenue to date"), max_digits=20, decimal_places=2)
    value_rank = models.PositiveIntegerField(_("rank by revenue"))
    p_alive = models.FloatField(_("probability still active"))
    expected_purchases_90d = models.FloatField(_("expected purchases in 90 days"))
    expected_revenue_12m = models.DecimalField(
        _("expected revenue in 12 months"), max_digits=20, decimal_places=2
    )

    class Meta:
        ordering = ["-expected_revenue_12m", "id"]
        indexes = [
            models.Index(fields=["snapshot", "expected_revenue_12m"], name="clv_revenue_idx"),
            models.Index(fields=["snapshot", "p_alive", "value_rank"], name="clv_risk_idx"),
            models.Index(fields=["person", "snapshot"], name="clv_person_idx"),
            models.Index(fields=["organization", "snapshot"], name="clv_org_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(p_alive__gte=0) & Q(p_alive__lte=1), name="clv_p_alive_probability"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.p_alive:.2f}"


class BasketRule(models.Model):
    """An association rule of a snapshot (``analytics.rules``): of the baskets (orders,
    or everything one customer bought) holding the ``antecedents``, a share
    ``confidence`` also holds the ``consequents`` (both JSON lists of product ids,
    ascending). ``rank`` orders a basket kind's rules strongest first (lift ×
    confidence); ``antecedent_key`` is the antecedents as text ("12,40") for lookups."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="+")
    basket = models.CharField(_("basket"), max_length=10, choices=BasketKind)
    rank = models.PositiveIntegerField(_("rank"))
    antecedents = models.JSONField(_("antecedents"))
    consequents = models.JSONField(_("consequents"))
    antecedent_key = models.CharField(max_length=200)
    support = models.FloatField(_("support"))
    confidence = models.FloatField(_("confidence"))
    lift = models.FloatField(_("lift"))
    count = models.PositiveIntegerField(_("count"))

    class Meta:
        ordering = ["rank"]
        indexes = [
            models.Index(fields=["snapshot", "basket", "rank"], name="rule_rank_idx"),
            models.Index(fields=["snapshot", "basket", "antecedent_key"], name="rule_lhs_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.antecedents} → {self.consequents}"


class RevenueMonthRow(models.Model):
    """Net revenue of one calendar month (in the company's time zone) in the base
    currency at the as-of day's rates, per owner and team of the orders, so that a
    dashboard reads each user's share (their role's scope on orders) from the snapshot
    instead of summing the orders again."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(_("month"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    team = models.ForeignKey(
        "core.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revenue = models.DecimalField(_("revenue"), max_digits=20, decimal_places=2)
    orders = models.PositiveIntegerField(_("orders"))

    class Meta:
        ordering = ["month", "id"]
        indexes = [models.Index(fields=["snapshot", "month"], name="revenue_month_idx")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}: {self.revenue}"


class Dashboard(TimeStampedModel):
    """A user's arrangement of widgets from the catalogue (``core.dashboards``): each
    item of ``layout`` is ``{"id", "widget", "x", "y", "w", "h", "filters"}`` on a grid
    of 12 columns (``analytics.dashboards.layout`` checks it). Its owner alone changes
    it; shared with a team (by a manager), the team's members read it, each seeing the
    figures their own role lets them see."""

    #: The kind's key (``analytics.kinds``); outside the roles' rights.
    RESOURCE = "analytics.dashboard"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="dashboards"
    )
    name = models.CharField(_("name"), max_length=100)
    team = models.ForeignKey(
        "core.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="dashboards",
        verbose_name=_("shared with team"),
    )
    layout = models.JSONField(_("layout"), default=list, blank=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("dashboard")
        verbose_name_plural = _("dashboards")
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="dashboard_owner_name"),
        ]

    def __str__(self) -> str:
        return self.name
