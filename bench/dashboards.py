#!/usr/bin/env python
"""Benchmark of a 6-widget dashboard (issue 13, item 13: "a 6-widget dashboard p95 <
300 ms from snapshots") on the analytics benchmark's data (1,000,000 order lines,
100,000 customers, 2,000 products, SQLite).

    .venv/bin/python bench/dashboards.py                      # the full size
    .venv/bin/python bench/dashboards.py --lines 100000 --customers 10000 --products 200

Uses the SQLite file ``bench/analytics.py`` builds (run that first; it computes the ABC
and RFM snapshots; this computes them and the revenue snapshot if missing, and says how
long the revenue snapshot took). The page is the default first dashboard of the file's
owner (an admin): open deals, pipeline by stage, revenue by month (the last 12 months of
the revenue snapshot), top customers (the ABC snapshot), quote conversion and the RFM
segments. ``GET /analytics/dashboards/<id>/`` through Django's test client with the
whole middleware stack, 3 warm-ups then ``--runs`` timed requests; p50 / p95 and the SQL
queries of one request.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TARGET_MS = 300.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--products", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    path = ROOT / "var" / f"bench-analytics-{args.lines}-{args.customers}-{args.products}.sqlite3"
    if not path.exists() or path.with_suffix(".partial").exists():
        sys.exit(f"{path} is missing: run bench/analytics.py with the same sizes first")
    from bench.analytics import _setup

    _setup(path)
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from clientela.analytics import selectors
    from clientela.analytics import services as analytics_services
    from clientela.analytics.dashboards import services
    from clientela.analytics.models import Dashboard

    for kind in ("abc", "rfm", "revenue"):
        if selectors.current(kind) is None:
            snapshot = analytics_services.refresh(None, kinds=[kind], queue=False)[0]
            started = time.perf_counter()
            done = analytics_services.run_snapshot(snapshot.pk)
            assert done.status == "done", done.error
            print(f"{kind} snapshot computed in {time.perf_counter() - started:.1f} s")
    revenue = selectors.current("revenue")
    assert revenue is not None
    owner = get_user_model().objects.get(username="bench-owner")
    Dashboard.objects.filter(owner=owner).delete()
    dashboard = services.dashboard_ensure_default(actor=owner)
    assert dashboard is not None
    assert len(dashboard.layout) == 6, dashboard.layout
    client = Client()
    client.force_login(owner)
    url = f"/analytics/dashboards/{dashboard.pk}/"
    for _warm in range(3):
        assert client.get(url).status_code == 200
    samples = []
    for _run in range(args.runs):
        started = time.perf_counter()
        client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    p95 = statistics.quantiles(samples, n=20)[-1]
    from clientela.analytics.models import RevenueMonthRow

    print(f"revenue snapshot: {RevenueMonthRow.objects.filter(snapshot=revenue).count()} rows")
    print(
        f"6-widget dashboard ({', '.join(i['widget'] for i in dashboard.layout)}): "
        f"p50 {statistics.median(samples):.0f} ms, p95 {p95:.0f} ms "
        f"(target < {TARGET_MS:.0f} ms), {len(queries)} queries"
    )


if __name__ == "__main__":
    main()
