"""How an import uses its process while it runs: no garbage-collector rounds during a
chunk (``no_gc_rounds``) and no SQLite memory map (``no_sqlite_mmap``), so a worker stays
fast and its memory flat whatever the size of the file."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection


@contextmanager
def no_gc_rounds() -> Iterator[None]:
    """No garbage-collector rounds while a chunk is processed: its tens of thousands of
    new objects (records, details, audit changes, rows) made Python's collector walk the
    whole heap again and again: a third of the orders import's time on CDNOW (19 s to
    12 s), a fifth of the people import's dry run. What a chunk leaves behind is collected after
    it, as usual."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def no_sqlite_mmap() -> Iterator[None]:
    """SQLite maps up to ``mmap_size`` (256 MB, see settings) of the database file into
    the process for fast reads; an import touches every page it writes, so the worker's
    memory would grow with the file up to that limit. An import reads little: its
    connection goes without the mapping while it runs, and gets it back after."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA mmap_size")
        row = cursor.fetchone()  # no row where mapping is off (an in-memory database)
        before = int(row[0]) if row else 0
        cursor.execute("PRAGMA mmap_size=0")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA mmap_size={before}")
