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
from typing import cast

import pytest
import redis
from rq.job import Job

from clientela.core.testing.migrated import migrated_database
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

#: Run in ``clientela shell``: ``ensure_next_run`` asked twice for a run due later (the
#: health check, scheduled) and for one due now (the quote expiry at a worker's start,
#: queued); the second asking of each finds the first run waiting.
ENSURE_TWICE = """
import json
from clientela.core.tasks import check_background_health, ensure_health_check_scheduled
from clientela.core.tasks import ensure_next_run
from clientela.sales.tasks import ensure_quote_expiry_scheduled
print(json.dumps({
    "scheduled": [ensure_health_check_scheduled(), ensure_health_check_scheduled(),
                  ensure_next_run(check_background_health, None)],
    "queued": [ensure_quote_expiry_scheduled(), ensure_quote_expiry_scheduled(),
               ensure_quote_expiry_scheduled(exclude_running=True)],
}))
"""

#: Run in ``clientela shell``: the quote expiry once its run is running.
ENSURE_WHILE_RUNNING = """
import json
from clientela.sales.tasks import ensure_quote_expiry_scheduled
print(json.dumps({"running": [ensure_quote_expiry_scheduled(),
                              ensure_quote_expiry_scheduled(exclude_running=True)]}))
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
    migrated_database(env)
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
    # The second worker's start-up found each recurring run waiting: still one of each.
    assert _waiting(client) == [
        "clientela.activities.tasks.send_birthday_greetings",
        "clientela.analytics.tasks.nightly_refresh",
        "clientela.automation.tasks.rules_due",
        "clientela.automation.tasks.webhooks_due",
        "clientela.core.events.tasks.sweep_events",
        "clientela.core.inbound.tasks.poll_mailboxes",
        "clientela.core.tasks.check_background_health",
        "clientela.integrations.tasks.watch_imports",
        "clientela.marketing.tasks.campaigns_due",
        "clientela.sales.tasks.expire_due_quotes",
        "clientela.service.tasks.sweep_slas",
    ]


def _ids(client: redis.Redis, where: str) -> list[str]:
    """The job ids in RQ's queue (``queue``) or its registry of jobs for later
    (``scheduled``) of the default queue."""
    found = (
        client.lrange("rq:queue:default", 0, -1)
        if where == "queue"
        else client.zrange("rq:scheduled:default", 0, -1)
    )
    return [item.decode() for item in cast(list[bytes], found)]


def _waiting(client: redis.Redis) -> list[str]:
    """What RQ holds for later and for now: the task of each job (its ``func_name``)."""
    jobs = Job.fetch_many(_ids(client, "scheduled") + _ids(client, "queue"), connection=client)
    return sorted(str(job.func_name) for job in jobs if job)


def test_ensure_next_run_sees_rq_s_scheduled_queued_and_running_jobs(
    rq_env: dict[str, str],
) -> None:
    client = redis.Redis.from_url(REDIS_URL)
    answers = _shell(rq_env, ENSURE_TWICE)
    assert answers == {"scheduled": [True, False, False], "queued": [True, False, False]}
    # One of each: the health check waits for later in the scheduled registry, the
    # expiry run in the queue, due now.
    assert _waiting(client) == [
        "clientela.core.tasks.check_background_health",
        "clientela.sales.tasks.expire_due_quotes",
    ]
    (check,) = _ids(client, "scheduled")
    (expiry,) = _ids(client, "queue")
    assert client.zscore("rq:scheduled:default", check) == pytest.approx(time.time() + 600, abs=60)

    # A worker takes the expiry run (RQ moves it from the queue to the started registry,
    # as "<job id>:<execution id>"): it counts as waiting, except for the run itself,
    # which queues its successor (for after midnight: in the scheduled registry).
    client.lrem("rq:queue:default", 0, expiry)
    client.zadd("rq:wip:default", {f"{expiry}:execution": time.time() + 60})
    assert _shell(rq_env, ENSURE_WHILE_RUNNING) == {"running": [False, True]}
    assert client.zcard("rq:scheduled:default") == 2
    assert client.llen("rq:queue:default") == 0
