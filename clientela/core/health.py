"""The health of background work, for ``clientela worker --status`` and the admin:
the last run of each recurring job (``registry.recurring_jobs``; overdue once it has not
run for twice its period), how many tasks wait to run now, and since when the oldest
waits. Only the database task backend can be asked; with another backend the figures
are ``None`` (unknown)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Max, Min
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from clientela.core.registry import RecurringJob, recurring_jobs


@dataclass(frozen=True)
class JobHealth:
    job: RecurringJob
    last_run: datetime.datetime | None
    overdue: bool


@dataclass(frozen=True)
class Health:
    known: bool
    jobs: list[JobHealth]
    waiting: int | None
    oldest_waiting: datetime.datetime | None


def _database_backend() -> bool:
    return str(settings.TASKS["default"]["BACKEND"]).startswith("django_tasks_db.")


def background_health(now: datetime.datetime | None = None) -> Health:
    """What the workers have done and what waits for them."""
    now = now or timezone.now()
    jobs = sorted(recurring_jobs.values(), key=lambda j: j.key)
    if not _database_backend():
        return Health(False, [JobHealth(j, None, False) for j in jobs], None, None)
    finished = [TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED]
    last = dict(
        DBTaskResult.objects.filter(task_path__in=[j.task_path for j in jobs], status__in=finished)
        .values("task_path")
        .annotate(last=Max("finished_at"))
        .values_list("task_path", "last")
    )
    started = (
        DBTaskResult.objects.aggregate(first=Min("enqueued_at"))["first"] or now
    )  # a new site: count from its first task, not from the epoch
    health = []
    for job in jobs:
        ran = last.get(job.task_path)
        overdue = now - (ran or started) > 2 * job.period
        health.append(JobHealth(job, ran, overdue))
    due = DBTaskResult.objects.ready()  # READY, and due (no run_after, or past it)
    unscheduled = due.filter(run_after=get_date_max()).aggregate(at=Min("enqueued_at"))
    scheduled = due.exclude(run_after=get_date_max()).aggregate(at=Min("run_after"))
    since = [at for at in (unscheduled["at"], scheduled["at"]) if at is not None]
    return Health(True, health, due.count(), min(since) if since else None)
