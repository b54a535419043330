#!/usr/bin/env python
"""Load N people (and N/10 organizations) into the benchmark's own SQLite file.

    .venv/bin/python bench/generate.py            # N from BENCH_N, default 100000
    .venv/bin/python bench/generate.py --n 1000000

The file is var/bench/bench-N.sqlite3; it is reused when present (delete it, or pass
--force, to rebuild). It is written under a temporary name and renamed at the end, so
an interrupted run never leaves a half-filled file that a later run would trust.

This is a test-fixture loader, not a user interface: it bypasses the services and
writes rows straight into the tables (plus their search entries, which the FTS5
triggers index), because going through ``person_create`` would take hours at a
million records. It writes no audit entries; nothing measured reads them.

The distribution is chosen so the measured queries are meaningful (bench/README.md):
cities follow a Zipf curve over 50 cities (the largest holds ~24% of people), and the
"Newsletter" tag is on ~60% of people, so "tag=Newsletter, city=<largest>, sorted by
name, page 500" exists at 100,000 people (~14,000 matches = ~570 pages of 25) and is
deep inside the data at 1,000,000.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import re
import subprocess
import sys
import time
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import phonenumbers
from faker import Faker

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
SEED = 7
CHUNK = 10_000

# (city, region, country): 50 real cities, largest first (weights follow that order).
CITIES: tuple[tuple[str, str, str], ...] = (
    ("Madrid", "Comunidad de Madrid", "ES"),
    ("New York", "NY", "US"),
    ("Ciudad de México", "CDMX", "MX"),
    ("London", "England", "GB"),
    ("Buenos Aires", "CABA", "AR"),
    ("Bogotá", "Bogotá D.C.", "CO"),
    ("Barcelona", "Cataluña", "ES"),
    ("Santiago", "Región Metropolitana", "CL"),
    ("Toronto", "ON", "CA"),
    ("Sydney", "NSW", "AU"),
    ("Chicago", "IL", "US"),
    ("Guadalajara", "Jalisco", "MX"),
    ("Medellín", "Antioquia", "CO"),
    ("Melbourne", "VIC", "AU"),
    ("Dublin", "Leinster", "IE"),
    ("Valencia", "Valencia", "ES"),
    ("Monterrey", "Nuevo León", "MX"),
    ("Manchester", "England", "GB"),
    ("Córdoba", "Córdoba", "AR"),
    ("Vancouver", "BC", "CA"),
    ("Sevilla", "Andalucía", "ES"),
    ("Austin", "TX", "US"),
    ("Cali", "Valle del Cauca", "CO"),
    ("Brisbane", "QLD", "AU"),
    ("Rosario", "Santa Fe", "AR"),
    ("Birmingham", "England", "GB"),
    ("Puebla", "Puebla", "MX"),
    ("Seattle", "WA", "US"),
    ("Valparaíso", "Valparaíso", "CL"),
    ("Bilbao", "País Vasco", "ES"),
    ("Calgary", "AB", "CA"),
    ("Cork", "Munster", "IE"),
    ("Perth", "WA", "AU"),
    ("Barranquilla", "Atlántico", "CO"),
    ("Boston", "MA", "US"),
    ("Mendoza", "Mendoza", "AR"),
    ("Málaga", "Andalucía", "ES"),
    ("Leeds", "England", "GB"),
    ("Mérida", "Yucatán", "MX"),
    ("Concepción", "Biobío", "CL"),
    ("Ottawa", "ON", "CA"),
    ("Adelaide", "SA", "AU"),
    ("Galway", "Connacht", "IE"),
    ("Miami", "FL", "US"),
    ("Zaragoza", "Aragón", "ES"),
    ("Cartagena", "Bolívar", "CO"),
    ("Glasgow", "Scotland", "GB"),
    ("La Plata", "Buenos Aires", "AR"),
    ("Querétaro", "Querétaro", "MX"),
    ("Denver", "CO", "US"),
)
CITY_WEIGHTS = [1 / (rank + 1) ** 1.07 for rank in range(len(CITIES))]
# (tag, share of people carrying it); ten tags as the brief's distribution asks.
TAGS: tuple[tuple[str, float], ...] = (
    ("Newsletter", 0.6),
    ("Retail", 0.3),
    ("Birthday club", 0.15),
    ("Wholesale", 0.1),
    ("Event 2024", 0.1),
    ("Inactive", 0.1),
    ("Referral", 0.08),
    ("VIP", 0.05),
    ("Partner program", 0.05),
    ("Key account", 0.03),
)
SPANISH = {"ES", "MX", "AR", "CO", "CL"}
LOCALES = ("en_US", "en_GB", "es_ES", "es_MX", "es_AR", "es_CO")
ROLES = ("customer", "prospect", "supplier", "partner", "stakeholder")
PASSWORD = "bench-clientela-pw"  # noqa: S105 - benchmark accounts in a throwaway database


def db_path(n: int) -> Path:
    return BENCH_DIR / f"bench-{n}.sqlite3"


def configure_django(database: Path) -> None:
    """Point Django at a benchmark database (call before anything imports models)."""
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("CLIENTELA_DATA_DIR", str(BENCH_DIR / "data"))
    # WhiteNoise warns at start-up when STATIC_ROOT is missing; the benchmark serves no
    # static files, so an empty folder is enough.
    (Path(os.environ["CLIENTELA_DATA_DIR"]) / "static").mkdir(parents=True, exist_ok=True)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


@contextmanager
def data_file(target: Path) -> Iterator[None]:
    """Build a benchmark's data file at ``target``: Django on a partial file next to it,
    migrated, with the loader's speed-ups; what runs inside fills it; then the planner
    statistics (as ``PRAGMA optimize`` would gather on a live database), the WAL folded
    in, and the file renamed into place. A crash leaves only the partial file, which
    the next run removes and builds again."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial.sqlite3")
    for stale in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        stale.unlink(missing_ok=True)
    configure_django(partial)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.execute("PRAGMA cache_size=-1000000")
        cursor.execute("PRAGMA temp_store=MEMORY")
    yield
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    partial.rename(target)
    for leftover in (Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        leftover.unlink(missing_ok=True)


def build_data_file(
    target: Path,
    load: Callable[[], Any],
    *,
    force: bool,
    meta: Path | None = None,
    after: Callable[[Any], None] | None = None,
) -> Path:
    """``target`` as it is, or (missing, or ``force``) built by ``load`` in one
    transaction inside ``data_file``; then ``meta`` gets the moment it was built (the
    day, ``built_on``, and the instant, ``built_at``: scripts move their dates forward
    from it on reuse) and ``after`` is given what ``load`` returned."""
    if target.exists() and not force:
        return target
    started = time.monotonic()
    with data_file(target):
        from django.db import transaction
        from django.utils import timezone

        with transaction.atomic():
            loaded = load()
    if meta is not None:
        now = timezone.now()
        meta.write_text(
            json.dumps({"built_on": now.date().isoformat(), "built_at": now.isoformat()})
        )
    if after is not None:
        after(loaded)
    print(f"wrote {target.relative_to(ROOT)} in {time.monotonic() - started:.0f} s", flush=True)
    return target


def ready_data_file(
    script: str,
    target: Path,
    build: Callable[[], Path],
    *,
    force: bool,
    generate_only: bool,
    args: Sequence[str] = (),
) -> list[str] | None:
    """A benchmark script's data file, ready to measure: built first when missing (or
    ``force``) by the script itself with ``--generate-only`` in a process of its own,
    because the loader's Django points at the partial file; then Django on ``target``
    and the file migrated to the current schema (the migrations applied are returned).
    With ``generate_only`` (that process), ``build`` runs here and None is returned:
    there is nothing to measure."""
    if generate_only:
        build()
        return None
    if force or not target.exists():
        command = [sys.executable, script, "--generate-only", *args]
        subprocess.run([*command, "--force"] if force else command, check=True)
    configure_django(target)
    from bench.run import migrate_if_needed

    return migrate_if_needed()


def _fold_words(parts: Sequence[str]) -> str:
    """The search text the services would index (see ``core.search.index_record``)."""
    from clientela.core.normalize import fold

    return " ".join(w for p in parts if p for w in re.findall(r"[^\W_]+", fold(p)))


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text)
    return re.sub(
        r"[^a-z0-9]+", "", "".join(c for c in plain if not unicodedata.combining(c)).lower()
    )


