"""The service desk in Chromium (Playwright): an agent opens "My tickets", picks the
ticket due first, answers the customer with a canned answer and a knowledge-base link
and sets it pending, at 1280 and 390 px, in English and Spanish; nothing wider than the
screen. Screenshots go to test-artifacts/."""

from __future__ import annotations

from typing import Any

import pytest

from clientela.core.testing.browser import (
    PHONE_BELOW,
    SCREEN_IDS,
    SCREENS,
    overflow,
    wait_until,
)
from clientela.service.choices import TicketStatus
from clientela.service.models import Ticket
from clientela.service.services import tickets as services
from clientela.service.services.articles import article_create
from clientela.service.services.canned import canned_answer_create
from clientela.service.tests.helpers import make_queue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "en": {
        "mine": "My tickets",
        "send": "Send",
        "sent": "Reply sent.",
        "pending": "Pending customer",
        "kb": "Insert link in reply",
    },
    "es": {
        "mine": "Mis tickets",
        "send": "Enviar",
        "sent": "Respuesta enviada.",
        "pending": "Pendiente del cliente",
        "kb": "Insertar enlace en la respuesta",
    },
}


@pytest.mark.parametrize(("width", "language"), SCREENS, ids=SCREEN_IDS)
def test_an_agent_answers_the_ticket_due_first(
    open_as: Any,
    admin: Any,
    rep_north: Any,
    person_factory: Any,
    artifacts_dir: Any,
    width: int,
    language: str,
) -> None:
    words = WORDS[language]
    customer = person_factory(admin, first_name="Lucía", email="lucia@example.com")
    queue = make_queue(agents=[rep_north])
    canned_answer_create(
        actor=admin, data={"title": "Thanks", "body": "Thank you, {{ customer_first_name }}."}
    )
    article = article_create(
        actor=admin,
        data={"title": "Replace a broken lid", "body": "Order a new lid.", "status": "published"},
    )
    ticket = services.ticket_create(
        actor=admin,
        data={
            "subject": "Broken lid",
            "person_id": customer.pk,
            "queue_id": queue.pk,
            "assignee_id": rep_north.pk,
            "priority": "high",
        },
    )
    page = open_as(rep_north, width, language=language)
    page.goto("/tickets/mine/")
    page.wait_for_url("**assignee=me**")
    rows = page.locator("#ticket-results tbody tr")
    assert rows.count() == 1
    assert ticket.label in rows.first.inner_text()
    assert overflow(page) <= 1
    page.screenshot(path=str(artifacts_dir / f"service-my-tickets-{width}px-{language}.png"))

    link = page.get_by_role("link", name=ticket.label)
    (link.tap if width < PHONE_BELOW else link.click)()
    page.wait_for_url(f"**/tickets/{ticket.pk}/")
    assert "Lucía" in page.locator("#customer-title").locator("xpath=../..").inner_text()
    page.fill("#reply-body", "We are sending a new lid today.")
    # A canned answer goes in after what was typed, its merge fields filled in (htmx).
    page.select_option("#canned-answer", label="Thanks")
    wait_until(page, "document.querySelector('#reply-body').value.includes('Lucía')")
    assert page.input_value("#reply-body").startswith("We are sending a new lid today.")
    # A suggested article's public link goes in after it (htmx too).
    insert = page.get_by_role("button", name=words["kb"])
    (insert.tap if width < PHONE_BELOW else insert.click)()
    wait_until(
        page, f"document.querySelector('#reply-body').value.includes('/help/{article.slug}/')"
    )
    page.select_option("#reply-status", TicketStatus.PENDING)
    send = page.get_by_role("button", name=words["send"], exact=True)
    (send.tap if width < PHONE_BELOW else send.click)()
    page.locator(".alert-success").wait_for()
    assert words["sent"] in page.locator(".alert-success").inner_text()
    assert (
        "We are sending a new lid today."
        in page.locator("#conversation-title").locator("xpath=..").inner_text()
    )
    assert words["pending"] in page.locator("h1").locator("xpath=..").inner_text()
    assert overflow(page) <= 1
    page.screenshot(path=str(artifacts_dir / f"service-ticket-{width}px-{language}.png"))
    answered = Ticket.objects.get(pk=ticket.pk)
    assert (answered.status, answered.first_responded_at is not None) == ("pending", True)
    body = answered.messages.get().body
    assert "Thank you, Lucía." in body
    assert body.endswith(f"/help/{article.slug}/")
