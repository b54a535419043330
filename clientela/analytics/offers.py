"""Offer management (issue 13, item 8): how many quotes turn into orders, how fast, and
for how much, by rep, by product and by month, and the value funnel draft → sent →
accepted.

Computed live (quotes are few next to orders: no snapshot) with the ORM over the quotes
the asking user may see (``sales.selectors.quotes.quotes_for``: a rep counts only the
quotes their role lets them see) whose date (``issue_date``) falls in the period.

What counts:

* **quotes**: every live quote of the period (each revision is a quote of its own: a
  revision sent again counts as sent again); every quote starts as a draft, so this is
  the funnel's first step;
* **sent**: quotes that left the company (sent, then accepted, rejected or expired);
* **accepted**: quotes the customer accepted (the order was created from them);
* **conversion**: accepted / sent (None when nothing was sent);
* **median days to acceptance**: the median of the days from ``sent_at`` to
  ``decided_at`` of the accepted quotes that have both;
* **values**: the net amounts (``subtotal``, before tax), in the base currency at the
  rate valid on the period's last day (``sales.selectors.rates``, as ``compute`` converts
  orders); quotes in a currency without a rate are left out of the values (not of the
  counts) and reported. By product, the values are those of the product's lines.
"""

from __future__ import annotations

import datetime
import statistics
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from clientela.analytics import compute, services
from clientela.analytics.choices import OfferGrouping
from clientela.core.permissions import can
from clientela.sales import money
from clientela.sales.choices import QuoteStatus
from clientela.sales.models import Quote, QuoteLine
from clientela.sales.selectors.quotes import quotes_for
from clientela.sales.selectors.rates import rates_on

#: The statuses of a quote that was sent (whatever happened next).
SENT_STATUSES = (
    QuoteStatus.SENT,
    QuoteStatus.ACCEPTED,
    QuoteStatus.REJECTED,
    QuoteStatus.EXPIRED,
)
#: The default period: the last 12 months.
DEFAULT_MONTHS = 12
#: The columns a table of offers can be sorted by (``-`` first: descending).
SORTS = (
    "name",
    "quotes",
    "sent",
    "accepted",
    "conversion",
    "median_days",
    "value_quoted",
    "value_sent",
    "value_accepted",
)


def may_read(user: Any) -> bool:
    return can(user, "read", "sales.quote")


@dataclass
class OfferRow:
    """The figures of one rep, product or month."""

    key: str
    id: int | None
    name: str
    quotes: int = 0
    sent: int = 0
    accepted: int = 0
    value_quoted: Decimal = Decimal(0)
    value_sent: Decimal = Decimal(0)
    value_accepted: Decimal = Decimal(0)
    days: list[float] = field(default_factory=list)

    @property
    def conversion(self) -> float | None:
        return self.accepted / self.sent if self.sent else None

    @property
    def median_days(self) -> float | None:
        return round(statistics.median(self.days), 1) if self.days else None


@dataclass(frozen=True)
class FunnelStep:
    step: str
    label: str
    count: int
    value: Decimal


@dataclass
class Offers:
    """The offer figures one user sees over a period, grouped one way."""

    by: str
    period: compute.Period
    base_currency: str
    missing_rates: list[str]
    funnel: list[FunnelStep]
    rows: list[OfferRow]

    @property
    def is_empty(self) -> bool:
        return not self.funnel or self.funnel[0].count == 0


def default_period(end: datetime.date | None = None) -> compute.Period:
    """The last 12 months up to ``end`` (today)."""
    return period_of(None, end)


def period_of(start: datetime.date | None, end: datetime.date | None) -> compute.Period:
    """``services.clean_period``'s rules (``ValidationError`` on ``from``/``to`` when
    reversed or over ten years), by default the 12 months up to ``end`` (today)."""
    if start is None:
        start = services.months_before(end or timezone.localdate(), DEFAULT_MONTHS)
    return services.clean_period(start, end)


def _quotes(user: Any, period: compute.Period) -> QuerySet[Quote]:
    if not may_read(user):
        return Quote.objects.none()
    quotes = quotes_for(user).filter(issue_date__lte=period.end)
    if period.start is not None:
        quotes = quotes.filter(issue_date__gte=period.start)
    return quotes


