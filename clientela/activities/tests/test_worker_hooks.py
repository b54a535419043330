"""A starting worker queues the recurring birthday run and a catch-up reminder run,
through the core registry (core's worker command names no domain app)."""

from __future__ import annotations

from typing import Any

import pytest
from django_tasks_db.models import DBTaskResult

from clientela.activities import tasks
from clientela.core.registry import run_worker_startup_hooks

pytestmark = pytest.mark.django_db


def test_worker_start_queues_greetings_and_reminder_delivery() -> None:
    run_worker_startup_hooks()
    queued = set(DBTaskResult.objects.values_list("task_path", flat=True))
    assert tasks.send_birthday_greetings.module_path in queued
    assert tasks.deliver_due_reminders.module_path in queued


def test_a_second_worker_does_not_queue_the_greetings_twice(db: Any) -> None:
    run_worker_startup_hooks()
    run_worker_startup_hooks()
    greetings = DBTaskResult.objects.filter(task_path=tasks.send_birthday_greetings.module_path)
    assert greetings.count() == 1
