"""Background jobs of the sales app (the ``django_tasks`` API, like
``activities.tasks``).

Quote expiry runs once a day: it marks sent quotes whose validity has ended as
expired, then queues its own next run. A starting worker calls
``ensure_quote_expiry_scheduled`` (registered in ``SalesConfig``) to start the chain;
the run is idempotent, so an extra one does no harm.
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from django_tasks import task

from clientela.core.tasks import ensure_next_run
from clientela.sales.services.quotes import quote_expire_due


def _next_run() -> datetime.datetime:
    """Shortly after the next midnight (local time)."""
    now = timezone.localtime()
    return (now + datetime.timedelta(days=1)).replace(hour=0, minute=5, second=0, microsecond=0)


@task()
def expire_due_quotes() -> int:
    """Mark sent quotes past their validity as expired; queue tomorrow's run."""
    try:
        return quote_expire_due()
    finally:
        ensure_quote_expiry_scheduled(exclude_running=True)


def ensure_quote_expiry_scheduled(*, exclude_running: bool = False) -> bool:
    """Queue the daily expiry run unless one is already waiting. When a worker starts
    (``exclude_running`` off), the run also happens right away, catching up on days no
    worker ran; the run itself queues the next one for after midnight."""
    after = _next_run() if exclude_running else None
    return ensure_next_run(expire_due_quotes, after, exclude_running=exclude_running)
