"""Full-text search behind one interface: SQLite FTS5 or PostgreSQL full-text.

Every searchable record has one ``SearchEntry`` row whose ``text`` is folded (lower
case, accents stripped) and carries phone digits, so "José", "jose" and
"(415) 555-0123" all find what they should. Domain services call
``index_record``/``remove_record`` in the same transaction as the write; ``search``
applies the asking user's visibility in the query itself, before the limit, so a
rep never gets fewer hits because other teams' records crowded them out.

The SQLite side is an external-content FTS5 table kept in step by triggers; the
PostgreSQL side is a GIN index on ``to_tsvector('simple', text)`` (both created in
migration 0002). The two differ only in ``_match_sql`` (and the collation of a sort).

Hits are ranked by what the user most likely meant: the record whose name is the
query, then names holding each word whole, then records holding each word whole
elsewhere, then prefixes ("José" puts José Martínez before Josefa). The rank is plain
SQL on the folded ``name`` and ``text`` columns, so both backends rank alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

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
    save_entry(
        entry(
            resource=resource,
            object_id=object_id,
            owner_id=owner_id,
            team_id=team_id,
            title=title,
            subtitle=subtitle,
            parts=parts,
        )
    )


def save_entry(new: Entry) -> None:
    """Write ``new`` (from ``entry``) over the record's entry, or as its first one: one
    ``INSERT … ON CONFLICT DO UPDATE`` on the (resource, object id) key."""
    SearchEntry.objects.bulk_create(
        [SearchEntry(**new._asdict())],
        update_conflicts=True,
        unique_fields=["resource", "object_id"],
        update_fields=["owner_id", "team_id", "title", "subtitle", "name", "text"],
    )


class Entry(NamedTuple):
    """A search entry not written yet, as ``SearchEntry``'s columns (bulk writes)."""

    resource: str
    object_id: int
    owner_id: int | None
    team_id: int | None
    title: str
    subtitle: str
    name: str
    text: str


def entry(
    *,
    resource: str,
    object_id: int,
    owner_id: int | None,
    team_id: int | None,
    title: str,
    subtitle: str = "",
    parts: Iterable[str] = (),
) -> Entry:
    """The entry of a record not indexed yet, for bulk writes (``contacts.bulk``)."""
    return Entry(
        resource,
        object_id,
        owner_id,
        team_id,
        title[:300],
        subtitle[:300],
        folded_name(title),
        # The parts folded and split at once: the same words as part by part (folding
        # works letter by letter, and a space starts no word), a sixth of the calls.
        " ".join(_WORD.findall(fold(" ".join(p for p in parts if p)))),
    )


def folded_name(title: str) -> str:
    """The words of ``title`` as the index holds them ("José García-López" → "jose garcia
    lopez"): what ranking compares the query with."""
    return " ".join(_WORD.findall(fold(title)))


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


def _match_sql(alternatives: list[list[str]], *, prefix: bool) -> tuple[str, str, list[Any]]:
    """(join clause, where clause, params) for the backend in use: every word of one of
    the alternatives as a whole word or, with ``prefix``, records where they only begin
    words (all the prefix matches but the whole-word ones, so the two scans share no
    record: a common word such as a city is joined and sorted once, not twice)."""
    if connection.vendor == "sqlite":
        whole = " OR ".join(
            "(" + " AND ".join(f'"{w}"' for w in words) + ")" for words in alternatives
        )
        starts = " OR ".join(
            "(" + " AND ".join(f'"{w}"*' for w in words) + ")" for words in alternatives
        )
        expr = f"({starts}) NOT ({whole})" if prefix else whole
        return (
            f"JOIN {FTS_TABLE} f ON f.rowid = e.id",
            f"f.{FTS_TABLE} MATCH %s",
            [expr],
        )
    whole = " | ".join("(" + " & ".join(words) + ")" for words in alternatives)
    starts = " | ".join("(" + " & ".join(f"{w}:*" for w in words) + ")" for words in alternatives)
    expr = f"({starts}) & !({whole})" if prefix else whole
    return "", "to_tsvector('simple', e.text) @@ to_tsquery('simple', %s)", [expr]


