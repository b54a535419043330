#!/usr/bin/env python
"""Clientela's benchmark suite (``make bench``; see bench/README.md).

    .venv/bin/python bench/run.py                 # N from BENCH_N, default 100000
    .venv/bin/python bench/run.py --n 1000000 --explain
    .venv/bin/python bench/run.py --n 1000000 --only list,search --runs 20   # a part
    .venv/bin/python bench/run.py --only activities   # bench/activities.py, own data file
    .venv/bin/python bench/run.py --only sales        # bench/sales.py, own data file
    .venv/bin/python bench/run.py --only duplicates   # bench/duplicates.py, own data file
    .venv/bin/python bench/run.py --only clv          # bench/clv.py, no database
    .venv/bin/python bench/run.py --only baskets      # bench/baskets.py, no database
    .venv/bin/python bench/run.py --only orders_import  # bench/orders_import.py, CDNOW
    .venv/bin/python bench/run.py --only sla          # bench/sla.py, no database
    .venv/bin/python bench/run.py --only service      # bench/service.py, own data file
    .venv/bin/python bench/run.py --only kb           # bench/kb.py, own data file
    .venv/bin/python bench/run.py --only clicks       # bench/clicks.py, own data file
    .venv/bin/python bench/run.py --only segments     # bench/segments.py, N from BENCH_N

An existing data file is migrated to the current schema first (``migrate_if_needed``).

1. Server time of pages, rendered in-process through Django's test client (the whole
   middleware stack, templates and queries; no network): the people list filtered by
   tag and city, sorted by name, page 500; the header search as you type.
2. SQL queries per list page and per API list call, at two page sizes.
3. Throughput against a real server (gunicorn on 127.0.0.1, loopback only): API
   ``GET /api/v1/people/{id}`` and ``GET /api/v1/people``, and a bare Django view with
   a fixed JSON body in the same run; the API/bare ratio is the figure to watch.
   Client loops are bounded by count and time.

Results print as a table and are written to bench/results/bench-N-<time>.json.
Parts whose URLs do not exist yet are reported as "not available", not as failures.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import platform
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import phonenumbers

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.generate import CITIES, ROOT, configure_django, db_path

RESULTS = ROOT / "bench" / "results"
LIST_PAGE = 500
PARTS = (
    "list",
    "search",
    "api",
    "server",
    "load",
    "activities",
    "sales",
    "duplicates",
    "imports",
    "clv",
    "baskets",
    "orders_import",
    "sla",
    "service",
    "kb",
    "clicks",
    "segments",
    "marketing",
    "events",
    "rules",
)
#: Parts with their own script and data file -> whether the script takes ``--runs``.
OWN_PROCESS_PARTS = {
    "activities": True,
    "sales": True,
    "duplicates": False,
    "imports": False,
    "clv": False,
    "baskets": False,
    "orders_import": False,
    "sla": False,
    "service": True,
    "kb": True,
    "clicks": False,
    "segments": True,
    "marketing": False,
    "events": False,
    "rules": False,
}
#: The campaign benchmark sends to min(N, this) people (a campaign to a million would
#: take a quarter of an hour of ``make bench``).
MARKETING_MAX = 100_000
TARGETS = {
    "list_p95_ms": 50.0,
    "search_p95_ms": 30.0,
    "api_detail_ratio": 0.40,
    "load_p95_ms": 300.0,
}


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary(samples: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(percentile(samples, 50), 2),
        "p95_ms": round(percentile(samples, 95), 2),
        "mean_ms": round(statistics.fmean(samples), 2) if samples else float("nan"),
        "samples": len(samples),
    }


def timed_get(client: Any, url: str, runs: int) -> dict[str, Any]:
    """GET ``url`` ``runs`` times after a warm-up: p50/p95, size and queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url)
    first = time.perf_counter()
    response = client.get(url)
    first_ms = (time.perf_counter() - first) * 1000
    for _warm in range(2):
        client.get(url)
    samples = []
    for _run in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return {
        "url": url,
        "status_code": response.status_code,
        "bytes": len(response.content),
        "queries": len(ctx.captured_queries),
        "second_request_ms": round(first_ms, 2),
        **summary(samples),
    }


