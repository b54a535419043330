"""Query helpers for the hottest reads, the same on SQLite and PostgreSQL.

An API read spends most of its time in Python building queries and reading their rows,
not in the database. ``json_rows`` folds the rows of a related table into one JSON
array inside the parent query, so a record and its e-mails, phones, addresses… come
back in one query instead of one per relation; ``CompiledQuery`` builds such a query's
SQL once per process instead of on every request.
"""

from __future__ import annotations

import itertools
import json
import operator
import re
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Expression, F, Func, JSONField, Model, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.lookups import In
from django.db.models.query import get_related_populators

M = TypeVar("M", bound=Model)

#: Stands for the value a ``CompiledQuery`` changes: an id no table holds.
_INT_MARKER = -4_611_686_018_427_387_001


class _JSONArrayOf(Func):
    """The aggregate that gathers one value per row into a JSON array. A ``Func`` rather
    than an ``Aggregate`` on purpose: inside a correlated subquery it aggregates all the
    subquery's rows, and Django must not add a GROUP BY for it."""

    function = "JSON_GROUP_ARRAY"  # SQLite (the JSON1 functions are built in since 3.38)
    output_field = JSONField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # jsonb, not json: Django reads jsonb columns as text and decodes them itself.
        return self.as_sql(compiler, connection, function="JSONB_AGG", **extra)


def json_rows(rows: QuerySet[Any], value: Expression | F) -> Subquery:
    """A subquery giving ``value`` (e.g. ``JSONObject(address="address")``) for each row
    of ``rows`` as one JSON array; ``rows`` is filtered on ``OuterRef("pk")``.

    The array's order is unspecified (SQLite before 3.44 cannot order inside an
    aggregate), so include what to sort by and sort in Python. No rows give ``[]`` on
    SQLite and NULL on PostgreSQL; read the value with ``json_value``.
    """
    return Subquery(
        rows.order_by().values(json_array=_JSONArrayOf(value)), output_field=JSONField()
    )


class FrozenAnnotations:
    """Annotations whose SQL is built once per process and database, then added to
    each queryset as that SQL (``RawSQL``): for subqueries that are the same on every
    request (a page's e-mails, phones, addresses… as ``json_rows``), which Django would
    otherwise build and compile again each time — a fifth of an API list page.

    ``build()`` returns the annotations (name -> expression) as for
    ``QuerySet.annotate``. Their SQL may refer to the annotated model's table by its
    name (``OuterRef("pk")`` does), so the querysets given to ``apply`` must have that
    table as their base, as a model's own querysets do.
    """

    def __init__(self, model: type[Model], build: Callable[[], dict[str, Any]]) -> None:
        self._model = model
        self._build = build
        self._frozen: dict[str, dict[str, RawSQL]] = {}

    def _freeze(self, using: str) -> dict[str, RawSQL]:
        qs = self._model._default_manager.using(using).annotate(**self._build())
        compiler = qs.query.get_compiler(using=using)
        frozen = {}
        for name, expression in qs.query.annotations.items():
            sql, params = compiler.compile(expression)
            # SQL written by Django's own compiler; the values stay parameters.
            frozen[name] = RawSQL(sql, tuple(params), output_field=expression.output_field)  # noqa: S611
        return frozen

    def apply(self, qs: QuerySet[M]) -> QuerySet[M]:
        using = qs.db
        connection = connections[using]
        key = f"{using}:{connection.vendor}:{connection.settings_dict['NAME']}"
        frozen = self._frozen.get(key)
        if frozen is None:
            frozen = self._frozen[key] = self._freeze(using)
        annotated: QuerySet[M] = qs.annotate(**frozen)
        return annotated


