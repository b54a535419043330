"""Every read of the products bought together, scoped to what the asking user may see.

A user who may read every order reads the current ``basket_rules`` snapshot, filtered
by the thresholds they ask for. Anyone else (a rep who sees their own or their team's
orders) gets rules mined now over the orders they may see, with the snapshot's period
and their thresholds: a rule counts baskets of every customer, which a snapshot cannot
split per user, and a rep must not learn from orders they may not see. Thresholds
below the snapshot's are refused for everyone (``rules.clean_filters``), so one
minimum holds whoever asks and the cost of a live mining stays bounded.

Rules naming a product purged from the catalogue are left out; offers leave out
products in the trash or no longer sold.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import combinations, islice
from typing import Any

from django.core.cache import cache
from django.db.models import QuerySet

from clientela.analytics import baskets, rules
from clientela.analytics.analyses import period_of
from clientela.analytics.baskets import Rule
from clientela.analytics.choices import AnalysisKind, BasketKind
from clientela.analytics.models import BasketRule, Snapshot
from clientela.analytics.selectors import current, may_read
from clientela.contacts.models import Organization, Person
from clientela.core.choices import Scope
from clientela.core.permissions import rights_for
from clientela.sales.models import Product

#: The orders of the rules list (``sort``): strongest first (lift × confidence), or by
#: one figure, the strongest breaking ties.
SORTS = ("score", "lift", "confidence", "support", "count")
#: How long rules mined for one user's orders are kept (seconds).
LIVE_SECONDS = 300
#: Above this many antecedent sets of a customer's products, offers read every rule.
MAX_KEYS = 2000
#: A big customer's applicable rules are read this many at a time, strongest first.
OFFER_BATCH = 200


@dataclass
class RulesResult:
    """The rules of one kind of basket as one user sees them."""

    basket: str
    snapshot: Snapshot | None
    #: min_support, min_confidence (what is shown) and max_length.
    thresholds: dict[str, Any]
    #: The thresholds the snapshot was mined with: nothing below them can be shown.
    floor: dict[str, Any]
    sort: str = "score"
    #: Computed for the user (every rule, sorted) or read from the snapshot.
    items: list[Rule] | None = None
    rows_qs: QuerySet[BasketRule] | None = None
    #: How many baskets the rules were mined from (the user's own when live).
    baskets: int = 0

    @property
    def live(self) -> bool:
        return self.items is not None

    def count(self) -> int:
        if self.items is not None:
            return len(self.items)
        return self.rows_qs.count() if self.rows_qs is not None else 0

    def page(self, offset: int = 0, limit: int = 50) -> list[Rule]:
        if self.items is not None:
            return self.items[offset : offset + limit]
        if self.rows_qs is None:
            return []
        rows = list(self.rows_qs[offset : offset + limit])
        return _items(rows, _names_of(rows))

    def all(self) -> Iterator[Rule]:
        if self.items is not None:
            yield from self.items
        elif self.rows_qs is not None:
            for start in range(0, self.count(), rules.BATCH):
                yield from self.page(start, rules.BATCH)


def _sorted(items: list[Rule], sort: str) -> list[Rule]:
    """Strongest first as mined; by another figure, the strongest first among equals."""
    if sort == "score":
        return items
    return sorted(items, key=lambda i: -getattr(i, sort))


def _order_by(sort: str) -> tuple[str, ...]:
    return ("rank",) if sort == "score" else (f"-{sort}", "rank")


def _names_of(rows: list[BasketRule]) -> dict[int, str]:
    ids = {p for row in rows for p in (*row.antecedents, *row.consequents)}
    return dict(Product.objects.filter(pk__in=ids).values_list("pk", "name"))


def _items(rows: list[BasketRule], names: dict[int, str]) -> list[Rule]:
    out = []
    for row in rows:
        products = (*row.antecedents, *row.consequents)
        if any(p not in names for p in products):
            continue  # a product purged since
        out.append(
            Rule(
                antecedents=tuple(row.antecedents),
                consequents=tuple(row.consequents),
                antecedent_names=tuple(names[p] for p in row.antecedents),
                consequent_names=tuple(names[p] for p in row.consequents),
                support=row.support,
                confidence=row.confidence,
                lift=row.lift,
                count=row.count,
            )
        )
    return out


def _from_mined(mined: baskets.MinedRules | None) -> list[Rule]:
    if mined is None:
        return []
    ids = {p for rule in mined.rules for p in (*rule.antecedents, *rule.consequents)}
    names = set(Product.objects.filter(pk__in=ids).values_list("pk", flat=True))
    return [r for r in mined.rules if names.issuperset((*r.antecedents, *r.consequents))]


def current_snapshot() -> Snapshot | None:
    """The basket rules' newest finished snapshot."""
    return current(AnalysisKind.BASKET_RULES)


