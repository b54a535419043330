"""The sales widgets of the dashboards' catalogue (``core.dashboards``): the pipeline by
stage, the forecast, quote conversion and the open deals (revenue by month and the top
customers come from snapshots: ``analytics.dashboards``). Each reads
through the sales selectors (``deals_for``, ``quotes_for``), so it
counts only what the asking user may see, and sums amounts per currency in one grouped
query, converted to the base currency at today's rates (currencies without a rate are
left out and named in the widget's note)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, F, QuerySet, Sum
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clientela.core.dashboards import Widget, WidgetData, WidgetFilters, register_widget
from clientela.sales import money
from clientela.sales.choices import DealStatus, QuoteStatus
from clientela.sales.selectors.deals import deals_for
from clientela.sales.selectors.forecast import SCALE, Thousandths, forecast, quarter_bounds
from clientela.sales.selectors.quotes import quotes_for
from clientela.sales.selectors.rates import rates_on


def _url(name: str, **params: Any) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return reverse(name) + (f"?{query}" if query else "")


def _scoped(qs: QuerySet[Any], f: WidgetFilters) -> QuerySet[Any]:
    if f.team is not None:
        qs = qs.filter(team_id=f.team)
    if f.owner is not None:
        qs = qs.filter(owner_id=f.owner)
    return qs


class _Converter:
    """Per-currency sums (in thousandths) to the base currency at today's rates."""

    def __init__(self, currencies: Iterable[str]) -> None:
        self.base, self.rates = rates_on(set(currencies), timezone.localdate())
        self.missing: set[str] = set()

    def __call__(self, thousandths: Any, currency: str) -> Decimal:
        rate = self.rates.get(currency)
        if rate is None:
            self.missing.add(currency)
            return Decimal(0)
        return Decimal(thousandths or 0) / SCALE * rate

    def text(self, amount: Decimal) -> str:
        return money.money_text(money.quantize(amount, self.base), self.base)

    def rounded(self, amount: Decimal) -> Decimal:
        return money.quantize(amount, self.base)

    def note(self) -> str:
        if not self.missing:
            return ""
        return _("Left out for want of an exchange rate to %(base)s: %(codes)s.") % {
            "base": self.base,
            "codes": ", ".join(sorted(self.missing)),
        }


# --- pipeline, open deals ----------------------------------------------------------------


def pipeline_by_stage(user: Any, f: WidgetFilters) -> WidgetData:
    open_deals = _scoped(deals_for(user).filter(status=DealStatus.OPEN), f)
    grouped = list(
        open_deals.order_by()
        .values("stage_id", "stage__name", "stage__position", "pipeline__name", "currency")
        .annotate(total=Sum(Thousandths(F("amount"))), n=Count("id"))
    )
    convert = _Converter(row["currency"] for row in grouped)
    stages: dict[int, dict[str, Any]] = {}
    for row in grouped:
        stage = stages.setdefault(
            row["stage_id"],
            {"row": row, "amount": Decimal(0), "deals": 0},
        )
        stage["amount"] += convert(row["total"], row["currency"])
        stage["deals"] += row["n"]
    pipelines = {s["row"]["pipeline__name"] for s in stages.values()}
    ordered = sorted(
        stages.items(),
        key=lambda i: (i[1]["row"]["pipeline__name"], i[1]["row"]["stage__position"]),
    )
    data = WidgetData(
        columns=[_("Stage"), _("Value (%(currency)s)") % {"currency": convert.base}, _("Deals")],
        url=_url("sales:deal-list", status="open", team=f.team, owner=f.owner),
        empty=_("No open deals. Deals show here by stage once they are created."),
    )
    for stage_id, stage in ordered:
        row = stage["row"]
        label = row["stage__name"]
        if len(pipelines) > 1:
            label = f"{row['pipeline__name']}: {label}"
        data.rows.append([label, convert.rounded(stage["amount"]), stage["deals"]])
        data.display.append(convert.text(stage["amount"]))
        data.links.append(
            _url("sales:deal-list", status="open", stage=stage_id, team=f.team, owner=f.owner)
        )
    data.note = convert.note()
    return data


def open_deals(user: Any, f: WidgetFilters) -> WidgetData:
    qs = _scoped(deals_for(user).filter(status=DealStatus.OPEN), f)
    grouped = list(
        qs.order_by()
        .values("currency")
        .annotate(total=Sum(Thousandths(F("amount"))), n=Count("id"))
    )
    convert = _Converter(row["currency"] for row in grouped)
    count = sum(row["n"] for row in grouped)
    amount = sum((convert(row["total"], row["currency"]) for row in grouped), Decimal(0))
    url = _url("sales:deal-list", status="open", team=f.team, owner=f.owner)
    return WidgetData(
        columns=[_("Figure"), _("Value")],
        rows=[
            [_("Open deals"), count],
            [_("Value (%(currency)s)") % {"currency": convert.base}, convert.rounded(amount)],
        ],
        display=[formats.number_format(count, force_grouping=True), convert.text(amount)],
        links=[url, url],
        url=url,
        value=formats.number_format(count, force_grouping=True),
        note=convert.note(),
    )