class Phones:
    """Valid, unique E.164 numbers per country, drawn around the library's example."""

    def __init__(self, rng: random.Random) -> None:
        self.pn = phonenumbers
        self.rng = rng
        self.used: set[str] = set()
        self.patterns: dict[tuple[str, bool], tuple[int, str, int]] = {}
        self.national: dict[str, tuple[int, str]] = {}

    def draw(self, country: str, mobile: bool = True) -> str:
        pn = self.pn
        key = (country, mobile)
        if key not in self.patterns:
            kind = pn.PhoneNumberType.MOBILE if mobile else pn.PhoneNumberType.FIXED_LINE
            example = pn.example_number_for_type(country, kind)
            national = str(example.national_number)
            self.patterns[key] = (example.country_code, national[:-6], 6)
        code, head, width = self.patterns[key]
        for _attempt in range(100):
            national = f"{head}{self.rng.randrange(10**width):0{width}d}"
            e164 = f"+{code}{national}"
            if e164 in self.used:
                continue
            # Built directly rather than parsed: parsing a million numbers is the slow part.
            number = pn.PhoneNumber(country_code=code, national_number=int(national))
            if pn.is_valid_number(number):
                self.used.add(e164)
                self.national[e164] = (code, national)
                return e164
        raise RuntimeError(f"no free phone numbers left for {country}")

    def search_terms(self, e164: str) -> list[str]:
        code, national = self.national[e164]
        return [f"{code}{national}", national]


