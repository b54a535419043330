"""The health of background work (``core.health``, ``clientela worker --status``): the
last run of each recurring job, overdue after twice its period, how many tasks wait to
run now and since when the oldest waits."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from clientela.activities.tasks import send_birthday_greetings
from clientela.analytics.tasks import nightly_refresh
from clientela.automation.tasks import rules_due, webhooks_due
from clientela.core.events.tasks import sweep_events
from clientela.core.health import background_health
from clientela.core.inbound.tasks import poll_mailboxes
from clientela.core.tasks import check_background_health
from clientela.integrations.tasks import watch_imports
from clientela.marketing.tasks import campaigns_due
from clientela.sales.tasks import expire_due_quotes
from clientela.service.tasks import sweep_slas

pytestmark = pytest.mark.django_db


def ran(task: Any, ago: datetime.timedelta) -> None:
    result = task.enqueue()
    at = timezone.now() - ago
    DBTaskResult.objects.filter(pk=result.id).update(
        status=TaskResultStatus.SUCCESSFUL, enqueued_at=at, finished_at=at
    )


def by_key() -> dict[str, Any]:
    return {item.job.key: item for item in background_health().jobs}


def test_a_new_site_has_nothing_overdue_and_nothing_waiting() -> None:
    health = background_health()
    assert health.known
    assert {"activities.birthdays", "sales.quote-expiry", "integrations.import-watch"} <= set(
        by_key()
    )
    assert not any(item.overdue for item in health.jobs)
    assert (health.waiting, health.oldest_waiting) == (0, None)


def test_a_job_not_run_for_twice_its_period_is_overdue_and_the_status_says_so() -> None:
    ran(send_birthday_greetings, datetime.timedelta(minutes=30))
    ran(expire_due_quotes, datetime.timedelta(days=3))
    waiting = send_birthday_greetings.enqueue()
    since = timezone.now() - datetime.timedelta(minutes=10)
    DBTaskResult.objects.filter(pk=waiting.id).update(enqueued_at=since)
    # Scheduled for later: not waiting yet.
    expire_due_quotes.using(run_after=timezone.now() + datetime.timedelta(hours=1)).enqueue()
    jobs = by_key()
    assert jobs["activities.birthdays"].overdue is False
    assert jobs["sales.quote-expiry"].overdue is True
    health = background_health()
    assert (health.waiting, health.oldest_waiting) == (1, since)

    out = io.StringIO()
    with pytest.raises(CommandError, match="A recurring job is overdue"):
        call_command("worker", "--status", stdout=out)
    lines = out.getvalue().splitlines()
    assert any(line.startswith("Quote expiry: last run") and "OVERDUE" in line for line in lines)
    assert any(line.startswith("Birthday greetings: last run") and "ok" in line for line in lines)
    assert lines[-1].startswith("Tasks waiting to run: 1; the oldest waits since ")


def test_the_status_of_a_healthy_site_exits_0() -> None:
    ran(expire_due_quotes, datetime.timedelta(hours=2))
    ran(send_birthday_greetings, datetime.timedelta(minutes=20))
    ran(watch_imports, datetime.timedelta(seconds=10))
    ran(check_background_health, datetime.timedelta(minutes=5))
    ran(nightly_refresh, datetime.timedelta(hours=5))
    ran(poll_mailboxes, datetime.timedelta(seconds=30))
    ran(sweep_slas, datetime.timedelta(seconds=30))
    ran(campaigns_due, datetime.timedelta(seconds=30))
    ran(webhooks_due, datetime.timedelta(seconds=30))
    ran(rules_due, datetime.timedelta(seconds=30))
    ran(sweep_events, datetime.timedelta(seconds=30))
    out = io.StringIO()
    call_command("worker", "--status", stdout=out)
    assert "OVERDUE" not in out.getvalue()
    assert "Tasks waiting to run: 0; the oldest waits since none" in out.getvalue()


def test_the_admin_page_shows_the_health_and_is_404_for_others(
    client: Any, admin: Any, rep_north: Any
) -> None:
    from django.urls import reverse  # noqa: PLC0415

    ran(expire_due_quotes, datetime.timedelta(days=3))
    url = reverse("core:settings-background")
    client.force_login(rep_north)
    assert client.get(url).status_code == 404
    client.force_login(admin)
    assert url in client.get(reverse("core:settings")).content.decode()
    page = client.get(url).content.decode()
    assert "Quote expiry" in page
    assert "OVERDUE" in page
    assert "Tasks waiting to run: 0." in page


def test_the_admins_are_e_mailed_once_when_a_job_becomes_overdue(
    smtp_server: Any, settings: Any, admin: Any, rep_north: Any
) -> None:
    from clientela.core import tasks  # noqa: PLC0415 - the module, for its functions
    from clientela.core.health import alert_admins  # noqa: PLC0415

    smtp_server.use(settings)
    admin.email = "boss@example.com"
    admin.save()
    rep_north.email = "rep@example.com"
    rep_north.save()
    ran(send_birthday_greetings, datetime.timedelta(minutes=20))
    ran(watch_imports, datetime.timedelta(seconds=10))
    ran(tasks.check_background_health, datetime.timedelta(minutes=1))
    ran(nightly_refresh, datetime.timedelta(hours=5))
    # The quote expiry last ran two days and a few minutes ago: it just became overdue.
    ran(expire_due_quotes, datetime.timedelta(days=2, minutes=3))
    assert tasks.check_background_health.call() == 1
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert message["To"] == "boss@example.com"
    assert "overdue" in message["Subject"]
    body = message.get_content()
    assert "Quote expiry has not run since" in body
    assert "clientela worker --status" in body
    # The next check queued itself; a check later in the same episode says nothing again.
    assert DBTaskResult.objects.filter(
        task_path=tasks.check_background_health.module_path, status=TaskResultStatus.READY
    ).exists()
    assert alert_admins(timezone.now() + datetime.timedelta(minutes=15)) == []
    assert len(smtp_server.messages) == 1
