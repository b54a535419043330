"""Background jobs of core: the periodic health check of background work, which
e-mails the admins when a recurring job is overdue (see ``core.health``); and
``ensure_next_run``, how every recurring job (this one, the domains' hourly and daily
runs) queues its next run without queuing it twice."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from django_tasks import task
from django_tasks.base import Task, TaskResultStatus
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult


@task()
def check_background_health() -> int:
    """Tell the admins of recurring jobs that became overdue; queue the next check.
    Returns how many jobs were reported."""
    from clientela.core.health import alert_admins  # noqa: PLC0415

    try:
        return len(alert_admins())
    finally:
        ensure_health_check_scheduled(exclude_running=True)


def ensure_health_check_scheduled(*, exclude_running: bool = False) -> bool:
    """Queue the next check unless one waits. A worker starting calls it."""
    from clientela.core.health import CHECK_EVERY  # noqa: PLC0415

    return ensure_next_run(
        check_background_health,
        timezone.now() + CHECK_EVERY,
        exclude_running=exclude_running,
    )


def ensure_next_run(
    task: Task[[], Any],
    after: datetime.datetime | None,
    *,
    exclude_running: bool = False,
) -> bool:
    """Queue ``task`` to run at ``after`` (at once when None) unless a run of it already
    waits, queued or scheduled; returns whether it queued one.

    A running one counts as waiting too, unless ``exclude_running``: the run that
    queues its own successor passes it, since it is itself running. Both the database
    backend and RQ are asked; another backend cannot be, and always queues (recurring
    runs are idempotent, so an extra one does no harm)."""
    if _run_waits(task, include_running=not exclude_running):
        return False
    task.using(run_after=after).enqueue()
    return True


def _run_waits(task: Task[[], Any], *, include_running: bool) -> bool:
    backend = task.get_backend()
    if isinstance(backend, DatabaseBackend):
        statuses = [TaskResultStatus.READY]
        if include_running:
            statuses.append(TaskResultStatus.RUNNING)
        return DBTaskResult.objects.filter(task_path=task.module_path, status__in=statuses).exists()
    if type(backend).__module__.startswith("django_tasks_rq."):
        return _rq_run_waits(task, include_running=include_running)
    return False


def _rq_run_waits(task: Task[[], Any], *, include_running: bool) -> bool:
    """RQ keeps a job due now in its queue, one queued for later (``run_after``) in the
    queue's scheduled registry (``rq:scheduled:<queue>``) until its scheduler moves it
    to the queue, and a running one in the started registry."""
    import django_rq  # noqa: PLC0415 (configured only with the RQ backend)
    from rq.job import Job  # noqa: PLC0415
    from rq.registry import ScheduledJobRegistry, StartedJobRegistry  # noqa: PLC0415

    queue = django_rq.get_queue(task.queue_name)
    scheduled = ScheduledJobRegistry(queue=queue)  # type: ignore[no-untyped-call]
    ids = [*queue.get_job_ids(), *scheduled.get_job_ids(cleanup=False)]
    if include_running:
        ids += StartedJobRegistry(queue=queue).get_job_ids(cleanup=False)
    jobs = Job.fetch_many(ids, connection=queue.connection)
    return any(job is not None and job.func_name == task.module_path for job in jobs)
