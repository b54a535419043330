"""The RQ path against the real Redis on loopback: with ``CLIENTELA_TASKS_URL`` at Redis,
``clientela worker`` runs RQ's worker with its scheduler, so a job runs when queued, a
job queued for later (``run_after``: reminders, the hourly and daily runs) waits in
RQ's scheduled registry and runs once it is due, and the recurring jobs the worker
queues at start-up are scheduled there.

Real processes: the worker, and a ``clientela shell`` that queues the jobs, each on the
test's own SQLite file and a Redis database of each test worker's own (emptied before
and after), so parallel test workers never share a queue."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from clientela.core.tests.test_cli import _cli, _env
from clientela.env import ConfigError, env_tasks_url

#: Redis databases 10-15 are this module's: one per pytest-xdist worker (gw0, gw1…).
_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
REDIS_URL = f"redis://127.0.0.1:6379/{10 + _WORKER % 6}"

#: Run in ``clientela shell``: an admin, two large uploads (read by a worker); the
#: second one's reading is queued again for an hour from now.
QUEUE_JOBS = """
import datetime, io, json
from django.core.files import File
from django.utils import timezone
from clientela.core.services import roles_ensure_defaults, user_create
from clientela.integrations import services
from clientela.integrations.models import ImportJob, ImportStatus
from clientela.integrations.tasks import read_import
roles_ensure_defaults()
user = user_create(username="rq_admin", password="a-long-password-42", role_key="admin",
                   team_name=None)
rows = "first_name,last_name,email\\n" + "".join(
    f"Ana{n},Ruiz,ana{n}@example.com\\n" for n in range(200))
now_job = services.import_upload(actor=user, upload=File(io.BytesIO(rows.encode())),
                                 filename="now.csv")
later_job = services.import_upload(actor=user, upload=File(io.BytesIO(rows.encode())),
                                   filename="later.csv", read_now=True)
ImportJob.objects.filter(pk=later_job.pk).update(status=ImportStatus.READING, rows_total=0)
due = timezone.now() + datetime.timedelta(hours=1)
result = read_import.using(run_after=due).enqueue(later_job.pk)
print(json.dumps({"job": result.id, "due": due.timestamp()}))
"""

STATUS = """
import json
from clientela.integrations.models import ImportJob
print(json.dumps({j.filename: [j.status, j.rows_total] for j in ImportJob.objects.all()}))
"""


@pytest.fixture
def rq_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    env = _env(tmp_path, CLIENTELA_TASKS_URL=REDIS_URL, CLIENTELA_IMPORT_INLINE_KB="1")
    result = _cli(env, "migrate", "-v", "0")
    assert result.returncode == 0, result.stderr
    yield env
    client.flushdb()


def _shell(env: dict[str, str], code: str) -> dict[str, object]:
    result = _cli(env, "shell", "-c", code)
    assert result.returncode == 0, result.stderr
    loaded: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return loaded


def test_the_url_chooses_the_backend() -> None:
    assert env_tasks_url("CLIENTELA_TEST_UNSET", "db://")["TASKS"]["default"]["BACKEND"] == (
        "django_tasks_db.DatabaseBackend"
    )
    rq = env_tasks_url("CLIENTELA_TEST_UNSET", REDIS_URL)
    assert rq["TASKS"]["default"] == {
        "BACKEND": "django_tasks_rq.RQBackend",
        "QUEUES": ["default"],
    }
    assert rq["RQ_QUEUES"] == {"default": {"URL": REDIS_URL}}
    for bad in ("amqp://rabbit", "redis://:secret@host:port/0"):
        with pytest.raises(ConfigError, match="CLIENTELA_TEST") as error:
            env_tasks_url("CLIENTELA_TEST_UNSET", bad)
        assert "secret" not in str(error.value)


def test_rq_runs_queued_jobs_and_scheduled_ones_once_due(rq_env: dict[str, str]) -> None:
    client = redis.Redis.from_url(REDIS_URL)
    queued = _shell(rq_env, QUEUE_JOBS)
    # The job for later waits in RQ's scheduled registry, due in an hour.
    (only,) = client.zrange("rq:scheduled:default", 0, -1)
    assert only == str(queued["job"]).encode()
    assert client.zscore("rq:scheduled:default", only) == pytest.approx(queued["due"], abs=1)

    # A worker run now (RQ's worker with its scheduler, until the queue is empty).
    result = _cli(rq_env, "worker", "--batch")
    assert result.returncode == 0, result.stderr
    status = _shell(rq_env, STATUS)
    assert status["now.csv"] == ["new", 200]  # read by the worker
    assert status["later.csv"] == ["reading", 0]  # not due yet
    # The recurring jobs the worker queued at start-up wait there too.
    assert client.zcard("rq:scheduled:default") >= 3

    # The hour has passed (for RQ: the job's time in the registry), and the next
    # worker run's scheduler moves it to the queue and runs it.
    client.zadd("rq:scheduled:default", {str(queued["job"]): time.time() - 1})
    result = _cli(rq_env, "worker", "--batch")
    assert result.returncode == 0, result.stderr
    status = _shell(rq_env, STATUS)
    assert status["later.csv"] == ["new", 200]
    assert str(queued["job"]).encode() not in client.zrange("rq:scheduled:default", 0, -1)
