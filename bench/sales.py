#!/usr/bin/env python
"""Benchmarks of the sales app (``bench/run.py --only sales``, part of ``make bench``;
see bench/README.md, "Sales").

    .venv/bin/python bench/sales.py                    # 1,000,000 deals; builds the file once
    .venv/bin/python bench/sales.py --deals 200000     # a smaller file (its own name)
    .venv/bin/python bench/sales.py --force            # rebuild the data file
    .venv/bin/python bench/sales.py --runs 20 --seconds 5 --clients 2

1. The kanban board (``sales:deal-board``) of a pipeline with 20,000 open deals: the
   first render of the page, p50/p95, as an admin (sees every deal) and as a sales rep
   (team scope). Reported as "not available" while the board has no URL or fails.
2. The forecast over all the deals: ``selectors.forecast.forecast`` for this quarter
   (~1/12 of the deals close in it), p50/p95, as an admin and as a rep, and the
   forecast page (``sales:forecast``) as the admin.
3. Bulk order push through the API: ``POST /api/v1/orders`` (two lines, an
   ``external_id`` each) against a real gunicorn server on 127.0.0.1 (2 sync workers,
   as ``clientela serve`` starts it), 2 client processes sending orders back to back;
   the figure is orders created per second. The pushed orders are deleted afterwards.

Pages and the selector are measured in-process through Django's test client, as
``bench/run.py`` does. The data lives in its own file,
var/bench/sales-v<VERSION>-<deals>.sqlite3, reused when present; it is written by a
fixture loader (rows straight into the tables: no services, no audit entries, no stage
history), because a million ``deal_create`` calls would take hours. Deals are written
in the order they were created, over the last 1,000 days, each expected to close
within a year of its creation (won and lost ones within half a year), so the deals
closing in a quarter sit near each other in the table, as they do in a real database.
Close dates are relative to the day the file was built; on reuse they are moved
forward by the days since (one ``UPDATE``), so "this quarter" keeps its share.
"""

from __future__ import annotations

import argparse
import datetime
import json
import multiprocessing
import os
import random
import socket
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.generate import BENCH_DIR, ROOT, build_data_file, ready_data_file
from bench.run import RESULTS, summary, timed_get

if TYPE_CHECKING:
    from clientela.sales.models import Pipeline, Stage

#: Bump when the data shape changes, so an old file is not reused.
VERSION = 2
DEALS = 1_000_000
BOARD_DEALS = 20_000
PEOPLE = 2_000
REPS = 20
BATCH = 10_000
SEED = 13
ADMIN = "bench-sales-admin"
REP = "bench-sales-rep-00"
BOARD_PIPELINE = "Bench board"
#: Deals were created over this many days up to today (rows in creation order).
HISTORY_DAYS = 1000
TARGETS = {"board_p95_ms": 200.0, "forecast_p95_ms": 500.0}
#: Currencies of the deals and their shares; MXN has no exchange rate on purpose, so
#: the forecast reports it as missing.
CURRENCIES = (("USD", 0.70), ("EUR", 0.20), ("GBP", 0.08), ("MXN", 0.02))
RATES = {"EUR": Decimal("1.08"), "GBP": Decimal("1.27")}


def db_file(deals: int) -> Path:
    return BENCH_DIR / f"sales-v{VERSION}-{deals}.sqlite3"


def meta_file(deals: int) -> Path:
    return BENCH_DIR / f"sales-v{VERSION}-{deals}.json"


# --- data ------------------------------------------------------------------------------


def _currency(rng: random.Random) -> str:
    roll, acc = rng.random(), 0.0
    for code, share in CURRENCIES:
        acc += share
        if roll < acc:
            return code
    return CURRENCIES[0][0]


