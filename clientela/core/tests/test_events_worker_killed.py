"""A worker killed (``kill -9``) in the middle of dispatching events and started
again: every event reaches every subscriber exactly once (the subscribers of
``core.testing.event_counter`` write a row per delivery, in the delivery's own
transaction)."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import pytest

from clientela.core.tests.test_cli import _cli, migrated_with_kim
from clientela.core.tests.test_worker_busy import poll, query, start_worker

__all__ = ["start_worker"]  # the fixture, used by name

pytestmark = pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "sqlite").startswith("postgres"),
    reason="the worker processes run on their own SQLite file (polled with sqlite3)",
)

PEOPLE = 150
MAKE_PEOPLE = """
from clientela.contacts.services import person_create
from clientela.core.models import User
user = User.objects.get(username="kim")
for i in range({n}):
    person_create(actor=user, data={{"first_name": f"P{{i}}", "last_name": "Killed"}})
"""


def test_every_event_reaches_every_subscriber_once_despite_a_kill(
    tmp_path: Path, start_worker: Any
) -> None:
    env = migrated_with_kim(
        tmp_path,
        CLIENTELA_EVENT_SUBSCRIBERS="clientela.core.testing.event_counter",
        CLIENTELA_WORKER_RETRY_MS="200",
    )
    db = tmp_path / "cli.sqlite3"
    written = _cli(env, "shell", "-c", MAKE_PEOPLE.format(n=PEOPLE))
    assert written.returncode == 0, written.stderr
    events = query(db, "SELECT count(*) FROM core_outboxevent")[0][0]
    assert events == PEOPLE

    def received() -> int:
        found = query(db, "SELECT count(*) FROM test_event_received")
        return int(found[0][0]) if found else 0

    first = start_worker(env)
    poll(lambda: received() > 20)
    first.send_signal(signal.SIGKILL)
    first.wait()
    assert received() < 2 * events, "all delivered before the kill"

    start_worker(env)
    poll(lambda: received() >= 2 * events)
    poll(
        lambda: (
            query(db, "SELECT count(*) FROM core_outboxevent WHERE dispatched_at IS NULL") == [(0,)]
        )
    )
    rows = query(db, "SELECT event_id, subscriber, count(*) FROM test_event_received GROUP BY 1, 2")
    assert len(rows) == 2 * events
    assert {count for _e, _s, count in rows} == {1}, "an event reached a subscriber twice"
    # Other apps' subscribers (webhooks…) get the events too; these two are the test's.
    marks = query(
        db,
        "SELECT count(*) FROM core_eventdelivery"
        " WHERE delivered_at IS NOT NULL AND subscriber LIKE 'test.counter.%'",
    )
    assert marks == [(2 * events,)]