_TABLE = SearchEntry._meta.db_table
_COLUMNS = "e.id, e.resource, e.object_id, e.owner_id, e.team_id, e.title, e.subtitle, e.name"

#: How many visible matches of each kind are ranked, among the whole-word matches and
#: again among the prefix matches, to pick the first ``limit``. Ranking every match would
#: cost the most for the least useful input: "mar" or a large city name matches tens of
#: thousands of records at a million people, and sorting them all took 60–220 ms. Beyond
#: this window the order is the index's (by id), which is still a fair sample; typing one
#: more letter narrows the set. The whole-word matches have a window of their own so that
#: the many "Josefa"s a prefix finds never crowd the one "José" out of it.
SORT_WINDOW = 200

#: The rank of a hit, best first; then the folded name, then the id.
EXACT, NAME_WORDS, WORDS, NAME_PREFIXES, PREFIXES = range(5)


def _all_like(
    expression: str, alternatives: list[list[str]], pattern: str
) -> tuple[str, list[Any]]:
    """SQL true when, for one of the alternatives, ``expression`` is LIKE ``pattern``
    for each of its words. The words are letters and digits only (``_WORD``), so they
    hold no LIKE wildcard to escape."""
    ors = [" AND ".join(f"{expression} LIKE %s" for _w in words) for words in alternatives]
    params = [pattern % w for words in alternatives for w in words]
    return "((" + ") OR (".join(ors) + "))", params


def _rank_sql(alternatives: list[list[str]]) -> tuple[str, list[Any]]:
    """The rank of an entry (``EXACT`` … ``PREFIXES``) as a SQL expression both backends
    compute alike: plain ``=`` and ``LIKE`` on folded, lower-case text (PostgreSQL's
    case-sensitive LIKE and SQLite's ASCII-only case folding then agree)."""
    exact = " OR ".join("e.name = %s" for _words in alternatives)
    exact_params = [" ".join(words) for words in alternatives]
    name_words, nw_params = _all_like("(' ' || e.name || ' ')", alternatives, "%% %s %%")
    words, w_params = _all_like("(' ' || e.text || ' ')", alternatives, "%% %s %%")
    name_prefixes, np_params = _all_like("(' ' || e.name)", alternatives, "%% %s%%")
    sql = (
        f"CASE WHEN {exact} THEN {EXACT} WHEN {name_words} THEN {NAME_WORDS} "
        f"WHEN {words} THEN {WORDS} WHEN {name_prefixes} THEN {NAME_PREFIXES} "
        f"ELSE {PREFIXES} END"
    )
    return sql, [*exact_params, *nw_params, *w_params, *np_params]


def _name_order() -> str:
    # Byte order on both backends (SQLite's default): PostgreSQL's locale collation
    # would skip the spaces and put "josefa" before "jose martinez".
    return "name" if connection.vendor == "sqlite" else 'name COLLATE "C"'


def _ranked_sql(
    user: Any,
    query: str,
    resources: Sequence[str],
    *,
    window: int,
    per_resource: bool,
    everyone: bool = False,
) -> tuple[str, list[Any]] | None:
    """``SELECT`` of the candidate entries with their ``search_rank``, or None when there
    is nothing to search. The candidates are the first ``window`` visible
    whole-word matches and the first ``window`` visible other prefix matches (of each
    resource when ``per_resource``): two scans of the full-text index, where one with a
    single window would hand the window to whichever records come first."""
    alternatives = query_terms(query)
    if not alternatives:
        return None
    if everyone:
        visibility = "e.resource IN (" + ", ".join("%s" for _r in resources) + ")"
        vis_params: list[Any] = list(resources)
    else:
        visibility, vis_params = _visibility_sql(user, resources)
    if not visibility:
        return None
    scans: list[str] = []
    params: list[Any] = []
    for prefix in (False, True):
        join, match, match_params = _match_sql(alternatives, prefix=prefix)
        matches = f"FROM {_TABLE} e {join} WHERE {match} AND {visibility}"
        if per_resource:
            scans.append(
                "SELECT id FROM (SELECT e.id, ROW_NUMBER() OVER (PARTITION BY e.resource "  # noqa: S608 - no user text in the SQL
                f"ORDER BY e.id) AS match_number {matches}) AS m WHERE match_number <= %s"
            )
        else:
            scans.append(f"SELECT id FROM (SELECT e.id {matches} LIMIT %s) AS m")  # noqa: S608 - as above
        params += [*match_params, *vis_params, window]
    rank, rank_params = _rank_sql(alternatives)
    sql = (
        f"SELECT {_COLUMNS}, {rank} AS search_rank FROM {_TABLE} e "  # noqa: S608 - as above
        f"WHERE e.id IN ({scans[0]} UNION ALL {scans[1]})"
    )
    return sql, [*rank_params, *params]