class CompiledQuery(Generic[M]):
    """A queryset turned into SQL once per process and database, then run again and
    again with one value changed: for the hottest reads (an API token, a record by id).

    Django builds and compiles a queryset's SQL each time it is evaluated. For a token
    with its user, role and team, or a record with its details folded in, that costs
    0.5–1 ms, while the database answers in 0.1 ms; an API read that runs two such
    queries spends most of its time there. ``build(marker)`` returns the queryset with
    ``marker`` standing for the value that changes (``.filter(pk=marker)``); ``run``
    executes the compiled SQL with the value in the marker's place and turns the rows
    into model instances exactly as the queryset would (``select_related`` objects,
    annotations, database converters).

    This reuses the compiler's state between executions, which Django does not promise
    as API (``SQLCompiler.select``, ``klass_info``, ``get_converters``,
    ``apply_converters``; what ``ModelIterable`` does with them); the tests of the
    callers run on both databases and catch a change of Django.
    """

    def __init__(self, build: Callable[[Any], QuerySet[M]], *, marker: Any = _INT_MARKER) -> None:
        self._build = build
        self._marker = marker
        self._compiled: dict[str, _Compiled] = {}

    def _compile(self, using: str) -> _Compiled:
        qs = self._build(self._marker).using(using)
        compiler = qs.query.get_compiler(using=using)
        sql, params = compiler.as_sql()  # also sets up select, klass_info, annotations
        params = list(params)
        if params.count(self._marker) != 1:
            raise ImproperlyConfigured("build() must use its marker exactly once.")
        klass_info = compiler.klass_info
        assert klass_info is not None
        select_fields = klass_info["select_fields"]
        start, end = select_fields[0], select_fields[-1] + 1
        return _Compiled(
            model=qs.model,
            compiler=compiler,
            sql=sql,
            params=params,
            marker_index=params.index(self._marker),
            fields_start=start,
            fields_end=end,
            init_list=[column[0].target.attname for column in compiler.select[start:end]],
            # (django-stubs describe a later Django, whose version takes a fetch mode)
            related=get_related_populators(klass_info, compiler.select, using),  # type: ignore[call-arg]
            annotations=dict(compiler.annotation_col_map or {}),
            converters=compiler.get_converters(
                [column[0] for column in compiler.select[: compiler.col_count]]
            ),
        )

    def run(self, value: Any, *, using: str = DEFAULT_DB_ALIAS) -> list[M]:
        connection = connections[using]
        # One SQL text per backend: a process talks to one database, but a test run may
        # switch the alias to another one.
        key = f"{using}:{connection.vendor}:{connection.settings_dict['NAME']}"
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = self._compile(using)
        params = list(compiled.params)
        params[compiled.marker_index] = value
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        if compiled.converters:
            rows = compiled.compiler.apply_converters(rows, compiled.converters)
        objects: list[M] = []
        for row in rows:
            obj = compiled.model.from_db(
                using, compiled.init_list, row[compiled.fields_start : compiled.fields_end]
            )
            for populator in compiled.related:
                populator.populate(row, obj)
            for name, position in compiled.annotations.items():
                setattr(obj, name, row[position])
            objects.append(cast(M, obj))
        return objects


@dataclass(frozen=True)
class _Compiled:
    model: type[Model]
    compiler: Any
    sql: str
    params: list[Any]
    marker_index: int
    fields_start: int
    fields_end: int
    init_list: list[str]
    related: list[Any]
    annotations: dict[str, int]
    converters: dict[int, Any]


def json_value(value: Any) -> Any:
    """A ``json_rows`` annotation as a list: NULL (no rows, on PostgreSQL) as ``[]``,
    and text decoded should a driver hand it over undecoded."""
    if value is None:
        return []
    if isinstance(value, str | bytes):
        return json.loads(value)
    return value


# --- bulk writes --------------------------------------------------------------------------


def _same(value: Any) -> Any:
    return value


def _last_one(adapt: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``adapt`` remembering its last answer: a batch's rows share their timestamps."""
    last: list[Any] = [object(), None]

    def adapted(value: Any) -> Any:
        if value is not last[0]:
            last[0], last[1] = value, adapt(value)
        return last[1]

    return adapted


def _adapters(model: type[Model], names: list[str], connection: Any) -> list[Callable[[Any], Any]]:
    """Per column, the conversion of a Python value to what the driver takes, chosen
    once per call rather than through ``get_db_prep_save`` for every value."""
    ops = connection.ops
    adapters: list[Callable[[Any], Any]] = []
    for name in names:
        field = model._meta.get_field(name)
        internal = field.get_internal_type()
        if internal == "DateTimeField":
            adapters.append(_last_one(ops.adapt_datetimefield_value))
        elif internal == "DateField":
            adapters.append(ops.adapt_datefield_value)
        elif internal == "JSONField":
            adapters.append(lambda v: None if v is None else json.dumps(v))
        else:
            adapters.append(_same)
    return adapters


def _adapted(
    rows: Sequence[tuple[Any, ...]], adapters: list[Callable[[Any], Any]]
) -> Sequence[Sequence[Any]]:
    """``rows`` with their values converted by ``adapters``: only the columns whose
    adapter does something (dates, JSON) cost a call per value."""
    if any(len(row) != len(adapters) for row in rows):
        raise ValueError(f"Every row needs {len(adapters)} values.")
    converting = [(i, a) for i, a in enumerate(adapters) if a is not _same]
    if not converting:
        return rows
    adapted: list[list[Any]] = []
    for row in rows:
        values = list(row)
        for index, adapt in converting:
            values[index] = adapt(values[index])
        adapted.append(values)
    return adapted


def _direct(connection: Any) -> bool:
    """Whether a statement may go to SQLite's own cursor, written with its ``?``
    placeholders (``_execute``): not while queries are logged or watched (tests that
    count them, the debug page), which only Django's cursor does."""
    return (
        connection.vendor == "sqlite"
        and not connection.queries_logged
        and not connection.execute_wrappers
    )


def _execute(connection: Any, cursor: Any, sql: str, params: Sequence[Any]) -> None:
    """Run ``sql`` (placeholders as ``_direct`` chose them). Django's SQLite cursor
    rewrites every ``%s`` of a statement with a regular expression before running it:
    ~1 ms for a 500-row INSERT, 4 % of an import's time. Errors come out as Django's."""
    if _direct(connection):
        # What Django's cursor does around the statement, its rewrite of ``%s`` aside.
        connection.validate_no_broken_transaction()
        with connection.wrap_database_errors:
            sqlite3.Cursor.execute(cursor.cursor, sql, params)
    else:
        cursor.execute(sql, params)


def insert_rows(
    model: type[Model],
    names: list[str],
    rows: Sequence[tuple[Any, ...]],
    *,
    returning: bool = False,
    batch: int = 500,
) -> list[int]:
    """INSERT ``rows`` (one value per column of ``names``, model attribute names such as
    ``person_id``) into ``model``'s table, a batch of rows per statement; with
    ``returning``, the new ids in the order of ``rows``.

    For the importer's hot path, where ``bulk_create`` spent most of its time building a
    model instance and preparing each value: no signals, no ``save()``, no field
    validation (the caller has validated), defaults not applied (give every column)."""
    if not rows:
        return []
    connection = connections[DEFAULT_DB_ALIAS]
    quote = connection.ops.quote_name
    columns = [str(getattr(model._meta.get_field(n), "column", n)) for n in names]
    adapters = _adapters(model, names, connection)
    table = quote(str(model._meta.db_table))
    # Table and column names come from the model, quoted; values are parameters.
    head = f"INSERT INTO {table} ({', '.join(quote(c) for c in columns)}) VALUES "  # noqa: S608
    mark = "?" if _direct(connection) else "%s"
    one = "(" + ", ".join([mark] * len(names)) + ")"
    pk_column = model._meta.pk.column if model._meta.pk is not None else "id"
    tail = f" RETURNING {quote(str(pk_column))}" if returning else ""
    values = _adapted(rows, adapters)
    ids: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(values), batch):
            part = values[start : start + batch]
            params = list(itertools.chain.from_iterable(part))
            _execute(connection, cursor, head + ", ".join([one] * len(part)) + tail, params)
            if returning:
                ids += [r[0] for r in cursor.fetchall()]
    return ids


