"""Imports whose worker died are found while the workers run, not only when one starts:
``watch_imports`` (queued again by itself every half ``CLIENTELA_IMPORT_STALE_SECONDS``)
queues a job with a stale heartbeat again at its checkpoint and marks failed the task
result its dead worker left "running"; the job's page offers "Resume" meanwhile."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from clientela.integrations import tasks
from clientela.integrations.models import ImportJob, ImportStatus
from clientela.integrations.tests.test_import_views import checked, detail

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CLIENTELA_IMPORT_STALE_SECONDS = 30


def running(user: Any, *, quiet_for: int) -> tuple[ImportJob, DBTaskResult[Any, Any]]:
    """A job its worker was running, last heard of ``quiet_for`` seconds ago, and the
    task result that worker left "running"."""
    job = checked(user)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.RUNNING,
        heartbeat_at=timezone.now() - datetime.timedelta(seconds=quiet_for),
    )
    result = tasks.run_import.enqueue(job.pk)
    DBTaskResult.objects.filter(pk=result.id).update(status=TaskResultStatus.RUNNING)
    job.refresh_from_db()
    return job, DBTaskResult.objects.get(pk=result.id)


def run_imports_queued(job: ImportJob) -> int:
    return DBTaskResult.objects.filter(
        task_path=tasks.run_import.module_path,
        status=TaskResultStatus.READY,
        args_kwargs__args=[job.pk],
    ).count()


def test_the_watch_resumes_a_dead_workers_import_and_fails_its_task(admin: Any) -> None:
    dead, orphan = running(admin, quiet_for=31)
    alive, busy = running(admin, quiet_for=5)
    assert tasks.watch_imports.call() == 1
    dead.refresh_from_db()
    assert dead.status == ImportStatus.QUEUED
    assert run_imports_queued(dead) == 1
    orphan.refresh_from_db()
    assert orphan.status == TaskResultStatus.FAILED
    assert "heartbeat went stale" in orphan.traceback
    # The import whose worker still reports is left alone.
    alive.refresh_from_db()
    busy.refresh_from_db()
    assert (alive.status, busy.status) == (ImportStatus.RUNNING, TaskResultStatus.RUNNING)
    assert run_imports_queued(alive) == 0
    # The watch queued its next run, once, half the staleness ahead.
    watches = DBTaskResult.objects.filter(
        task_path=tasks.watch_imports.module_path, status=TaskResultStatus.READY
    )
    assert watches.count() == 1
    ahead = watches.get().run_after - timezone.now()
    assert datetime.timedelta(seconds=10) < ahead <= datetime.timedelta(seconds=15)
    assert tasks.ensure_import_watch() is False
    # The resumed job then runs to the end.
    assert tasks.run_import.call(dead.pk) >= 0
    dead.refresh_from_db()
    assert dead.status == ImportStatus.DONE


def test_a_starting_worker_starts_the_watch(admin: Any) -> None:
    dead, orphan = running(admin, quiet_for=60)
    tasks.resume_imports()
    dead.refresh_from_db()
    orphan.refresh_from_db()
    assert (dead.status, orphan.status) == (ImportStatus.QUEUED, TaskResultStatus.FAILED)
    assert run_imports_queued(dead) == 1
    assert DBTaskResult.objects.filter(task_path=tasks.watch_imports.module_path).count() == 1
    tasks.resume_imports()  # a second worker starting: still one watch
    assert DBTaskResult.objects.filter(task_path=tasks.watch_imports.module_path).count() == 1


def test_the_page_offers_resume_once_the_heartbeat_is_old(client: Any, admin: Any) -> None:
    job, _result = running(admin, quiet_for=5)
    client.force_login(admin)
    resume = reverse("integrations:import-resume", kwargs={"pk": job.pk})
    page = client.get(detail(job)).content.decode()
    assert "the import goes on" in page
    assert resume not in page
    ImportJob.objects.filter(pk=job.pk).update(
        heartbeat_at=timezone.now() - datetime.timedelta(seconds=31)
    )
    progress = reverse("integrations:import-progress", kwargs={"pk": job.pk})
    for url in (detail(job), progress):
        page = client.get(url).content.decode()
        assert "it has probably stopped" in page
        assert resume in page
    assert client.post(resume).status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.QUEUED
