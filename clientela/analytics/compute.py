"""ABC analysis and RFM segmentation computed in the database (issue 13, items 2, 3).

Each analysis is one SQL statement over the orders: the revenue per customer or product
(``GROUP BY``), then window functions for the ranking, running totals (ABC) and the
quintile scores (RFM). The same statement either fills a snapshot's rows (``INSERT …
SELECT``: nothing goes through Python) or returns rows for a live computation over the
orders one user may see. Portable SQL: SQLite ≥ 3.25 and PostgreSQL run it alike; the
only vendor branch is the number of days between two moments.

What counts as revenue: the net amount (``subtotal``, before tax) of every order that
is not cancelled nor in the trash, converted to the base currency at the exchange rate
valid on the as-of day (``sales.selectors.rates``, as the purchase history and the
forecast convert); currencies without a rate are left out and reported. Amounts are
summed in whole cents (integers), so classes and shares do not depend on float rounding.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils import timezone

from clientela.analytics.segments import segment_case_sql
from clientela.core.choices import Scope
from clientela.core.permissions import rights_for
from clientela.sales.selectors.rates import rates_on


@dataclass(frozen=True)
class Period:
    """Orders from ``start`` (None: from the first) to ``end``, both days included, in
    the company's time zone; ``end`` is also the as-of day."""

    start: datetime.date | None
    end: datetime.date

    def bounds(self) -> tuple[datetime.datetime | None, datetime.datetime]:
        zone = timezone.get_current_timezone()

        def midnight(day: datetime.date) -> datetime.datetime:
            return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min), zone)

        start = midnight(self.start) if self.start else None
        return start, midnight(self.end + datetime.timedelta(days=1))


@dataclass(frozen=True)
class Thresholds:
    """The share of revenue of classes A, B and C in percent (they add up to 100)."""

    a: int = 80
    b: int = 15
    c: int = 5

    def as_dict(self) -> dict[str, int]:
        return {"a": self.a, "b": self.b, "c": self.c}


@dataclass
class OrderFilter:
    """The orders an analysis reads: all of them (a snapshot) or those a user may see."""

    sql: str = ""
    params: list[Any] = field(default_factory=list)
    nothing: bool = False


def orders_visible_to(user: Any | None) -> OrderFilter:
    """The SQL condition on ``o`` (sales_order) for the orders ``user`` may read, as
    ``core.permissions.visibility_q`` says for ``sales.order``; None: every order."""
    if user is None:
        return OrderFilter()
    rights = rights_for(user, "sales.order")
    if not rights.read:
        return OrderFilter(nothing=True)
    if rights.scope == Scope.ALL:
        return OrderFilter()
    if rights.scope == Scope.TEAM and user.team_id is not None:
        return OrderFilter(" AND o.team_id = %s", [user.team_id])
    return OrderFilter(" AND o.owner_id = %s", [user.pk])


