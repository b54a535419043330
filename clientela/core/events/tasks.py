"""The worker's side of the outbox: a dispatch run queued after each commit that
wrote events (``outbox.queue_dispatch``), and a sweep every minute that dispatches
whatever is left (a run whose queuing was lost, retries that came due) and prunes
what every subscriber has had for ``CLIENTELA_EVENTS_KEEP_DAYS``."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django_tasks import task

from clientela.core.events.dispatch import dispatch_pending, prune
from clientela.core.tasks import ensure_next_run

SWEEP_EVERY = datetime.timedelta(minutes=1)


@task()
def dispatch_events() -> int:
    """Hand the waiting events to their subscribers; returns how many deliveries."""
    return dispatch_pending().delivered


@task()
def sweep_events() -> int:
    """Dispatch what is left, prune what is old, queue the next sweep."""
    try:
        delivered = dispatch_pending().delivered
        prune()
        return delivered
    finally:
        ensure_sweep_scheduled(exclude_running=True)


def ensure_dispatch_queued() -> bool:
    """Queue a dispatch run now unless one already waits to start (a running one may
    have read the outbox before this commit, so it does not count)."""
    return ensure_next_run(dispatch_events, None, exclude_running=True)


def ensure_sweep_scheduled(*, exclude_running: bool = False) -> bool:
    after = timezone.now() + SWEEP_EVERY if exclude_running else None
    return ensure_next_run(sweep_events, after, exclude_running=exclude_running)
