"""A faster end for the transactional tests (every browser test: the live server needs
them), with the database they leave exactly as before.

Django's ``TransactionTestCase`` empties every table after each test (``flush``) and
then sends ``post_migrate``, whose receivers write again the rows an empty database
gets: content types, permissions, the roles and their rights, the consent purposes.
Those receivers were ~95% of the teardown (2.6 s of 2.75 s, profiled on a loaded
machine): they run one query per model and per app. Their rows are the same after every
flush, so they are computed once per test process, by the same flush and the same
receivers in a transaction that is rolled back (before the first such test, under the
settings every test starts with), and after each test's flush they are written back,
one ``executemany`` per table, with the ids they were given.

Not used with ``available_apps`` or ``serialized_rollback`` (Django's own way then).
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connections, transaction
from django.test import TransactionTestCase

#: Per database alias: table -> (columns, rows) after a flush and its post_migrate.
_after_flush: dict[str, dict[str, tuple[list[str], list[tuple[Any, ...]]]]] = {}


def _flush(db_name: str) -> None:
    # The arguments of TransactionTestCase._fixture_teardown (Django 5.2).
    call_command(
        "flush",
        verbosity=0,
        interactive=False,
        database=db_name,
        reset_sequences=False,
        allow_cascade=False,
        inhibit_post_migrate=False,
    )


def _empty(db_name: str) -> None:
    """What Django's flush leaves (every table empty, the sequences where they were),
    by deleting from the tables that have rows: PostgreSQL's flush truncates every
    table, seconds per test on a loaded machine."""
    connection = connections[db_name]
    quote = connection.ops.quote_name
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    probe = " UNION ALL ".join(
        f"SELECT {i} WHERE EXISTS (SELECT 1 FROM {quote(table)})"  # noqa: S608 - table names
        for i, table in enumerate(tables)
    )
    with transaction.atomic(using=db_name), connection.cursor() as cursor:
        cursor.execute(probe)
        for (i,) in cursor.fetchall():
            cursor.execute(f"DELETE FROM {quote(tables[i])}")  # noqa: S608 - a table name


def _value(value: Any) -> Any:
    # PostgreSQL's driver reads a JSON column as a dict or list and cannot write one back.
    return json.dumps(value) if isinstance(value, dict | list) else value


def _rows_after_flush(db_name: str) -> dict[str, tuple[list[str], list[tuple[Any, ...]]]]:
    connection = connections[db_name]
    quote = connection.ops.quote_name
    rows: dict[str, tuple[list[str], list[tuple[Any, ...]]]] = {}
    with transaction.atomic(using=db_name):
        _flush(db_name)
        with connection.cursor() as cursor:
            for table in connection.introspection.django_table_names(
                only_existing=True, include_views=False
            ):
                cursor.execute(f"SELECT * FROM {quote(table)}")  # noqa: S608 - a table name
                data = [tuple(_value(v) for v in row) for row in cursor.fetchall()]
                if data:
                    rows[table] = ([column[0] for column in cursor.description], data)
        transaction.set_rollback(True, using=db_name)
    # Its content types were rolled back with it.
    ContentType.objects.clear_cache()
    return rows


def _write_back(db_name: str) -> None:
    connection = connections[db_name]
    quote = connection.ops.quote_name
    # Foreign keys are checked at commit (Django declares them deferrable on both
    # databases), so the tables' order does not matter.
    with transaction.atomic(using=db_name), connection.cursor() as cursor:
        for table, (columns, data) in _after_flush[db_name].items():
            names = ", ".join(quote(column) for column in columns)
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})", data)  # noqa: S608
    ContentType.objects.clear_cache()


def _fast(test: type[TransactionTestCase] | TransactionTestCase) -> bool:
    return test.available_apps is None and not test.serialized_rollback


def _names(test: Any) -> list[str]:
    # Private in Django (and so absent from its type stubs), as the hooks patched below.
    return list(test._databases_names(include_mirrors=False))


def install() -> None:
    """Patch ``TransactionTestCase`` for this test process (the root ``conftest.py``)."""
    setup = TransactionTestCase.__dict__["_fixture_setup"].__func__  # a classmethod
    teardown = TransactionTestCase.__dict__["_fixture_teardown"]

    def _fixture_setup(cls: type[TransactionTestCase]) -> None:
        if _fast(cls):
            for db_name in _names(cls):
                if db_name not in _after_flush:
                    _after_flush[db_name] = _rows_after_flush(db_name)
        setup(cls)

    def _fixture_teardown(self: TransactionTestCase) -> None:
        if not _fast(self):
            teardown(self)
            return
        for db_name in _names(self):
            _empty(db_name)
            _write_back(db_name)

    setattr(TransactionTestCase, "_fixture_setup", classmethod(_fixture_setup))  # noqa: B010
    setattr(TransactionTestCase, "_fixture_teardown", _fixture_teardown)  # noqa: B010
