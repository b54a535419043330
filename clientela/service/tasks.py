"""Background jobs of the service app (the ``django_tasks`` API, like ``sales.tasks``).

The SLA pass runs every minute: states, warnings, escalations, reassignment of
unanswered tickets (``services.escalation``); then it queues its own next run. A
starting worker calls ``ensure_sla_sweep_scheduled`` (registered in ``ServiceConfig``).
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from django_tasks import task

from clientela.core.tasks import ensure_next_run
from clientela.service.services.escalation import sla_sweep

PERIOD = datetime.timedelta(minutes=1)


@task()
def sweep_slas() -> int:
    """One SLA pass; queue the next one a minute on."""
    try:
        return sla_sweep().checked
    finally:
        ensure_sla_sweep_scheduled(exclude_running=True)


def ensure_sla_sweep_scheduled(*, exclude_running: bool = False) -> bool:
    after = timezone.now() + PERIOD if exclude_running else None
    return ensure_next_run(sweep_slas, after, exclude_running=exclude_running)
