#!/usr/bin/env python
"""Benchmark of the duplicate finder (``bench/README.md``, "Duplicates").

    .venv/bin/python bench/duplicates.py            # builds the data file on first use
    .venv/bin/python bench/duplicates.py --force    # rebuild it
    .venv/bin/python bench/duplicates.py --people 20000

A full scan (``data_quality.duplicate_scan_run``: what the "Scan now" button and the
worker's ``scan_duplicates`` task run) over 100,000 people of whom ~5% are planted
duplicates of another person: the name with a typo, swapped or shortened, the e-mail
in other letters or another address, sometimes the same phone, the same or another
city. The figure is the scan's seconds (read, block, compare, store); recall and
precision on the planted pairs are printed beside it. Target: under 60 s.

The data lives in its own file, var/bench/duplicates-<version>-<people>.sqlite3, reused
when present; it is written with ``bulk_create`` straight into the tables (people,
their e-mail and phone rows), no services, no audit entries, no search index.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

from faker import Faker

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.generate import BENCH_DIR, CITIES, CITY_WEIGHTS, ROOT, build_data_file, ready_data_file
from bench.run import RESULTS

#: Bump when the data shape changes, so an old file is not reused.
VERSION = 1
PEOPLE = 100_000
DUPLICATE_SHARE = 0.05
BATCH = 5_000
SEED = 5
USERNAME = "bench-duplicates-admin"
TARGET_SECONDS = 60.0
DOMAINS = ("gmail.com", "hotmail.com", "yahoo.es", "outlook.com", "example.org")


def db_file(people: int) -> Path:
    return BENCH_DIR / f"duplicates-v{VERSION}-{people}.sqlite3"


def truth_file(people: int) -> Path:
    return BENCH_DIR / f"duplicates-v{VERSION}-{people}.truth.json"


# --- data ------------------------------------------------------------------------------


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 3:
        return word
    i = rng.randrange(1, len(word) - 1)
    op = rng.randrange(3)
    if op == 0:  # drop a letter
        return word[:i] + word[i + 1 :]
    if op == 1:  # swap two letters
        return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]
    return word[:i] + rng.choice("aeioulnrst") + word[i + 1 :]  # change one


def _variant(rng: random.Random, original: dict[str, Any]) -> dict[str, Any]:
    """A planted duplicate of ``original`` as someone would type it again."""
    dup = dict(original)
    roll = rng.random()
    if roll < 0.3:
        dup["last_name"] = _typo(rng, dup["last_name"])
    elif roll < 0.5:
        dup["first_name"] = _typo(rng, dup["first_name"])
    elif roll < 0.6:
        dup["first_name"], dup["last_name"] = dup["last_name"], dup["first_name"]
    elif roll < 0.7:
        dup["first_name"] = dup["first_name"][:1] + "."
    dup["email"] = (
        dup["email"].upper()
        if rng.random() < 0.4
        else (
            f"{dup['first_name'][:1]}{dup['last_name']}{rng.randrange(100)}@work.example".lower()
            if rng.random() < 0.5
            else ""
        )
    )
    if rng.random() < 0.5:
        dup["phone"] = ""
    if rng.random() < 0.2:
        dup["city"] = rng.choices(CITIES, weights=CITY_WEIGHTS)[0][0]
    if rng.random() < 0.3:
        dup["birthday"] = None
    return dup


def _load(people: int, rng: random.Random) -> list[list[int]]:
    """Insert the people; returns the planted pairs as ids [original, duplicate]."""
    from clientela.contacts.models import EmailAddress, Person, PhoneNumber
    from clientela.core.normalize import fold
    from clientela.core.services import roles_ensure_defaults, user_create

    roles_ensure_defaults()
    user = user_create(
        username=USERNAME,
        password="bench-password",  # noqa: S106 (never used)
        role_key="admin",
        team_name="North",
    )
    fakers = [Faker(locale) for locale in ("en_US", "es_ES", "en_GB", "es_MX", "de_DE")]
    for i, faker in enumerate(fakers):
        faker.seed_instance(SEED + i)
    duplicates = int(people * DUPLICATE_SHARE)
    originals = people - duplicates
    rows: list[dict[str, Any]] = []
    for n in range(originals):
        faker = fakers[n % len(fakers)]
        first, last = faker.first_name(), faker.last_name()
        local = fold(f"{first}.{last}").replace(" ", "")
        rows.append(
            {
                "first_name": first,
                "last_name": last,
                "email": f"{local}{rng.randrange(1000)}@{rng.choice(DOMAINS)}",
                "phone": f"+3461{rng.randrange(10**7):07d}" if rng.random() < 0.6 else "",
                "city": rng.choices(CITIES, weights=CITY_WEIGHTS)[0][0],
                "birthday": datetime.date(1940, 1, 1)
                + datetime.timedelta(days=rng.randrange(25_000))
                if rng.random() < 0.5
                else None,
            }
        )
    sources = rng.sample(range(originals), duplicates)
    rows.extend(_variant(rng, rows[s]) for s in sources)
    own = {"owner_id": user.pk, "team_id": user.team_id}
    created: list[Any] = []
    for start in range(0, len(rows), BATCH):
        chunk = [Person(**own, **row) for row in rows[start : start + BATCH]]
        created.extend(Person.objects.bulk_create(chunk, batch_size=BATCH))
    # The e-mail and phone rows the services would keep beside the copied primary.
    EmailAddress.objects.bulk_create(
        (
            EmailAddress(person_id=p.pk, address=p.email, is_primary=True)
            for p in created
            if p.email
        ),
        batch_size=BATCH,
    )
    PhoneNumber.objects.bulk_create(
        (PhoneNumber(person_id=p.pk, number=p.phone, is_primary=True) for p in created if p.phone),
        batch_size=BATCH,
    )
    return [[created[s].pk, created[originals + i].pk] for i, s in enumerate(sources)]


def generate(people: int, *, force: bool = False) -> Path:
    return build_data_file(
        db_file(people),
        lambda: _load(people, random.Random(SEED)),
        force=force,
        after=lambda planted: truth_file(people).write_text(json.dumps(planted)),
    )


# --- measurement -----------------------------------------------------------------------


def measure(people: int) -> dict[str, Any]:
    from django.db import connection

    from clientela.contacts.data_quality import duplicate_scan_run
    from clientela.contacts.duplicates import DEFAULT_MIN_SCORE
    from clientela.contacts.models import DuplicatePair, DuplicateScan, Person

    planted = {tuple(sorted(p)) for p in json.loads(truth_file(people).read_text())}
    scan = DuplicateScan.objects.create(kind="person")
    started = time.perf_counter()
    duplicate_scan_run(scan=scan)
    seconds = time.perf_counter() - started
    found = set(
        DuplicatePair.objects.filter(scan=scan, score__gte=DEFAULT_MIN_SCORE).values_list(
            "a_id", "b_id"
        )
    )
    hits = len(found & planted)
    stored = DuplicatePair.objects.filter(scan=scan).count()
    # Leave the file as it was for the next run.
    DuplicateScan.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "people": Person.objects.count(),
        "planted_pairs": len(planted),
        "seconds": round(seconds, 2),
        "pairs_stored": stored,
        "pairs_at_default_min_score": len(found),
        "recall_at_default_min_score": round(hits / len(planted), 3) if planted else None,
        "precision_at_default_min_score": round(hits / len(found), 3) if found else None,
        "default_min_score": DEFAULT_MIN_SCORE,
        "load_average_at_start": os.getloadavg(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark Clientela's duplicate finder.")
    parser.add_argument("--people", type=int, default=PEOPLE)
    parser.add_argument("--force", action="store_true", help="rebuild the data file")
    parser.add_argument("--generate-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    migrated = ready_data_file(
        __file__,
        db_file(args.people),
        lambda: generate(args.people, force=args.force),
        force=args.force,
        generate_only=args.generate_only,
        args=("--people", str(args.people)),
    )
    if migrated is None:
        return
    results = measure(args.people)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"duplicates-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(results, indent=2))
    verdict = "ok" if results["seconds"] < TARGET_SECONDS else "MISSED"
    print(
        f"Duplicate finder: full scan of {results['people']:,} people in "
        f"{results['seconds']} s (target < {TARGET_SECONDS:.0f} s: {verdict}); "
        f"{results['pairs_stored']:,} pairs stored, {results['pairs_at_default_min_score']:,} "
        f"at score >= {results['default_min_score']}; planted pairs: recall "
        f"{results['recall_at_default_min_score']}, precision "
        f"{results['precision_at_default_min_score']}"
    )
    print(f"JSON: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