def _rates(
    quotes: QuerySet[Quote], day: datetime.date
) -> tuple[str, dict[str, Decimal], list[str]]:
    currencies = set(quotes.order_by().values_list("currency", flat=True).distinct())
    base, rates = rates_on(currencies, day)
    return base, rates, sorted(currencies - set(rates))


_SENT = Q(status__in=SENT_STATUSES)
_ACCEPTED = Q(status=QuoteStatus.ACCEPTED)


def _group(by: str) -> tuple[list[str], Any]:
    """The ``values()`` columns naming a group (and the month expression)."""
    if by == OfferGrouping.REP:
        return [
            "owner_id",
            "owner__first_name",
            "owner__last_name",
            "owner__username",
        ], None
    if by == OfferGrouping.MONTH:
        return ["month"], TruncMonth("issue_date")
    return ["product_id", "product__name"], None


def _row_key(by: str, values: Mapping[str, Any]) -> tuple[str, int | None, str]:
    if by == OfferGrouping.REP:
        pk = values["owner_id"]
        if pk is None:
            return "rep-", None, _("Nobody")
        first = values["owner__first_name"] or ""
        last = values["owner__last_name"] or ""
        name = f"{first} {last}".strip() or values["owner__username"]
        return f"rep-{pk}", pk, name
    if by == OfferGrouping.MONTH:
        month = values["month"]
        if isinstance(month, datetime.datetime):
            month = month.date()
        return month.strftime("%Y-%m"), None, month.strftime("%Y-%m")
    pk = values["product_id"]
    if pk is None:
        return "product-", None, _("Lines without a product")
    return f"product-{pk}", pk, values["product__name"]


def _base(amount: Decimal | None, currency: str, rates: dict[str, Decimal]) -> Decimal:
    if amount is None or currency not in rates:
        return Decimal(0)
    return amount * rates[currency]


def _measures(pk: str, sent: Q, accepted: Q, *, distinct: bool = False) -> dict[str, Any]:
    """The counts and net values a group of quotes (or of quote lines) is summed into."""
    return {
        "n": Count(pk, distinct=distinct),
        "n_sent": Count(pk, distinct=distinct, filter=sent),
        "n_accepted": Count(pk, distinct=distinct, filter=accepted),
        "v": Sum("subtotal"),
        "v_sent": Sum("subtotal", filter=sent),
        "v_accepted": Sum("subtotal", filter=accepted),
    }


def _collect(by: str, grouped: Any, rates: dict[str, Decimal]) -> dict[str, OfferRow]:
    """``_measures`` by group and currency -> one row per group, in the base currency
    (``by`` empty: one row for everything)."""
    rows: dict[str, OfferRow] = {}
    for values in grouped:
        key, pk, name = _row_key(by, values) if by else ("", None, "")
        row = rows.setdefault(key, OfferRow(key, pk, name))
        code = values["currency"]
        row.quotes += values["n"]
        row.sent += values["n_sent"]
        row.accepted += values["n_accepted"]
        row.value_quoted += _base(values["v"], code, rates)
        row.value_sent += _base(values["v_sent"], code, rates)
        row.value_accepted += _base(values["v_accepted"], code, rates)
    return rows


def _funnel(quotes: QuerySet[Quote], rates: dict[str, Decimal], base: str) -> list[FunnelStep]:
    sums = quotes.order_by().values("currency").annotate(**_measures("id", _SENT, _ACCEPTED))
    total = _collect("", sums, rates).get("", OfferRow("", None, ""))
    return [
        FunnelStep(
            "draft",
            pgettext("quotes", "Drafted"),
            total.quotes,
            money.quantize(total.value_quoted, base),
        ),
        FunnelStep(
            "sent", pgettext("quotes", "Sent"), total.sent, money.quantize(total.value_sent, base)
        ),
        FunnelStep(
            "accepted",
            pgettext("quotes", "Accepted"),
            total.accepted,
            money.quantize(total.value_accepted, base),
        ),
    ]


