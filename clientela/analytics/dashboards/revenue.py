"""Revenue by month, computed by the worker into a snapshot (the analysis ``revenue``)
so that a dashboard reads a few hundred rows instead of summing a year of orders on
every view: over a million order lines that sum took most of a second, the snapshot's
read takes milliseconds (``bench/dashboards.py``).

The snapshot holds, per calendar month (in the company's time zone), owner and team of
the orders, their net revenue in the base currency at the as-of day's rates, from the
same orders as every analysis (not cancelled, not in the trash). A reader gets the rows
of the orders their role lets them see (its scope on orders: all, their team's or their
own), narrowed by the widget's team and owner filters."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.db import transaction
from django.db.models import Case, Count, F, IntegerField, Max, Min, Sum, Value, When
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clientela.analytics import selectors
from clientela.analytics.analyses import Analysis, Outcome, Progress, register_analysis
from clientela.analytics.choices import AnalysisKind
from clientela.analytics.models import RevenueMonthRow, Snapshot
from clientela.core.choices import Scope
from clientela.core.dashboards import Widget, WidgetData, WidgetFilters, register_widget
from clientela.core.permissions import rights_for
from clientela.sales import money
from clientela.sales.choices import OrderStatus
from clientela.sales.models import Order
from clientela.sales.selectors.forecast import SCALE, Thousandths
from clientela.sales.selectors.rates import rates_on

#: The most months a chart shows (the latest).
MAX_MONTHS = 120


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    out, month = [], first.replace(day=1)
    while month <= last:
        out.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return out[-MAX_MONTHS:]


def month_end(month: datetime.date) -> datetime.date:
    return (month + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)


# --- the worker's computation ----------------------------------------------------------------


def _run(snapshot: Snapshot, progress: Progress) -> Outcome:
    zone = timezone.get_current_timezone()

    def midnight(day: datetime.date) -> datetime.datetime:
        return datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)

    orders = Order.objects.alive().exclude(status=OrderStatus.CANCELLED)
    end = midnight(snapshot.period_end + datetime.timedelta(days=1))
    orders = orders.filter(ordered_at__lt=end)
    if snapshot.period_start is not None:
        first = snapshot.period_start
        orders = orders.filter(ordered_at__gte=midnight(first))
    else:
        earliest = orders.aggregate(first=Min("ordered_at"))["first"]
        first = timezone.localtime(earliest, zone).date() if earliest else snapshot.period_end
    months = months_between(first, snapshot.period_end)
    # Months as buckets of a CASE, not a date function per row (a Python callback on
    # SQLite), so the database groups the orders from its index.
    bucket = Case(
        *(
            When(
                ordered_at__gte=midnight(m),
                ordered_at__lt=midnight(month_end(m) + datetime.timedelta(days=1)),
                then=Value(n),
            )
            for n, m in enumerate(months)
        ),
        default=Value(-1),
        output_field=IntegerField(),
    )
    grouped = list(
        orders.annotate(bucket=bucket)
        .order_by()
        .values("bucket", "owner_id", "team_id", "currency")
        .annotate(total=Sum(Thousandths(F("subtotal"))), n=Count("id"))
    )
    progress(70)
    base, rates = rates_on({row["currency"] for row in grouped}, snapshot.period_end)
    sums: dict[tuple[int, Any, Any], list[Any]] = {}
    for row in grouped:
        rate = rates.get(row["currency"])
        if row["bucket"] < 0 or rate is None:
            continue
        key = (row["bucket"], row["owner_id"], row["team_id"])
        entry = sums.setdefault(key, [Decimal(0), 0])
        entry[0] += Decimal(row["total"] or 0) / SCALE * rate
        entry[1] += row["n"]
    with transaction.atomic():
        RevenueMonthRow.objects.bulk_create(
            (
                RevenueMonthRow(
                    snapshot=snapshot,
                    month=months[n],
                    owner_id=owner,
                    team_id=team,
                    revenue=money.quantize(amount, base),
                    orders=count,
                )
                for (n, owner, team), (amount, count) in sums.items()
            ),
            batch_size=2000,
        )
    missing = {row["currency"] for row in grouped} - set(rates)
    return Outcome(base, frozenset(missing))


# --- the widget ------------------------------------------------------------------------------


def _scoped(user: Any, rows: Any) -> Any:
    """The rows of the orders ``user`` may read (as ``compute.orders_visible_to``)."""
    rights = rights_for(user, "sales.order")
    if not rights.read:
        return rows.none()
    if rights.scope == Scope.ALL:
        return rows
    if rights.scope == Scope.TEAM and user.team_id is not None:
        return rows.filter(team_id=user.team_id)
    return rows.filter(owner_id=user.pk)


def _order_list(
    f: WidgetFilters, first: datetime.date | None = None, last: datetime.date | None = None
) -> str:
    """The order list of a month (or of the widget's period)."""
    start, end = first or f.date_from, last or f.date_to
    params = {
        "date_from": start.isoformat() if start else "",
        "date_to": end.isoformat() if end else "",
        "owner": f.owner or "",
    }
    query = urlencode({k: v for k, v in params.items() if v})
    return reverse("sales:order-list") + (f"?{query}" if query else "")


def revenue_by_month(user: Any, f: WidgetFilters) -> WidgetData:
    snapshot = selectors.current(AnalysisKind.REVENUE)
    base = snapshot.parameters.get("base_currency", "") if snapshot else ""
    data = WidgetData(
        columns=[_("Month"), _("Revenue (%(currency)s)") % {"currency": base}],
        url=_order_list(f),
        empty=_("No orders in this period. Enter or import orders to see revenue by month."),
    )
    if snapshot is None:
        return data
    rows = _scoped(user, RevenueMonthRow.objects.filter(snapshot=snapshot))
    if f.team is not None:
        rows = rows.filter(team_id=f.team)
    if f.owner is not None:
        rows = rows.filter(owner_id=f.owner)
    if f.date_from is not None:
        rows = rows.filter(month__gte=f.date_from.replace(day=1))
    if f.date_to is not None:
        rows = rows.filter(month__lte=f.date_to)
    by_month = dict(rows.order_by().values_list("month").annotate(total=Sum("revenue")))
    if not by_month:
        return data
    span = rows.aggregate(first=Min("month"), last=Max("month"))
    first = f.date_from or span["first"]
    last = min(f.date_to or snapshot.period_end, snapshot.period_end)
    for month in months_between(first, last):
        amount = by_month.get(month, Decimal(0))
        data.rows.append([month.strftime("%Y-%m"), money.quantize(amount, base)])
        data.display.append(money.money_text(amount, base))
        data.links.append(_order_list(f, month, month_end(month)))
    data.note = _("Figures as of %(day)s.") % {
        "day": formats.date_format(snapshot.period_end, "SHORT_DATE_FORMAT")
    }
    return data


def register() -> None:
    """The analysis and its widget (``AnalyticsConfig.ready``)."""
    register_analysis(
        Analysis(
            kind=AnalysisKind.REVENUE,
            rows=(RevenueMonthRow,),
            run=_run,
            page="analytics:dashboards",
            default_months=36,
        )
    )
    register_widget(
        Widget(
            key="analytics.revenue_by_month",
            title=gettext_lazy("Revenue by month"),
            kind="line",
            data=revenue_by_month,
            resource="sales.order",
            default_period="last_12_months",
            w=6,
            h=4,
            default=True,
            order=40,
        )
    )