# --- forecast ------------------------------------------------------------------------------


def sales_forecast(user: Any, f: WidgetFilters) -> WidgetData:
    if f.date_from is None or f.date_to is None:
        start, end = quarter_bounds(timezone.localdate())
    else:
        start, end = f.date_from, f.date_to
    result = forecast(user, date_from=start, date_to=end, team=f.team, owner=f.owner)
    url = _url(
        "sales:forecast",
        period="custom",
        date_from=start.isoformat(),
        date_to=end.isoformat(),
        team=f.team,
        owner=f.owner,
    )
    labels = {
        "open": _("Open"),
        "weighted": _("Weighted"),
        "committed": _("Committed"),
        "won": _("Won"),
    }
    total = result.total
    data = WidgetData(
        columns=[_("Measure"), _("Value (%(currency)s)") % {"currency": result.base_currency}],
        url=url,
        empty=_("No open or won deals close in this period."),
    )
    if not result.is_empty:
        for key, label in labels.items():
            amount = getattr(total, key)
            data.rows.append([label, amount])
            data.display.append(money.money_text(amount, result.base_currency))
            data.links.append(url)
    if result.missing_rates:
        data.note = _("Left out for want of an exchange rate to %(base)s: %(codes)s.") % {
            "base": result.base_currency,
            "codes": ", ".join(result.missing_rates),
        }
    return data


# --- quotes ----------------------------------------------------------------------------------


def quote_conversion(user: Any, f: WidgetFilters) -> WidgetData:
    """Of the quotes issued in the period that were sent, the share accepted among those
    decided (accepted, rejected or expired); those still waiting count apart."""
    qs = _scoped(quotes_for(user), f)
    if f.date_from is not None:
        qs = qs.filter(issue_date__gte=f.date_from)
    if f.date_to is not None:
        qs = qs.filter(issue_date__lte=f.date_to)
    shown = (QuoteStatus.ACCEPTED, QuoteStatus.REJECTED, QuoteStatus.EXPIRED, QuoteStatus.SENT)
    counts = dict(
        qs.filter(status__in=shown).order_by().values_list("status").annotate(n=Count("id"))
    )
    decided = sum(counts.get(s, 0) for s in shown[:3])
    accepted = counts.get(QuoteStatus.ACCEPTED, 0)
    data = WidgetData(
        columns=[_("Status"), _("Quotes")],
        url=_url("sales:quote-list", status=QuoteStatus.ACCEPTED),
        empty=_("No quotes sent in this period yet."),
    )
    if not any(counts.values()):
        return data
    for status in shown:
        n = counts.get(status, 0)
        data.rows.append([str(QuoteStatus(status).label), n])
        data.display.append(formats.number_format(n, force_grouping=True))
        data.links.append(_url("sales:quote-list", status=status))
    rate = accepted / decided if decided else 0.0
    data.value = f"{formats.number_format(rate * 100, 0)} %" if decided else "—"
    data.note = _("%(accepted)s of %(decided)s decided quotes accepted.") % {
        "accepted": accepted,
        "decided": decided,
    }
    return data


def register() -> None:
    """Called by ``SalesConfig.ready``."""
    for widget in (
        Widget(
            key="sales.open_deals",
            title=gettext_lazy("Open deals"),
            kind="kpi",
            data=open_deals,
            resource="sales.deal",
            filters=("team", "owner"),
            w=3,
            h=3,
            default=True,
            order=10,
        ),
        Widget(
            key="sales.pipeline_by_stage",
            title=gettext_lazy("Pipeline value by stage"),
            kind="bar",
            data=pipeline_by_stage,
            resource="sales.deal",
            filters=("team", "owner"),
            w=6,
            h=4,
            default=True,
            order=20,
        ),
        Widget(
            key="sales.forecast",
            title=gettext_lazy("Forecast"),
            kind="bar",
            data=sales_forecast,
            resource="sales.deal",
            default_period="this_quarter",
            w=4,
            h=4,
            order=30,
        ),
        Widget(
            key="sales.quote_conversion",
            title=gettext_lazy("Quote conversion"),
            kind="kpi",
            data=quote_conversion,
            resource="sales.quote",
            default_period="last_12_months",
            w=3,
            h=3,
            default=True,
            order=60,
        ),
    ):
        register_widget(widget)