def migrate_if_needed() -> list[str]:
    """Bring an existing benchmark file up to the current schema (minutes, not the
    quarter of an hour a rebuild takes at a million people), then refresh the planner
    statistics the loader gathered, as ``PRAGMA optimize`` would on a live database."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if not plan:
        return []
    names = [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]
    print(f"migrating the benchmark file: {', '.join(names)}", flush=True)
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return names


# --- in-process measurements ---------------------------------------------------------


def _url(name: str, **kwargs: Any) -> str | None:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


def _timed_get(client: Any, url: str, runs: int, **headers: Any) -> tuple[list[float], Any]:
    response = None
    for _warm in range(3):
        response = client.get(url, **headers)
    samples = []
    for _run in range(runs):
        started = time.perf_counter()
        response = client.get(url, **headers)
        samples.append((time.perf_counter() - started) * 1000)
    return samples, response


def _queries(client: Any, url: str, **headers: Any) -> tuple[int, list[dict[str, Any]], int]:
    """Queries of one request, after a warm-up request so that once-a-minute writes
    (the API token's last-used stamp) and cold caches do not blur the count."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url, **headers)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **headers)
    return len(ctx.captured_queries), list(ctx.captured_queries), response.status_code


def _explain(captured: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """EXPLAIN QUERY PLAN for each captured SELECT, slowest first."""
    from django.db import connection

    plans = []
    for query in sorted(captured, key=lambda q: -float(q["time"])):
        sql = query["sql"]
        if not sql.lstrip().upper().startswith("SELECT") or connection.vendor != "sqlite":
            continue
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            plan = [row[-1] for row in cursor.fetchall()]
        plans.append({"ms": round(float(query["time"]) * 1000, 2), "sql": sql, "plan": plan})
    return plans


def _page_of(client: Any, url: str) -> Any:
    """The page object the list rendered. Template instrumentation (which the test
    client needs to expose the context) is on only for this one request, so it does
    not weigh on the timed ones."""
    from django.test.utils import setup_test_environment, teardown_test_environment

    setup_test_environment()
    try:
        response = client.get(url)
        return response.context.get("page_obj") if response.context else None
    finally:
        teardown_test_environment()


def measure_list_page(
    client: Any, runs: int, explain: bool, *, counts: bool = True
) -> dict[str, Any]:
    from django.test import override_settings

    from clientela.core.models import Tag

    base = _url("contacts:person-list")
    if base is None:
        return {"status": "not available (contacts:person-list has no URL yet)"}
    tag = Tag.objects.get(name="Newsletter")
    city = CITIES[0][0]
    url = f"{base}?tag={tag.pk}&city={city}&sort=name&page={LIST_PAGE}"
    samples, response = _timed_get(client, url, runs)
    result: dict[str, Any] = {"url": url, "status_code": response.status_code, **summary(samples)}
    page = _page_of(client, url)
    if page is not None:
        result["page_number"] = page.number
        result["pages"] = page.paginator.num_pages
        # core.pagination counts only up to a few pages past the one shown.
        result["pages_exact"] = bool(getattr(page.paginator, "count_is_exact", True))
        result["page_size"] = page.paginator.per_page
        if page.number != LIST_PAGE:
            result["warning"] = f"page {LIST_PAGE} does not exist; the last page was measured"
    if not counts:
        return result
    sizes = {}
    for size in (25, 100):
        with override_settings(CLIENTELA_PAGE_SIZE=size):
            count, captured, _code = _queries(client, url.replace(f"page={LIST_PAGE}", "page=2"))
        sizes[str(size)] = count
    result["queries_by_page_size"] = sizes
    if explain:
        _count, captured, _code = _queries(client, url)
        result["plans"] = _explain(captured)
    return result


def _search_queries() -> list[str]:
    """Typical header-search input drawn from the data: a surname prefix, a full name,
    a first name + surname prefix, an e-mail, a phone as typed locally, a city."""
    from clientela.contacts.models import Person

    person = Person.objects.filter(deleted_at__isnull=True).order_by("pk")[500]
    other = Person.objects.filter(deleted_at__isnull=True).order_by("pk")[1500]

    national = str(phonenumbers.parse(other.phone).national_number)
    return [
        person.last_name[:3],
        person.last_name,
        f"{person.first_name} {person.last_name}",
        f"{other.first_name} {other.last_name[:2]}",
        person.email.split("@")[0],
        national[:4] + " " + national[4:],
        CITIES[5][0],
    ]


def measure_search(client: Any, runs: int, explain: bool) -> dict[str, Any]:
    base = _url("core:search")
    if base is None:
        return {"status": "not available (core:search has no URL yet)"}
    per_query: dict[str, Any] = {}
    samples: list[float] = []
    for query in _search_queries():
        url = f"{base}?q={quote(query)}"
        query_samples, response = _timed_get(client, url, max(5, runs // 3), HTTP_HX_REQUEST="true")
        samples += query_samples
        per_query[query] = {"status_code": response.status_code, **summary(query_samples)}
        if explain:
            _count, captured, _code = _queries(client, url, HTTP_HX_REQUEST="true")
            per_query[query]["plans"] = _explain(captured)
    return {"as_you_type": True, **summary(samples), "queries": per_query}


def measure_api_queries(client: Any, token: str) -> dict[str, Any]:
    base = _url("api:list_people")
    if base is None:
        return {"status": "not available (the people API has no URL yet)"}
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    counts = {}
    for limit in (10, 100):
        count, _captured, code = _queries(client, f"{base}?limit={limit}", **auth)
        counts[str(limit)] = count if code == 200 else f"HTTP {code}"
    return {"queries_by_limit": counts}


# --- throughput against a real server ---------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _client_loop(
    args: tuple[int, list[str], dict[str, str], float, int, bytes],
) -> tuple[int, int]:
    """One client: requests in turn until the deadline or the cap; (ok, failed).

    Raw sockets with pre-built requests rather than http.client: on a 2-core machine
    the load generator shares the CPU with the server, and the less it spends per
    request the more the figures describe the server.
    """
    port, paths, headers, seconds, cap, expect = args
    extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    requests = [
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{extra}Connection: close\r\n\r\n".encode()
        for path in paths
    ]
    ok = failed = 0
    deadline = time.monotonic() + seconds
    i = 0
    while time.monotonic() < deadline and ok + failed < cap:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
                sock.sendall(requests[i % len(requests)])
                chunks = []
                while chunk := sock.recv(65536):
                    chunks.append(chunk)
            if b"".join(chunks[:1]).startswith(expect):
                ok += 1
            else:
                failed += 1
        except OSError:
            failed += 1
        i += 1
    return ok, failed


def _throughput(
    port: int,
    paths: list[str],
    headers: dict[str, str],
    clients: int,
    seconds: float,
    cap: int,
    expect: bytes = b"HTTP/1.1 200",
) -> dict[str, Any]:
    """Requests a second of ``clients`` clients in turn over ``paths``; a request
    counts when its answer starts with ``expect`` (a redirect's ``HTTP/1.1 302``)."""
    with multiprocessing.get_context("spawn").Pool(clients) as pool:
        pool.map(_client_loop, [(port, paths, headers, 0.5, 50, expect)] * clients)  # warm-up
        started = time.monotonic()
        run = (port, paths, headers, seconds, cap, expect)
        results = pool.map(_client_loop, [run] * clients)
        elapsed = time.monotonic() - started
    ok = sum(r[0] for r in results)
    failed = sum(r[1] for r in results)
    return {
        "requests": ok,
        "failed": failed,
        "seconds": round(elapsed, 2),
        "rps": round(ok / elapsed, 1),
    }


@contextlib.contextmanager
def bench_server(
    db: Path, *, workers: int, threads: int = 1, conn_max_age: int | None = None
) -> Iterator[int | None]:
    """gunicorn as ``clientela serve`` starts it, on the benchmark's database and a free
    loopback port; yields the port (None if it did not start)."""
    from clientela.core.management.commands.serve import gunicorn_argv

    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db}",
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "PYTHONPATH": str(ROOT),
    }
    if conn_max_age is not None:
        env["BENCH_CONN_MAX_AGE"] = str(conn_max_age)
    argv = gunicorn_argv(
        host="127.0.0.1", port=port, workers=workers, threads=threads, timeout=30, access_log=False
    )
    server = subprocess.Popen(argv, env=env, cwd=ROOT, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    yield None
                    return
                time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


def measure_server(
    db: Path,
    token: str,
    *,
    clients: int,
    seconds: float,
    cap: int,
    workers: int,
    conn_max_age: int | None = None,
) -> dict[str, Any]:
    from clientela.contacts.models import Person

    detail = _url("api:get_person", person_id=1)
    listing = _url("api:list_people")
    with bench_server(db, workers=workers, conn_max_age=conn_max_age) as port:
        if port is None:
            return {"status": "the benchmark server did not start"}
        ids = list(
            Person.objects.filter(deleted_at__isnull=True)
            .order_by("pk")
            .values_list("pk", flat=True)[:: max(1, Person.objects.count() // 500)][:500]
        )
        auth = {"Authorization": f"Bearer {token}"}
        run = {"server": f"gunicorn, {workers} sync workers", "clients": clients}
        bare_1 = _throughput(port, ["/bench/bare/"], {}, clients, seconds, cap)
        if detail:
            paths = [str(_url("api:get_person", person_id=pk)) for pk in ids]
            run["api_detail"] = _throughput(port, paths, auth, clients, seconds, cap)
        else:
            run["api_detail"] = {"status": "not available"}
        if listing:
            run["api_list"] = _throughput(
                port, [f"{listing}?limit=25"], auth, clients, seconds, cap
            )
        else:
            run["api_list"] = {"status": "not available"}
        bare_2 = _throughput(port, ["/bench/bare/"], {}, clients, seconds, cap)
        bare_rps = (bare_1["rps"] + bare_2["rps"]) / 2
        run["bare"] = {"rps": round(bare_rps, 1), "runs": [bare_1, bare_2]}
        for key in ("api_detail", "api_list"):
            if "rps" in run[key]:
                run[key]["ratio_to_bare"] = round(run[key]["rps"] / bare_rps, 3)
        return run


# --- load: many clients at once against a real server -----------------------------------


def _load_process(args: tuple[int, str, dict[str, str], float, int]) -> tuple[list[float], int]:
    """``threads`` clients in one process, each sending the request again as soon as
    its answer is in, until the deadline; the latencies (ms) of the answers and how many
    failed (not a 200, or no answer)."""
    port, path, headers, seconds, threads = args
    extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{extra}Connection: close\r\n\r\n"
    latencies: list[float] = []
    failures: list[int] = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client() -> None:
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
                    sock.sendall(request.encode())
                    first = sock.recv(65536)
                    while sock.recv(65536):
                        pass
                good = first.startswith(b"HTTP/1.1 200")
            except OSError:
                good = False
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                if good:
                    latencies.append(elapsed)
                else:
                    failures[0] += 1

    pool = [threading.Thread(target=client) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return latencies, failures[0]


def measure_load(
    db: Path, token: str, *, clients: int, seconds: float, workers: int, threads: int
) -> dict[str, Any]:
    """``clients`` clients at once for ``seconds`` on ``GET /api/v1/people?limit=100``
    (about 73 KB a page) against gunicorn with ``workers`` workers of ``threads`` threads:
    the answers' p50/p95/p99, the requests a second and the failures."""
    listing = _url("api:list_people")
    if listing is None:
        return {"status": "not available"}
    path = f"{listing}?limit=100"
    headers = {"Authorization": f"Bearer {token}"}
    processes = max(1, min(clients, 5))
    per_process = [clients // processes + (i < clients % processes) for i in range(processes)]
    with bench_server(db, workers=workers, threads=threads) as port:
        if port is None:
            return {"status": "the benchmark server did not start"}
        with multiprocessing.get_context("spawn").Pool(processes) as pool:
            pool.map(_load_process, [(port, path, headers, 2.0, n) for n in per_process])
            started = time.monotonic()
            results = pool.map(
                _load_process, [(port, path, headers, seconds, n) for n in per_process]
            )
            elapsed = time.monotonic() - started
    latencies = [value for found, _failed in results for value in found]
    failed = sum(failed for _found, failed in results)
    return {
        "path": path,
        "clients": clients,
        "server": f"gunicorn, {workers} workers × {threads} threads",
        "seconds": round(elapsed, 1),
        "requests": len(latencies),
        "failed": failed,
        "rps": round(len(latencies) / elapsed, 1),
        **summary(latencies),
        "p99_ms": round(percentile(latencies, 99), 1),
    }


# --- report -----------------------------------------------------------------------------


def _row(name: str, value: str, target: str = "", verdict: str = "") -> str:
    return f"| {name:<48} | {value:>22} | {target:>14} | {verdict:>6} |"


def _load_rows(load: dict[str, Any]) -> list[str]:
    if "p95_ms" not in load:
        return []
    met = load["p95_ms"] < TARGETS["load_p95_ms"] and not load["failed"]
    return [
        _row(
            f"load: {load['clients']} clients, people ×100, p95",
            f"{load['p95_ms']} ms",
            f"< {TARGETS['load_p95_ms']:.0f} ms, 0 failed",
            "ok" if met else "MISS",
        ),
        _row(
            "  p50 / p99, req/s, failed",
            f"{load['p50_ms']} / {load['p99_ms']} ms, {load['rps']}/s, {load['failed']}",
        ),
    ]


def report(results: dict[str, Any]) -> str:
    def check(value: float, limit: float, higher: bool = False) -> str:
        return "ok" if (value >= limit if higher else value <= limit) else "MISS"

    lines = [
        f"Clientela benchmark — {results['people']:,} people, {results['organizations']:,} "
        f"organizations, SQLite ({results['date']})",
        _row("measurement", "result", "target at 1M", ""),
        "|" + "-" * 50 + "|" + "-" * 24 + "|" + "-" * 16 + "|" + "-" * 8 + "|",
    ]
    skipped = {"status": "not measured in this run"}
    lp = results.get("list_page", skipped)
    if "p95_ms" in lp:
        lines.append(_row(f"list page {LIST_PAGE} (tag+city, by name) p50", f"{lp['p50_ms']} ms"))
        lines.append(
            _row(
                f"list page {LIST_PAGE} (tag+city, by name) p95",
                f"{lp['p95_ms']} ms",
                f"< {TARGETS['list_p95_ms']:.0f} ms",
                check(lp["p95_ms"], TARGETS["list_p95_ms"]),
            )
        )
        if "pages" in lp:
            plus = "" if lp.get("pages_exact", True) else "+"
            lines.append(_row("  pages in that list", f"{lp['pages']:,}{plus} × {lp['page_size']}"))
        rep = results.get("list_page_sales_rep", {})
        if "p95_ms" in rep:
            lines.append(
                _row(
                    "  same, as a sales rep (team scope) p50 / p95",
                    f"{rep['p50_ms']} / {rep['p95_ms']} ms",
                )
            )
        qs = lp.get("queries_by_page_size", {})
        lines.append(
            _row(
                "  SQL queries per list page (25 / 100 rows)",
                " / ".join(str(v) for v in qs.values()),
                "same",
                "ok" if len(set(qs.values())) == 1 else "MISS",
            )
        )
    else:
        lines.append(_row("list page", lp.get("status", "?")))
    se = results.get("search", skipped)
    if "p95_ms" in se:
        lines.append(_row("header search (as you type) p50", f"{se['p50_ms']} ms"))
        lines.append(
            _row(
                "header search (as you type) p95",
                f"{se['p95_ms']} ms",
                f"< {TARGETS['search_p95_ms']:.0f} ms",
                check(se["p95_ms"], TARGETS["search_p95_ms"]),
            )
        )
    else:
        lines.append(_row("header search", se.get("status", "?")))
    aq = results.get("api_queries", skipped)
    if "queries_by_limit" in aq:
        counts = aq["queries_by_limit"]
        lines.append(
            _row(
                "SQL queries per API list call (10 / 100)",
                " / ".join(str(v) for v in counts.values()),
                "same",
                "ok" if len(set(counts.values())) == 1 else "MISS",
            )
        )
    srv = results.get("server") or {}
    if "bare" in srv:
        lines.append(
            _row(f"bare Django JSON view ({srv['clients']} clients)", f"{srv['bare']['rps']} req/s")
        )
        for key, label in (
            ("api_detail", "API GET /people/{id}"),
            ("api_list", "API GET /people (25)"),
        ):
            item = srv[key]
            if "rps" in item:
                target = f">= {TARGETS['api_detail_ratio']:.0%} bare" if key == "api_detail" else ""
                verdict = (
                    check(item["ratio_to_bare"], TARGETS["api_detail_ratio"], True)
                    if key == "api_detail"
                    else ""
                )
                lines.append(
                    _row(
                        label, f"{item['rps']} req/s = {item['ratio_to_bare']:.0%}", target, verdict
                    )
                )
            else:
                lines.append(_row(label, item.get("status", "?")))
    elif srv:
        lines.append(_row("server throughput", srv.get("status", "?")))
    per_request = results.get("server_per_request_connections") or {}
    if "bare" in per_request and "rps" in per_request.get("api_detail", {}):
        item = per_request["api_detail"]
        lines.append(
            _row(
                "  same, a new DB connection per request: detail",
                f"{item['rps']} req/s = {item['ratio_to_bare']:.0%}",
            )
        )
    lines += _load_rows(results.get("load") or {})
    return "\n".join(lines)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Run Clientela's benchmarks.")
    parser.add_argument("--n", type=int, default=int(os.environ.get("BENCH_N", "100000")))
    parser.add_argument("--runs", type=int, default=40, help="timed requests per page")
    parser.add_argument("--clients", type=int, default=4, help="concurrent API clients")
    parser.add_argument("--seconds", type=float, default=5.0, help="per throughput phase")
    parser.add_argument("--cap", type=int, default=20_000, help="max requests per client")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--load-clients", type=int, default=50, help="clients of the load part")
    parser.add_argument("--load-seconds", type=float, default=60.0, help="length of the load part")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (load part)")
    parser.add_argument("--no-server", action="store_true", help="skip the throughput part")
    parser.add_argument("--explain", action="store_true", help="add query plans to the JSON")
    parser.add_argument(
        "--compare-per-request",
        action="store_true",
        help="measure the API again with a new database connection per request",
    )
    parser.add_argument(
        "--only",
        default="",
        help=f"comma-separated parts to run, of: {','.join(PARTS)} (default: all)",
    )
    return parser.parse_args()


def main() -> None:
    args = _arguments()
    parts = set(args.only.split(",")) if args.only else set(PARTS)
    # Parts with their own data file run in their own process (bench/<part>.py).
    for part, takes_runs in OWN_PROCESS_PARTS.items():
        if part in parts:
            command = [sys.executable, str(ROOT / "bench" / f"{part}.py")]
            command += ["--runs", str(args.runs)] if takes_runs else []
            if part == "marketing":
                command += ["--recipients", str(min(args.n, MARKETING_MAX))]
            subprocess.run(command, check=True)
            parts.discard(part)
    if not parts:
        return

    db = db_path(args.n)
    if not db.exists():
        subprocess.run(
            [sys.executable, str(ROOT / "bench" / "generate.py"), "--n", str(args.n)], check=True
        )
    configure_django(db)
    migrated = migrate_if_needed()
    from django.test import Client

    from clientela.contacts.models import Organization, Person
    from clientela.core.models import ApiToken, User
    from clientela.core.services import api_token_create

    admin = User.objects.get(username="bench-admin")
    ApiToken.objects.filter(user=admin, name="bench").delete()
    _token, clear = api_token_create(user=admin, name="bench", scopes=["contacts:read"])
    client = Client()
    client.force_login(admin)
    from clientela.wsgi import settle_heap

    settle_heap()  # as the server does once it has loaded (clientela/wsgi.py)

    results: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "people": Person.objects.count(),
        "organizations": Organization.objects.count(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "load_average_at_start": os.getloadavg(),
        "user": "bench-admin (scope: all)",
        "migrations_applied_first": migrated,
    }
    if "list" in parts:
        results["list_page"] = measure_list_page(client, args.runs, args.explain)
        rep_client = Client()
        rep_client.force_login(User.objects.get(username="bench-rep-north-1"))
        results["list_page_sales_rep"] = measure_list_page(
            rep_client, args.runs, args.explain, counts=False
        )
    if "search" in parts:
        results["search"] = measure_search(client, args.runs, args.explain)
    if "api" in parts:
        results["api_queries"] = measure_api_queries(client, clear)
    if "server" in parts and not args.no_server:
        server_options = {
            "clients": args.clients,
            "seconds": args.seconds,
            "cap": args.cap,
            "workers": args.workers,
        }
        results["server"] = measure_server(db, clear, **server_options)
        if args.compare_per_request:
            results["server_per_request_connections"] = measure_server(
                db, clear, conn_max_age=0, **server_options
            )
    if "load" in parts and not args.no_server:
        results["load"] = measure_load(
            db,
            clear,
            clients=args.load_clients,
            seconds=args.load_seconds,
            workers=args.workers,
            threads=args.threads,
        )
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"bench-{args.n}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str))
    print(report(results))
    print(f"\nJSON: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
