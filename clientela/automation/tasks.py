"""Background jobs of webhooks and workflow rules (the ``django_tasks`` API).

``webhooks_due`` is the minute's sweep: it sends every due delivery (a retry whose time
has come, one whose worker died) and queues the next sweep. ``webhooks_now`` is queued
when events or a redelivery make deliveries (unless one already waits), so a delivery
goes out within moments rather than at the next sweep. Each pass stops after
``BUDGET`` so a worker also gets to its other jobs; what is left is the next pass's.

``rules_due`` is the minute's sweep of workflow rules (``automation.rules.sweep``):
date and schedule triggers due today, and waiting runs whose time has come.
"""

from __future__ import annotations

import datetime
import time

from django.utils import timezone
from django_tasks import task

from clientela.automation.rules.sweep import rules_sweep
from clientela.automation.services.deliveries import deliveries_send_due
from clientela.core.tasks import ensure_next_run

PERIOD = datetime.timedelta(minutes=1)
BUDGET = 50.0  # seconds


def send_due() -> int:
    """Send due deliveries until none is left or the budget is spent; how many."""
    started, sent = time.monotonic(), 0
    while time.monotonic() - started < BUDGET:
        batch = deliveries_send_due()
        sent += len(batch)
        if not batch:
            break
    return sent


@task()
def webhooks_due() -> int:
    try:
        return send_due()
    finally:
        ensure_webhooks_scheduled(exclude_running=True)


@task()
def webhooks_now() -> int:
    return send_due()


def queue_webhooks_due() -> None:
    ensure_next_run(webhooks_now, None, exclude_running=True)


def ensure_webhooks_scheduled(*, exclude_running: bool = False) -> bool:
    after = timezone.now() + PERIOD if exclude_running else None
    return ensure_next_run(webhooks_due, after, exclude_running=exclude_running)


@task()
def rules_due() -> int:
    """The rules' sweep; how many runs it started or resumed."""
    try:
        swept = rules_sweep()
        return swept.started + swept.resumed
    finally:
        ensure_rules_scheduled(exclude_running=True)


def ensure_rules_scheduled(*, exclude_running: bool = False) -> bool:
    after = timezone.now() + PERIOD if exclude_running else None
    return ensure_next_run(rules_due, after, exclude_running=exclude_running)
