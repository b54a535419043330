"""Reads of campaigns and of what came of them: always what the asking user may see.

``campaign_stats`` answers the results page and ``GET /campaigns/{id}/stats`` from the
deliveries in one grouped query (and one for the links): sent, delivered, bounced,
opened, clicked, unsubscribed, complained — unique people and totals — per variant and
per link, and what the campaign brought (``attribution``): the leads it is credited
with, first and last touch, their deals won and the revenue, and the return on its
cost."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum

from clientela.core.selectors import record_get, record_trash_get
from clientela.marketing.choices import DeliveryStatus
from clientela.marketing.models import Campaign, CampaignAttribution, Click, Delivery
from clientela.sales.choices import DealStatus
from clientela.sales.selectors.rates import base_currency


def campaign_list(*, user: Any, filters: Any = None) -> QuerySet[Campaign]:
    qs = Campaign.objects.alive().visible_to(user).select_related("owner", "team", "purpose")
    q = getattr(filters, "q", "") if filters is not None else ""
    if q:
        qs = qs.filter(name__icontains=q)
    status = getattr(filters, "status", "") if filters is not None else ""
    if status:
        qs = qs.filter(status=status)
    order = filters.order_by() if filters is not None and hasattr(filters, "order_by") else None
    return qs.order_by(*(order or ["-created_at", "-id"]))


def campaign_get(*, user: Any, pk: Any) -> Campaign:
    return record_get(
        Campaign, user=user, pk=pk, queryset=Campaign.objects.select_related("owner", "purpose")
    )


def campaign_trash_get(*, user: Any, pk: Any) -> Campaign:
    return record_trash_get(Campaign, user=user, pk=pk)


@dataclass
class Counts:
    """Unique people (and totals where one person can do it again)."""

    recipients: int = 0
    sent: int = 0
    delivered: int = 0
    failed: int = 0
    skipped: int = 0
    bounced: int = 0
    opened: int = 0
    opens: int = 0
    clicked: int = 0
    clicks: int = 0
    unsubscribed: int = 0
    complained: int = 0

    def rate(self, part: int) -> float | None:
        return part / self.delivered if self.delivered else None


@dataclass
class Results:
    total: Counts
    variants: dict[str, Counts]
    links: list[tuple[int, str, int, int]]  # (number, url, clicks, unique clickers)
    leads_first_touch: int = 0
    leads_last_touch: int = 0
    deals_won: int = 0
    revenue: Decimal = Decimal(0)
    currency: str = ""
    roi: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)


_SENT = Q(sent_at__isnull=False)


def clicked() -> Exists:
    """On deliveries: the recipient clicked a link of the message. A click writes only
    its ``Click`` row (``services.tracking.delivery_clicked``), so whether and how often
    a delivery was clicked is read from those rows."""
    return Exists(Click.objects.filter(delivery=OuterRef("pk")))


def opened() -> Q:
    """On deliveries: the recipient opened the message, seen by its pixel or by a click
    (a click counts as an open: images may be off)."""
    return Q(opened_at__isnull=False) | Q(clicked())


def _counts(rows: QuerySet[Delivery]) -> dict[str, Counts]:
    grouped = rows.values("variant").annotate(
        recipients=Count("id"),
        sent=Count("id", filter=_SENT),
        failed=Count("id", filter=Q(status=DeliveryStatus.FAILED)),
        skipped=Count("id", filter=Q(status=DeliveryStatus.SKIPPED)),
        bounced=Count("id", filter=Q(bounced_at__isnull=False)),
        opened=Count("id", filter=opened()),
        opens=Sum("opens"),
        unsubscribed=Count("id", filter=Q(unsubscribed_at__isnull=False)),
        complained=Count("id", filter=Q(complained_at__isnull=False)),
    )
    clicks: dict[str, tuple[int, int]] = {
        row["delivery__variant"]: (row["clicks"], row["clicked"])
        for row in Click.objects.filter(delivery__in=rows.values("pk"))
        .values("delivery__variant")
        .annotate(clicks=Count("id"), clicked=Count("delivery", distinct=True))
    }
    found: dict[str, Counts] = {}
    for row in grouped:
        values: dict[str, Any] = dict(row)
        key = values.pop("variant")
        counts = Counts(**{k: v or 0 for k, v in values.items()})
        counts.delivered = counts.sent - counts.bounced
        counts.clicks, counts.clicked = clicks.get(key, (0, 0))
        found[key] = counts
    return found


def _sum(parts: list[Counts]) -> Counts:
    total = Counts()
    for part in parts:
        for name in total.__dataclass_fields__:
            setattr(total, name, getattr(total, name) + getattr(part, name))
    return total


def _attribution(campaign: Campaign, results: Results) -> None:
    """Leads credited to the campaign, and the won deals they turned into: revenue in
    the campaign's currency (the base currency when it has none), so it compares with the
    cost; deals in other currencies are counted, not added."""
    rows = CampaignAttribution.objects.filter(campaign=campaign)
    results.leads_first_touch = rows.filter(first_touch=True).count()
    results.leads_last_touch = rows.filter(last_touch=True).count()
    currency = campaign.currency or base_currency()
    won = rows.filter(lead__converted_deal__status=DealStatus.WON).aggregate(
        deals=Count("lead__converted_deal", distinct=True),
        revenue=Sum(
            "lead__converted_deal__amount",
            filter=Q(lead__converted_deal__currency=currency),
        ),
    )
    results.deals_won = won["deals"] or 0
    results.revenue = won["revenue"] or Decimal(0)
    results.currency = currency
    if campaign.cost:
        results.roi = float((results.revenue - campaign.cost) / campaign.cost)


def campaign_stats(*, user: Any, campaign: Campaign) -> Results:
    """What came of ``campaign`` (already read through ``campaign_get``)."""
    by_variant = _counts(Delivery.objects.filter(campaign=campaign))
    links = (
        Click.objects.filter(delivery__campaign=campaign)
        .values("number")
        .annotate(total=Count("id"), people=Count("delivery", distinct=True))
    )
    urls = dict(campaign.links.values_list("number", "url"))
    results = Results(
        total=_sum(list(by_variant.values())),
        variants=dict(sorted(by_variant.items())),
        links=sorted(
            ((r["number"], urls.get(r["number"], ""), r["total"], r["people"]) for r in links),
            key=lambda link: (-link[2], link[0]),
        ),
    )
    _attribution(campaign, results)
    return results
