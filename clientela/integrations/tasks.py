"""Background jobs of imports (the ``django_tasks`` API, see ``activities.tasks``): the
reading of a large upload, the dry run of a large file and the import itself. All are
safe to run twice: a job not in the state the task expects is left alone, and an import
resumes at its checkpoint.

``services`` imports this module to queue the jobs, so the jobs import ``services`` when
they run."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from clientela.core.tasks import ensure_next_run
from clientela.integrations.models import ImportJob, ImportStatus


@task()
def read_import(job_id: int) -> int:
    """Read the columns and count the rows of job ``job_id``'s file (an upload too large
    to read in the request); returns the rows (-1: nothing to do, or the file failed)."""
    from clientela.integrations.services import import_read  # noqa: PLC0415

    job = ImportJob.objects.filter(pk=job_id, status=ImportStatus.READING).first()
    if job is None:
        return -1
    job = import_read(job=job)
    return job.rows_total if job.status == ImportStatus.NEW else -1


@task()
def check_import(job_id: int) -> int:
    """The dry run of job ``job_id``; returns the rows that would fail (-1: nothing to do)."""
    from clientela.integrations.services import import_check_run  # noqa: PLC0415

    job = ImportJob.objects.filter(pk=job_id, status=ImportStatus.CHECKING).first()
    if job is None:
        return -1
    return import_check_run(job=job).failed


@task()
def run_import(job_id: int) -> int:
    """Import job ``job_id`` from its checkpoint; returns the rows imported this run."""
    from clientela.integrations.services import import_run  # noqa: PLC0415

    job = ImportJob.objects.filter(
        pk=job_id, status__in=[ImportStatus.QUEUED, ImportStatus.RUNNING]
    ).first()
    counts = import_run(job=job) if job is not None else None
    if counts is None:  # gone, finished, or another process has it
        return -1
    return counts.created + counts.updated


@task()
def watch_imports() -> int:
    """Runs every half ``CLIENTELA_IMPORT_STALE_SECONDS`` on whichever worker is free:
    imports whose worker died (stale heartbeat) are queued again at once, the task
    results their dead worker left "running" are marked failed; then it queues its next
    run. Returns how many imports it resumed."""
    from clientela.integrations.services import import_resume_stale  # noqa: PLC0415

    try:
        resumed = import_resume_stale(queued=False)
        fail_orphaned_results(resumed)
        return len(resumed)
    finally:
        ensure_import_watch(exclude_running=True)


def fail_orphaned_results(job_ids: list[int]) -> int:
    """Mark failed the ``run_import`` results still "running" for these jobs: their
    worker is gone (only the database backend can be asked). Returns how many."""
    if not job_ids or not isinstance(run_import.get_backend(), DatabaseBackend):
        return 0
    orphans = DBTaskResult.objects.filter(
        task_path=run_import.module_path, status=TaskResultStatus.RUNNING
    )
    ids = [r.pk for r in orphans if r.args_kwargs.get("args", [None])[0] in job_ids]
    return DBTaskResult.objects.filter(pk__in=ids).update(
        status=TaskResultStatus.FAILED,
        finished_at=timezone.now(),
        exception_class_path="builtins.RuntimeError",
        traceback="The worker running this task stopped: its import's heartbeat went stale.",
    )


def ensure_import_watch(*, exclude_running: bool = False) -> bool:
    """Queue the next ``watch_imports`` run, half the staleness ahead, unless one waits."""
    every = datetime.timedelta(seconds=max(1.0, settings.CLIENTELA_IMPORT_STALE_SECONDS / 2))
    return ensure_next_run(watch_imports, timezone.now() + every, exclude_running=exclude_running)


def resume_imports() -> None:
    """Worker start-up hook: queue again the imports a stopped worker left behind, and
    start the periodic watch for imports whose worker dies later."""
    from clientela.integrations.services import import_resume_stale  # noqa: PLC0415

    fail_orphaned_results(import_resume_stale())
    ensure_import_watch()