def sees_every_order(user: Any) -> bool:
    rights = rights_for(user, "sales.order")
    return rights.read and rights.scope == Scope.ALL


def _mined_for(
    user: Any, snapshot: Snapshot, basket: str, thresholds: dict[str, Any]
) -> baskets.MinedRules | None:
    """The rules mined now over the orders ``user`` may see, kept ``LIVE_SECONDS`` in
    the process's cache for everyone who sees the same orders (a rep's person pages
    then mine once, not on every page)."""
    finished = snapshot.finished_at.isoformat() if snapshot.finished_at else ""
    figures = ":".join(str(thresholds[name]) for name in rules.PARAMETER_NAMES)
    key = f"{snapshot.pk}:{finished}:{rules.orders_seen_by(user)}:{basket}:{figures}"
    cache_key = "analytics-rules:" + hashlib.sha256(key.encode()).hexdigest()
    found = cache.get(cache_key)
    if found is None:
        lines = rules.order_lines(period_of(snapshot), user)
        found = (rules.mine(lines, basket, thresholds),)
        cache.set(cache_key, found, LIVE_SECONDS)
    mined: baskets.MinedRules | None = found[0]
    return mined


def basket_rules(
    user: Any,
    basket: str = BasketKind.ORDER,
    min_support: float | None = None,
    min_confidence: float | None = None,
    sort: str = "score",
) -> RulesResult:
    """The rules of ``basket`` as ``user`` may see them, at thresholds already checked
    against the snapshot's (``rules.clean_filters``; None: the snapshot's)."""
    snapshot = current_snapshot()
    floor = rules.thresholds_of(snapshot)
    thresholds = {
        **floor,
        "min_support": floor["min_support"] if min_support is None else min_support,
        "min_confidence": floor["min_confidence"] if min_confidence is None else min_confidence,
    }
    sort = sort if sort in SORTS else "score"
    result = RulesResult(basket, snapshot, thresholds, floor, sort)
    if snapshot is None or not may_read(user):
        return result
    if sees_every_order(user):
        counts = snapshot.parameters.get("baskets", {}).get(basket, {})
        result.baskets = int(counts.get("baskets", 0))
        result.rows_qs = BasketRule.objects.filter(
            snapshot=snapshot,
            basket=basket,
            support__gte=thresholds["min_support"] - 1e-12,
            confidence__gte=thresholds["min_confidence"] - 1e-12,
        ).order_by(*_order_by(sort))
        return result
    mined = _mined_for(user, snapshot, basket, thresholds)
    result.baskets = mined.baskets if mined is not None else 0
    result.items = _sorted(_from_mined(mined), sort)
    return result