def _users_and_rates() -> tuple[Any, list[Any]]:
    """The admin and the sales reps; USD as the base currency with the other rates."""
    from clientela.core.services import roles_ensure_defaults, user_create
    from clientela.sales.models import ExchangeRate, SalesSettings

    roles_ensure_defaults()
    password = "bench-password"  # noqa: S105 (never used: the harness force-logs in)
    admin = user_create(username=ADMIN, password=password, role_key="admin", team_name="North")
    reps = [
        user_create(
            username=f"bench-sales-rep-{i:02d}",
            password=password,
            role_key="sales",
            team_name="North" if i % 2 == 0 else "South",
        )
        for i in range(REPS)
    ]
    settings = SalesSettings.load()
    settings.base_currency = "USD"
    settings.save()
    for code, rate in RATES.items():
        ExchangeRate.objects.create(currency=code, rate=rate, valid_from=datetime.date(2000, 1, 1))
    return admin, reps


def _pipeline_with_stages(name: str, position: int) -> tuple[Pipeline, list[Stage], Stage, Stage]:
    from clientela.sales.models import Pipeline, Stage

    pipeline = Pipeline.objects.create(name=name, position=position)
    stages = [
        Stage.objects.create(pipeline=pipeline, name=n, position=i, probability=p)
        for i, (n, p) in enumerate(
            (
                ("New", 10),
                ("Qualified", 25),
                ("Proposal", 50),
                ("Negotiation", 75),
                ("Commit", 90),
            )
        )
    ]
    won = Stage.objects.create(
        pipeline=pipeline, name="Won", position=6, probability=100, is_won=True
    )
    lost = Stage.objects.create(pipeline=pipeline, name="Lost", position=7, is_lost=True)
    return pipeline, stages, won, lost


def _load(rng: random.Random, deals: int) -> None:
    """The fixture loader (see the module docstring)."""
    from django.db import connection
    from django.utils import timezone

    from clientela.contacts.models import Person
    from clientela.sales.models import Deal, Pipeline

    admin, reps = _users_and_rates()
    started = time.monotonic()
    Person.objects.bulk_create(
        [
            Person(owner=admin, team=admin.team, first_name="Buyer", last_name=f"{i:05d}")
            for i in range(PEOPLE)
        ],
        batch_size=BATCH,
    )

    # The board pipeline comes first, so it is the board's default.
    Pipeline.objects.update(position=10)
    board, board_stages, _won, _lost = _pipeline_with_stages(BOARD_PIPELINE, 0)
    other, stages, won, lost = _pipeline_with_stages("Bench history", 1)
    now = timezone.now()
    # Rows go in with executemany, as Django would store them (datetimes as naive UTC
    # text, decimals as text that SQLite's NUMERIC affinity turns into numbers): model
    # instances and bulk_create cost ten times as much at a million rows.
    columns = (
        "created_at, updated_at, version, deleted_at, custom, external_id, title, status, "
        "amount, currency, probability, close_date, next_step, lost_reason, "
        "stage_entered_at, closed_at, notes, organization_id, owner_id, team_id, "
        "pipeline_id, stage_id"
    )
    sql = f"INSERT INTO sales_deal ({columns}) VALUES ({', '.join(['%s'] * 22)})"

    def utc(moment: datetime.datetime) -> str:
        return moment.astimezone(datetime.UTC).replace(tzinfo=None).isoformat(sep=" ")

    def deal(pipeline: Pipeline, stage: Stage, status: str, n: int) -> tuple[Any, ...]:
        """Deal ``n`` of ``deals``: rows are inserted in the order deals were created,
        over the last HISTORY_DAYS; each is expected to close within a year (open) or
        half a year (won, lost) of its creation."""
        owner = reps[n % REPS]
        created_at = now - datetime.timedelta(days=HISTORY_DAYS * (1 - n / deals))
        horizon = 365 if status == "open" else 180
        close = created_at.date() + datetime.timedelta(days=rng.randrange(horizon))
        entered = min(now, created_at + datetime.timedelta(days=rng.randrange(30)))
        probability = stage.probability if status == "open" else (100 if status == "won" else 0)
        created = utc(created_at)
        return (
            created,
            created,
            1,
            None,
            "{}",
            "",
            f"Deal {n}",
            status,
            str(Decimal(rng.randrange(100, 5_000_000)) / 100),
            _currency(rng),
            probability,
            close.isoformat(),
            "",
            "",
            utc(entered),
            None if status == "open" else utc(entered),
            "",
            None,
            owner.pk,
            owner.team_id,
            pipeline.pk,
            stage.pk,
        )

    created = 0
    with connection.cursor() as cursor:
        while created < deals:
            rows = []
            for n in range(created, min(created + BATCH, deals)):
                if n >= deals - BOARD_DEALS:  # the newest ones
                    rows.append(deal(board, board_stages[n % len(board_stages)], "open", n))
                    continue
                roll = rng.random()
                if roll < 0.30:
                    rows.append(deal(other, rng.choice(stages), "open", n))
                elif roll < 0.65:
                    rows.append(deal(other, won, "won", n))
                else:
                    rows.append(deal(other, lost, "lost", n))
            cursor.executemany(sql, rows)
            created += len(rows)
            if created % 100_000 == 0 or created == deals:
                print(f"  {created:,} deals ({time.monotonic() - started:.0f} s)", flush=True)
    assert Deal.objects.count() == deals


