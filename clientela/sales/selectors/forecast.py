"""The sales forecast: what the visible deals closing in a period are worth, per owner,
per team and in total, in the company's base currency.

For the deals whose expected ``close_date`` falls in the period (both ends included):

* **open** — the amounts of the open deals;
* **weighted** — each open deal's amount × its probability / 100;
* **committed** — the amounts of the open deals with a probability of at least
  ``COMMITTED_PROBABILITY`` (90 %);
* **won** — the amounts of the won deals (by their close date, like the rest, so one
  period's figures come from one set of deals). Lost deals count nowhere.

One SQL query sums the deals grouped by owner, team and currency, reading the
``deal_close_idx`` index (close_date, status, owner, currency) for the period; amounts
are summed as whole thousandths (integers), so the sums are exact on SQLite too, where
decimals are stored as floating point. Each currency is then converted at today's
exchange rate (``selectors.rates``); currencies without a rate are left out of the
converted figures and listed in ``missing_rates``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    Sum,
    Value,
    When,
)
from django.utils import timezone

from clientela.core.models import Team, User
from clientela.sales import money
from clientela.sales.choices import DealStatus
from clientela.sales.models import Pipeline
from clientela.sales.selectors.deals import deals_for
from clientela.sales.selectors.rates import rates_on

#: Open deals at or above this probability (percent) are "committed".
COMMITTED_PROBABILITY = 90
#: Amounts are summed in thousandths (the stored precision) as integers.
SCALE = 1000
MEASURES = ("open", "weighted", "committed", "won")


@dataclass
class ForecastRow:
    """The four figures of one owner, one team or the total, in the base currency."""

    key: int | None
    name: str
    open: Decimal = Decimal(0)
    weighted: Decimal = Decimal(0)
    committed: Decimal = Decimal(0)
    won: Decimal = Decimal(0)
    deals: int = 0

    def add(self, other: dict[str, Decimal], deals: int) -> None:
        for measure in MEASURES:
            setattr(self, measure, getattr(self, measure) + other[measure])
        self.deals += deals

    def rounded(self, currency: str) -> ForecastRow:
        values = {m: money.quantize(getattr(self, m), currency) for m in MEASURES}
        return ForecastRow(key=self.key, name=self.name, deals=self.deals, **values)

    def as_strings(self) -> dict[str, str]:
        return {m: str(getattr(self, m)) for m in MEASURES}


@dataclass
class Forecast:
    date_from: datetime.date
    date_to: datetime.date
    base_currency: str
    owners: list[ForecastRow]
    teams: list[ForecastRow]
    total: ForecastRow
    missing_rates: list[str] = field(default_factory=list)
    committed_probability: int = COMMITTED_PROBABILITY

    @property
    def is_empty(self) -> bool:
        return self.total.deals == 0


class Thousandths(Func):
    """``ROUND(amount × 1000)``: an amount as a whole number of thousandths (the stored
    precision). SQLite keeps decimals as floating point, but whole numbers below 2**53
    add up exactly there too, so the sums are exact on both databases (PostgreSQL sums
    ``numeric``)."""

    template = f"ROUND(%(expressions)s * {SCALE})"
    output_field = FloatField()


def _pk(value: Any) -> int:
    return int(getattr(value, "pk", value))


def forecast_rows(
    user: Any,
    *,
    date_from: datetime.date,
    date_to: datetime.date,
    pipeline: Any = None,
    team: Any = None,
    owner: Any = None,
) -> list[dict[str, Any]]:
    """The one aggregate query: per (owner, team, currency) the scaled integer sums."""
    qs = deals_for(user).filter(
        close_date__gte=date_from,
        close_date__lte=date_to,
        status__in=[DealStatus.OPEN, DealStatus.WON],
    )
    for column, value in (("pipeline_id", pipeline), ("team_id", team), ("owner_id", owner)):
        if value is not None:
            qs = qs.filter(**{column: _pk(value)})
    scaled = Thousandths(F("amount"))
    weighted = ExpressionWrapper(scaled * F("probability"), output_field=FloatField())
    is_open = {"status": DealStatus.OPEN}
    zero = Value(0, output_field=IntegerField())

    def total(when: When) -> Sum:
        return Sum(Case(when, default=zero, output_field=FloatField()))

    rows: Any = (
        qs.order_by()
        .values("owner_id", "team_id", "currency")
        .annotate(
            open=total(When(**is_open, then=scaled)),
            weighted=total(When(**is_open, then=weighted)),
            committed=total(When(**is_open, probability__gte=COMMITTED_PROBABILITY, then=scaled)),
            won=total(When(status=DealStatus.WON, then=scaled)),
            deals=Count("id"),
        )
    )
    return list(rows)


def forecast(
    user: Any,
    *,
    date_from: datetime.date,
    date_to: datetime.date,
    pipeline: Any = None,
    team: Any = None,
    owner: Any = None,
) -> Forecast:
    """The forecast of the deals ``user`` may see (see the module docstring)."""
    rows = forecast_rows(
        user, date_from=date_from, date_to=date_to, pipeline=pipeline, team=team, owner=owner
    )
    base, rates = rates_on({row["currency"] for row in rows}, timezone.localdate())
    owners: dict[int | None, ForecastRow] = {}
    teams: dict[int | None, ForecastRow] = {}
    total = ForecastRow(key=None, name="")
    missing: set[str] = set()
    for row in rows:
        rate = rates.get(row["currency"])
        if rate is None:
            missing.add(row["currency"])
            continue
        divisor = {m: SCALE * (100 if m == "weighted" else 1) for m in MEASURES}
        converted = {m: Decimal(row[m] or 0) / divisor[m] * rate for m in MEASURES}
        owners.setdefault(row["owner_id"], ForecastRow(key=row["owner_id"], name="")).add(
            converted, row["deals"]
        )
        teams.setdefault(row["team_id"], ForecastRow(key=row["team_id"], name="")).add(
            converted, row["deals"]
        )
        total.add(converted, row["deals"])
    users = {u.pk: u for u in User.objects.filter(pk__in=[k for k in owners if k is not None])}
    team_names = dict(
        Team.objects.filter(pk__in=[k for k in teams if k is not None]).values_list("pk", "name")
    )
    for key, item in owners.items():
        item.name = str(users[key]) if key in users else "—"
    for key, item in teams.items():
        item.name = team_names.get(key, "—") if key is not None else "—"
    return Forecast(
        date_from=date_from,
        date_to=date_to,
        base_currency=base,
        owners=sorted(
            (o.rounded(base) for o in owners.values()), key=lambda o: (-o.weighted, o.name)
        ),
        teams=sorted((t.rounded(base) for t in teams.values()), key=lambda t: t.name.casefold()),
        total=total.rounded(base),
        missing_rates=sorted(missing),
    )


# --- periods ---------------------------------------------------------------------------


def month_bounds(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    first = day.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return first, following - datetime.timedelta(days=1)


def quarter_bounds(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    first_month = 3 * ((day.month - 1) // 3) + 1
    first = day.replace(month=first_month, day=1)
    _start, last = month_bounds(first.replace(month=first_month + 2))
    return first, last


def pipeline_choices() -> list[tuple[int, str]]:
    """The active pipelines, for the forecast's filter (configuration: everyone reads)."""
    return list(Pipeline.objects.filter(is_active=True).values_list("pk", "name"))
