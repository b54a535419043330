"""Association rules against a published example and real invoices, and on bad input."""

from __future__ import annotations

import itertools
import json
import math
import random
from collections import Counter
from typing import Any

import pytest
from django.utils import translation
from efficient_apriori import apriori

from clientela.analytics.baskets import (
    BadBaskets,
    Baskets,
    Rule,
    bought_together,
    build_baskets,
    mine_rules,
    offer_next,
    rules_from,
)
from clientela.core.testing.data import shared_data

# The AllElectronics transactions of Han, Kamber & Pei, "Data Mining: Concepts and
# Techniques", 3rd ed. (Morgan Kaufmann, 2012), §6.2.2, Figure 6.2 (Table 6.1): nine
# transactions T100…T900 over items I1…I5, minimum support count 2 (2/9 = 22 %).
# Product Ik is id k here.
ALL_ELECTRONICS = {
    100: (1, 2, 5),
    200: (2, 4),
    300: (2, 3),
    400: (1, 2, 4),
    500: (1, 3),
    600: (2, 3),
    700: (1, 3),
    800: (1, 2, 3, 5),
    900: (1, 2, 3),
}


def lines_of(transactions: dict[int, tuple[int, ...]]) -> list[tuple[int, int, int, str]]:
    return [
        (order, order, item, f"I{item}") for order, items in transactions.items() for item in items
    ]


def by_sides(rules: tuple[Rule, ...]) -> dict[tuple[tuple[int, ...], tuple[int, ...]], Rule]:
    return {(rule.antecedents, rule.consequents): rule for rule in rules}


def test_all_electronics_rules_from_the_book() -> None:
    baskets = build_baskets(lines_of(ALL_ELECTRONICS))
    mined = mine_rules(baskets, min_support=2 / 9, min_confidence=0.01, max_length=3)
    rules = by_sides(mined.rules)
    assert mined.baskets == 9
    assert mined.min_count == 2
    # §6.2.2, Example 6.4: the rules from the frequent itemset X = {I1, I2, I5} and
    # their confidences: 2/4 = 50 %, 2/2 = 100 %, 2/2 = 100 %, 2/6 = 33 %, 2/7 = 29 %,
    # 2/2 = 100 %.
    published = {
        ((1, 2), (5,)): 0.50,
        ((1, 5), (2,)): 1.00,
        ((2, 5), (1,)): 1.00,
        ((1,), (2, 5)): 0.33,
        ((2,), (1, 5)): 0.29,
        ((5,), (1, 2)): 1.00,
    }
    for sides, confidence in published.items():
        rule = rules[sides]
        assert round(rule.confidence, 2) == confidence, sides
        assert rule.count == 2
        assert rule.support == pytest.approx(2 / 9)
    assert rules[((5,), (1, 2))].consequent_names == ("I1", "I2")
    # Lift of I5 ⇒ {I1, I2}: confidence 1 over P({I1, I2}) = 4/9.
    assert rules[((5,), (1, 2))].lift == pytest.approx(9 / 4)
    # The frequent itemsets of Figure 6.2: L3 = {I1, I2, I3} and {I1, I2, I5} (count 2
    # each), so every three-item rule comes from one of them (6 rules each).
    triples = {
        tuple(sorted(r.antecedents + r.consequents))
        for r in mined.rules
        if len(r.antecedents + r.consequents) == 3
    }
    assert triples == {(1, 2, 3), (1, 2, 5)}
    assert sum(len(r.antecedents + r.consequents) == 3 for r in mined.rules) == 12
    # L2 has six pairs (I1I2 4, I1I3 4, I1I5 2, I2I3 4, I2I4 2, I2I5 2): two rules each.
    assert sum(len(r.antecedents + r.consequents) == 2 for r in mined.rules) == 12
    # At the book's 70 % confidence only the three 100 % rules of X remain among them.
    strong = by_sides(mine_rules(baskets, min_support=2 / 9, min_confidence=0.7).rules)
    assert {sides for sides in published if sides in strong} == {
        ((1, 5), (2,)),
        ((2, 5), (1,)),
        ((5,), (1, 2)),
    }


@pytest.fixture(scope="module")
def chinook() -> dict[str, Any]:
    objects = json.loads(shared_data("chinook", "chinook.json").read_text(encoding="utf-8"))
    models: dict[str, dict[int, dict[str, Any]]] = {}
    for obj in objects:
        models.setdefault(obj["model"], {})[obj["pk"]] = obj["fields"]
    return models


def chinook_lines(
    models: dict[str, Any], product: str = "track"
) -> list[tuple[int, int, int, str]]:
    """(invoice, customer, product, name) per invoice line; the product is the track or,
    with ``product="genre"``, the track's genre."""
    invoices, tracks, genres = (
        models["chinook.invoice"],
        models["chinook.track"],
        models["chinook.genre"],
    )
    lines = []
    for line in models["chinook.invoiceline"].values():
        track = tracks[line["track"]]
        if product == "track":
            item, name = line["track"], track["name"]
        else:
            item, name = track["genre"], genres[track["genre"]]["name"]
        lines.append((line["invoice"], invoices[line["invoice"]]["customer"], item, name))
    return lines


