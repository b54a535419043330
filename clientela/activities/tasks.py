"""Background jobs of the activities app (the ``django_tasks`` API; the database
backend by default, so queued jobs survive a restart of the worker): thin wrappers
around the domain modules, and the helpers that queue them.

The domain queues these jobs (``reminders`` calls ``schedule_delivery``), so the jobs
import the domain inside their bodies, at run time, not at the top of this module.
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from django_tasks import task

from clientela.core.tasks import ensure_next_run


def schedule_delivery(at: datetime.datetime | None = None) -> None:
    """Queue a delivery run for ``at`` (now if None or past). ``reminders`` calls it on
    commit whenever a reminder is created or moved, so the worker wakes up on time."""
    if at is not None and at <= timezone.now():
        at = None
    deliver_due_reminders.using(run_after=at).enqueue()


@task()
def deliver_due_reminders() -> int:
    """Deliver the reminders that are due (enqueued by ``schedule_delivery`` with
    ``run_after`` set to each reminder's time, so the worker runs it on time)."""
    from clientela.activities.reminders import deliver_reminders_now  # noqa: PLC0415

    return deliver_reminders_now()


@task()
def send_birthday_greetings() -> int:
    """Greet today's birthdays of the people owned by users who chose automatic
    greetings; at most once per person per year (see ``birthdays``). Runs every hour
    (so each owner's "today" is caught in their own time zone) and queues its next
    run itself; ``ensure_birthday_greetings_scheduled`` starts the chain."""
    from clientela.activities.birthdays import send_automatic_greetings  # noqa: PLC0415

    try:
        return send_automatic_greetings()
    finally:
        ensure_birthday_greetings_scheduled(exclude_running=True)


def _next_hour() -> datetime.datetime:
    now = timezone.now()
    return now.replace(minute=0, second=0, microsecond=0) + datetime.timedelta(hours=1)


def ensure_birthday_greetings_scheduled(*, exclude_running: bool = False) -> bool:
    """Queue the hourly greeting run unless one is already waiting; returns whether it
    queued one. Call it when a worker starts."""
    return ensure_next_run(send_birthday_greetings, _next_hour(), exclude_running=exclude_running)
