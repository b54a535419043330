"""``clientela worker`` survives a busy database: a second connection holds SQLite's
write lock (``BEGIN IMMEDIATE``) for longer than the busy timeout while a real worker
process runs; the worker logs "database is locked", waits, tries again, is still alive
afterwards and runs the job that was queued during the lock."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import InterfaceError, OperationalError, ProgrammingError

from clientela.core.testing.migrated import migrated_database
from clientela.core.tests.test_cli import ROOT, _cli, _env
from clientela.core.worker import Backoff, until_done

_ON_POSTGRES = pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "sqlite").startswith("postgres"),
    reason="holds a SQLite write lock on the worker's own SQLite file",
)

#: How long the lock is held: longer than the 5 s busy timeout, so the worker's queries
#: fail with "database is locked" (CLIENTELA_TEST_LOCK_SECONDS to try another length).
LOCK_SECONDS = float(os.environ.get("CLIENTELA_TEST_LOCK_SECONDS", "10"))
#: The generous cap of every wait for the worker (polling, never a timed assert).
CAP = 120.0


def poll(check: Callable[[], Any], *, cap: float = CAP) -> Any:
    """``check()`` once it is truthy, polled every 0.1 s; AssertionError after ``cap``."""
    deadline = time.monotonic() + cap
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"still waiting after {cap} s")


def query(db: Path, sql: str, *args: Any) -> list[Any]:
    try:
        with sqlite3.connect(db, timeout=0.5) as conn:
            return conn.execute(sql, args).fetchall()
    except sqlite3.OperationalError:
        return []


@pytest.fixture
def worker_env(tmp_path: Path) -> dict[str, str]:
    env = _env(tmp_path, CLIENTELA_WORKER_RETRY_MS="200", CLIENTELA_WORKER_RETRY_MAX_MS="1000")
    migrated_database(env)
    return env


@pytest.fixture
def start_worker(tmp_path: Path) -> Iterator[Callable[[dict[str, str]], subprocess.Popen[bytes]]]:
    procs: list[subprocess.Popen[bytes]] = []

    def start(env: dict[str, str]) -> subprocess.Popen[bytes]:
        log = open(tmp_path / f"worker{len(procs)}.log", "wb")  # noqa: SIM115 - closed below
        proc = subprocess.Popen(
            [sys.executable, "-m", "clientela.cli", "worker", "--interval", "0.2"],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.wait()


def enqueue_far_ahead(env: dict[str, str]) -> str:
    """Queue a harmless task (the quote expiry) to run in a year; its id."""
    code = (
        "import datetime; from django.utils import timezone;"
        "from clientela.sales.tasks import expire_due_quotes;"
        "r = expire_due_quotes.using(run_after=timezone.now() + datetime.timedelta(days=365))"
        ".enqueue(); print(r.id)"
    )
    result = _cli(env, "shell", "-c", code)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1].replace("-", "")


@_ON_POSTGRES
def test_the_worker_waits_out_a_locked_database_and_catches_up(
    worker_env: dict[str, str], start_worker: Any, tmp_path: Path
) -> None:
    db = tmp_path / "cli.sqlite3"
    task_id = enqueue_far_ahead(worker_env)
    worker = start_worker(worker_env)
    # Working: it has run the jobs its start-up queued for now, the analytics' first
    # refresh the longest of them, and runs nothing (a job running through the whole
    # lock would not read the database, and so never meet the lock).
    poll(
        lambda: (
            query(
                db,
                "SELECT 1 FROM django_tasks_database_dbtaskresult"
                " WHERE task_path LIKE '%.nightly_refresh' AND status = 'SUCCESSFUL'",
            )
            and not query(
                db, "SELECT 1 FROM django_tasks_database_dbtaskresult WHERE status = 'RUNNING'"
            )
        )
    )

    lock = sqlite3.connect(db, isolation_level=None, timeout=30)
    lock.execute("BEGIN IMMEDIATE")
    # Queued during the lock: due now, visible once the lock's transaction commits.
    lock.execute(
        "UPDATE django_tasks_database_dbtaskresult"
        " SET run_after = '2000-01-01 00:00:00' WHERE id = ?",
        (task_id,),
    )
    time.sleep(LOCK_SECONDS)
    lock.execute("COMMIT")
    lock.close()

    assert worker.poll() is None, "the worker exited while the database was locked"
    done = poll(
        lambda: query(
            db,
            "SELECT status FROM django_tasks_database_dbtaskresult"
            " WHERE id = ? AND finished_at IS NOT NULL",
            task_id,
        )
    )
    assert done == [("SUCCESSFUL",)]
    assert worker.poll() is None
    worker.terminate()
    worker.wait(timeout=CAP)
    log = (tmp_path / "worker0.log").read_text()
    assert "database is locked" in log
    assert "trying again in" in log


def test_until_done_retries_busy_errors_with_growing_waits_and_logs(caplog: Any) -> None:
    failures = [OperationalError("database is locked"), InterfaceError("connection closed")] * 2
    waits: list[float] = []

    def step() -> str:
        if failures:
            raise failures.pop(0)
        return "done"

    backoff = Backoff(0.5, 1.5)
    assert until_done(step, what="test step", backoff=backoff, sleep=waits.append) == "done"
    assert waits == [0.5, 1.0, 1.5, 1.5]
    assert caplog.text.count("test step: database error") == 4
    assert "database is locked" in caplog.text


def test_until_done_lets_other_errors_through() -> None:
    def step() -> None:
        raise ProgrammingError("no such table: contacts_person")

    waits: list[float] = []
    with pytest.raises(ProgrammingError):
        until_done(step, what="test step", backoff=Backoff(1, 2), sleep=waits.append)
    assert waits == []


def test_with_the_rq_backend_the_worker_runs_rqs_scheduler_too(
    settings: Any, monkeypatch: Any
) -> None:
    """Without the scheduler, every job queued with ``run_after`` stays in RQ's
    scheduled registry for ever. (The command it starts is checked here; a real RQ
    worker on Redis runs in core/tests/test_worker_rq.py.)"""
    from clientela.core.management.commands import worker  # noqa: PLC0415

    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    calls: list[tuple[Any, ...]] = []
    monkeypatch.setattr(worker, "call_command", lambda *args, **kw: calls.append(args))
    monkeypatch.setattr(worker, "run_worker_startup_hooks", lambda: None)
    worker.Command().handle(queue_name="*", batch=True, interval=1.0, verbosity=0)
    assert calls == [
        ("rqworker", "default", "--job-class", "django_tasks_rq.Job", "--with-scheduler", "--burst")
    ]
