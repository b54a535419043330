#!/usr/bin/env python
"""Benchmark of the order import (``bench/README.md``, "Order import"; issue 13 item 13).

    .venv/bin/python bench/orders_import.py            # CDNOW, 69,659 order lines

CDNOW's purchase history (``../shared/data/cdnow/CDNOW_master.txt``) written as an order
file (``integrations.tests.order_data.cdnow_csv``: one order per purchase, 23,570
customers, one product), imported with ``clientela``'s import services into a fresh,
migrated SQLite database as an admin, in its own process: lines per second of the dry
run and of the import, and the peak memory (``ru_maxrss``) of that process.

Target: ≥ 5,000 lines/s.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.generate import BENCH_DIR  # noqa: E402
from clientela.integrations.tests.order_data import cdnow_csv  # noqa: E402

TARGET_LINES_PER_S = 5_000


def shared_data() -> Path:
    explicit = os.environ.get("CLIENTELA_SHARED_DATA")
    for folder in ([Path(explicit)] if explicit else []) + [
        p / "shared" / "data" for p in ROOT.parents
    ]:
        if (folder / "cdnow" / "CDNOW_master.txt").is_file():
            return folder
    sys.exit("shared/data/cdnow/CDNOW_master.txt not found beside the repository")


def child(path: Path) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clientela.settings")
    django.setup()
    from django.core.files import File

    from clientela.core.models import User
    from clientela.integrations import services

    user = User.objects.get(username="bench-import")
    with path.open("rb") as handle:
        job = services.import_upload(
            actor=user, upload=File(handle), filename=path.name, kind="orders", read_now=True
        )
    job = services.import_configure(actor=user, job=job, kind="orders", mapping=job.mapping)
    started = time.perf_counter()
    services.import_check_run(job=job)
    check = time.perf_counter() - started
    services.import_start(actor=user, job=job, queue=False)
    started = time.perf_counter()
    if os.environ.get("BENCH_PROFILE"):
        import cProfile

        with cProfile.Profile() as profile:
            counts = services.import_run(job=job)
        profile.dump_stats(os.environ["BENCH_PROFILE"])
    else:
        counts = services.import_run(job=job)
    seconds = time.perf_counter() - started
    assert counts is not None
    print(
        json.dumps(
            {
                "lines": job.rows_total,
                "check_seconds": round(check, 1),
                "check_lines_per_s": round(job.rows_total / check),
                "seconds": round(seconds, 1),
                "lines_per_s": round(job.rows_total / seconds),
                "created": counts.created,
                "failed": counts.failed,
                "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child))
        return
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    path = BENCH_DIR / "cdnow-orders.csv"
    cdnow_csv(shared_data() / "cdnow" / "CDNOW_master.txt", path)
    with tempfile.TemporaryDirectory(prefix="bench-orders-") as data_dir:
        env = {**os.environ, "CLIENTELA_DATA_DIR": data_dir, "CLIENTELA_MAX_IMPORT_MB": "4096"}
        env.pop("DATABASE_URL", None)
        clientela = str(ROOT / ".venv" / "bin" / "clientela")
        subprocess.run([clientela, "migrate", "-v0"], env=env, check=True)
        subprocess.run(
            [clientela, "createuser", "bench-import", "--role", "admin", "--team", "HQ",
             "--password", "Quarzo-Tilde-8841"],
            env=env, check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(path)],
            env=env, check=True, capture_output=True, text=True,
        )  # fmt: skip
    result = json.loads(out.stdout.strip().splitlines()[-1])
    print(
        f"orders import, CDNOW {result['lines']:,} lines: dry run "
        f"{result['check_lines_per_s']:,} lines/s ({result['check_seconds']} s), import "
        f"{result['lines_per_s']:,} lines/s ({result['seconds']} s), peak "
        f"{result['peak_mb']} MB; created {result['created']:,}, failed {result['failed']} "
        f"(target ≥ {TARGET_LINES_PER_S:,} lines/s)"
    )


if __name__ == "__main__":
    main()