def brute_force(baskets: list[set[int]], itemset: tuple[int, ...]) -> int:
    return sum(1 for basket in baskets if basket.issuperset(itemset))


def test_chinook_invoices_as_baskets(chinook: dict[str, Any]) -> None:
    lines = chinook_lines(chinook)
    assert len(lines) == 2240
    baskets = build_baskets(lines)
    assert len(baskets) == len(chinook["chinook.invoice"]) == 412
    assert baskets.lines == 2240
    sets = [set(basket) for basket in baskets.baskets]
    # The most frequent pair by brute force: every pair of every invoice counted.
    pairs = Counter(pair for basket in sets for pair in itertools.combinations(sorted(basket), 2))
    top = max(pairs.values())
    assert top == 2
    assert sum(len(b) == 1 for b in sets) == 59  # one-track invoices: not mined, still counted
    mined = mine_rules(baskets, min_support=top / 412, min_confidence=0.01, max_length=2)
    assert max(rule.support for rule in mined.rules) == top / 412
    # Every pair in two invoices gives its two rules, and no other pair does.
    assert {tuple(sorted(r.antecedents + r.consequents)) for r in mined.rules} == {
        pair for pair, count in pairs.items() if count == top
    }
    assert len(mined.rules) == 2 * sum(count == top for count in pairs.values())
    for rule in mined.rules:
        (a,), (c,) = rule.antecedents, rule.consequents
        assert rule.count == top
        assert rule.confidence == top / brute_force(sets, (a,))
        assert rule.lift == pytest.approx(
            top * 412 / (brute_force(sets, (a,)) * brute_force(sets, (c,)))
        )
        assert rule.antecedent_names == (chinook["chinook.track"][a]["name"],)


def test_chinook_genres_every_figure_matches_brute_force(chinook: dict[str, Any]) -> None:
    # Genres as products: denser baskets, rules of up to three items, one-genre
    # invoices pruned before mining yet counted in every support, confidence and lift.
    baskets = build_baskets(chinook_lines(chinook, product="genre"))
    sets = [set(basket) for basket in baskets.baskets]
    assert sum(len(b) == 1 for b in sets) > 59
    mined = mine_rules(baskets, min_support=0.03, min_confidence=0.1, max_length=3)
    assert mined.mined_baskets < mined.baskets == 412
    assert len(mined.rules) > 20
    assert any(len(r.antecedents + r.consequents) == 3 for r in mined.rules)
    for rule in mined.rules:
        both = brute_force(sets, rule.antecedents + rule.consequents)
        left, right = brute_force(sets, rule.antecedents), brute_force(sets, rule.consequents)
        assert rule.count == both >= math.ceil(0.03 * 412)
        assert rule.support == both / 412
        assert rule.confidence == pytest.approx(both / left)
        assert rule.confidence >= 0.1
        assert rule.lift == pytest.approx(both * 412 / (left * right))
    # Rock (1) with Latin (7) is the most frequent genre pair: 51 invoices.
    rock_latin = by_sides(mined.rules)[((7,), (1,))]
    assert rock_latin.count == 51
    assert rock_latin.consequent_names == ("Rock",)
    # By customer: 59 baskets, one per Chinook customer.
    assert len(build_baskets(chinook_lines(chinook, product="genre"), by="customer")) == 59


def test_pruning_gives_the_same_rules_as_the_library_on_everything() -> None:
    rng = random.Random(7)
    transactions = {
        order: tuple(rng.sample(range(1, 13), rng.choice([1, 1, 2, 3, 4, 5])))
        for order in range(1, 301)
    }
    mined = mine_rules(build_baskets(lines_of(transactions)), min_support=0.02, min_confidence=0.15)
    _itemsets, reference = apriori(
        list(transactions.values()), min_support=0.02, min_confidence=0.15, max_length=3
    )
    assert len(mined.rules) == len(reference) > 10
    ours = by_sides(mined.rules)
    for rule in reference:
        mine = ours[(rule.lhs, rule.rhs)]
        assert (mine.count, mine.support) == (rule.count_full, rule.support)
        assert mine.confidence == pytest.approx(rule.confidence)
        assert mine.lift == pytest.approx(rule.lift)


def rule(
    antecedents: tuple[int, ...], consequents: tuple[int, ...], confidence: float, lift: float
) -> Rule:
    return Rule(
        antecedents=antecedents,
        consequents=consequents,
        antecedent_names=tuple(f"P{p}" for p in antecedents),
        consequent_names=tuple(f"P{p}" for p in consequents),
        support=0.1,
        confidence=confidence,
        lift=lift,
        count=10,
    )


