#!/usr/bin/env python
"""Benchmark of the knowledge-base search (issue 14, item 14: "knowledge-base search
p95 < 30 ms at 10,000 articles"); ``bench/run.py --only kb``, part of ``make bench``.

    .venv/bin/python bench/kb.py                  # builds the data file on first use
    .venv/bin/python bench/kb.py --force --runs 100

10,000 articles on SQLite (half English, half Spanish, 90 % published), titles and
bodies drawn from a help-desk vocabulary, each indexed in the core search as the
article service indexes it. Measured, in-process:

1. the help centre's search (``selectors.articles.public_search``: the full-text match,
   then the published articles of the visitor's language), over queries of one to three
   words, common and rare, p50/p95 — the figure with the target;
2. the whole public search page (``GET /help/?q=…`` through Django's test client: the
   middleware, the search, the template);
3. the suggestions beside a ticket (``suggested_articles``: up to eight words as
   alternatives).

The data lives in var/bench/kb-<version>.sqlite3, written by ``bulk_create`` (no
services, no audit entries) and reused when present.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.generate import BENCH_DIR, ROOT, build_data_file, ready_data_file
from bench.run import RESULTS, summary

VERSION = 2
ARTICLES = 10_000
SEED = 7
BATCH = 2_000
USERNAME = "bench-kb-author"
TARGET_P95_MS = 30.0

SUBJECTS_EN = (
    "password", "invoice", "refund", "shipping", "order", "return", "warranty", "account",
    "payment", "delivery", "lamp", "sofa", "table", "chair", "voucher", "discount",
    "address", "repair", "exchange", "subscription", "newsletter", "parcel", "store",
    "technician", "installation", "assembly", "cushion", "fabric", "colour", "size",
)  # fmt: skip
SUBJECTS_ES = (
    "contraseña", "factura", "reembolso", "envío", "pedido", "devolución", "garantía",
    "cuenta", "pago", "entrega", "lámpara", "sofá", "mesa", "silla", "vale", "descuento",
    "dirección", "reparación", "cambio", "suscripción", "boletín", "paquete", "tienda",
    "técnico", "instalación", "montaje", "cojín", "tela", "color", "talla",
)  # fmt: skip
VERBS_EN = ("change", "cancel", "track", "download", "request", "update", "check", "book")
VERBS_ES = ("cambiar", "cancelar", "seguir", "descargar", "pedir", "actualizar", "revisar")
QUERIES = (
    ("refund", "en"), ("factura", "es"), ("track order", "en"), ("cambiar dirección", "es"),
    ("lamp warranty repair", "en"), ("sofá tela", "es"), ("pass", "en"), ("devol", "es"),
    ("installation technician", "en"), ("nothing like this", "en"), ("montaje silla", "es"),
    ("voucher discount", "en"),
)  # fmt: skip


def db_file() -> Path:
    return BENCH_DIR / f"kb-{VERSION}.sqlite3"


def _article_rows(rng: random.Random, owner: Any, team: Any) -> list[Any]:
    from clientela.service.models import Article

    rows = []
    for n in range(ARTICLES):
        spanish = n % 2 == 1
        subjects, verbs = (SUBJECTS_ES, VERBS_ES) if spanish else (SUBJECTS_EN, VERBS_EN)
        words = rng.sample(subjects, 3)
        title = f"{rng.choice(verbs).capitalize()} {words[0]} {words[1]} {n}"
        body = " ".join(rng.choice(subjects + verbs) for _ in range(120))
        rows.append(
            Article(
                title=title,
                slug=f"article-{n}",
                body=f"## {title}\n\n{body} {words[2]}",
                language="es" if spanish else "en",
                status="draft" if rng.random() < 0.1 else "published",
                owner=owner,
                team=team,
            )
        )
    return rows


def generate(*, force: bool = False) -> Path:
    return build_data_file(db_file(), _load, force=force)


def _load() -> None:
    from django.db import transaction

    from clientela.core.models import SearchEntry
    from clientela.core.services import roles_ensure_defaults, user_create
    from clientela.service.models import Article
    from clientela.service.services.articles import article_entries

    roles_ensure_defaults()
    author = user_create(
        username=USERNAME,
        password="bench-password",  # noqa: S106 (never used: nobody logs in)
        role_key="admin",
        team_name="Support",
    )
    with transaction.atomic():
        articles = Article.objects.bulk_create(
            _article_rows(random.Random(SEED), author, author.team), batch_size=BATCH
        )
        # As ``article_reindex`` indexes them (no tags, no category here).
        entries = [e for a in articles for e in article_entries(a, tags=[], category="")]
        SearchEntry.objects.bulk_create(
            [SearchEntry(**e._asdict()) for e in entries], batch_size=BATCH
        )


def _timed(call: Any, runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def measure(runs: int) -> dict[str, Any]:
    from django.test import Client

    from clientela.core.models import User
    from clientela.service.models import Article, Ticket
    from clientela.service.selectors.articles import public_search, suggested_articles

    user = User.objects.get(username=USERNAME)
    selector: list[float] = []
    page: list[float] = []
    client = Client()
    hits = {}
    for query, language in QUERIES:
        public_search(query=query, language=language)  # warm
        selector += _timed(
            lambda q=query, lang=language: public_search(query=q, language=lang), runs
        )
        hits[query] = len(public_search(query=query, language=language))
        page += _timed(
            lambda q=query, lang=language: client.get("/help/", {"q": q, "lang": lang}),
            max(1, runs // 4),
        )
    ticket = Ticket(
        subject="My lamp arrived broken, I want a refund",
        description="The lamp and the cushion were damaged in delivery; please repair or exchange.",
        language="en",
    )
    suggestions = _timed(lambda: suggested_articles(user=user, ticket=ticket), runs)
    return {
        "articles": Article.objects.count(),
        "published": Article.objects.filter(status="published").count(),
        "public_search": summary(selector),
        "help_search_page": summary(page),
        "ticket_suggestions": summary(suggestions),
        "hits_per_query": hits,
    }


def report(results: dict[str, Any]) -> str:
    p95 = results["public_search"]["p95_ms"]
    verdict = "ok" if p95 < TARGET_P95_MS else "OVER TARGET"
    lines = [
        f"{results['articles']:,} articles ({results['published']:,} published), SQLite",
        f"  help-centre search (selector): p50 {results['public_search']['p50_ms']} ms, "
        f"p95 {p95} ms (target < {TARGET_P95_MS:.0f} ms: {verdict})",
        f"  GET /help/?q=… (whole page):   p50 {results['help_search_page']['p50_ms']} ms, "
        f"p95 {results['help_search_page']['p95_ms']} ms",
        f"  ticket suggestions:            p50 {results['ticket_suggestions']['p50_ms']} ms, "
        f"p95 {results['ticket_suggestions']['p95_ms']} ms",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description="Run the knowledge-base search benchmark.")
    parser.add_argument("--runs", type=int, default=40, help="timed searches per query")
    parser.add_argument("--force", action="store_true", help="rebuild the data file")
    parser.add_argument("--generate-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    migrated = ready_data_file(
        __file__,
        db_file(),
        lambda: generate(force=args.force),
        force=args.force,
        generate_only=args.generate_only,
    )
    if migrated is None:
        return
    results = {"date": time.strftime("%Y-%m-%d %H:%M"), "migrations_applied_first": migrated}
    results.update(measure(args.runs))
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"kb-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str))
    print(report(results))
    print(f"\nJSON: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
