"""The health of background work, for ``clientela worker --status`` and the admin:
the last run of each recurring job (``registry.recurring_jobs``; overdue once it has not
run for twice its period), how many tasks wait to run now, and since when the oldest
waits. Only the database task backend can be asked; with another backend the figures
are ``None`` (unknown)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core import mail
from django.db.models import Max, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from clientela.core.choices import RoleKey
from clientela.core.models import User
from clientela.core.registry import RecurringJob, recurring_jobs


@dataclass(frozen=True)
class JobHealth:
    job: RecurringJob
    last_run: datetime.datetime | None
    overdue: bool
    #: When it becomes overdue: twice its period after its last run.
    due_by: datetime.datetime | None = None


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
        due_by = (ran or started) + 2 * job.period
        health.append(JobHealth(job, ran, now > due_by, due_by))
    due = DBTaskResult.objects.ready()  # READY, and due (no run_after, or past it)
    unscheduled = due.filter(run_after=get_date_max()).aggregate(at=Min("enqueued_at"))
    scheduled = due.exclude(run_after=get_date_max()).aggregate(at=Min("run_after"))
    since = [at for at in (unscheduled["at"], scheduled["at"]) if at is not None]
    return Health(True, health, due.count(), min(since) if since else None)


#: How often the workers check the health and tell the admins of a job overdue.
CHECK_EVERY = datetime.timedelta(minutes=10)


def alert_admins(now: datetime.datetime | None = None) -> list[str]:
    """E-mail the active admins about each recurring job that became overdue since the
    last check (so one e-mail per job and episode); returns the jobs' keys."""
    now = now or timezone.now()
    late = [
        item
        for item in background_health(now).jobs
        if item.overdue and item.due_by is not None and item.due_by > now - CHECK_EVERY
    ]
    admins = list(
        User.objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(role__key=RoleKey.ADMIN))
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if not late or not admins:
        return []
    lines = [
        _("%(job)s has not run since %(when)s (it runs every %(period)s).")
        % {
            "job": item.job.label,
            "when": item.last_run.isoformat(sep=" ", timespec="seconds")
            if item.last_run
            else _("never"),
            "period": item.job.period,
        }
        for item in late
    ]
    body = "\n".join(
        [*lines, "", _("Check that a worker runs: clientela worker --status tells more.")]
    )
    subject = _("Clientela: a recurring background job is overdue")
    mail.EmailMessage(subject=subject, body=body, to=admins).send()
    return [item.job.key for item in late]