class Loader:
    def __init__(self, n: int, seed: int) -> None:
        from django.db import connection

        self.n = n
        self.rng = random.Random(seed)
        self.connection = connection
        self.phones = Phones(self.rng)
        firsts: list[str] = []
        lasts: list[str] = []
        companies: list[str] = []
        for i, locale in enumerate(LOCALES):
            fake = Faker(locale)
            fake.seed_instance(seed + i)
            firsts += [fake.first_name() for _ in range(150)]
            lasts += [fake.last_name() for _ in range(250)]
            companies += [fake.company() for _ in range(200)]
        self.firsts = sorted(set(firsts))
        self.lasts = sorted(set(lasts))
        self.companies = sorted(set(companies))
        base = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
        self.stamps = [
            connection.ops.adapt_datetimefield_value(base + datetime.timedelta(hours=h))
            for h in range(0, 24 * 365, 7)
        ]

    # --- SQL helpers ------------------------------------------------------------------

    def insert(self, model: Any, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        qn = self.connection.ops.quote_name
        required = {
            f.column
            for f in model._meta.local_concrete_fields
            if not f.null and not f.primary_key and not f.has_default()
        }
        missing = required - set(columns) - {"created_at", "updated_at"}
        if missing:
            raise SystemExit(
                f"bench/generate.py: {model._meta.db_table} gained required column(s) "
                f"{sorted(missing)}; teach the generator to fill them."
            )
        sql = (
            f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(c) for c in columns)}) "
            f"VALUES ({', '.join(['%s'] * len(columns))})"
        )
        with self.connection.cursor() as cursor:
            cursor.executemany(sql, rows)

    def stamp(self) -> Any:
        return self.rng.choice(self.stamps)

    # --- data -------------------------------------------------------------------------

    def setup_accounts(self) -> tuple[Any, list[Any], dict[str, int]]:
        from clientela.core.models import Tag
        from clientela.core.services import roles_ensure_defaults, user_create

        roles_ensure_defaults()
        admin = user_create(
            username="bench-admin", password=PASSWORD, role_key="admin", team_name="North"
        )
        owners = []
        for team in ("North", "South"):
            owners.append(
                user_create(
                    username=f"bench-manager-{team.lower()}",
                    password=PASSWORD,
                    role_key="manager",
                    team_name=team,
                )
            )
            for i in range(1, 5):
                owners.append(
                    user_create(
                        username=f"bench-rep-{team.lower()}-{i}",
                        password=PASSWORD,
                        role_key="sales",
                        team_name=team,
                    )
                )
        tags = {name: Tag.objects.create(name=name).pk for name, _share in TAGS}
        return admin, owners, tags

    def organizations(self, count: int, owners: list[Any]) -> list[tuple[int, str, str, int]]:
        """Insert organizations; returns (id, name, domain, team_id) for memberships."""
        from clientela.contacts.models import Address, EmailAddress, Organization, PhoneNumber
        from clientela.core.models import SearchEntry

        orgs, emails, phones, addresses, entries, result = [], [], [], [], [], []
        for org_id in range(1, count + 1):
            owner = self.rng.choice(owners)
            name = f"{self.rng.choice(self.companies)} {org_id}"
            domain = f"{_ascii(name)[:40]}.example"
            city, region, country = self.rng.choices(CITIES, weights=CITY_WEIGHTS)[0]
            phone = self.phones.draw(country, mobile=False)
            email = f"info@{domain}"
            now = self.stamp()
            orgs.append(
                (
                    org_id,
                    now,
                    now,
                    owner.pk,
                    owner.team_id,
                    1,
                    "{}",
                    "",
                    name,
                    f"https://www.{domain}",
                    "",
                    "",
                    email,
                    phone,
                    city,
                    country,
                )
            )
            emails.append((now, now, org_id, email, "work", True))
            phones.append((now, now, org_id, phone, "work", True, True))
            addresses.append(
                (now, now, org_id, "work", f"Calle {org_id}", city, region, "", country, True)
            )
            entries.append(
                (
                    "contacts.organization",
                    org_id,
                    owner.pk,
                    owner.team_id,
                    name,
                    f"{city}, {country}",
                    _fold_words([name]),
                    _fold_words(
                        [
                            name,
                            f"https://www.{domain}",
                            email,
                            *self.phones.search_terms(phone),
                            city,
                        ]
                    ),
                )
            )
            result.append((org_id, name, domain, owner.team_id))
        self.insert(
            Organization,
            [
                "id",
                "created_at",
                "updated_at",
                "owner_id",
                "team_id",
                "version",
                "custom",
                "external_id",
                "name",
                "website",
                "industry",
                "notes",
                "email",
                "phone",
                "city",
                "country",
            ],
            orgs,
        )
        self.insert(
            EmailAddress,
            ["created_at", "updated_at", "organization_id", "address", "kind", "is_primary"],
            emails,
        )
        self.insert(
            PhoneNumber,
            [
                "created_at",
                "updated_at",
                "organization_id",
                "number",
                "kind",
                "is_primary",
                "verified",
            ],
            phones,
        )
        self.insert(
            Address,
            [
                "created_at",
                "updated_at",
                "organization_id",
                "kind",
                "street",
                "city",
                "region",
                "postal_code",
                "country",
                "is_primary",
            ],
            addresses,
        )
        self.insert(
            SearchEntry,
            ["resource", "object_id", "owner_id", "team_id", "title", "subtitle", "name", "text"],
            entries,
        )
        return result

    def people(
        self, owners: list[Any], tags: dict[str, int], orgs: list[tuple[int, str, str, int]]
    ) -> Iterator[int]:
        from clientela.contacts.models import (
            Address,
            EmailAddress,
            Membership,
            Person,
            PhoneNumber,
            Relationship,
        )
        from clientela.core.models import SearchEntry

        orgs_by_team: dict[int, list[tuple[int, str, str, int]]] = {}
        for org in orgs:
            orgs_by_team.setdefault(org[3], []).append(org)
        tag_ids = [(tags[name], share) for name, share in TAGS]
        rng = self.rng
        for start in range(1, self.n + 1, CHUNK):
            people, emails, phones, addresses, rels, taggings, members, entries = (
                [],
                [],
                [],
                [],
                [],
                [],
                [],
                [],
            )
            for pid in range(start, min(start + CHUNK, self.n + 1)):
                owner = rng.choice(owners)
                first, last = rng.choice(self.firsts), rng.choice(self.lasts)
                city, region, country = rng.choices(CITIES, weights=CITY_WEIGHTS)[0]
                email = f"{_ascii(first)}.{_ascii(last)}{pid}@example.com"
                phone = self.phones.draw(country)
                now = self.stamp()
                birthday = datetime.date(1950, 1, 1) + datetime.timedelta(days=rng.randrange(20000))
                trashed = now if rng.random() < 0.005 else None
                custom = (
                    {"customer_tier": rng.choice(("Bronze", "Silver", "Gold"))}
                    if rng.random() < 0.5
                    else {}
                )
                people.append(
                    (
                        pid,
                        now,
                        now,
                        owner.pk,
                        owner.team_id,
                        1,
                        trashed,
                        json.dumps(custom),
                        "",
                        first,
                        last,
                        birthday.month * 100 + birthday.day,
                        # One in ten without the year, as phones and Google keep them.
                        None if pid % 10 == 3 else birthday.year,
                        "es" if country in SPANISH else "en",
                        "",
                        "",
                        email,
                        phone,
                        city,
                        country,
                    )
                )
                emails.append((now, now, pid, email, "personal", True))
                phones.append((now, now, pid, phone, "mobile", True, True))
                addresses.append(
                    (
                        now,
                        now,
                        pid,
                        "home",
                        f"{rng.randrange(1, 999)} Main Street",
                        city,
                        region,
                        f"{rng.randrange(10000, 99999)}",
                        country,
                        True,
                    )
                )
                rels.append((now, now, pid, rng.choice(ROLES), "2020-01-01"))
                for tag_id, share in tag_ids:
                    if rng.random() < share:
                        taggings.append((pid, tag_id))
                org_names: list[str] = []
                team_orgs = orgs_by_team.get(owner.team_id) or []
                if team_orgs and rng.random() < 0.6:
                    org = rng.choice(team_orgs)
                    members.append((now, now, pid, org[0], "Buyer", True))
                    org_names.append(org[1])
                if trashed is None:
                    subtitle = ", ".join(
                        x for x in (email, org_names[0] if org_names else "", city) if x
                    )
                    entries.append(
                        (
                            "contacts.person",
                            pid,
                            owner.pk,
                            owner.team_id,
                            f"{first} {last}",
                            subtitle,
                            _fold_words([f"{first} {last}"]),
                            _fold_words(
                                [
                                    first,
                                    last,
                                    email,
                                    *self.phones.search_terms(phone),
                                    *org_names,
                                    city,
                                ]
                            ),
                        )
                    )
            self.insert(
                Person,
                [
                    "id",
                    "created_at",
                    "updated_at",
                    "owner_id",
                    "team_id",
                    "version",
                    "deleted_at",
                    "custom",
                    "external_id",
                    "first_name",
                    "last_name",
                    "birthday_md",
                    "birthday_year",
                    "preferred_language",
                    "preferred_channel",
                    "notes",
                    "email",
                    "phone",
                    "city",
                    "country",
                ],
                people,
            )
            self.insert(
                EmailAddress,
                ["created_at", "updated_at", "person_id", "address", "kind", "is_primary"],
                emails,
            )
            self.insert(
                PhoneNumber,
                [
                    "created_at",
                    "updated_at",
                    "person_id",
                    "number",
                    "kind",
                    "is_primary",
                    "verified",
                ],
                phones,
            )
            self.insert(
                Address,
                [
                    "created_at",
                    "updated_at",
                    "person_id",
                    "kind",
                    "street",
                    "city",
                    "region",
                    "postal_code",
                    "country",
                    "is_primary",
                ],
                addresses,
            )
            self.insert(
                Relationship, ["created_at", "updated_at", "person_id", "kind", "since"], rels
            )
            self.insert(Person.tags.through, ["person_id", "tag_id"], taggings)
            self.insert(
                Membership,
                [
                    "created_at",
                    "updated_at",
                    "person_id",
                    "organization_id",
                    "job_title",
                    "is_primary",
                ],
                members,
            )
            self.insert(
                SearchEntry,
                [
                    "resource",
                    "object_id",
                    "owner_id",
                    "team_id",
                    "title",
                    "subtitle",
                    "name",
                    "text",
                ],
                entries,
            )
            yield min(start + CHUNK - 1, self.n)


def generate(n: int, *, force: bool = False) -> Path:
    target = db_path(n)
    if target.exists() and not force:
        print(f"reusing {target.relative_to(ROOT)}")
        return target
    started = time.monotonic()
    with data_file(target):
        from django.db import transaction

        loader = Loader(n, SEED)
        with transaction.atomic():
            admin, owners, tags = loader.setup_accounts()
            orgs = loader.organizations(max(100, n // 10), owners)
            for done in loader.people(owners, tags, orgs):
                if done % 100_000 == 0 or done == n:
                    print(f"  {done:>9,} people  ({time.monotonic() - started:.0f} s)", flush=True)
    print(
        f"wrote {target.relative_to(ROOT)} in {time.monotonic() - started:.0f} s "
        f"({admin.username} and {len(owners)} owners; password {PASSWORD})"
    )
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=int(os.environ.get("BENCH_N", "100000")))
    parser.add_argument("--force", action="store_true", help="rebuild even if the file exists")
    args = parser.parse_args()
    if args.n < 1000:
        parser.error("--n must be at least 1000")
    generate(args.n, force=args.force)


if __name__ == "__main__":
    main()
