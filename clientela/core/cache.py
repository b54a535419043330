"""The database cache, fit for counting: the default home of the rate-limit counts
(``CLIENTELA_CACHE_URL=db://``), shared by every web process that uses the database.

Django's ``DatabaseCache.incr`` reads the value and writes it back with the default
timeout. Two requests at once then both write n+1, and worse for a rate limit, every
increment moves the entry's expiry to five minutes from now: a count in an hour-long
window (password-reset e-mails) that sees five quiet minutes expires and starts again
from zero. ``AtomicDatabaseCache.incr`` increments under a lock (the row's, or on
SQLite the write lock its IMMEDIATE transactions take) and keeps the expiry, as
Redis' INCR and Django's local-memory cache do.
"""

from __future__ import annotations

import base64
import pickle
from typing import Any

from django.core.cache.backends.db import DatabaseCache
from django.db import connections, models, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone


class AtomicDatabaseCache(DatabaseCache):
    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> Any:
        cache_key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        quote = connection.ops.quote_name
        table, key_column = quote(self._table), quote("cache_key")  # type: ignore[attr-defined]
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        # The table name comes from the settings and is quoted; values are parameters.
        columns = f"{quote('value')}, {quote('expires')}"
        select = f"SELECT {columns} FROM {table} WHERE {key_column} = %s{lock}"  # noqa: S608
        update = f"UPDATE {table} SET {quote('value')} = %s WHERE {key_column} = %s"  # noqa: S608
        with transaction.atomic(using=db), connection.cursor() as cursor:
            cursor.execute(select, [cache_key])
            row = cursor.fetchone()
            if row is None or _expires(connection, row[1]) < timezone.now():
                raise ValueError(f"Key '{key}' not found")
            value = _decode(connection, row[0]) + delta
            cursor.execute(update, [_encode(value, self.pickle_protocol), cache_key])
        return value


def _expires(connection: BaseDatabaseWrapper, value: Any) -> Any:
    # As DatabaseCache.get_many reads it: aware or naive depending on the backend.
    expression = models.Expression(output_field=models.DateTimeField())
    converters = connection.ops.get_db_converters(expression) + expression.get_db_converters(
        connection
    )
    for converter in converters:
        value = converter(value, expression, connection)
    return value


def _decode(connection: BaseDatabaseWrapper, value: Any) -> Any:
    # The table is written by this cache only, pickled as DatabaseCache does.
    return pickle.loads(base64.b64decode(connection.ops.process_clob(value).encode()))  # noqa: S301


def _encode(value: Any, protocol: int) -> str:
    return base64.b64encode(pickle.dumps(value, protocol)).decode("latin1")
