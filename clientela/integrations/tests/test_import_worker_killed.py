"""A worker killed (``kill -9``) in the middle of an import and started again at once,
as systemd's ``Restart=on-failure`` does: the import is taken up again within seconds
of its heartbeat going stale (``CLIENTELA_IMPORT_STALE_SECONDS``, short here), by the
starting worker or by the running workers' periodic watch, and ends with every row
imported exactly once; the task result the dead worker left "running" is failed."""

from __future__ import annotations

import os
import signal
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from clientela.core.testing.migrated import migrated_database
from clientela.core.tests.test_cli import _cli, _env
from clientela.core.tests.test_worker_busy import poll, query, start_worker
from clientela.integrations.tests.test_import_services import csv_file
from conftest import PASSWORD

__all__ = ["start_worker"]  # the fixture, used by name

pytestmark = pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "sqlite").startswith("postgres"),
    reason="the worker processes run on their own SQLite file (polled with sqlite3)",
)

ROWS = 3000
QUEUE_IMPORT = """
from django.core.files.uploadedfile import SimpleUploadedFile
from clientela.core.models import User
from clientela.integrations import services
user = User.objects.get(username="kim")
data = open({path!r}, "rb").read()
job = services.import_upload(actor=user, upload=SimpleUploadedFile("many.csv", data),
                             filename="many.csv", kind="people")
services.import_check(actor=user, job=job)
job.refresh_from_db()
services.import_start(actor=user, job=job)
print(job.pk)
"""


def test_a_killed_worker_s_import_is_resumed_within_seconds(
    tmp_path: Path, start_worker: Any
) -> None:
    env = _env(
        tmp_path,
        CLIENTELA_IMPORT_CHUNK="100",
        CLIENTELA_IMPORT_STALE_SECONDS="4",
        CLIENTELA_WORKER_RETRY_MS="200",
    )
    db = tmp_path / "cli.sqlite3"
    migrated_database(env)
    made = _cli(
        env, "createuser", "kim", "--role", "sales", "--team", "North", "--password", PASSWORD
    )
    assert made.returncode == 0, made.stderr
    rows = [["first_name", "last_name", "email"]]
    rows += [[f"P{i}", f"Last{i}", f"p{i}@example.com"] for i in range(ROWS)]
    path = tmp_path / "many.csv"
    path.write_bytes(csv_file(rows))
    queued = _cli(env, "shell", "-c", QUEUE_IMPORT.format(path=str(path)))
    assert queued.returncode == 0, queued.stderr
    job_id = int(queued.stdout.strip().splitlines()[-1])

    def job() -> tuple[str, int]:
        found = query(db, "SELECT status, rows_done FROM integrations_importjob WHERE id=?", job_id)
        return found[0] if found else ("", 0)

    first = start_worker(env)
    poll(lambda: job()[0] == "running" and job()[1] > 0)
    first.send_signal(signal.SIGKILL)
    first.wait()
    status, done = job()
    assert status == "running"
    assert 0 < done < ROWS, "the import finished before the worker could be killed"

    start_worker(env)  # restarted at once: the heartbeat is not stale yet
    poll(lambda: job()[0] == "done")

    def results() -> list[tuple[str]]:
        return query(
            db,
            "SELECT status FROM django_tasks_database_dbtaskresult"
            " WHERE task_path LIKE '%.run_import' ORDER BY enqueued_at",
        )

    # The watch that resumed the import marks the dead worker's result failed right
    # after the import it ran inline is done: a moment later.
    poll(lambda: ("RUNNING",) not in results())
    with sqlite3.connect(db) as conn:
        people = conn.execute("SELECT count(*) FROM contacts_person").fetchone()[0]
        emails = conn.execute(
            "SELECT count(DISTINCT address), count(*) FROM contacts_emailaddress"
        ).fetchone()
    assert job() == ("done", ROWS)
    assert people == ROWS
    assert emails == (ROWS, ROWS)
    # The dead worker's task result does not stay "running" for ever.
    assert ("RUNNING",) not in results()
    assert ("FAILED",) in results()