def generate(deals: int, *, force: bool = False) -> Path:
    return build_data_file(
        db_file(deals),
        lambda: _load(random.Random(SEED), deals),
        force=force,
        meta=meta_file(deals),
    )


def _shift_dates(deals: int) -> None:
    """Move every close date forward by the days since the file was built."""
    from django.db import connection, transaction
    from django.utils import timezone

    meta = json.loads(meta_file(deals).read_text()) if meta_file(deals).exists() else {}
    today = timezone.now().date()
    built = datetime.date.fromisoformat(meta.get("built_on", today.isoformat()))
    days = (today - built).days
    if days <= 0:
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE sales_deal SET close_date = date(close_date, '+{days} days')")
        cursor.execute("ANALYZE sales_deal")
    meta_file(deals).write_text(json.dumps({"built_on": today.isoformat()}))
    print(f"moved close dates forward by {days} days", flush=True)


# --- measurements ----------------------------------------------------------------------


def measure_board(admin: Any, rep: Any, runs: int) -> dict[str, Any]:
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    from clientela.sales.models import Pipeline

    try:
        base = reverse("sales:deal-board")
    except NoReverseMatch:
        return {"status": "not available (sales:deal-board has no URL yet)"}
    pipeline = Pipeline.objects.get(name=BOARD_PIPELINE)
    url = f"{base}?pipeline={pipeline.pk}"
    results: dict[str, Any] = {}
    for label, user in (("admin", admin), ("rep", rep)):
        client = Client()
        client.force_login(user)
        try:
            result = timed_get(client, url, runs)
        except Exception as exc:
            return {"status": f"not available ({type(exc).__name__}: {exc})"[:300]}
        if result["status_code"] != 200:
            return {"status": f"not available (HTTP {result['status_code']})"}
        results[label] = result
    return results


def measure_forecast(admin: Any, rep: Any, runs: int) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from clientela.sales.selectors.forecast import forecast, quarter_bounds

    start, end = quarter_bounds(timezone.localdate())
    results: dict[str, Any] = {"period": f"{start} – {end}"}
    for label, user in (("admin", admin), ("rep", rep)):
        forecast(user, date_from=start, date_to=end)
        samples = []
        for _run in range(runs):
            began = time.perf_counter()
            result = forecast(user, date_from=start, date_to=end)
            samples.append((time.perf_counter() - began) * 1000)
        with CaptureQueriesContext(connection) as ctx:
            forecast(user, date_from=start, date_to=end)
        results[f"selector_{label}"] = {
            "deals": result.total.deals,
            "owners": len(result.owners),
            "missing_rates": result.missing_rates,
            "weighted_total": str(result.total.weighted),
            "queries": len(ctx.captured_queries),
            **summary(samples),
        }
    if connection.vendor == "sqlite":
        sql, params = _forecast_sql(rep, start, end)
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            results["plan_rep"] = [row[-1] for row in cursor.fetchall()]
    client = Client()
    client.force_login(admin)
    results["page_admin"] = timed_get(client, f"{reverse('sales:forecast')}?period=quarter", runs)
    return results