def _adapt(moment: datetime.datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(moment)


@dataclass
class Source:
    """The FROM/WHERE of an analysis and the rate CASE, with their parameters."""

    where: str
    params: list[Any]
    rate_sql: str
    rate_params: list[Any]
    base_currency: str
    missing_rates: list[str]


def _source(period: Period, orders: OrderFilter) -> Source:
    start, end = period.bounds()
    where = "o.deleted_at IS NULL AND o.status <> 'cancelled' AND o.ordered_at < %s"
    params: list[Any] = [_adapt(end)]
    if start is not None:
        where += " AND o.ordered_at >= %s"
        params.append(_adapt(start))
    where += " AND (o.person_id IS NOT NULL OR o.organization_id IS NOT NULL)" + orders.sql
    params += orders.params
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT o.currency FROM sales_order o WHERE {where}", params)  # noqa: S608
        currencies = sorted(row[0] for row in cursor.fetchall())
    base, rates = rates_on(currencies, period.end)
    missing = [code for code in currencies if code not in rates]
    if rates:
        whens = " ".join("WHEN %s THEN CAST(%s AS NUMERIC)" for _code in rates)
        rate_sql = f"CASE o.currency {whens} END"
        rate_params: list[Any] = [
            v for code, rate in sorted(rates.items()) for v in (code, str(rate))
        ]
        where += " AND o.currency IN (" + ", ".join(["%s"] * len(rates)) + ")"
        params += sorted(rates)
    else:
        rate_sql, rate_params = "0", []
        where += " AND 1 = 0"
    if orders.nothing:
        where += " AND 1 = 0"
    return Source(where, params, rate_sql, rate_params, base, missing)


#: A customer: the order's organization when it has one, else its person.
_CUSTOMER = (
    "CASE WHEN o.organization_id IS NULL THEN 'p' ELSE 'o' END",
    "COALESCE(o.organization_id, o.person_id)",
)
_NAMES = (
    " LEFT JOIN contacts_person cp ON g.ck = 'p' AND cp.id = g.cid"
    " LEFT JOIN contacts_organization co ON g.ck = 'o' AND co.id = g.cid"
)
_NAME = "COALESCE(co.name, TRIM(cp.first_name || ' ' || cp.last_name))"


def _cents(amount_sql: str, rate_sql: str) -> str:
    return f"CAST(ROUND(SUM({amount_sql} * {rate_sql}) * 100) AS BIGINT)"


# --- ABC -------------------------------------------------------------------------------

_ABC_COLUMNS = (
    "of, person_id, organization_id, product_id, name, rank, revenue, share,"
    " cumulative_share, abc_class"
)


def _abc_select(of: str, src: Source, thresholds: Thresholds) -> tuple[str, list[Any]]:
    """The ABC rows of customers or products, best first, as one SELECT."""
    if of == "customers":
        ck, cid = _CUSTOMER
        grouped = (
            f"SELECT {ck} AS ck, {cid} AS cid, {_cents('o.subtotal', src.rate_sql)} AS cents"  # noqa: S608 - no user text in the SQL
            f" FROM sales_order o WHERE {src.where} GROUP BY {ck}, {cid}"
        )
        ids = (
            "CASE WHEN x.ck = 'p' THEN x.cid END, CASE WHEN x.ck = 'o' THEN x.cid END,"
            " CAST(NULL AS BIGINT)"
        )
        names, name = _NAMES, _NAME
    else:
        grouped = (
            f"SELECT 'x' AS ck, l.product_id AS cid, {_cents('l.subtotal', src.rate_sql)} AS cents"  # noqa: S608 - no user text in the SQL
            " FROM sales_orderline l JOIN sales_order o ON o.id = l.order_id"
            f" WHERE l.product_id IS NOT NULL AND {src.where} GROUP BY l.product_id"
        )
        ids = "CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), x.cid"
        names, name = " JOIN sales_product sp ON sp.id = g.cid", "sp.name"
    order = "ORDER BY g.cents DESC, g.ck, g.cid"
    ranked = (
        f"SELECT g.ck, g.cid, g.cents, {name} AS name,"  # noqa: S608 - no user text in the SQL
        f" ROW_NUMBER() OVER ({order}) AS rank,"
        f" SUM(g.cents) OVER ({order} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cum,"
        " SUM(g.cents) OVER () AS total"
        f" FROM ({grouped}) g{names} WHERE g.cents > 0"
    )
    # A row's class is decided by the revenue ranked above it: the row that crosses a
    # threshold still belongs to the class it starts in (so the best one is always A).
    sql = (
        f"SELECT %s, {ids}, x.name, x.rank,"  # noqa: S608 - no user text in the SQL
        " CAST(x.cents AS NUMERIC) / 100, CAST(x.cents AS DOUBLE PRECISION) / x.total,"
        " CAST(x.cum AS DOUBLE PRECISION) / x.total,"
        " CASE WHEN (x.cum - x.cents) * 100 < x.total * %s THEN 'A'"
        " WHEN (x.cum - x.cents) * 100 < x.total * %s THEN 'B' ELSE 'C' END"
        f" FROM ({ranked}) x"
    )
    params = [of, thresholds.a, thresholds.a + thresholds.b, *src.rate_params, *src.params]
    return sql, params


def abc_into(
    snapshot_id: int, of: str, period: Period, thresholds: Thresholds, src: Source | None = None
) -> Source:
    """Fill a snapshot with the ABC rows of every order's customers or products
    (``src``: the orders and rates, when already read for the other half)."""
    src = src or _source(period, OrderFilter())
    sql, params = _abc_select(of, src, thresholds)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO analytics_abcrow (snapshot_id, {_ABC_COLUMNS})"  # noqa: S608 - as above
            f" SELECT %s, y.* FROM ({sql}) y",
            [snapshot_id, *params],
        )
    return src


