"""The sales widgets of the dashboards' catalogue (``core.dashboards``): the pipeline by
stage, the forecast, revenue by month, quote conversion and the open deals (the top
customers come from the ABC snapshot: ``analytics.dashboards.widgets``). Each reads
through the sales selectors (``deals_for``, ``orders_for``, ``quotes_for``), so it
counts only what the asking user may see, and sums amounts per currency in one grouped
query, converted to the base currency at today's rates (currencies without a rate are
left out and named in the widget's note)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.db.models import Case, Count, F, IntegerField, Max, Min, QuerySet, Sum, Value, When
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clientela.core.dashboards import Widget, WidgetData, WidgetFilters, register_widget
from clientela.sales import money
from clientela.sales.choices import DealStatus, OrderStatus, QuoteStatus
from clientela.sales.selectors.deals import deals_for
from clientela.sales.selectors.forecast import SCALE, Thousandths, forecast, quarter_bounds
from clientela.sales.selectors.orders import orders_for
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


# --- orders ----------------------------------------------------------------------------------


def _orders(user: Any, f: WidgetFilters) -> QuerySet[Any]:
    qs = _scoped(orders_for(user).exclude(status=OrderStatus.CANCELLED), f)
    zone = timezone.get_current_timezone()
    if f.date_from is not None:
        start = datetime.datetime.combine(f.date_from, datetime.time.min, tzinfo=zone)
        qs = qs.filter(ordered_at__gte=start)
    if f.date_to is not None:
        after = datetime.datetime.combine(
            f.date_to + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
        )
        qs = qs.filter(ordered_at__lt=after)
    return qs


#: The most months a revenue chart shows (the latest ones).
MAX_MONTHS = 120


def _months(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    out, month = [], first.replace(day=1)
    while month <= last:
        out.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return out[-MAX_MONTHS:]


def _month_end(month: datetime.date) -> datetime.date:
    return (month + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)


def revenue_by_month(user: Any, f: WidgetFilters) -> WidgetData:
    """Net revenue per calendar month (in the reader's time zone). The months are
    buckets of a CASE on ``ordered_at`` rather than a date function, so the database
    groups the orders read from the ``(ordered_at, …)`` index without calling a function
    per row (on SQLite, Django's date truncation is a Python callback)."""
    qs = _orders(user, f)
    data = WidgetData(
        columns=[_("Month"), _("Revenue (%(currency)s)") % {"currency": ""}],
        url=_url(
            "sales:order-list",
            date_from=f.date_from and f.date_from.isoformat(),
            date_to=f.date_to and f.date_to.isoformat(),
            owner=f.owner,
        ),
        empty=_("No orders in this period. Enter or import orders to see revenue by month."),
    )
    first, last = f.date_from, f.date_to
    if first is None or last is None:
        span = qs.aggregate(first=Min("ordered_at"), last=Max("ordered_at"))
        if span["first"] is None:
            return data
        first = first or timezone.localtime(span["first"]).date()
        last = last or timezone.localtime(span["last"]).date()
    months = _months(first, last)
    zone = timezone.get_current_timezone()

    def start(day: datetime.date) -> datetime.datetime:
        return datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)

    bucket = Case(
        *(
            When(
                ordered_at__gte=start(m),
                ordered_at__lt=start(_month_end(m) + datetime.timedelta(days=1)),
                then=Value(n),
            )
            for n, m in enumerate(months)
        ),
        default=Value(-1),
        output_field=IntegerField(),
    )
    grouped = list(
        qs.annotate(bucket=bucket)
        .order_by()
        .values("bucket", "currency")
        .annotate(total=Sum(Thousandths(F("subtotal"))))
    )
    if not grouped:
        return data
    convert = _Converter(row["currency"] for row in grouped)
    amounts = [Decimal(0)] * len(months)
    for row in grouped:
        if row["bucket"] >= 0:
            amounts[row["bucket"]] += convert(row["total"], row["currency"])
    data.columns[1] = _("Revenue (%(currency)s)") % {"currency": convert.base}
    for month, amount in zip(months, amounts, strict=True):
        data.rows.append([month.strftime("%Y-%m"), convert.rounded(amount)])
        data.display.append(convert.text(amount))
        data.links.append(
            _url(
                "sales:order-list",
                date_from=month.isoformat(),
                date_to=_month_end(month).isoformat(),
                owner=f.owner,
            )
        )
    data.note = convert.note()
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
            key="sales.revenue_by_month",
            title=gettext_lazy("Revenue by month"),
            kind="line",
            data=revenue_by_month,
            resource="sales.order",
            default_period="last_12_months",
            w=6,
            h=4,
            default=True,
            order=40,
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
