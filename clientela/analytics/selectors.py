"""Every read of the analytics, scoped to what the asking user may see.

Snapshots hold every customer's row. A user reads:

* nothing unless their role may read orders (the figures come from orders);
* of the customer ABC and of RFM, the rows of the people and organizations they may
  see (the contacts' own visibility). A user who sees every order and every customer
  gets the snapshot as it is; anyone else gets the ABC shares and classes computed
  again over the rows they see (``compute.classify``), so a rep's "A customers" are
  the best of their own customers and their totals count nothing they may not see.
  RFM scores stay those of the whole customer base (a score says where a customer
  stands among all customers);
* of the product ABC, a computation made now over the orders they may see, with the
  snapshot's period and thresholds (a product's revenue mixes every customer's orders,
  which a snapshot cannot split per user);
* for another period than the snapshot's (the API's ``from``/``to``), a computation
  made now over the orders they may see.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from django.db.models import Count, Q, QuerySet, Sum

from clientela.analytics import compute
from clientela.analytics.analyses import analysis_of
from clientela.analytics.choices import AbcOf, AnalysisKind, SnapshotStatus
from clientela.analytics.models import AbcRow, CustomerRow, RfmRow, Snapshot
from clientela.contacts.models import Organization, Person
from clientela.core.choices import Scope
from clientela.core.permissions import can, rights_for
from clientela.sales.choices import LeadStatus
from clientela.sales.models import Lead

R = TypeVar("R", bound=CustomerRow)


def may_read(user: Any) -> bool:
    return can(user, "read", "sales.order")


def sees_everything(user: Any) -> bool:
    return all(
        rights_for(user, resource).read and rights_for(user, resource).scope == Scope.ALL
        for resource in ("sales.order", "contacts.person", "contacts.organization")
    )


def current(kind: str) -> Snapshot | None:
    """The newest finished snapshot of ``kind`` (of a kind kept per as-of day, the one
    with the latest as-of: a backtest as of a past day does not replace it)."""
    done = Snapshot.objects.filter(kind=kind, status=SnapshotStatus.DONE)
    if analysis_of(kind).keep_per_as_of:
        return done.order_by("-as_of", "-finished_at", "-id").first()
    return done.order_by("-finished_at", "-id").first()


def latest(kind: str) -> Snapshot | None:
    """The newest snapshot of ``kind`` whatever its status (a refresh in progress or
    one that failed, for the page to show)."""
    return Snapshot.objects.filter(kind=kind).order_by("-created_at", "-id").first()


def snapshot_get(user: Any, pk: int) -> Snapshot | None:
    """One snapshot (a refresh job to poll), for those who may read analytics."""
    if not may_read(user):
        return None
    return Snapshot.objects.filter(pk=pk).first()


def _visible_customers(user: Any) -> Q:
    return Q(person__in=Person.objects.alive().visible_to(user).values("pk")) | Q(
        organization__in=Organization.objects.alive().visible_to(user).values("pk")
    )


# --- ABC -------------------------------------------------------------------------------


@dataclass
class AbcResult:
    """An ABC analysis as one user sees it."""

    of: str
    snapshot: Snapshot | None
    period: compute.Period | None
    thresholds: compute.Thresholds
    base_currency: str = ""
    missing_rates: list[str] = field(default_factory=list)
    #: Every row, best first, when computed for the user; else read from ``rows_qs``.
    items: list[compute.AbcItem] | None = None
    rows_qs: QuerySet[AbcRow] | None = None

    def page(self, after: int = 0, limit: int = 50) -> list[compute.AbcItem]:
        """The rows ranked after ``after``, at most ``limit``."""
        if self.items is not None:
            return [i for i in self.items if i.rank > after][:limit]
        if self.rows_qs is None:
            return []
        return [_item(row) for row in self.rows_qs.filter(rank__gt=after).order_by("rank")[:limit]]

    def of_class(self, grade: str, limit: int = 50) -> list[compute.AbcItem]:
        if self.items is not None:
            return [i for i in self.items if i.abc_class == grade][:limit]
        if self.rows_qs is None:
            return []
        rows = self.rows_qs.filter(abc_class=grade).order_by("rank")[:limit]
        return [_item(row) for row in rows]

    def summary(self) -> dict[str, dict[str, Any]]:
        """Per class: how many rows and their revenue."""
        out: dict[str, dict[str, Any]] = {g: {"count": 0, "revenue": Decimal(0)} for g in "ABC"}
        if self.items is not None:
            for item in self.items:
                out[item.abc_class]["count"] += 1
                out[item.abc_class]["revenue"] += item.revenue
        elif self.rows_qs is not None:
            grouped = self.rows_qs.values("abc_class").annotate(
                n=Count("id"), revenue=Sum("revenue")
            )
            for row in grouped.order_by():
                out[row["abc_class"]] = {"count": row["n"], "revenue": row["revenue"] or Decimal(0)}
        return out

    def curve(self, points: int = 60) -> list[tuple[float, float]]:
        """The Pareto curve: (share of rows, cumulative share of revenue), at most
        ``points`` points from (0, 0) to (1, 1)."""
        if self.items is not None:
            shares = [i.cumulative_share for i in self.items]
        elif self.rows_qs is not None:
            shares = list(self.rows_qs.order_by("rank").values_list("cumulative_share", flat=True))
        else:
            shares = []
        n = len(shares)
        if not n:
            return []
        step = max(1, n // points)
        picked = [(k + 1) / n for k in range(step - 1, n, step)]
        curve = [(0.0, 0.0)] + [(x, shares[round(x * n) - 1]) for x in picked]
        if curve[-1][0] < 1:
            curve.append((1.0, shares[-1]))
        return curve

    @property
    def is_empty(self) -> bool:
        if self.items is not None:
            return not self.items
        return self.rows_qs is None or not self.rows_qs.exists()


def _item(row: AbcRow) -> compute.AbcItem:
    return compute.AbcItem(
        person_id=row.person_id,
        organization_id=row.organization_id,
        product_id=row.product_id,
        name=row.name,
        rank=row.rank,
        revenue=row.revenue,
        share=row.share,
        cumulative_share=row.cumulative_share,
        abc_class=row.abc_class,
    )


def abc(
    user: Any,
    of: str = AbcOf.CUSTOMERS,
    period: compute.Period | None = None,
    thresholds: compute.Thresholds | None = None,
) -> AbcResult:
    """The ABC analysis of customers or products as ``user`` may see it: from the current
    snapshot, or computed now for another period or thresholds."""
    snapshot = current(AnalysisKind.ABC)
    stored = compute.Thresholds(**snapshot.parameters.get("thresholds", {})) if snapshot else None
    thresholds = thresholds or stored or compute.Thresholds()
    if not may_read(user):
        return AbcResult(of, None, period, thresholds)
    if snapshot is not None and period is None:
        period = compute.Period(snapshot.period_start, snapshot.period_end)
    same = (
        snapshot is not None
        and period == compute.Period(snapshot.period_start, snapshot.period_end)
        and thresholds == stored
    )
    if snapshot is None and period is None:
        return AbcResult(of, None, None, thresholds)
    assert period is not None
    if not same or (of == AbcOf.PRODUCTS and not sees_everything(user)):
        items, src = compute.abc_live(of, period, thresholds, user)
        return AbcResult(
            of,
            snapshot if same else None,
            period,
            thresholds,
            src.base_currency,
            src.missing_rates,
            items=items,
        )
    assert snapshot is not None
    rows = AbcRow.objects.filter(snapshot=snapshot, of=of)
    result = AbcResult(
        of,
        snapshot,
        period,
        thresholds,
        snapshot.parameters.get("base_currency", ""),
        snapshot.parameters.get("missing_rates", []),
    )
    if sees_everything(user):
        result.rows_qs = rows
    else:
        visible = [_item(r) for r in rows.filter(_visible_customers(user)).order_by("rank")]
        result.items = compute.classify(visible, thresholds)
    return result


def abc_class_of(user: Any, record: Person | Organization) -> compute.AbcItem | None:
    """The customer's row of the ABC analysis as ``user`` sees it, if any."""
    key = "person_id" if isinstance(record, Person) else "organization_id"
    snapshot = current(AnalysisKind.ABC)
    if snapshot is None or not may_read(user):
        return None
    if sees_everything(user):
        row = AbcRow.objects.filter(
            snapshot=snapshot, of=AbcOf.CUSTOMERS, **{key: record.pk}
        ).first()
        return _item(row) if row else None
    result = abc(user, AbcOf.CUSTOMERS)
    return next((i for i in result.items or [] if getattr(i, key) == record.pk), None)