def _days(sent_at: datetime.datetime | None, decided_at: datetime.datetime | None) -> float | None:
    if sent_at is None or decided_at is None or decided_at < sent_at:
        return None
    return (decided_at - sent_at).total_seconds() / 86400


def _quote_rows(by: str, quotes: QuerySet[Quote], rates: dict[str, Decimal]) -> dict[str, OfferRow]:
    columns, month = _group(by)
    qs = quotes.order_by()
    if month is not None:
        qs = qs.annotate(month=month)
    grouped = qs.values(*columns, "currency").annotate(**_measures("id", _SENT, _ACCEPTED))
    rows = _collect(by, grouped, rates)
    decided = qs.filter(_ACCEPTED, sent_at__isnull=False, decided_at__isnull=False)
    for quote in decided.values(*columns, "sent_at", "decided_at"):
        days = _days(quote["sent_at"], quote["decided_at"])
        key = _row_key(by, quote)[0]
        if days is not None and key in rows:
            rows[key].days.append(days)
    return rows


def _product_rows(quotes: QuerySet[Quote], rates: dict[str, Decimal]) -> dict[str, OfferRow]:
    """By product: a quote counts once for each product on its lines; the values are
    those of the product's lines."""
    lines = QuoteLine.objects.filter(quote__in=quotes.values("pk")).order_by()
    sent = Q(quote__status__in=SENT_STATUSES)
    accepted = Q(quote__status=QuoteStatus.ACCEPTED)
    grouped = (
        lines.annotate(currency=F("quote__currency"))
        .values("product_id", "product__name", "currency")
        .annotate(**_measures("quote", sent, accepted, distinct=True))
    )
    rows = _collect(OfferGrouping.PRODUCT, grouped, rates)
    decided = (
        lines.filter(accepted, quote__sent_at__isnull=False, quote__decided_at__isnull=False)
        .values("product_id", "quote_id", "quote__sent_at", "quote__decided_at")
        .distinct()
    )
    for line in decided:
        days = _days(line["quote__sent_at"], line["quote__decided_at"])
        key = f"product-{line['product_id'] or ''}"
        if days is not None and key in rows:
            rows[key].days.append(days)
    return rows


def sort_key(sort: str) -> tuple[str, bool]:
    """``sort`` as (column, descending); unknown columns sort by value accepted."""
    column = sort.lstrip("-")
    if column not in SORTS:
        return "value_accepted", True
    return column, sort.startswith("-")


def sort_rows(rows: list[OfferRow], sort: str) -> list[OfferRow]:
    column, descending = sort_key(sort)
    if column == "name":
        return sorted(rows, key=lambda r: (r.name.casefold(), r.key), reverse=descending)
    present = [r for r in rows if getattr(r, column) is not None]
    absent = [r for r in rows if getattr(r, column) is None]
    ordered = sorted(present, key=lambda r: (getattr(r, column), r.key), reverse=descending)
    return ordered + sorted(absent, key=lambda r: r.key)  # "—" last either way


def default_sort(by: str) -> str:
    return "name" if by == OfferGrouping.MONTH else "-value_accepted"


def offers(
    user: Any,
    *,
    by: str = OfferGrouping.REP,
    period: compute.Period | None = None,
    sort: str | None = None,
) -> Offers:
    """The offer figures ``user`` sees, grouped ``by`` rep, product or month."""
    period = period or default_period()
    quotes = _quotes(user, period)
    base, rates, missing = _rates(quotes, period.end)
    funnel = _funnel(quotes, rates, base)
    if by == OfferGrouping.PRODUCT:
        grouped = _product_rows(quotes, rates)
    else:
        grouped = _quote_rows(by, quotes, rates)
    for row in grouped.values():
        row.value_quoted = money.quantize(row.value_quoted, base)
        row.value_sent = money.quantize(row.value_sent, base)
        row.value_accepted = money.quantize(row.value_accepted, base)
    rows = sort_rows(list(grouped.values()), sort or default_sort(by))
    return Offers(by, period, base, missing, funnel, rows)