def bought_together(user: Any, product: Product, limit: int = 5) -> list[Rule]:
    """ "Bought in the same order as ``product``": the order rules whose antecedent is
    this product alone, strongest first, as ``user`` may see them."""
    snapshot = current_snapshot()
    if snapshot is None or not may_read(user):
        return []
    if sees_every_order(user):
        rows = BasketRule.objects.filter(
            snapshot=snapshot, basket=BasketKind.ORDER, antecedent_key=str(product.pk)
        ).order_by("rank")
        chosen = list(rows[: limit * 2])
        return _items(chosen, _names_of(chosen))[:limit]
    mined = _mined_for(user, snapshot, BasketKind.ORDER, rules.thresholds_of(snapshot))
    # Strongest first already (``baskets.mine_rules``), as ``baskets.bought_together``.
    items = _from_mined(mined)
    return baskets.bought_together(items, product.pk, limit=limit)


def bought_by(user: Any, record: Person | Organization) -> set[int]:
    """The catalogue products ``record`` bought in the orders ``user`` may see."""
    lines = rules.order_lines(None, user)
    key = "order__person" if isinstance(record, Person) else "order__organization"
    # Unordered, or the lines' default order joins the DISTINCT and every line comes back.
    bought = lines.filter(**{key: record}).order_by().values_list("product_id", flat=True)
    return set(bought.distinct())


def _candidate_rules(
    user: Any, snapshot: Snapshot, basket: str, bought: set[int]
) -> Iterator[list[Rule]]:
    """The rules whose antecedents ``bought`` may hold, as ``user`` may see them,
    strongest first, in batches (a big customer's offers are found in the first)."""
    if not sees_every_order(user):
        mined = _mined_for(user, snapshot, basket, rules.thresholds_of(snapshot))
        yield _from_mined(mined)
        return
    rows = BasketRule.objects.filter(snapshot=snapshot, basket=basket, lift__gt=1)
    longest = rules.thresholds_of(snapshot)["max_length"] - 1
    ordered = sorted(bought)
    keys = list(
        islice(
            (
                ",".join(str(p) for p in combo)
                for size in range(1, min(longest, len(ordered)) + 1)
                for combo in combinations(ordered, size)
            ),
            MAX_KEYS + 1,
        )
    )
    if len(keys) <= MAX_KEYS:
        chosen = list(rows.filter(antecedent_key__in=keys).order_by("rank"))
        yield _items(chosen, _names_of(chosen))
        return
    # Too many subsets to name (a big customer): read the rules' keys alone, without
    # building a row and decoding its JSON, then the rows that apply a batch at a time.
    ids = [
        pk
        for pk, key in rows.order_by("rank").values_list("pk", "antecedent_key")
        if bought.issuperset(int(p) for p in key.split(","))
    ]
    for start in range(0, len(ids), OFFER_BATCH):
        chosen = sorted(
            BasketRule.objects.filter(pk__in=ids[start : start + OFFER_BATCH]),
            key=lambda row: row.rank,
        )
        yield _items(chosen, _names_of(chosen))


def offer_next(
    user: Any, record: Person | Organization, limit: int = 3, basket: str = BasketKind.CUSTOMER
) -> list[baskets.Offer]:
    """What to offer ``record`` next (``baskets.offer_next`` over the rules ``user`` may
    see, by customer basket unless told): products they have not bought that rules
    say go with what they bought, best first (lift × confidence), leaving out products
    in the trash or no longer sold.

    The rules come strongest first, so once a batch gives ``limit`` offers no later
    rule can beat them, and the rest is not read."""
    snapshot = current_snapshot()
    if snapshot is None or not may_read(user):
        return []
    bought = bought_by(user, record)
    if not bought:
        return []
    items: list[Rule] = []
    offers: list[baskets.Offer] = []
    for batch in _candidate_rules(user, snapshot, basket, bought):
        items += batch
        found = baskets.offer_next(items, bought, limit=1000)
        available = set(
            Product.objects.filter(
                pk__in=[o.product_id for o in found], deleted_at__isnull=True, is_active=True
            ).values_list("pk", flat=True)
        )
        offers = [offer for offer in found if offer.product_id in available]
        if len(offers) >= limit:
            break
    return offers[:limit]
