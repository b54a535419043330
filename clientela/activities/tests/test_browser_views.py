"""The activities pages in a real browser: the htmx parts (inline logging, one-click
complete, the bell) that the test client cannot run."""

from __future__ import annotations

import datetime
from typing import Any, cast

import pytest
from django.utils import timezone

from clientela.activities import services
from clientela.activities.models import Interaction, Notification, Task

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.mark.parametrize("width", [1280, 390])
def test_log_a_call_on_the_timeline_in_two_clicks(
    page: Any, login_as: Any, rep_north: Any, person_factory: Any, width: int
) -> None:
    person = person_factory(rep_north, first_name="Bea")
    login_as(rep_north)
    page.set_viewport_size({"width": width, "height": 900})
    # Wait for htmx and Bootstrap to be loaded before clicking what they drive.
    page.goto(f"/people/{person.pk}/", wait_until="networkidle")
    page.click("#log-person-open")
    page.locator("#log-person.show").wait_for()
    page.fill("#id_log_person_subject", "Asked for a quote")
    # Wait on htmx's POST and its answer rather than polling the database: on SQLite the
    # live server shares the test's in-memory connection, so no query may race it.
    with page.expect_response(
        lambda r: r.request.method == "POST" and "/log" in r.url, timeout=60_000
    ) as answer:
        page.click("#log-form-person button[type=submit]")
    assert answer.value.status == 200
    page.locator("#log-form-person .alert-success").wait_for()
    interaction = Interaction.objects.get()
    assert interaction.subject == "Asked for a quote"
    page.locator(f"#entry-interaction-{interaction.pk}").wait_for()
    # The new entry is put at the top of the timeline, without a reload.
    first = page.locator("#timeline-entries-person .timeline-entry").first
    assert first.get_attribute("id") == f"entry-interaction-{interaction.pk}"


def test_complete_a_task_on_my_day_and_see_the_bell(
    page: Any, login_as: Any, rep_north: Any
) -> None:
    due = timezone.now() - datetime.timedelta(days=1)
    task = services.task_create(actor=rep_north, data=cast(Any, {"title": "Late", "due_at": due}))
    Notification.objects.create(user=rep_north, title="Reminder: Late")
    login_as(rep_north)
    page.goto("/my-day/")
    page.locator("#notification-count [data-unread='1']").wait_for()
    page.click(f"#task-{task.pk} button[type=submit]")
    page.locator(f"#task-{task.pk} .bi-arrow-counterclockwise").wait_for()
    task.refresh_from_db()
    assert task.status == "done"
    page.click("#notification-bell > button")
    page.locator("#notification-menu").get_by_text("Reminder: Late").wait_for()
    page.click("#notification-menu >> text=Mark all read")
    page.locator("#notification-count [data-unread]").wait_for(state="detached")
    assert not Task.objects.filter(status="open").exists()
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_create_a_task_with_a_reminder_and_complete_it(
    page: Any, login_as: Any, rep_north: Any
) -> None:
    login_as(rep_north)
    page.goto("/tasks/new/")
    page.fill("input[name='title']", "Send the catalogue")
    due = timezone.localtime(timezone.now() + datetime.timedelta(days=2)).replace(
        second=0, microsecond=0
    )
    page.fill("input[name='due_at']", due.strftime("%Y-%m-%dT%H:%M"))
    page.select_option("select[name='reminders-0-minutes_before']", "60")
    page.check("input[name='reminders-0-by_email']")
    page.click("form button[type=submit].btn-primary")
    page.wait_for_url("**/tasks/*/")
    task = Task.objects.get(title="Send the catalogue")
    reminder = task.reminders.get()
    assert reminder.minutes_before == 60
    assert reminder.by_email
    assert task.due_at is not None
    assert reminder.remind_at == task.due_at - datetime.timedelta(hours=1)
    page.get_by_role("button", name="Mark done").click()
    page.get_by_role("button", name="Reopen").wait_for()
    task.refresh_from_db()
    assert task.status == "done"
    assert task.completed_at is not None


@pytest.mark.parametrize(("language", "width"), [("en", 1280), ("es", 390)])
def test_see_a_birthday_on_my_day_and_send_the_greeting(
    page: Any,
    login_as: Any,
    rep_north: Any,
    person_factory: Any,
    smtp_server: Any,
    settings: Any,
    artifacts_dir: Any,
    language: str,
    width: int,
) -> None:
    smtp_server.use(settings)
    today = timezone.localdate()
    born = (
        today.replace(year=today.year - 40)
        if not (today.month == 2 and today.day == 29)
        else (datetime.date(today.year - 40, 3, 1))
    )
    person = person_factory(
        rep_north,
        first_name="Carmen",
        last_name="Ruiz",
        birthday=born,
        email="carmen@example.es",
        preferred_language="es",
    )
    login_as(rep_north, language=language)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/my-day/")
    birthdays = page.locator("#my-day-birthdays")
    birthdays.get_by_text("Carmen Ruiz").wait_for()
    assert ("Cumpleaños" if language == "es" else "Birthdays") in birthdays.inner_text()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
    page.screenshot(path=str(artifacts_dir / f"my-day-{width}px-{language}.png"), full_page=True)
    birthdays.locator("button[type=submit]").click()
    page.locator(".alert-success").wait_for()
    assert Interaction.objects.filter(people=person, channel="email").count() == 1
    assert [m["To"] for m in smtp_server.messages] == ["carmen@example.es"]
