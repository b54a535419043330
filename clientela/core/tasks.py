"""Background jobs of core: the periodic health check of background work, which
e-mails the admins when a recurring job is overdue (see ``core.health``)."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus
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
    """Queue the next check unless one waits (database backend; another backend always
    queues, the check being idempotent). A worker starting calls it."""
    from clientela.core.health import CHECK_EVERY  # noqa: PLC0415

    if isinstance(check_background_health.get_backend(), DatabaseBackend):
        statuses = [TaskResultStatus.READY]
        if not exclude_running:
            statuses.append(TaskResultStatus.RUNNING)
        waiting = DBTaskResult.objects.filter(
            task_path=check_background_health.module_path, status__in=statuses
        )
        if waiting.exists():
            return False
    check_background_health.using(run_after=timezone.now() + CHECK_EVERY).enqueue()
    return True