# --- RFM -------------------------------------------------------------------------------


def customer_rows(model: type[R], kind: str, user: Any) -> QuerySet[R]:
    """The current ``kind`` snapshot's rows (``model``, a ``CustomerRow``) of the
    customers ``user`` may see; none without a snapshot or the right to read orders."""
    snapshot = current(kind)
    if snapshot is None or not may_read(user):
        return model._default_manager.none()
    rows = model._default_manager.filter(snapshot=snapshot)
    if not sees_everything(user):
        rows = rows.filter(_visible_customers(user))
    return rows


def rfm_rows(user: Any, segment: str | None = None) -> QuerySet[RfmRow]:
    """The current snapshot's RFM rows of the customers ``user`` may see, most valuable
    first, optionally of one segment."""
    rows = customer_rows(RfmRow, AnalysisKind.RFM, user)
    if segment:
        rows = rows.filter(segment=segment)
    return rows.order_by("-monetary", "id")


def rfm_counts(user: Any) -> tuple[Counter[tuple[int, int]], Counter[str]]:
    """How many visible customers fall in each (R, F) cell and in each segment."""
    cells: Counter[tuple[int, int]] = Counter()
    segments: Counter[str] = Counter()
    grouped = rfm_rows(user).order_by().values("r", "f", "segment").annotate(n=Count("id"))
    for row in grouped:
        cells[(row["r"], row["f"])] += row["n"]
        segments[row["segment"]] += row["n"]
    return cells, segments


def rfm_of(user: Any, record: Person | Organization) -> RfmRow | None:
    key = "person_id" if isinstance(record, Person) else "organization_id"
    return rfm_rows(user).filter(**{key: record.pk}).first()


# --- lead scoring -------------------------------------------------------------------------


def may_read_leads(user: Any) -> bool:
    """The lead scoring page is for whoever may read leads."""
    return can(user, "read", "sales.lead")


def best_open_leads(user: Any, limit: int = 10) -> list[Lead]:
    """The open leads ``user`` may see, best score first (the ones to call first)."""
    opened = (LeadStatus.NEW, LeadStatus.CONTACTED, LeadStatus.QUALIFIED)
    return list(
        Lead.objects.alive()
        .visible_to(user)
        .filter(status__in=opened, score__isnull=False)
        .order_by("-score", "-id")[:limit]
    )


def has_leads(user: Any) -> bool:
    return Lead.objects.alive().visible_to(user).exists()
