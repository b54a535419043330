#!/usr/bin/env python
"""Benchmark of import and export (``bench/README.md``, "Import and export").

    .venv/bin/python bench/imports.py                 # 1,000,000 people
    .venv/bin/python bench/imports.py --people 100000

1. Writes a CSV of N people as a spreadsheet export would hold them (first and last
   name, e-mail, phone written as people type them, city, country name, birthday
   day-first, a tag), with ~2% of the rows repeating an earlier person's e-mail or phone
   in other letters (so the duplicate checks have work to do). The file is kept in
   var/bench/ and reused.
2. Raw speed: ``sqlite3``'s own ``.import`` of the same file into an empty table
   (the sqlite3 command-line shell), in the same run.
3. Clientela: ``clientela import`` of the file into a fresh, migrated SQLite database as
   an admin, duplicate checks on (update on the same e-mail/phone, skip similar names),
   in its own process: rows per second of the import (the dry run is timed apart), and
   the peak memory (``ru_maxrss``) of that process.
4. Export: ``clientela export people --format csv`` of everything imported, to a file, in
   its own process: rows per second and peak memory.

Targets (issue 5): import ≥ 20,000 rows/s with duplicate checks, peak memory < 500 MB
whatever the file size.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from faker import Faker

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.generate import (  # noqa: E402
    BENCH_DIR,
    CITIES,
    CITY_WEIGHTS,
    LOCALES,
    Phones,
    _ascii,
)

VERSION = 2
PEOPLE = 1_000_000
SEED = 11
TARGET_ROWS_PER_S = 20_000
TARGET_MB = 500
TAGS = ("", "", "", "Newsletter", "VIP", "Retail", "Wholesale")
COUNTRY_NAMES = {"ES": "Spain", "MX": "México", "US": "United States", "GB": "UK"}


def csv_file(people: int) -> Path:
    return BENCH_DIR / f"import-v{VERSION}-{people}.csv"


def _name_pools() -> tuple[list[str], list[str]]:
    firsts: set[str] = set()
    lasts: set[str] = set()
    for locale in LOCALES:
        fake = Faker(locale)
        fake.seed_instance(SEED)
        firsts.update(fake.first_name() for _ in range(3000))
        lasts.update(fake.last_name() for _ in range(6000))
    return sorted(firsts), sorted(lasts)


def write_csv(people: int, path: Path) -> None:
    """The file (see the module docstring); phones are valid numbers, written as a
    local number for a third of the rows."""
    rng = random.Random(SEED)
    phones = Phones(rng)
    firsts, lasts = _name_pools()
    path.parent.mkdir(parents=True, exist_ok=True)
    earlier: list[tuple[str, str]] = []
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(
            ["First Name", "Last Name", "E-mail Address", "Mobile Phone", "City",
             "Country/Region", "Birthday", "Categories"]
        )  # fmt: skip
        for n in range(people):
            first, last = rng.choice(firsts), rng.choice(lasts)
            city, _region, country = rng.choices(CITIES, weights=CITY_WEIGHTS)[0]
            email = f"{_ascii(first)}.{_ascii(last)}.{n}@example.com"
            phone = phones.draw(country)
            if rng.random() < 0.33:
                phone = phones.national[phone][1]
            if earlier and rng.random() < 0.02:
                old_email, old_phone = rng.choice(earlier)
                if rng.random() < 0.5:
                    email = old_email.upper()
                else:
                    email, phone = f"other.{n}@example.com", old_phone
            elif len(earlier) < 50_000:
                earlier.append((email, phone))
            day, month, year = rng.randint(1, 28), rng.randint(1, 12), rng.randint(1940, 2005)
            out.writerow(
                [first, last, email, phone, city, COUNTRY_NAMES.get(country, country),
                 f"{day:02d}/{month:02d}/{year}", rng.choice(TAGS)]
            )  # fmt: skip


def sqlite_raw_import(path: Path, rows: int) -> dict[str, float]:
    """The sqlite3 shell's ``.import`` of the file into a fresh table."""
    if shutil.which("sqlite3") is None:
        raise SystemExit("The sqlite3 command-line shell is missing: apt-get install sqlite3")
    target = BENCH_DIR / "import-raw.sqlite3"
    target.unlink(missing_ok=True)
    started = time.perf_counter()
    subprocess.run(["sqlite3", str(target), ".mode csv", f".import {path} people"], check=True)
    seconds = time.perf_counter() - started
    target.unlink(missing_ok=True)
    return {"seconds": round(seconds, 2), "rows_per_s": round(rows / seconds)}


