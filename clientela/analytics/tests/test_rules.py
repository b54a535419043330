"""Products bought together as a snapshot (``analytics.rules``) on the small shop of
``shop`` with its baskets: the stored rules are those of the plain definitions of
support, confidence and lift over the baskets written out by hand below; the
thresholds are the snapshot's; an empty history fails the snapshot in plain words."""

from __future__ import annotations

from collections import Counter
from itertools import combinations
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clientela.analytics import rules, rules_selectors, services
from clientela.analytics.choices import SnapshotStatus
from clientela.analytics.models import BasketRule, Snapshot
from clientela.analytics.tests import shop

pytestmark = pytest.mark.django_db

THRESHOLDS = shop.BASKET_THRESHOLDS

# The baskets of shop.build + shop.add_baskets, by product name.
SINGLE_ORDERS = ["Lamp"] * 5 + ["Desk"] * 15  # N1's lamps; N2…N10's desks (N9's "Goods" not)
ORDERS = [
    *([name] for name in SINGLE_ORDERS),
    ["Lamp", "Bulb"],
    ["Lamp", "Bulb", "Shade"],
    ["Lamp", "Bulb"],
    ["Desk", "Chair"],
    ["Lamp", "Shade"],
    ["Desk", "Chair", "Lamp"],
    ["Desk", "Chair"],
    ["Bulb", "Shade"],  # South
    ["Bulb", "Chair"],  # South
]
CUSTOMERS = [
    ["Lamp", "Bulb", "Shade"],  # N1
    ["Desk", "Lamp", "Bulb"],  # N2
    ["Desk", "Chair", "Lamp", "Shade"],  # N3
    ["Desk", "Chair", "Lamp"],  # N4
    ["Desk", "Chair"],  # N5
    *(["Desk"] for _n in range(5)),  # N6…N10
    ["Bulb", "Shade", "Chair"],  # S1
]


def reference(
    baskets: list[list[str]], min_support: float, min_confidence: float, max_length: int
) -> dict[tuple[frozenset[str], frozenset[str]], tuple[float, float, float, int]]:
    """Every rule by the plain definitions: (antecedents, consequents) -> support,
    confidence, lift, count."""
    n = len(baskets)
    sets = [frozenset(b) for b in baskets]
    counts: Counter[frozenset[str]] = Counter()
    for basket in sets:
        for size in range(1, max_length + 1):
            for combo in combinations(sorted(basket), size):
                counts[frozenset(combo)] += 1
    out = {}
    for itemset, count in counts.items():
        if len(itemset) < 2 or count < min_support * n - 1e-9:
            continue
        for size in range(1, len(itemset)):
            for lhs in combinations(sorted(itemset), size):
                a = frozenset(lhs)
                c = itemset - a
                confidence = count / counts[a]
                if confidence >= min_confidence:
                    lift = confidence / (counts[c] / n)
                    out[(a, c)] = (count / n, confidence, lift, count)
    return out


@pytest.fixture
def history(rep_north: Any, rep_south: Any) -> dict[str, Any]:
    return shop.add_baskets(rep_north, rep_south, shop.build(rep_north, rep_south))


def stored(snapshot: Snapshot, basket: str) -> dict[Any, tuple[float, float, float, int]]:
    from clientela.sales.models import Product  # noqa: PLC0415

    names = dict(Product.objects.values_list("pk", "name"))
    return {
        (
            frozenset(names[p] for p in row.antecedents),
            frozenset(names[p] for p in row.consequents),
        ): (row.support, row.confidence, row.lift, row.count)
        for row in BasketRule.objects.filter(snapshot=snapshot, basket=basket)
    }


@pytest.mark.parametrize(("basket", "baskets"), [("order", ORDERS), ("customer", CUSTOMERS)])
def test_the_rules_are_those_of_the_definitions(
    history: dict[str, Any], basket: str, baskets: list[list[str]]
) -> None:
    snapshot = shop.rules_snapshot(THRESHOLDS)
    assert snapshot.status == SnapshotStatus.DONE, snapshot.error
    got = stored(snapshot, basket)
    want = reference(baskets, **THRESHOLDS)
    assert set(got) == set(want)
    for key, figures in want.items():
        assert got[key] == pytest.approx(figures), key
    assert snapshot.parameters["min_support"] == 0.05
    assert snapshot.parameters["baskets"][basket]["baskets"] == len(baskets)


