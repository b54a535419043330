"""Lifetime value and churn as a snapshot (issue 13, item 6): every customer's purchases
up to the snapshot's as-of day, the BG/NBD and Gamma-Gamma models fitted on them
(``analytics.clv``), and per customer the chance she is still active, her expected
purchases in the next 90 days and her expected revenue in the next 12 months.

The purchases are the orders every analysis reads (``compute``: not cancelled nor in
the trash, net amount in the base currency at the as-of day's rate; the customer is the
order's organization, else its person), each at its day in the company's time zone.
A snapshot as of a past day ignores every order after it: that is a backtest.

A history the models cannot be fitted to (too few customers, nobody bought twice, a fit
that does not settle) fails the snapshot with the models' plain message, and the
previous snapshot stays. No NaN is ever stored: a figure that is not finite fails the
snapshot too.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.analytics import clv, compute
from clientela.analytics.analyses import Analysis, Outcome, Progress, register_analysis
from clientela.analytics.choices import AnalysisKind
from clientela.analytics.errors import BadInput
from clientela.analytics.models import ClvRow, Snapshot
from clientela.contacts.models import Organization, Person
from clientela.core.db import insert_rows

#: Time is counted in weeks, as in the published analyses.
TIME_UNIT = "weeks"
#: The forecasts' horizons, in days.
PURCHASES_DAYS = 90
REVENUE_DAYS = 365
#: "At risk": a customer among the most valuable whose chance to be active fell below
#: the threshold (both can be chosen on the page and in the API).
AT_RISK_BELOW = 0.5
VALUABLE_TOP_PERCENT = 20
BATCH = 2000
#: How a snapshot values future purchases: the Gamma-Gamma model, or, when that model
#: cannot be fitted to the shop's spend, each customer's own average.
SPEND_MODEL = "gamma-gamma"
SPEND_AVERAGE = "average"
CENT = Decimal("0.01")

Customer = tuple[str, int]  # ("p", person id) or ("o", organization id)


@dataclass(frozen=True)
class Model:
    """The fitted models as a snapshot keeps them (its ``parameters["model"]``)."""

    r: float
    alpha: float
    a: float
    b: float
    #: Gamma-Gamma's parameters; None when it could not be fitted (``spend_model``).
    p: float | None
    q: float | None
    v: float | None
    time_unit: str
    log_likelihood: float
    customers: int
    #: 0.0, or the pull a fit that ran off was done again with (``clv.fitting``).
    penalty: float = 0.0
    #: ``SPEND_MODEL``, or ``SPEND_AVERAGE`` with why Gamma-Gamma was not used
    #: (``spend_note``) and the average spend per repeat purchase it used instead.
    spend_model: str = SPEND_MODEL
    spend_note: str = ""
    average_spend: float | None = None

    @classmethod
    def of(cls, snapshot: Snapshot | None) -> Model | None:
        stored = (snapshot.parameters or {}).get("model") if snapshot else None
        if not stored:
            return None
        return cls(**{name: stored[name] for name in cls.__dataclass_fields__ if name in stored})

    @property
    def mean_spend(self) -> float:
        """The average spend per purchase across customers: p·v/(q−1), or the average
        repeat purchase without Gamma-Gamma."""
        if self.p is None or self.q is None or self.v is None:
            return self.average_spend or 0.0
        return self.p * self.v / (self.q - 1)

    @property
    def weeks_between_purchases(self) -> float:
        """The typical time between two purchases of an active customer: α/r weeks."""
        return self.alpha / self.r

    @property
    def churn_after_purchase(self) -> float:
        """The average chance to leave right after a purchase: a/(a+b)."""
        return self.a / (self.a + self.b)


def _transactions(period: compute.Period) -> tuple[list[Any], compute.Source]:
    """Every order up to the as-of day as (customer, local day, amount in the base
    currency)."""
    src = compute._source(period, compute.OrderFilter())
    ck, cid = compute._CUSTOMER
    sql = (
        f"SELECT {ck}, {cid}, o.ordered_at, o.subtotal * {src.rate_sql}"  # noqa: S608 - no user text in the SQL
        f" FROM sales_order o WHERE {src.where}"
    )
    zone = timezone.get_current_timezone()
    rows: list[Any] = []
    with connection.cursor() as cursor:
        cursor.execute(sql, [*src.rate_params, *src.params])
        while chunk := cursor.fetchmany(BATCH):
            for kind, pk, moment, amount in chunk:
                if isinstance(moment, str):  # SQLite through a raw cursor
                    moment = datetime.datetime.fromisoformat(moment)
                if timezone.is_naive(moment):
                    moment = timezone.make_aware(moment, datetime.UTC)
                rows.append(((kind, int(pk)), moment.astimezone(zone).date(), float(amount or 0)))
    return rows, src


def _names(customers: tuple[Customer, ...]) -> dict[Customer, str]:
    people = [pk for kind, pk in customers if kind == "p"]
    organizations = [pk for kind, pk in customers if kind == "o"]
    names: dict[Customer, str] = {}
    for start in range(0, len(people), BATCH):
        for pk, first, last in Person.objects.filter(
            pk__in=people[start : start + BATCH]
        ).values_list("pk", "first_name", "last_name"):
            names[("p", pk)] = f"{first} {last}".strip()
    for start in range(0, len(organizations), BATCH):
        chunk = organizations[start : start + BATCH]
        for pk, name in Organization.objects.filter(pk__in=chunk).values_list("pk", "name"):
            names[("o", pk)] = name
    return names


def _money(value: float) -> Decimal:
    return Decimal(repr(value)).quantize(CENT)


def _finite(*columns: Any) -> None:
    if not all(np.all(np.isfinite(column)) for column in columns):
        raise BadInput(_("The lifetime-value model gave no usable figure for some customers."))


def fit(
    rows: list[Any], as_of: datetime.date
) -> tuple[clv.Summary[Customer], Model, dict[str, Any]]:
    """The summary of ``rows`` as of ``as_of``, the fitted models and each customer's
    figures (columns by name, in the summary's order). Raises ``BadInput`` with the
    models' plain message when they cannot be fitted."""
    try:
        summary = clv.summary_from_transactions(rows, calibration_end=as_of, time_unit=TIME_UNIT)
        buying = clv.fit_bgnbd(summary)
        horizon = clv.units(REVENUE_DAYS, TIME_UNIT)
        figures = {
            "p_alive": buying.p_alive(summary),
            "purchases": buying.expected_purchases(clv.units(PURCHASES_DAYS, TIME_UNIT), summary),
        }
    except clv.ModelDidNotConverge as exc:
        raise BadInput(exc.message) from exc
    spending: clv.GammaGamma | None = None
    note, average = "", None
    try:
        spending = clv.fit_gamma_gamma(summary)
        figures["revenue"] = clv.expected_revenue(buying, spending, summary, horizon)
    except clv.ModelDidNotConverge as exc:
        # The buying model stands on its own: value its forecast at each customer's
        # own average purchase (the shop's average for one-time buyers), and say why.
        note = exc.message
        average, per_purchase = average_spend(summary)
        figures["revenue"] = buying.expected_purchases(horizon, summary) * per_purchase
    _finite(*figures.values())
    model = Model(
        r=buying.r,
        alpha=buying.alpha,
        a=buying.a,
        b=buying.b,
        p=spending.p if spending else None,
        q=spending.q if spending else None,
        v=spending.v if spending else None,
        time_unit=TIME_UNIT,
        log_likelihood=buying.log_likelihood,
        customers=buying.customers,
        penalty=buying.penalty,
        spend_model=SPEND_MODEL if spending else SPEND_AVERAGE,
        spend_note=note,
        average_spend=average,
    )
    spend_params = [spending.p, spending.q, spending.v] if spending else [average or 0.0]
    _finite(np.asarray([*buying.params, *spend_params, model.log_likelihood]))
    return summary, model, figures


def average_spend(summary: clv.Summary[Any]) -> tuple[float, np.ndarray[Any, Any]]:
    """The shop's average spend per repeat purchase, and each customer's value of a
    future purchase without Gamma-Gamma: her own average repeat spend, or the shop's
    for a customer with none. ``BadInput`` when nobody repeat-bought with an amount."""
    repeat = (summary.frequency > 0) & (summary.monetary > 0)
    purchases = float(summary.frequency[repeat].sum())
    if purchases == 0:
        raise BadInput(_("No customer has bought again with an amount yet: nothing to value."))
    average = float((summary.frequency[repeat] * summary.monetary[repeat]).sum()) / purchases
    return average, np.where(repeat, summary.monetary, average)


def _spent(rows: list[Any], as_of: datetime.date) -> dict[Customer, float]:
    totals: dict[Customer, list[float]] = {}
    for customer, day, amount in rows:
        if day <= as_of:
            totals.setdefault(customer, []).append(amount)
    return {customer: math.fsum(amounts) for customer, amounts in totals.items()}


#: The columns ``_rows`` gives, in order.
COLUMNS = [
    "snapshot_id",
    "person_id",
    "organization_id",
    "name",
    "frequency",
    "recency",
    "age",
    "monetary",
    "revenue",
    "value_rank",
    "p_alive",
    "expected_purchases_90d",
    "expected_revenue_12m",
]


def _rows(
    snapshot: Snapshot,
    summary: clv.Summary[Customer],
    figures: dict[str, Any],
    spent: dict[Customer, float],
) -> Iterator[tuple[Any, ...]]:
    """Each customer's row (``COLUMNS``)."""
    names = _names(summary.customer_ids)
    ranking = sorted(summary.customer_ids, key=lambda c: (-spent.get(c, 0.0), c))
    rank = {customer: n for n, customer in enumerate(ranking, start=1)}
    alive = np.clip(figures["p_alive"], 0.0, 1.0).tolist()
    purchases, revenue = figures["purchases"].tolist(), figures["revenue"].tolist()
    frequency, recency = summary.frequency.tolist(), summary.recency.tolist()
    ages, monetary = summary.T.tolist(), summary.monetary.tolist()
    for i, customer in enumerate(summary.customer_ids):
        kind, pk = customer
        yield (
            snapshot.pk,
            pk if kind == "p" else None,
            pk if kind == "o" else None,
            names.get(customer) or "—",
            int(frequency[i]),
            recency[i],
            ages[i],
            _money(monetary[i]),
            _money(spent.get(customer, 0.0)),
            rank[customer],
            alive[i],
            purchases[i],
            _money(revenue[i]),
        )


def run_clv(snapshot: Snapshot, progress: Progress) -> Outcome:
    """Fill ``snapshot`` with every customer's figures (``Analysis.run``)."""
    period = compute.Period(snapshot.period_start, snapshot.period_end)
    rows, src = _transactions(period)
    progress(20)
    summary, model, figures = fit(rows, period.end)
    progress(60)
    spent = _spent(rows, period.end)
    with transaction.atomic():
        insert_rows(ClvRow, COLUMNS, list(_rows(snapshot, summary, figures, spent)))
    return Outcome(
        src.base_currency,
        frozenset(src.missing_rates),
        {"model": asdict(model), "mean_spend": round(model.mean_spend, 2)},
    )


def register() -> None:
    """The ``clv`` kind of analysis (``AnalyticsConfig.ready``)."""
    register_analysis(
        Analysis(
            kind=AnalysisKind.CLV,
            rows=(ClvRow,),
            run=run_clv,
            page="analytics:clv",
            # Every order up to the as-of day: the models judge each customer by her
            # whole history.
            default_months=None,
            default_parameters=lambda: {
                "at_risk_below": AT_RISK_BELOW,
                "valuable_top_percent": VALUABLE_TOP_PERCENT,
            },
            keep_per_as_of=True,
        )
    )