def _clientela(env: dict[str, str], *args: str, stdout: int | None = None) -> float:
    """Run ``clientela …`` in its own process; returns its peak memory in MB."""
    command = [str(ROOT / ".venv" / "bin" / "clientela"), *args]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    subprocess.run(command, env=env, check=True, stdout=stdout)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(max(peak, before) / 1024, 1)


def run_child(kind: str, path: Path, data_dir: Path) -> dict[str, float]:
    """The measured part, in a fresh process (so ``ru_maxrss`` is its own)."""
    env = {**os.environ, "CLIENTELA_DATA_DIR": str(data_dir), "CLIENTELA_MAX_IMPORT_MB": "4096"}
    env.pop("DATABASE_URL", None)
    command = [sys.executable, __file__, "--child", kind, "--file", str(path)]
    out = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def child(kind: str, path: Path) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clientela.settings")
    django.setup()
    from django.core.files import File

    from clientela.core.models import User
    from clientela.integrations import services
    from clientela.integrations.exports import FORMATS, KINDS

    user = User.objects.get(username="bench-import")
    result: dict[str, float] = {}
    if kind == "import":
        with path.open("rb") as handle:
            job = services.import_upload(
                actor=user, upload=File(handle), filename=path.name, read_now=True
            )
        rows = job.rows_total
        started, cpu = time.perf_counter(), time.process_time()
        services.import_check_run(job=job)
        result["check_seconds"] = round(time.perf_counter() - started, 1)
        result["check_cpu_seconds"] = round(time.process_time() - cpu, 1)
        services.import_start(actor=user, job=job)
        started, cpu = time.perf_counter(), time.process_time()
        counts = services.import_run(job=job)
        seconds = time.perf_counter() - started
        # CPU time (user + system) of this process: less sensitive than the wall time to
        # the other work on a shared machine.
        result["cpu_seconds"] = round(time.process_time() - cpu, 1)
        result.update(
            rows=rows,
            seconds=round(seconds, 1),
            rows_per_s=round(rows / seconds),
            created=counts.created,
            updated=counts.updated,
            skipped=counts.skipped,
            failed=counts.failed,
        )
    else:
        started = time.perf_counter()
        rows = -1  # the header
        with open(os.devnull, "w") as sink:
            for chunk in FORMATS["csv"].write(KINDS["people"], user=user, filters=None):
                rows += chunk.count("\n")
                sink.write(chunk)
        seconds = time.perf_counter() - started
        result.update(rows=rows, seconds=round(seconds, 1), rows_per_s=round(rows / seconds))
    result["peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=int(os.environ.get("BENCH_IMPORT_N", PEOPLE)))
    parser.add_argument("--force", action="store_true", help="write the CSV again")
    parser.add_argument("--child", choices=("import", "export"), help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, Path(args.file))
        return
    path = csv_file(args.people)
    if args.force or not path.exists():
        print(f"writing {path} …", flush=True)
        write_csv(args.people, path)
    size_mb = path.stat().st_size / 1024 / 1024
    raw = sqlite_raw_import(path, args.people)
    data_dir = BENCH_DIR / "import-data"
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    env = {**os.environ, "CLIENTELA_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)
    _clientela(env, "migrate", "-v0")
    _clientela(
        env, "createuser", "bench-import", "--role", "admin", "--team", "HQ",
        "--password", "Quarzo-Tilde-8841", stdout=subprocess.DEVNULL,
    )  # fmt: skip
    imported = run_child("import", path, data_dir)
    exported = run_child("export", path, data_dir)
    results = {
        "people": args.people,
        "file_mb": round(size_mb, 1),
        "sqlite_raw": raw,
        "import": imported,
        "export": exported,
        "targets": {"import_rows_per_s": TARGET_ROWS_PER_S, "peak_mb": TARGET_MB},
    }
    print(json.dumps(results, indent=2))
    (BENCH_DIR / f"import-results-{args.people}.json").write_text(json.dumps(results, indent=2))
    ratio = imported["rows_per_s"] / raw["rows_per_s"]
    print(
        f"import: {imported['rows_per_s']:,} rows/s (target {TARGET_ROWS_PER_S:,}), "
        f"peak {imported['peak_mb']} MB (target < {TARGET_MB}); sqlite3 .import "
        f"{raw['rows_per_s']:,} rows/s (Clientela at {ratio:.1%} of it); export "
        f"{exported['rows_per_s']:,} rows/s, peak {exported['peak_mb']} MB"
    )


if __name__ == "__main__":
    main()
