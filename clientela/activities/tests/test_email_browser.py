"""E-mail from a person's page in Chromium (Playwright): at 1280 px in English and at
390 px in Spanish, a rep opens the composer from the timeline, sends (the loopback SMTP
server receives it), creates the follow-up task with one click, and finds the e-mail
on the person's timeline. Screenshots go to test-artifacts/."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from clientela.activities.models import Interaction, Task

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

WORDS = {
    "en": {"follow_up": "Create a follow-up task in 3 days"},
    "es": {"follow_up": "Crear una tarea de seguimiento en 3 días"},
}


@pytest.mark.parametrize(("width", "language"), [(1280, "en"), (390, "es")])
def test_send_an_email_from_a_person_page_and_follow_it_up(
    page: Any,
    login_as: Any,
    smtp_server: Any,
    settings: Any,
    rep_north: Any,
    person_factory: Any,
    artifacts_dir: Any,
    width: int,
    language: str,
) -> None:
    smtp_server.use(settings)
    person = person_factory(
        rep_north, first_name="Bea", last_name="Soto", email="bea@client.example"
    )
    page.set_viewport_size({"width": width, "height": 900})
    login_as(rep_north, language=language)
    page.goto(reverse("contacts:person-detail", args=[person.pk]))
    page.click("#email-compose-person")
    page.locator("#email-form").wait_for()
    assert page.input_value("#id_to") == "bea@client.example"
    page.fill("#id_subject", "Your visit")
    page.fill("#id_body", "Hello {{ first_name }}, see you on Monday.")
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    page.screenshot(path=str(artifacts_dir / f"email-compose-{language}-{width}.png"))
    page.click("#email-send")
    page.locator("#email-sent").wait_for()
    [message] = smtp_server.messages
    assert message["Subject"] == "Your visit"
    assert "Hello Bea, see you on Monday." in message.get_body(("plain",)).get_content()
    follow_up = page.locator("#email-follow-up")
    assert WORDS[language]["follow_up"] in follow_up.inner_text()
    follow_up.click()
    entries = "#timeline-entries-person .timeline-entry"
    page.locator(f"{entries}[data-kind=interaction]", has_text="Your visit").wait_for()
    page.locator(f"{entries}[data-kind=task]", has_text="Your visit").wait_for()
    page.screenshot(path=str(artifacts_dir / f"email-timeline-{language}-{width}.png"))
    interaction = Interaction.objects.get(channel="email")
    assert interaction.message_id == message["Message-ID"]
    task = Task.objects.get()
    assert (task.assignee_id, list(task.people.all())) == (rep_north.pk, [person])
