"""A process's copy of what it reads from a small configuration table on every event
(the enabled workflow rules, the enabled webhooks), read again only when the table
changed.

Whether it changed is one plain query per use, ``COUNT(*)``, ``MAX(id)``, ``SUM(id)``
and ``MAX(updated_at)`` of the table (a stamp no ORM has to compile): a row added,
removed or saved (``auto_now``) in any process changes it. A save or delete in this
process also drops the copy at once (``post_save``/``post_delete``), which covers what
the stamp could miss there (a row replaced by another with the same id and time, as a
test rolled back and a frozen clock make).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.db import connection
from django.db.models import Model
from django.db.models.signals import post_delete, post_save

T = TypeVar("T")


class TableCopy(Generic[T]):
    """``load()``'s result, kept while ``model``'s table is unchanged."""

    def __init__(self, model: type[Model], load: Callable[[], T]) -> None:
        self._model = model
        self._load = load
        self._kept: tuple[Any, T] | None = None
        self._lock = threading.Lock()
        post_save.connect(self._drop, sender=model, weak=False)
        post_delete.connect(self._drop, sender=model, weak=False)

    def _drop(self, **_kwargs: Any) -> None:
        self._kept = None

    def _stamp(self) -> tuple[Any, ...]:
        table = connection.ops.quote_name(self._model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT COUNT(*), MAX(id), SUM(id), MAX(updated_at) FROM {table}"  # noqa: S608 - a table name
            )
            row = cursor.fetchone()
        return (connection.alias, connection.settings_dict["NAME"], *row)

    def get(self) -> T:
        stamp = self._stamp()
        kept = self._kept
        if kept is not None and kept[0] == stamp:
            return kept[1]
        value = self._load()
        with self._lock:
            self._kept = (stamp, value)
        return value