def search(
    *, user: Any, query: str, resources: Sequence[str], limit: int = 10
) -> list[SearchEntry]:
    """Entries matching every word of ``query`` (as prefixes) that ``user`` may see,
    best first: the exact name, then names holding every word whole, then records
    holding them whole elsewhere (e-mail, organization, city…), then names and records
    where they only begin words; ties by name. Visibility is part of the inner queries,
    before their limit, so records the user may not see never take the place of ones
    they may. One query."""
    return _best(user, query, resources, limit)


def _best(
    user: Any, query: str, resources: Sequence[str], limit: int, *, everyone: bool = False
) -> list[SearchEntry]:
    """``search``'s query, for ``user`` or (``everyone``) whoever owns the entries."""
    window = max(SORT_WINDOW, limit)
    ranked = _ranked_sql(
        user, query, resources, window=window, per_resource=False, everyone=everyone
    )
    if ranked is None:
        return []
    sql, params = ranked
    sql = (
        f"SELECT * FROM ({sql}) AS hits "  # noqa: S608 - no user text in the SQL
        f"ORDER BY search_rank, {_name_order()}, id LIMIT %s"
    )
    # The entries come straight from the rows (``text``, not selected, is deferred and
    # nobody reads it here).
    return list(SearchEntry.objects.raw(sql, [*params, limit]))


def search_by_resource(
    *, user: Any, query: str, resources: Sequence[str], limit: int = 10
) -> dict[str, list[SearchEntry]]:
    """``search`` for each of ``resources``, all in one query: each resource gets up to
    ``limit`` hits of its own (so many people cannot crowd every organization out of
    the header search), ranked as ``search`` ranks them, each resource's candidates its
    own windows of whole-word and prefix matches.

    Window functions number the matches per resource, which both backends run in the
    scans of the full-text index; a query per resource would scan it once for each
    (and in full for each resource with fewer matches than the window)."""
    window = max(SORT_WINDOW, limit)
    ranked = _ranked_sql(user, query, resources, window=window, per_resource=True)
    if ranked is None:
        return {}
    sql, params = ranked
    sql = (
        "SELECT * FROM (SELECT r.*, ROW_NUMBER() OVER (PARTITION BY resource "  # noqa: S608 - as above
        f"ORDER BY search_rank, {_name_order()}, id) AS hit_number FROM ({sql}) AS r) "
        "AS hits WHERE hit_number <= %s ORDER BY resource, hit_number"
    )
    found: dict[str, list[SearchEntry]] = {}
    for hit in SearchEntry.objects.raw(sql, [*params, limit]):
        found.setdefault(hit.resource, []).append(hit)
    return found


def matching_object_ids(*, user: Any, resource: str, query: str, limit: int = 5000) -> list[int]:
    """Ids of ``resource`` records matching ``query`` (for the ``q`` filter of lists)."""
    return [e.object_id for e in search(user=user, query=query, resources=[resource], limit=limit)]


def public_matching_ids(*, query: str, resource: str, limit: int = 20) -> list[int]:
    """Ids of ``resource`` records matching ``query``, best first, whoever owns them:
    only for a caller that then keeps the records public by a rule of its own (the
    help centre shows published articles to visitors who are not signed in)."""
    return [e.object_id for e in _best(None, query, [resource], limit, everyone=True)]