def update_rows(model: type[Model], names: list[str], rows: list[tuple[Any, ...]]) -> None:
    """UPDATE ``model``'s rows: each of ``rows`` holds the values of the columns of
    ``names`` (model attribute names) and then the row's id; one prepared statement run
    for all of them. As ``insert_rows``: no signals, no ``save()``, no validation."""
    if not rows:
        return
    connection = connections[DEFAULT_DB_ALIAS]
    quote = connection.ops.quote_name
    columns = [str(getattr(model._meta.get_field(n), "column", n)) for n in names]
    adapters: list[Callable[[Any], Any]] = [*_adapters(model, names, connection), _same]
    pk_column = str(model._meta.pk.column if model._meta.pk is not None else "id")
    sets = ", ".join(f"{quote(c)} = %s" for c in columns)
    table, pk = quote(str(model._meta.db_table)), quote(pk_column)
    # Table and column names come from the model, quoted; values are parameters.
    sql = f"UPDATE {table} SET {sets} WHERE {pk} = %s"  # noqa: S608
    params = _adapted(rows, adapters)
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def insert_instances(model: type[Model], instances: Sequence[Model]) -> None:
    """INSERT unsaved ``instances`` of ``model`` with every column as the instances hold
    it (``insert_rows``: no ``save()``, no signals, no defaults applied), then give each
    its new id, as ``save()`` would."""
    names = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
    # A tuple of the values (every model has more than one column).
    values = operator.attrgetter(*names)
    ids = insert_rows(model, names, [values(i) for i in instances], returning=True)
    for instance, pk in zip(instances, ids, strict=True):
        instance.pk = pk
        instance._state.adding = False


_CONSTANT = re.compile(r"^[a-z][a-z0-9_]*$")


class InConstants(In):
    """``field__in_constants=("new", "open")``: ``IN`` with the values written into the
    statement instead of bound as parameters, for choices named in the code only.

    SQLite uses a partial index (``WHERE status IN ('new', 'open', …)``) only when it
    can prove from the statement that a row the query wants is in it, and a bound
    parameter proves nothing: the ticket queue, sorted by deadline on its partial index,
    took 100 ms at 200,000 tickets instead of 0.1 ms. PostgreSQL does the same with
    either form. SQLite's proof is by the statement's text: give the values in the order
    the index's condition names them (the same constant, e.g. ``OPEN_STATUSES``, in
    both). Register it on the fields that need it (``register_lookup`` on the model's
    field); values other than lower-case identifiers are refused."""

    lookup_name = "in_constants"

    def process_rhs(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        values = list(dict.fromkeys(str(v) for v in self.rhs))
        if not values or not all(_CONSTANT.match(v) for v in values):
            raise ValueError(f"in_constants takes choice names only, not {values!r}")
        return "(" + ", ".join(f"'{v}'" for v in values) + ")", ()
