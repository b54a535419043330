#!/usr/bin/env python
"""Benchmark of a campaign's click redirect (issue 15, item 15: "the click redirect
≥ 50 % of a bare view's throughput in the same run"); ``bench/run.py --only clicks``,
part of ``make bench``.

    .venv/bin/python bench/clicks.py                        # 20,000 recipients
    .venv/bin/python bench/clicks.py --recipients 100000 --seconds 10

1. Data: the campaign file of ``bench/marketing.py`` (the people of
   ``bench/generate.py`` with newsletter consent, on one static list), copied; the
   campaign created and sent through the services and its audience written down
   (``sending.planning.plan``); the deliveries then marked sent with one ``UPDATE``
   instead of being e-mailed (``bench/marketing.py`` measures the sending).
2. gunicorn as ``clientela serve`` starts it (2 sync workers) on 127.0.0.1 and 4
   client processes sending requests back to back, a new connection each
   (``bench.run._throughput``): ``GET /bench/bare/`` (a Django view returning a fixed
   JSON body through the same middleware, no database) and ``GET /m/c/<token>/`` over
   the first link of 500 different recipients' messages, a 302 each, in turns: bare,
   click, bare, click, bare, click, bare (after a bare turn not counted). The figure
   is the clicks' requests a second over the bare view's, both averaged over their
   turns; also each click turn against the bare turns beside it.
3. Every answered click must have left its click row: the rows are counted after.
4. In-process, through Django's test client: the CPU time of one bare request and of
   one click (``time.process_time`` over a few thousand requests), which says where
   the difference is without the network and the client processes.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.generate import BENCH_DIR, ROOT, configure_django, db_path

TARGET_RATIO = 0.5
PATHS = 500


def _ensure_campaign_file(n: int) -> Path:
    from bench.marketing import base_file

    if not db_path(n).exists():
        subprocess.run(
            [sys.executable, str(ROOT / "bench" / "generate.py"), "--n", str(n)], check=True
        )
    if not base_file(n).exists():
        marketing = ROOT / "bench" / "marketing.py"
        subprocess.run([sys.executable, str(marketing), "--prepare", str(n)], check=True)
    return base_file(n)


def _sent_campaign(db: Path) -> list[int]:
    """The campaign sent as the marketer would, its deliveries marked sent; their ids."""
    from django.utils import timezone

    from bench.marketing import make_campaign
    from clientela.marketing.choices import DeliveryStatus
    from clientela.marketing.models import Campaign, Delivery
    from clientela.marketing.sending.planning import plan

    campaign_id, _audience = make_campaign(db)
    plan(Campaign.objects.get(pk=campaign_id))
    Delivery.objects.filter(campaign_id=campaign_id).update(
        status=DeliveryStatus.SENT, sent_at=timezone.now()
    )
    return list(
        Delivery.objects.filter(campaign_id=campaign_id).order_by("pk").values_list("pk", flat=True)
    )


def _click_paths(sent: list[int]) -> list[str]:
    from clientela.marketing import tracking

    step = max(1, len(sent) // PATHS)
    return ["/m/c/" + tracking.click_token(pk, 0) + "/" for pk in sent[::step][:PATHS]]


def measure_server(
    db: Path, paths: list[str], *, seconds: float, clients: int, pairs: int
) -> dict[str, Any]:
    from bench.run import _throughput, bench_server
    from clientela.marketing.models import Click

    before = Click.objects.count()
    with bench_server(db, workers=2) as port:
        if port is None:
            return {"status": "the benchmark server did not start"}

        def bare() -> dict[str, Any]:
            return _throughput(port, ["/bench/bare/"], {}, clients, seconds, 10**9)

        def clicks() -> dict[str, Any]:
            return _throughput(port, paths, {}, clients, seconds, 10**9, expect=b"HTTP/1.1 302")

        bare()  # the workers' first requests (imports, connections) are not measured
        turns = [bare()]
        for _pair in range(pairs):
            turns += [clicks(), bare()]
    bare_turns, click_turns = turns[0::2], turns[1::2]
    bare_rps = sum(t["rps"] for t in bare_turns) / len(bare_turns)
    click_rps = sum(t["rps"] for t in click_turns) / len(click_turns)
    # Each click turn against the bare turns just before and after it: the machine is
    # shared, and its load drifts over a run.
    ratios = [
        click["rps"] / ((bare_turns[i]["rps"] + bare_turns[i + 1]["rps"]) / 2)
        for i, click in enumerate(click_turns)
    ]
    # The warm-up requests of each click turn count too: every 302 left a row.
    recorded = Click.objects.count() - before
    return {
        "server": "gunicorn, 2 sync workers",
        "clients": clients,
        "bare_rps": round(bare_rps, 1),
        "click_rps": round(click_rps, 1),
        "ratio": round(click_rps / bare_rps, 3),
        "ratio_per_turn": [round(r, 3) for r in ratios],
        "bare_turns": [t["rps"] for t in bare_turns],
        "click_turns": [t["rps"] for t in click_turns],
        "click_failed": sum(t["failed"] for t in click_turns),
        "click_rows_written": recorded,
    }


def measure_cpu(paths: list[str], requests: int) -> dict[str, float]:
    """CPU milliseconds of one request through Django's test client, bare and click."""
    from django.test import Client

    client = Client()

    def cpu(urls: list[str], status: int) -> float:
        for url in urls[:50]:  # warm-up
            assert client.get(url).status_code == status
        started = time.process_time()
        for i in range(requests):
            client.get(urls[i % len(urls)])
        return round((time.process_time() - started) * 1000 / requests, 3)

    return {
        "bare_cpu_ms": cpu(["/bench/bare/"], 200),
        "click_cpu_ms": cpu(paths, 302),
        "bare_cpu_ms_again": cpu(["/bench/bare/"], 200),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recipients", type=int, default=20_000)
    parser.add_argument("--seconds", type=float, default=4.0, help="per turn")
    parser.add_argument("--pairs", type=int, default=3, help="click turns, each between two bare")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--cpu-requests", type=int, default=3000)
    parser.add_argument("--runs", type=int, help=argparse.SUPPRESS)  # bench/run.py's
    args = parser.parse_args()
    base = _ensure_campaign_file(args.recipients)
    db = BENCH_DIR / f"clicks-run-{args.recipients}.sqlite3"
    for stale in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        stale.unlink(missing_ok=True)
    shutil.copy(base, db)
    configure_django(db)
    from django.db import connection

    from bench.run import RESULTS, migrate_if_needed

    migrate_if_needed()

    paths = _click_paths(_sent_campaign(db))
    connection.close()
    results: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "recipients": args.recipients,
        "load_average_at_start": os.getloadavg(),
    }
    results |= measure_server(
        db, paths, seconds=args.seconds, clients=args.clients, pairs=args.pairs
    )
    results |= measure_cpu(paths, args.cpu_requests)
    results["load_average_at_end"] = os.getloadavg()
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"clicks-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(results, indent=2))
    for key, value in results.items():
        print(f"{key:>22}: {value}")
    ok = results.get("ratio", 0) >= TARGET_RATIO
    print(f"click redirect ≥ {TARGET_RATIO:.0%} of the bare view: {'yes' if ok else 'NO'}")
    print(f"JSON: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
