"""The worker's recurring poll of the mailboxes: every minute it polls those whose
time has come (each mailbox keeps its own interval and back-off), then queues its next
run. Nothing raised by a mailbox escapes it (``polling.poll_due_mailboxes``)."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django_tasks import task

from clientela.core.inbound.polling import poll_due_mailboxes
from clientela.core.tasks import ensure_next_run

EVERY = datetime.timedelta(minutes=1)


@task()
def poll_mailboxes() -> int:
    """Poll the mailboxes that are due; returns how many messages were stored."""
    try:
        return sum(result.stored for result in poll_due_mailboxes())
    finally:
        ensure_mailbox_polling_scheduled(exclude_running=True)


def ensure_mailbox_polling_scheduled(*, exclude_running: bool = False) -> bool:
    after = timezone.now() + EVERY if exclude_running else None
    return ensure_next_run(poll_mailboxes, after, exclude_running=exclude_running)
