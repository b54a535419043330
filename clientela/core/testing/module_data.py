"""Data built once for the tests of one module, for data that is slow to build and that
the tests only read (the whole demo, a computed purchase history).

``built_for_module(django_db_blocker)`` opens a transaction that a module-scoped
fixture builds its data in and yields from; each test's own transaction (the ``db``
fixture) is then a savepoint inside it, undone after the test as usual, and the
module's data is rolled back after its last test, on SQLite and PostgreSQL alike.
pytest-randomly shuffles modules and the tests within a module, never interleaving
two modules, so no other module's test sees the data.

A module-scoped fixture runs before the function-scoped autouse fixtures of
``conftest.py``; the data is built under the same conditions they set for a test:
fast password hashing, rate limits counted in memory, no company profile, no time
zone or language activated.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.test import override_settings
from django.utils import timezone, translation

from clientela.core import company

TEST_SETTINGS: dict[str, Any] = {
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
    "CLIENTELA_RATE_STORE": {"STORE": "locmem"},
}


@contextmanager
def built_for_module(django_db_blocker: Any) -> Iterator[None]:
    """Inside: write the module's data. The ``yield`` of the fixture goes inside too."""
    timezone.deactivate()
    translation.deactivate()
    company.remember_profile(company.EMPTY, seconds=float("inf"))
    cache.clear()
    with (
        override_settings(**TEST_SETTINGS),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        try:
            yield
        finally:
            transaction.set_rollback(True)
    cache.clear()
