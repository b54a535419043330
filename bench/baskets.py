#!/usr/bin/env python
"""Benchmark of the association rules (issue 13, item 13: "association rules ≤ 30 s" on
1,000,000 order lines, 100,000 orders, 2,000 products; worker peak memory < 1 GB).

    .venv/bin/python bench/baskets.py                        # the issue's size, seed 13
    .venv/bin/python bench/baskets.py --min-support 0.005    # a lower threshold
    .venv/bin/python bench/baskets.py --lines 100000 --orders 10000 --seed 1

Generated order lines with a realistic skew, drawn with a seeded NumPy generator:

* product popularity follows a Zipf-like curve (weight 1 / (rank + 10)^1.1: the top
  product is in ~5 % of orders, the median one in ~0.3 %);
* order sizes are geometric around the mean (lines ÷ orders, 10 by default): many small
  orders, ~10 % of them a single line, a long tail of big ones;
* 20 "bundles" of 2–4 products (a product and its accessories, a seasonal set) that
  30 % of orders start with, whole or in part: the associations the mining must find;
* 100,000 customers, some of whom order much more than others.

The figures are seconds for building the baskets from the lines and for mining them
(efficient-apriori after the pruning in ``clientela.analytics.baskets``), by order and
by customer, and the peak memory: the process's peak resident set (Django included),
and the Python allocations' peak while mining (tracemalloc, in a second untimed pass).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.clv import timed

LINES = 1_000_000
ORDERS = 100_000
PRODUCTS = 2_000
CUSTOMERS = 100_000
BUNDLES = 20
BUNDLE_SHARE = 0.3
SEED = 13
TARGET_SECONDS = 30.0


def generate(
    lines: int, orders: int, products: int, customers: int, seed: int
) -> list[tuple[int, int, int, str]]:
    """(order id, customer id, product id, product name) lines, grouped by order."""
    rng = np.random.default_rng(seed)
    # Sizes: orders − 1 distinct cut points in the lines give geometric-like sizes,
    # each at least 1, adding up to exactly ``lines``.
    cuts = np.sort(rng.choice(lines - 1, orders - 1, replace=False) + 1)
    bounds = np.concatenate(([0], cuts, [lines]))
    sizes = np.diff(bounds)
    weights = 1.0 / (np.arange(products) + 10.0) ** 1.1
    product = rng.choice(products, lines, p=weights / weights.sum()) + 1
    bundles = [
        rng.choice(products, int(rng.integers(2, 5)), replace=False) + 1 for _ in range(BUNDLES)
    ]
    for order in np.flatnonzero(rng.random(orders) < BUNDLE_SHARE):
        bundle = bundles[int(rng.integers(BUNDLES))]
        size = min(int(sizes[order]), len(bundle))
        start = int(bounds[order])
        product[start : start + size] = bundle[:size]
    # A customer's share of orders: a few loyal ones order often, most rarely.
    loyalty = rng.pareto(1.5, customers) + 1
    customer_of_order = rng.choice(customers, orders, p=loyalty / loyalty.sum()) + 1
    order_of_line = np.repeat(np.arange(1, orders + 1), sizes)
    names = [f"Product {number}" for number in range(products + 1)]
    customer_of_line = customer_of_order[order_of_line - 1]
    return [
        (order, customer, item, names[item])
        for order, customer, item in zip(
            order_of_line.tolist(), customer_of_line.tolist(), product.tolist(), strict=True
        )
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=LINES)
    parser.add_argument("--orders", type=int, default=ORDERS)
    parser.add_argument("--products", type=int, default=PRODUCTS)
    parser.add_argument("--customers", type=int, default=CUSTOMERS)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--min-support", type=float, default=None)
    parser.add_argument("--min-confidence", type=float, default=None)
    parser.add_argument("--max-length", type=int, default=None)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clientela.settings")
    import django

    django.setup()
    from clientela.analytics import baskets as b

    thresholds = {
        "min_support": args.min_support or b.DEFAULT_MIN_SUPPORT,
        "min_confidence": args.min_confidence or b.DEFAULT_MIN_CONFIDENCE,
        "max_length": args.max_length or b.DEFAULT_MAX_LENGTH,
    }
    started = time.perf_counter()
    lines = generate(args.lines, args.orders, args.products, args.customers, args.seed)
    print(
        f"data: {len(lines):,} lines, {args.orders:,} orders, {args.products:,} products, "
        f"{args.customers:,} customers (drawn in {time.perf_counter() - started:.1f} s); "
        + ", ".join(f"{name} {value}" for name, value in thresholds.items())
    )
    t: dict[str, float] = {}
    by_order = timed("baskets by order", t, b.build_baskets, lines, by="order")
    mined = timed("mine by order", t, b.mine_rules, by_order, **thresholds)
    by_customer = timed("baskets by customer", t, b.build_baskets, lines, by="customer")
    per_customer = timed("mine by customer", t, b.mine_rules, by_customer, **thresholds)
    tracemalloc.start()
    b.mine_rules(by_order, **thresholds)
    _current, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    for label, seconds in t.items():
        print(f"{label:>20}: {seconds:7.3f} s")
    for label, result in (("by order", mined), ("by customer", per_customer)):
        total = t[f"baskets {label}"] + t[f"mine {label}"]
        verdict = "ok" if total <= TARGET_SECONDS else "OVER TARGET"
        print(
            f"{label:>20}: {total:7.3f} s in all (target ≤ {TARGET_SECONDS:.0f} s: {verdict}); "
            f"{result.baskets:,} baskets, {result.mined_baskets:,} mined after pruning, "
            f"{len(result.rules):,} rules"
        )
    print(
        f"{'peak memory':>20}: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB "
        f"resident (whole process, lines included); "
        f"{traced_peak / 2**20:.0f} MB allocated while mining by order"
    )
    for rule in mined.rules[:5]:
        print(
            f"  {', '.join(rule.antecedent_names)} → {', '.join(rule.consequent_names)}: "
            f"support {rule.support:.3f}, confidence {rule.confidence:.2f}, "
            f"lift {rule.lift:.1f}, {rule.count:,} baskets"
        )


if __name__ == "__main__":
    main()
