"""Full-text search behind one interface: SQLite FTS5 or PostgreSQL full-text.

Every searchable record has one ``SearchEntry`` row whose ``text`` is folded (lower
case, accents stripped) and carries phone digits, so "José", "jose" and
"(415) 555-0123" all find what they should. Domain services call
``index_record``/``remove_record`` in the same transaction as the write; ``search``
applies the asking user's visibility in the query itself, before the limit, so a
rep never gets fewer hits because other teams' records crowded them out.

The SQLite side is an external-content FTS5 table kept in step by triggers; the
PostgreSQL side is a GIN index on ``to_tsvector('simple', text)`` (both created in
migration 0002). The two differ only in ``_match_sql``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection

from clientela.core.choices import Scope
from clientela.core.models import SearchEntry
from clientela.core.normalize import fold
from clientela.core.permissions import rights_for

FTS_TABLE = "core_searchentry_fts"
#: A word is a run of letters and digits. Index and query both split on everything else,
#: so the two backends agree: PostgreSQL's parser alone would keep "ana@example.com" or
#: "acme-corp.es" as one token that the words "ana" or "acme" never match.
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_PHONE_LIKE = re.compile(r"^[\d\s()+./-]+$")
#: An upper-case OR, as in the full-text syntax people paste ("jose" OR "maria"): the
#: words on each side are alternatives. Lower case it is a word ("Andy Or").
_OR = re.compile(r"\bOR\b")
#: Words per query, in all alternatives: bounds the cost of what one keystroke runs.
_MAX_WORDS = 8


def index_record(
    *,
    resource: str,
    object_id: int,
    owner_id: int | None,
    team_id: int | None,
    title: str,
    subtitle: str = "",
    parts: Iterable[str] = (),
) -> None:
    new = entry(
        resource=resource,
        object_id=object_id,
        owner_id=owner_id,
        team_id=team_id,
        title=title,
        subtitle=subtitle,
        parts=parts,
    )
    fields = ("owner_id", "team_id", "title", "subtitle", "text")
    SearchEntry.objects.update_or_create(
        resource=resource,
        object_id=object_id,
        defaults={name: getattr(new, name) for name in fields},
    )


def entry(
    *,
    resource: str,
    object_id: int,
    owner_id: int | None,
    team_id: int | None,
    title: str,
    subtitle: str = "",
    parts: Iterable[str] = (),
) -> SearchEntry:
    """An unsaved entry for a record not indexed yet, for bulk writes (``contacts.bulk``)."""
    return SearchEntry(
        resource=resource,
        object_id=object_id,
        owner_id=owner_id,
        team_id=team_id,
        title=title[:300],
        subtitle=subtitle[:300],
        text=" ".join(w for p in parts if p for w in _WORD.findall(fold(p))),
    )


def remove_record(resource: str, object_id: int) -> None:
    SearchEntry.objects.filter(resource=resource, object_id=object_id).delete()


def query_terms(query: str) -> list[list[str]]:
    """The query as alternatives of prefix terms: ``[["jose", "garcia"]]``,
    ``[["jose"], ["maria"]]`` for ``jose OR maria``, or for a phone-like query the digit
    strings under which the number may be indexed."""
    query = (query or "").strip()
    if not query:
        return []
    if _PHONE_LIKE.match(query):
        digits = re.sub(r"\D", "", query)
        if len(digits) >= 4:
            variants = {digits}
            if digits.startswith("00"):
                variants.add(digits[2:])
            if digits.startswith("0"):
                variants.add(digits.lstrip("0"))
            return [[v] for v in sorted(variants) if v]
    alternatives: list[list[str]] = []
    budget = _MAX_WORDS
    for part in _OR.split(query):
        words = _WORD.findall(fold(part))[:budget]
        if words:
            alternatives.append(words)
            budget -= len(words)
    if not alternatives:
        # Nothing but OR: then it is the word.
        words = _WORD.findall(fold(query))[:_MAX_WORDS]
        return [words] if words else []
    return alternatives


def _visibility_sql(user: Any, resources: Sequence[str]) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    for resource in resources:
        rights = rights_for(user, resource)
        if not rights.read:
            continue
        if rights.scope == Scope.ALL:
            clauses.append("e.resource = %s")
            params.append(resource)
        elif rights.scope == Scope.TEAM and user.team_id is not None:
            clauses.append("(e.resource = %s AND e.team_id = %s)")
            params += [resource, user.team_id]
        else:
            clauses.append("(e.resource = %s AND e.owner_id = %s)")
            params += [resource, user.pk]
    if not clauses:
        return "", []
    return "(" + " OR ".join(clauses) + ")", params


def _match_sql(alternatives: list[list[str]]) -> tuple[str, str, list[Any]]:
    """(join clause, where clause, params) for the backend in use."""
    if connection.vendor == "sqlite":
        expr = " OR ".join(
            "(" + " AND ".join(f'"{w}"*' for w in words) + ")" for words in alternatives
        )
        return (
            f"JOIN {FTS_TABLE} f ON f.rowid = e.id",
            f"f.{FTS_TABLE} MATCH %s",
            [expr],
        )
    expr = " | ".join("(" + " & ".join(f"{w}:*" for w in words) + ")" for words in alternatives)
    return "", "to_tsvector('simple', e.text) @@ to_tsquery('simple', %s)", [expr]


_TABLE = SearchEntry._meta.db_table
_COLUMNS = "e.id, e.resource, e.object_id, e.owner_id, e.team_id, e.title, e.subtitle"

#: How many visible matches are sorted by title to pick the first ``limit``. Sorting
#: every match would cost the most for the least useful input: "mar" or a large city
#: name matches tens of thousands of records at a million people, and sorting them all
#: took 60–220 ms. Beyond this window the order is the index's, which is still a fair
#: sample; typing one more letter narrows the set.
SORT_WINDOW = 200


def search(
    *, user: Any, query: str, resources: Sequence[str], limit: int = 10
) -> list[SearchEntry]:
    """Entries matching every word of ``query`` (as prefixes) that ``user`` may see,
    by title. Visibility is part of the inner query, before its limit, so records the
    user may not see never take the place of ones they may."""
    alternatives = query_terms(query)
    if not alternatives:
        return []
    visibility, vis_params = _visibility_sql(user, resources)
    if not visibility:
        return []
    join, match, match_params = _match_sql(alternatives)
    sql = (
        f"SELECT * FROM (SELECT {_COLUMNS} FROM {_TABLE} e {join} "  # noqa: S608 - no user text in the SQL
        f"WHERE {match} AND {visibility} LIMIT %s) AS hits ORDER BY title, id LIMIT %s"
    )
    params = [*match_params, *vis_params, max(SORT_WINDOW, limit), limit]
    # One query: the entries come straight from the rows (``text``, not selected, is
    # deferred and nobody reads it here).
    return list(SearchEntry.objects.raw(sql, params))


def search_by_resource(
    *, user: Any, query: str, resources: Sequence[str], limit: int = 10
) -> dict[str, list[SearchEntry]]:
    """``search`` for each of ``resources``, all in one query: each resource gets up to
    ``limit`` hits of its own (so many people cannot crowd every organization out of
    the header search), picked as ``search`` picks them: the first ``SORT_WINDOW``
    visible matches in the index's order (by id), sorted by title.

    Window functions number the matches per resource, which both backends run in the
    one scan of the full-text index; a query per resource would scan it once for each
    (and in full for each resource with fewer matches than the window)."""
    alternatives = query_terms(query)
    if not alternatives:
        return {}
    visibility, vis_params = _visibility_sql(user, resources)
    if not visibility:
        return {}
    join, match, match_params = _match_sql(alternatives)
    matches = (
        f"SELECT {_COLUMNS}, ROW_NUMBER() OVER (PARTITION BY e.resource ORDER BY e.id) "  # noqa: S608 - no user text in the SQL
        f"AS match_number FROM {_TABLE} e {join} WHERE {match} AND {visibility}"
    )
    sql = (
        "SELECT * FROM (SELECT w.*, ROW_NUMBER() OVER (PARTITION BY resource "  # noqa: S608 - as above
        f"ORDER BY title, id) AS hit_number FROM ({matches}) AS w WHERE match_number <= %s) "
        "AS hits WHERE hit_number <= %s ORDER BY resource, title, id"
    )
    params = [*match_params, *vis_params, max(SORT_WINDOW, limit), limit]
    found: dict[str, list[SearchEntry]] = {}
    for hit in SearchEntry.objects.raw(sql, params):
        found.setdefault(hit.resource, []).append(hit)
    return found


def matching_object_ids(*, user: Any, resource: str, query: str, limit: int = 5000) -> list[int]:
    """Ids of ``resource`` records matching ``query`` (for the ``q`` filter of lists)."""
    return [e.object_id for e in search(user=user, query=query, resources=[resource], limit=limit)]