def _forecast_sql(user: Any, start: datetime.date, end: datetime.date) -> tuple[str, Any]:
    """The forecast's aggregate query as the database receives it (for its plan)."""
    from django.db import connection

    from clientela.sales.selectors import forecast as module

    captured: list[tuple[str, Any]] = []

    def keep(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        captured.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep):
        module.forecast_rows(user, date_from=start, date_to=end)
    return next((sql, params) for sql, params in captured if "sales_deal" in sql)


def _push_loop(args: tuple[int, str, list[int], str, float, int]) -> tuple[int, int]:
    """One client: POST orders back to back until the deadline or the cap; (ok, failed).
    Raw sockets, as bench/run.py's clients, so the load generator costs little CPU."""
    port, token, people, prefix, seconds, cap = args
    ok = failed = 0
    deadline = time.monotonic() + seconds
    i = 0
    while time.monotonic() < deadline and ok + failed < cap:
        body = json.dumps(
            {
                "external_id": f"{prefix}-{i}",
                "person_id": people[i % len(people)],
                "currency": "EUR",
                "ordered_at": "2025-03-01T10:00:00+01:00",
                "lines": [
                    {
                        "description": "Oak table",
                        "quantity": "1",
                        "unit_price": "450.00",
                        "tax_rate": "21",
                    },
                    {
                        "description": "Chair",
                        "quantity": "4",
                        "unit_price": "80.00",
                        "discount_percent": "5",
                        "tax_rate": "21",
                    },
                ],
                "total": "912.34",
            }
        ).encode()
        request = (
            f"POST /api/v1/orders HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        ).encode() + body
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
                sock.sendall(request)
                chunks = []
                while chunk := sock.recv(65536):
                    chunks.append(chunk)
            if b"".join(chunks[:1]).startswith(b"HTTP/1.1 201"):
                ok += 1
            else:
                failed += 1
        except OSError:
            failed += 1
        i += 1
    return ok, failed


def measure_push(db: Path, admin: Any, *, clients: int, seconds: float, cap: int) -> dict[str, Any]:
    from bench.run import bench_server
    from clientela.contacts.models import Person
    from clientela.core.models import ApiToken
    from clientela.core.services import api_token_create
    from clientela.sales.models import Order

    ApiToken.objects.filter(user=admin, name="bench-sales").delete()
    _token, clear = api_token_create(user=admin, name="bench-sales", scopes=["sales:write"])
    people = list(Person.objects.order_by("pk").values_list("pk", flat=True)[:500])
    workers = 2
    run_id = time.strftime("%H%M%S")
    try:
        with bench_server(db, workers=workers) as port:
            if port is None:
                return {"status": "the benchmark server did not start"}
            return _push(port, clear, people, run_id, clients, seconds, cap, workers)
    finally:
        # Leave the file as it was, so the next run measures the same thing.
        Order.objects.filter(external_id__startswith="bench-").delete()


def _push(
    port: int,
    clear: str,
    people: list[int],
    run_id: str,
    clients: int,
    seconds: float,
    cap: int,
    workers: int,
) -> dict[str, Any]:
    from clientela.sales.models import Order

    with multiprocessing.get_context("spawn").Pool(clients) as pool:
        # Each worker's first requests load the app (seconds): not what is measured.
        warm = [(port, clear, people, f"bench-warm-{run_id}-{c}", 3.0, 40) for c in range(clients)]
        pool.map(_push_loop, warm)
        jobs = [
            (port, clear, people, f"bench-push-{run_id}-{c}", seconds, cap) for c in range(clients)
        ]
        started = time.monotonic()
        results = pool.map(_push_loop, jobs)
        elapsed = time.monotonic() - started
    ok = sum(r[0] for r in results)
    failed = sum(r[1] for r in results)
    stored = Order.objects.filter(external_id__startswith=f"bench-push-{run_id}-").count()
    return {
        "server": f"gunicorn, {workers} sync workers",
        "clients": clients,
        "orders_created": ok,
        "orders_in_database": stored,
        "failed": failed,
        "seconds": round(elapsed, 2),
        "orders_per_s": round(ok / elapsed, 1),
    }


# --- report ----------------------------------------------------------------------------


def report(results: dict[str, Any]) -> str:
    def verdict(value: float, limit: float) -> str:
        return "ok" if value < limit else "MISSED"

    lines = [
        f"Sales ({results['deals']:,} deals, {results['board_deals']:,} open on the board; "
        f"{results['date']})",
        "| measurement | value | target | |",
        "| --- | --- | --- | --- |",
    ]
    board = results["board"]
    if "admin" in board:
        for label in ("admin", "rep"):
            b = board[label]
            target = "p95 < 200 ms" if label == "admin" else ""
            mark = verdict(b["p95_ms"], TARGETS["board_p95_ms"]) if label == "admin" else ""
            lines.append(
                f"| deal board, {label}, p50 / p95 (`{b['url']}`, {b['queries']} queries, "
                f"{b['bytes']:,} bytes) | {b['p50_ms']} / {b['p95_ms']} ms | {target} | {mark} |"
            )
    else:
        lines.append(f"| deal board | {board.get('status', '?')} | p95 < 200 ms | |")
    fc = results["forecast"]
    for label in ("admin", "rep"):
        s = fc[f"selector_{label}"]
        lines.append(
            f"| forecast selector, {label}, this quarter ({s['deals']:,} deals, "
            f"{s['queries']} queries) p50 / p95 | {s['p50_ms']} / {s['p95_ms']} ms "
            f"| p95 < 500 ms | {verdict(s['p95_ms'], TARGETS['forecast_p95_ms'])} |"
        )
    page = fc["page_admin"]
    lines.append(
        f"| forecast page, admin (`{page['url']}`, {page['queries']} queries) p50 / p95 "
        f"| {page['p50_ms']} / {page['p95_ms']} ms | | |"
    )
    push = results["push"]
    if "orders_per_s" in push:
        lines.append(
            f"| order push, `POST /api/v1/orders`, {push['clients']} clients "
            f"({push['orders_created']:,} created, {push['failed']} failed) "
            f"| {push['orders_per_s']:,} orders/s | | |"
        )
    else:
        lines.append(f"| order push | {push.get('status', '?')} | | |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description="Run Clientela's sales benchmarks.")
    parser.add_argument("--deals", type=int, default=int(os.environ.get("BENCH_DEALS", DEALS)))
    parser.add_argument("--runs", type=int, default=40, help="timed requests per page")
    parser.add_argument("--clients", type=int, default=2, help="order push client processes")
    parser.add_argument("--seconds", type=float, default=10.0, help="order push duration")
    parser.add_argument("--cap", type=int, default=5_000, help="max orders per client")
    parser.add_argument("--no-server", action="store_true", help="skip the order push")
    parser.add_argument("--force", action="store_true", help="rebuild the data file")
    parser.add_argument("--generate-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.deals < BOARD_DEALS:
        parser.error(f"--deals must be at least {BOARD_DEALS:,} (the board's deals)")

    db = db_file(args.deals)
    migrated = ready_data_file(
        __file__,
        db,
        lambda: generate(args.deals, force=args.force),
        force=args.force,
        generate_only=args.generate_only,
        args=("--deals", str(args.deals)),
    )
    if migrated is None:
        return

    from clientela.core.models import User
    from clientela.sales.models import Deal

    _shift_dates(args.deals)
    admin = User.objects.get(username=ADMIN)
    rep = User.objects.get(username=REP)
    results: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "deals": Deal.objects.count(),
        "board_deals": BOARD_DEALS,
        "users": f"{ADMIN} (admin, scope all), {REP} (sales rep, team North)",
        "load_average_at_start": os.getloadavg(),
        "migrations_applied_first": migrated,
    }
    results["board"] = measure_board(admin, rep, args.runs)
    results["forecast"] = measure_forecast(admin, rep, args.runs)
    if args.no_server:
        results["push"] = {"status": "not measured (--no-server)"}
    else:
        results["push"] = measure_push(
            db, admin, clients=args.clients, seconds=args.seconds, cap=args.cap
        )
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"sales-{args.deals}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str))
    print(report(results))
    print(f"\nJSON: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
