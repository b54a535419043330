"""Background jobs of the analytics app (the ``django_tasks`` API, like
``sales.tasks``): ``refresh`` computes queued snapshots ("Refresh now" and the API);
``nightly_refresh`` queues every analysis once a day and its own next run. A starting
worker calls ``ensure_nightly_refresh_scheduled`` (registered in ``AnalyticsConfig``)."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django_tasks import task

from clientela.core.tasks import ensure_next_run


@task()
def refresh(snapshot_ids: list[int]) -> list[str]:
    """Compute the given snapshots; returns their statuses."""
    return _compute(snapshot_ids)


def _compute(snapshot_ids: list[int]) -> list[str]:
    """Compute each snapshot, then delete what the finished ones replaced: every new
    figure is published before the old rows are deleted."""
    from clientela.analytics import services  # noqa: PLC0415

    statuses = [services.run_snapshot(pk, forget_replaced=False).status for pk in snapshot_ids]
    for pk, status in zip(snapshot_ids, statuses, strict=True):
        if status == "done":
            services.snapshot_forget_replaced(pk)
    return statuses


def _next_run() -> datetime.datetime:
    """At 02:30 (local time) after the next midnight."""
    now = timezone.localtime()
    return (now + datetime.timedelta(days=1)).replace(hour=2, minute=30, second=0, microsecond=0)


@task()
def nightly_refresh() -> int:
    """Compute every analysis as of today; queue tomorrow's run. Returns how many
    snapshots it computed."""
    from clientela.analytics.services import refresh as queue_refresh  # noqa: PLC0415

    try:
        snapshots = queue_refresh(None, queue=False)
        return _compute([s.pk for s in snapshots]).count("done")
    finally:
        ensure_nightly_refresh_scheduled(exclude_running=True)


def ensure_nightly_refresh_scheduled(*, exclude_running: bool = False) -> bool:
    """Queue the nightly run unless one waits; a starting worker also runs it at once."""
    after = _next_run() if exclude_running else None
    return ensure_next_run(nightly_refresh, after, exclude_running=exclude_running)