def test_known_rules_by_hand(history: dict[str, Any]) -> None:
    snapshot = shop.rules_snapshot(THRESHOLDS)
    orders = stored(snapshot, "order")
    # 5 baskets hold a bulb, 3 of them a lamp too; 10 of 29 hold a lamp.
    bulb_lamp = orders[(frozenset({"Bulb"}), frozenset({"Lamp"}))]
    assert bulb_lamp == pytest.approx((3 / 29, 0.6, 0.6 / (10 / 29), 3))
    # Three of the four orders with a chair have a desk (not South's).
    assert orders[(frozenset({"Chair"}), frozenset({"Desk"}))][1] == pytest.approx(0.75)
    customers = stored(snapshot, "customer")
    # Desk and chair: N3, N4, N5; with a lamp: N3, N4.
    assert customers[(frozenset({"Desk", "Chair"}), frozenset({"Lamp"}))] == pytest.approx(
        (2 / 11, 2 / 3, (2 / 3) / (4 / 11), 2)
    )
    ranks = list(
        BasketRule.objects.filter(snapshot=snapshot, basket="order")
        .order_by("rank")
        .values_list("lift", "confidence")
    )
    scores = [lift * confidence for lift, confidence in ranks]
    assert scores == sorted(scores, reverse=True)


def test_default_thresholds_and_keeping_them(history: dict[str, Any]) -> None:
    snapshot = shop.rules_snapshot()
    assert snapshot.parameters["min_support"] == 0.01
    assert snapshot.parameters["min_confidence"] == 0.2
    assert snapshot.parameters["max_length"] == 3
    chosen = shop.rules_snapshot(THRESHOLDS)
    # A refresh told nothing (the nightly run, "Refresh now") keeps the chosen ones.
    again = shop.rules_snapshot()
    assert again.parameters["min_support"] == chosen.parameters["min_support"] == 0.05
    assert again.progress == 100


def test_an_empty_history_fails_in_plain_words(db: Any) -> None:
    snapshot = shop.rules_snapshot()
    assert snapshot.status == SnapshotStatus.FAILED
    assert "orders (not cancelled) whose lines name products" in snapshot.error
    assert not BasketRule.objects.exists()


def test_refresh_parameters_are_checked() -> None:
    assert rules.clean_parameters() is None
    with pytest.raises(ValidationError) as caught:
        rules.clean_parameters(min_support="0", min_confidence="x", max_length="9")
    assert set(caught.value.message_dict) == {"min_support", "min_confidence", "max_length"}


@pytest.mark.django_db
def test_filters_below_the_snapshots_minimum_are_refused() -> None:
    floor = rules.thresholds_of(None)
    assert rules.clean_filters("0.5", None, floor) == (0.5, floor["min_confidence"])
    assert rules.clean_filters(None, "0,25", floor) == (floor["min_support"], 0.25)
    with pytest.raises(ValidationError) as caught:
        rules.clean_filters("0.001", "1.5", floor)
    errors = caught.value.message_dict
    assert "minimum of 0.01" in errors["min_support"][0]
    assert "at most 1" in errors["min_confidence"][0]


def test_progress_is_reported(history: dict[str, Any]) -> None:
    queued = services.refresh(
        None,
        kinds=["basket_rules"],
        as_of=shop.AS_OF,
        parameters={"basket_rules": THRESHOLDS},
        queue=False,
    )[0]
    seen: list[int] = []
    outcome = rules.run(queued, seen.append)
    assert seen == [25, 50, 75, 100]
    assert outcome.parameters["baskets"]["order"]["baskets"] == 29
    assert BasketRule.objects.filter(snapshot=queued, basket="customer").exists()


def test_a_reps_live_rules_are_mined_once(rep_north: Any, history: dict[str, Any]) -> None:
    shop.rules_snapshot(THRESHOLDS)
    first = rules_selectors.basket_rules(rep_north, "order")
    assert first.live
    assert first.baskets == 27
    with CaptureQueriesContext(connection) as queries:
        again = rules_selectors.basket_rules(rep_north, "order")
    assert again.items == first.items
    assert not [q for q in queries.captured_queries if "sales_orderline" in q["sql"]]
