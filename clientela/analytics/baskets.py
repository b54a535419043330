"""Products bought together (issue 13, item 4): association rules over baskets, mined
with efficient-apriori, and what to offer next.

    baskets = build_baskets(lines, by="order")   # or by="customer"
    mined = mine_rules(baskets, min_support=0.01, min_confidence=0.2, max_length=3)
    bought_together(mined.rules, product_id)     # "often bought with this product"
    offer_next(mined.rules, bought={12, 40})     # the three products to offer a person

A *basket* is the set of products of one order (or, ``by="customer"``, everything one
customer ever bought). A rule {A, B} → {C} says: of the baskets holding A and B, a
share ``confidence`` also holds C. ``support`` is the share of all baskets holding A, B
and C (``count`` of them); ``lift`` is the confidence divided by C's own share of
baskets: above 1, buying A and B makes C more likely than it is anyway.

Speed: a product that is in fewer baskets than ``min_support`` asks for is in no
frequent itemset, so it is dropped from every basket before mining, and a basket left
with fewer than two products cannot hold a rule, so it is dropped too; the library
counts only what remains. The single products' counts (which confidence and lift
divide by) are counted here over *all* baskets, so the figures are the same as mining
everything. On a million order lines (100,000 baskets, 2,000 products) this takes a
few seconds at the default support; ``bench/baskets.py`` measures it.

Bad input raises ``BadBaskets`` with a translated ``message``; no figure is ever NaN.
What the figures mean for a shop owner, and the method: docs/analytics.md.
"""

from __future__ import annotations

import math
import numbers
from collections import Counter
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from efficient_apriori import generate_rules_apriori, itemsets_from_transactions

from clientela.analytics.errors import BadInput

#: Defaults: a pair must be in 1 % of baskets (on 100,000 orders, 1,000 of them; on a
#: small shop's 300 orders, 3), a rule right at least 20 % of the time, at most three
#: products in a rule (two bought → one offered, or one → two).
DEFAULT_MIN_SUPPORT = 0.01
DEFAULT_MIN_CONFIDENCE = 0.2
DEFAULT_MAX_LENGTH = 3
#: The longest rule anyone asks for; longer itemsets are rare and slow to count.
LONGEST_RULE = 8
BASKET_KINDS = ("order", "customer")

#: One order line as the caller reads it: (order id, customer id, product id, product name).
OrderLine = tuple[Hashable, Hashable, int, str | None]


class BadBaskets(BadInput):
    """The order lines or a threshold are not valid input (``message``, ``row``: see
    ``BadInput``)."""


@dataclass(frozen=True)
class Baskets:
    """The baskets of a set of order lines: each a sorted tuple of distinct product ids
    (a product on two lines of an order is in its basket once)."""

    by: str
    baskets: tuple[tuple[int, ...], ...]
    #: Each product's name, as on its last line.
    names: dict[int, str]
    lines: int

    def __len__(self) -> int:
        return len(self.baskets)


@dataclass(frozen=True)
class Rule:
    """Buying ``antecedents`` goes with buying ``consequents`` (product ids, ascending;
    the names in the same order)."""

    antecedents: tuple[int, ...]
    consequents: tuple[int, ...]
    antecedent_names: tuple[str, ...]
    consequent_names: tuple[str, ...]
    #: Share of all baskets that hold every product of the rule.
    support: float
    #: Share of the baskets holding the antecedents that also hold the consequents.
    confidence: float
    #: Confidence ÷ the consequents' own share of baskets (1: no association).
    lift: float
    #: Baskets that hold every product of the rule.
    count: int

    @property
    def score(self) -> float:
        """What recommendations rank by: lift × confidence."""
        return self.lift * self.confidence


@dataclass(frozen=True)
class MinedRules:
    """The rules of a set of baskets, strongest first (by lift × confidence), and how
    they were mined."""

    rules: tuple[Rule, ...]
    baskets: int
    #: Baskets that still held two frequent products after pruning: what was mined.
    mined_baskets: int
    #: The fewest baskets an itemset had to be in (``min_support`` × baskets, rounded up).
    min_count: int
    min_support: float
    min_confidence: float
    max_length: int

    def __len__(self) -> int:
        return len(self.rules)


@dataclass(frozen=True)
class Offer:
    """A product to offer a person, the rule that suggests it and its score."""

    product_id: int
    name: str
    score: float
    rule: Rule


