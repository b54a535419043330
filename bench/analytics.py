#!/usr/bin/env python
"""Benchmark of the ABC and RFM refresh (issue 13, item 13: "ABC + RFM refresh ≤ 5 s
together" on 1,000,000 order lines, 100,000 customers, 2,000 products, SQLite).

    .venv/bin/python bench/analytics.py                       # the full size
    .venv/bin/python bench/analytics.py --lines 100000        # a tenth

Builds its own SQLite file (var/bench-analytics.sqlite3, kept between runs: a file of
the same size is reused) with a realistic skew: customers' order counts and products'
popularity follow Zipf-like laws (a few loyal big customers, many one-off buyers; a
few best-selling products), orders over the last three years in two currencies. Then
times ``run_snapshot`` for each analysis, i.e. the SQL the worker runs (INSERT … SELECT
with the window functions) and the snapshot's bookkeeping.
"""

from __future__ import annotations

import argparse
import datetime
import os
import secrets
import sys
import time
from decimal import Decimal
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TARGET_SECONDS = 5.0


def _setup(path: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _fill(lines: int, customers: int, products: int, seed: int) -> None:
    from django.db import connection, transaction

    from clientela.contacts.models import Person
    from clientela.core.services import roles_ensure_defaults, user_create
    from clientela.sales.models import ExchangeRate, Order, OrderLine, Product, SalesSettings

    rng = np.random.default_rng(seed)
    roles_ensure_defaults()
    owner = user_create(
        username="bench-owner",
        password=secrets.token_urlsafe(16),
        role_key="admin",
        team_name="North",
    )
    settings = SalesSettings.load()
    settings.base_currency = "USD"
    settings.save()
    ExchangeRate.objects.create(
        currency="EUR", rate=Decimal("1.1"), valid_from=datetime.date(2000, 1, 1)
    )
    with transaction.atomic():
        Product.objects.bulk_create(
            Product(sku=f"P{n}", name=f"Product {n}", unit_price=Decimal("10"), currency="USD")
            for n in range(products)
        )
        Person.objects.bulk_create(
            (
                Person(first_name="Customer", last_name=str(n), owner=owner, team=owner.team)
                for n in range(customers)
            ),
            batch_size=5000,
        )
    person_ids = np.array(Person.objects.order_by("pk").values_list("pk", flat=True))
    product_ids = np.array(Product.objects.order_by("pk").values_list("pk", flat=True))
    orders = lines // 2
    # Zipf-like skew: customer k is picked with weight 1 / (k + 10).
    weights = 1 / (np.arange(customers) + 10.0)
    buyers = rng.choice(person_ids, size=orders, p=weights / weights.sum())
    buyers[:customers] = rng.permutation(person_ids)[: min(customers, orders)]  # all buy once
    pop = 1 / (np.arange(products) + 5.0)
    now = datetime.datetime.now(datetime.UTC)
    days = rng.integers(0, 3 * 365, size=orders)
    with transaction.atomic():
        batch: list[Order] = []
        for n in range(orders):
            batch.append(
                Order(
                    number=f"B{n}",
                    person_id=int(buyers[n]),
                    owner=owner,
                    team=owner.team,
                    currency="EUR" if n % 10 == 0 else "USD",
                    ordered_at=now - datetime.timedelta(days=int(days[n])),
                    subtotal=Decimal("0"),
                    total=Decimal("0"),
                )
            )
            if len(batch) == 10000:
                Order.objects.bulk_create(batch)
                batch = []
        Order.objects.bulk_create(batch)
    order_ids = np.array(Order.objects.order_by("pk").values_list("pk", flat=True))
    line_orders = np.repeat(order_ids, 2)[:lines]
    line_products = rng.choice(product_ids, size=len(line_orders), p=pop / pop.sum())
    amounts = rng.integers(100, 20000, size=len(line_orders)) / 100
    with transaction.atomic():
        batch_lines: list[OrderLine] = []
        for n in range(len(line_orders)):
            price = Decimal(str(amounts[n]))
            batch_lines.append(
                OrderLine(
                    order_id=int(line_orders[n]),
                    product_id=int(line_products[n]),
                    description="x",
                    quantity=Decimal("1"),
                    unit_price=price,
                    subtotal=price,
                    tax=Decimal("0"),
                    total=price,
                )
            )
            if len(batch_lines) == 20000:
                OrderLine.objects.bulk_create(batch_lines)
                batch_lines = []
        OrderLine.objects.bulk_create(batch_lines)
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE sales_order SET subtotal = (SELECT SUM(subtotal) FROM sales_orderline l"
                " WHERE l.order_id = sales_order.id), total = subtotal"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--products", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    path = ROOT / "var" / f"bench-analytics-{args.lines}-{args.customers}-{args.products}.sqlite3"
    path.parent.mkdir(exist_ok=True)
    fresh = not path.exists()
    if fresh:
        path.with_suffix(".partial").touch()
    _setup(path)
    if fresh:
        started = time.perf_counter()
        _fill(args.lines, args.customers, args.products, args.seed)
        print(f"generated in {time.perf_counter() - started:.1f} s")
        path.with_suffix(".partial").unlink()
    elif path.with_suffix(".partial").exists():
        sys.exit(f"{path} is half made (an earlier run stopped): delete it and run again")
    from clientela.analytics import services
    from clientela.analytics.models import AbcRow, RfmRow

    seconds: dict[str, float] = {}
    for kind in ("abc", "rfm"):
        snapshot = services.refresh(None, kinds=[kind], queue=False)[0]
        started = time.perf_counter()
        done = services.run_snapshot(snapshot.pk)
        seconds[kind] = time.perf_counter() - started
        assert done.status == "done", done.error
    print(
        f"ABC {seconds['abc']:.2f} s ({AbcRow.objects.count():,} rows), "
        f"RFM {seconds['rfm']:.2f} s ({RfmRow.objects.count():,} rows), "
        f"together {sum(seconds.values()):.2f} s (target ≤ {TARGET_SECONDS:.0f} s)"
    )


if __name__ == "__main__":
    main()