@dataclass(frozen=True)
class AbcItem:
    person_id: int | None
    organization_id: int | None
    product_id: int | None
    name: str
    rank: int
    revenue: Decimal
    share: float
    cumulative_share: float
    abc_class: str

    @property
    def id(self) -> int | None:
        return self.product_id or self.organization_id or self.person_id


def abc_live(
    of: str, period: Period, thresholds: Thresholds, user: Any
) -> tuple[list[AbcItem], Source]:
    """The ABC rows computed now over the orders ``user`` may see."""
    src = _source(period, orders_visible_to(user))
    sql, params = _abc_select(of, src, thresholds)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [
        AbcItem(
            person_id=r[1],
            organization_id=r[2],
            product_id=r[3],
            name=r[4] or "—",
            rank=int(r[5]),
            revenue=Decimal(r[6]).quantize(Decimal("0.01")),
            share=float(r[7]),
            cumulative_share=float(r[8]),
            abc_class=r[9],
        )
        for r in rows
    ], src


def classify(items: list[AbcItem], thresholds: Thresholds) -> list[AbcItem]:
    """The same ranking and classes as the SQL, over a subset of rows (what one user may
    see of a snapshot): shares of the subset's own total."""
    ranked = sorted(items, key=lambda i: (-i.revenue, i.rank))
    total = sum((i.revenue for i in ranked), Decimal(0))
    out: list[AbcItem] = []
    before = Decimal(0)
    for n, item in enumerate(ranked, start=1):
        if total <= 0:
            break
        if before * 100 < total * thresholds.a:
            grade = "A"
        elif before * 100 < total * (thresholds.a + thresholds.b):
            grade = "B"
        else:
            grade = "C"
        before += item.revenue
        out.append(
            AbcItem(
                person_id=item.person_id,
                organization_id=item.organization_id,
                product_id=item.product_id,
                name=item.name,
                rank=n,
                revenue=item.revenue,
                share=float(item.revenue / total),
                cumulative_share=float(before / total),
                abc_class=grade,
            )
        )
    return out


# --- RFM -------------------------------------------------------------------------------


def _days_between(later: str, earlier: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(FLOOR(EXTRACT(EPOCH FROM ({later} - {earlier})) / 86400) AS INTEGER)"
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


def _quintile(order_by: str) -> str:
    """1–5 by quintile of the ranking; equal values get the same (lower) score."""
    return f"1 + (RANK() OVER (ORDER BY {order_by}) - 1) * 5 / COUNT(*) OVER ()"


_RFM_COLUMNS = (
    "person_id, organization_id, name, last_order_at, recency_days, frequency, monetary,"
    " r, f, m, segment"
)


def rfm_into(snapshot_id: int, period: Period) -> Source:
    """Fill a snapshot with every customer's RFM row, in one statement."""
    src = _source(period, OrderFilter())
    _start, as_of = period.bounds()
    ck, cid = _CUSTOMER
    grouped = (
        f"SELECT {ck} AS ck, {cid} AS cid, MAX(o.ordered_at) AS last_at, COUNT(*) AS frequency,"  # noqa: S608 - no user text in the SQL
        f" {_cents('o.subtotal', src.rate_sql)} AS cents"
        f" FROM sales_order o WHERE {src.where} GROUP BY {ck}, {cid}"
    )
    scored = (
        f"SELECT g.*, {_quintile('g.last_at')} AS r, {_quintile('g.frequency')} AS f,"  # noqa: S608 - no user text in the SQL
        f" {_quintile('g.cents')} AS m FROM ({grouped}) g"
    )
    sql = (
        f"INSERT INTO analytics_rfmrow (snapshot_id, {_RFM_COLUMNS})"  # noqa: S608 - no user text in the SQL
        " SELECT %s, CASE WHEN g.ck = 'p' THEN g.cid END, CASE WHEN g.ck = 'o' THEN g.cid END,"
        f" COALESCE({_NAME}, '—'), g.last_at, {_days_between('%s', 'g.last_at')},"
        " g.frequency, CAST(g.cents AS NUMERIC) / 100, g.r, g.f, g.m,"
        f" {segment_case_sql('g.r', 'g.f')}"
        f" FROM ({scored}) g{_NAMES}"
    )
    params = [snapshot_id, _adapt(as_of), *src.rate_params, *src.params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    return src