def _share(value: Any, name: str) -> float:
    """A threshold that must be a number with 0 < value ≤ 1."""
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or not math.isfinite(float(value))
        or not 0 < float(value) <= 1
    ):
        raise BadBaskets(
            _("%(name)s must be a number above 0 and at most 1 (%(value)s given).")
            % {"name": name, "value": repr(value)}
        )
    return float(value)


def _whole(value: Any, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise BadBaskets(
            _("%(name)s must be a whole number from %(low)d to %(high)d (%(value)s given).")
            % {"name": name, "low": low, "high": high, "value": repr(value)}
        )
    return value


def build_baskets(lines: Iterable[OrderLine], *, by: str = "order") -> Baskets:
    """The baskets of ``lines`` (order id, customer id, product id, product name): one
    per order (``by="order"``) or one per customer (``by="customer"``), in the order
    each first appears. Raises ``BadBaskets`` when there are no lines, a line is not
    four values, or a product id is not a whole number."""
    if by not in BASKET_KINDS:
        raise BadBaskets(
            _("Baskets are made by order or by customer, not %(by)s.") % {"by": repr(by)}
        )
    key = 0 if by == "order" else 1
    grouped: dict[Hashable, set[int]] = {}
    names: dict[int, str] = {}
    row = 0
    for row, line in enumerate(lines, start=1):
        try:
            fields = (line[0], line[1], line[2], line[3]) if len(line) == 4 else None
        except TypeError:
            fields = None
        if fields is None:
            raise BadBaskets(
                _("Line %(row)d is not an order, customer, product and product name.")
                % {"row": row},
                row=row,
            )
        group, product, name = fields[key], fields[2], fields[3]
        if isinstance(product, bool) or not isinstance(product, int):
            raise BadBaskets(
                _("Line %(row)d: the product id %(product)s is not a whole number.")
                % {"row": row, "product": repr(product)},
                row=row,
            )
        if group is None:
            raise BadBaskets(
                _("Line %(row)d has no order.") % {"row": row}
                if by == "order"
                else _("Line %(row)d has no customer.") % {"row": row},
                row=row,
            )
        basket = grouped.get(group)
        if basket is None:
            basket = grouped[group] = set()
        basket.add(product)
        names[product] = "" if name is None else str(name)
    if not grouped:
        raise BadBaskets(
            _(
                "There are no order lines to find products bought together in: "
                "import or record some orders first."
            )
        )
    return Baskets(
        by=by,
        baskets=tuple(tuple(sorted(basket)) for basket in grouped.values()),
        names=names,
        lines=row,
    )


def mine_rules(
    baskets: Baskets,
    *,
    min_support: float = DEFAULT_MIN_SUPPORT,
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
    max_length: int = DEFAULT_MAX_LENGTH,
) -> MinedRules:
    """The association rules of ``baskets`` with at least ``min_support`` (share of
    baskets, 0 < s ≤ 1) and ``min_confidence`` (0 < c ≤ 1), of two to ``max_length``
    products, strongest first. Raises ``BadBaskets`` for a threshold out of range or no
    baskets; finding no rule is an answer (``rules`` empty), not an error."""
    min_support = _share(min_support, _("The minimum support"))
    min_confidence = _share(min_confidence, _("The minimum confidence"))
    max_length = _whole(max_length, _("The longest rule"), 2, LONGEST_RULE)
    total = len(baskets.baskets)
    if not total:
        raise BadBaskets(_("There are no baskets to find products bought together in."))
    # The fewest baskets an itemset must be in: support × baskets, rounded up, with
    # room for the float error of e.g. 0.07 × 100 = 7.000000000000001.
    min_count = max(1, math.ceil(min_support * total - 1e-9))

    item_counts = Counter(item for basket in baskets.baskets for item in basket)
    frequent = {item for item, count in item_counts.items() if count >= min_count}
    pruned = [
        kept
        for kept in (
            tuple(item for item in basket if item in frequent) for basket in baskets.baskets
        )
        if len(kept) >= 2
    ]

    def result(rules: tuple[Rule, ...]) -> MinedRules:
        return MinedRules(
            rules=rules,
            baskets=total,
            mined_baskets=len(pruned),
            min_count=min_count,
            min_support=min_support,
            min_confidence=min_confidence,
            max_length=max_length,
        )

    if len(pruned) < min_count:
        return result(())
    # The library's support is a share of the baskets it is given: ask for the same
    # count among the pruned ones (half a basket below, so the comparison is exact).
    itemsets, _count = itemsets_from_transactions(
        pruned, (min_count - 0.5) / len(pruned), max_length
    )
    if len(itemsets) < 2:
        return result(())
    # Single products counted over all baskets, singletons included: the counts that
    # confidence and lift divide by.
    itemsets[1] = {(item,): item_counts[item] for item in frequent}
    names = baskets.names
    rules = [
        Rule(
            antecedents=rule.lhs,
            consequents=rule.rhs,
            antecedent_names=tuple(names.get(item, "") for item in rule.lhs),
            consequent_names=tuple(names.get(item, "") for item in rule.rhs),
            support=rule.count_full / total,
            confidence=rule.count_full / rule.count_lhs,
            lift=rule.count_full * total / (rule.count_lhs * rule.count_rhs),
            count=rule.count_full,
        )
        for rule in generate_rules_apriori(itemsets, min_confidence, total)
    ]
    rules.sort(key=_strongest_first)
    return result(tuple(rules))


def _strongest_first(rule: Rule) -> tuple[float, int, int, tuple[int, ...], tuple[int, ...]]:
    return (
        -rule.score,
        -rule.count,
        len(rule.antecedents) + len(rule.consequents),
        rule.antecedents,
        rule.consequents,
    )


def bought_together(rules: Iterable[Rule], product_id: int, *, limit: int = 10) -> list[Rule]:
    """The rules "who buys ``product_id`` also buys …": those whose antecedent is this
    product alone, strongest first (lift × confidence), at most ``limit``."""
    limit = _whole(limit, _("The number of products"), 1, 1000)
    matching = [rule for rule in rules if rule.antecedents == (product_id,)]
    matching.sort(key=_strongest_first)
    return matching[:limit]


def offer_next(rules: Iterable[Rule], bought: set[int], *, limit: int = 3) -> list[Offer]:
    """The products to offer someone who bought ``bought``: the consequents of the rules
    whose antecedents they all bought, leaving out what they bought, each scored by the
    best such rule's lift × confidence, best first, at most ``limit``. Rules with a
    lift of 1 or less are left out: buying their antecedents makes the consequent no
    more likely than it is anyway."""
    limit = _whole(limit, _("The number of products"), 1, 1000)
    best: dict[int, Offer] = {}
    for rule in rules:
        if rule.lift <= 1 or not bought.issuperset(rule.antecedents):
            continue
        score = rule.score
        for product, name in zip(rule.consequents, rule.consequent_names, strict=True):
            if product in bought:
                continue
            current = best.get(product)
            if current is None or _stronger(score, rule, current):
                best[product] = Offer(product_id=product, name=name, score=score, rule=rule)
    offers = sorted(best.values(), key=lambda offer: (-offer.score, offer.product_id))
    return offers[:limit]


def _stronger(score: float, rule: Rule, current: Offer) -> bool:
    if score != current.score:
        return score > current.score
    return _strongest_first(rule) < _strongest_first(current.rule)


def rules_from(
    lines: Iterable[OrderLine],
    *,
    by: str = "order",
    min_support: float = DEFAULT_MIN_SUPPORT,
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
    max_length: int = DEFAULT_MAX_LENGTH,
) -> MinedRules:
    """``build_baskets`` then ``mine_rules``, as the snapshot refresh calls them. The
    thresholds are checked before the lines are read."""
    _share(min_support, _("The minimum support"))
    _share(min_confidence, _("The minimum confidence"))
    _whole(max_length, _("The longest rule"), 2, LONGEST_RULE)
    return mine_rules(
        build_baskets(lines, by=by),
        min_support=min_support,
        min_confidence=min_confidence,
        max_length=max_length,
    )


__all__ = [
    "BASKET_KINDS",
    "DEFAULT_MAX_LENGTH",
    "DEFAULT_MIN_CONFIDENCE",
    "DEFAULT_MIN_SUPPORT",
    "BadBaskets",
    "Baskets",
    "MinedRules",
    "Offer",
    "OrderLine",
    "Rule",
    "bought_together",
    "build_baskets",
    "mine_rules",
    "offer_next",
    "rules_from",
]