RULES = (
    rule((1,), (2,), 0.5, 2.0),  # score 1.0
    rule((1,), (3,), 0.9, 3.0),  # 2.7
    rule((1,), (4,), 0.4, 0.8),  # lift below 1: never offered
    rule((1, 5), (6,), 0.8, 4.0),  # 3.2, needs 1 and 5
    rule((2,), (1, 7), 0.6, 2.5),  # 1.5
    rule((5,), (3,), 0.3, 1.5),  # 0.45: a weaker way to 3
)


def test_bought_together_and_offer_next() -> None:
    together = bought_together(RULES, 1)
    assert [r.consequents for r in together] == [(3,), (2,), (4,)]
    assert bought_together(RULES, 1, limit=1)[0].consequents == (3,)
    assert bought_together(RULES, 99) == []

    offers = offer_next(RULES, {1, 5})
    assert [(o.product_id, o.name) for o in offers] == [(6, "P6"), (3, "P3"), (2, "P2")]
    assert offers[0].score == pytest.approx(3.2)
    assert offers[1].rule.antecedents == (1,)  # the stronger of the two rules to 3
    # What the person bought is never offered, whatever the rule.
    assert [o.product_id for o in offer_next(RULES, {1, 2, 3})] == [7]
    assert [o.product_id for o in offer_next(RULES, {1, 5}, limit=2)] == [6, 3]
    assert offer_next(RULES, {42}) == []
    assert offer_next(RULES, set()) == []


def test_offer_next_on_mined_rules() -> None:
    mined = mine_rules(
        build_baskets(lines_of(ALL_ELECTRONICS)), min_support=2 / 9, min_confidence=0.5
    )
    # Someone who bought I5 gets I1 and I2 (I5 ⇒ {I1, I2}, lift 2.25), nothing bought.
    offers = offer_next(mined.rules, {5})
    assert {o.product_id for o in offers} == {1, 2}
    assert all(o.product_id != 5 for o in offers)
    assert all(math.isfinite(o.score) and o.score > 0 for o in offers)


def test_one_customer_one_basket() -> None:
    lines = [
        (1, "ann", 1, "Tea"),
        (2, "ann", 2, "Cups"),
        (3, "bob", 1, "Tea"),
        (3, "bob", 1, "Tea"),
    ]
    by_customer = build_baskets(lines, by="customer")
    assert by_customer.baskets == ((1, 2), (1,))
    assert build_baskets(lines).baskets == ((1,), (2,), (1,))
    mined = mine_rules(by_customer, min_support=0.5, min_confidence=0.5)
    assert [(r.antecedents, r.consequents) for r in mined.rules] == [((2,), (1,)), ((1,), (2,))]
    # Nothing mined by order: no order holds two products. No rule is an answer.
    assert mine_rules(build_baskets(lines), min_support=0.5, min_confidence=0.5).rules == ()


@pytest.mark.parametrize("value", [0, -0.1, 1.01, float("nan"), float("inf"), "0.1", None, True])
def test_thresholds_out_of_range(value: Any) -> None:
    baskets = build_baskets(lines_of(ALL_ELECTRONICS))
    with pytest.raises(BadBaskets, match="minimum support"):
        mine_rules(baskets, min_support=value)
    with pytest.raises(BadBaskets, match="minimum confidence"):
        mine_rules(baskets, min_confidence=value)
    with pytest.raises(BadBaskets, match="minimum support"):
        rules_from([], min_support=value)  # checked before the (empty) lines


def test_bad_input_is_said_plainly() -> None:
    baskets = build_baskets(lines_of(ALL_ELECTRONICS))
    assert mine_rules(baskets, min_support=1, min_confidence=1).rules == ()
    for length in (1, 9, 2.5):
        with pytest.raises(BadBaskets, match="longest rule"):
            mine_rules(baskets, max_length=length)  # type: ignore[arg-type]
    with pytest.raises(BadBaskets, match="no order lines"):
        build_baskets([])
    with pytest.raises(BadBaskets, match="no order lines"):
        rules_from(iter([]))
    with pytest.raises(BadBaskets, match="no baskets"):
        mine_rules(Baskets(by="order", baskets=(), names={}, lines=0))
    with pytest.raises(BadBaskets, match="by order or by customer"):
        build_baskets(lines_of(ALL_ELECTRONICS), by="week")
    with pytest.raises(BadBaskets, match="Line 2: the product id 'I2'") as error:
        build_baskets([(1, 1, 1, "a"), (1, 1, "I2", "b")])  # type: ignore[list-item]
    assert error.value.row == 2
    with pytest.raises(BadBaskets, match="Line 1 is not an order"):
        build_baskets([(1, 1, 1)])  # type: ignore[list-item]
    with pytest.raises(BadBaskets, match="Line 1 has no customer"):
        build_baskets([(1, None, 1, "a")], by="customer")
    with pytest.raises(BadBaskets, match="number of products"):
        offer_next(RULES, {1}, limit=0)
    with translation.override("es"), pytest.raises(BadBaskets, match="soporte mínimo"):
        mine_rules(baskets, min_support=0)
