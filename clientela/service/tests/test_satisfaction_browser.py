"""A customer rates a solved ticket in Chromium (Playwright), without logging in: the
link of the e-mail records the score at once, the comment follows, a second click
says it was rated already; at 1280 px in English and 390 px (a phone) in Spanish,
nothing wider than the screen. Screenshots go to test-artifacts/."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from clientela.core.testing.browser import PHONE_BELOW, open_page, overflow
from clientela.service.choices import TicketStatus
from clientela.service.models import RatingInvitation, TicketRating
from clientela.service.services import tickets as services
from clientela.service.services.satisfaction import rating_token

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "en": {
        "thanks": "Thank you for your rating!",
        "send": "Send comment",
        "commented": "Thank you for your comment!",
        "again": "You have already rated this ticket",
    },
    "es": {
        "thanks": "¡Gracias por su valoración!",
        "send": "Enviar comentario",
        "commented": "¡Gracias por su comentario!",
        "again": "Ya ha valorado este ticket",
    },
}


@pytest.mark.parametrize(
    ("width", "language"), [(1280, "en"), (390, "es")], ids=["1280-en", "390-es"]
)
def test_a_customer_rates_a_solved_ticket_and_comments(
    browser: Any,
    live_server: Any,
    client: Any,
    admin: Any,
    person_factory: Any,
    artifacts_dir: Any,
    width: int,
    language: str,
) -> None:
    words = WORDS[language]
    customer = person_factory(
        admin, first_name="Lucía", email="lucia@example.com", preferred_language=language
    )
    ticket = services.ticket_create(
        actor=admin, data={"subject": "Broken lid", "person_id": customer.pk}
    )
    services.ticket_set_status(actor=admin, ticket=ticket, status=TicketStatus.SOLVED)
    invitation = RatingInvitation.objects.get(ticket=ticket)
    link = reverse("service:rate", args=[rating_token(invitation, 4)])

    phone = width < PHONE_BELOW
    context, page = open_page(browser, live_server, client, None, width)
    try:
        page.goto(link)
        assert words["thanks"] in page.locator("#rating-title").inner_text()
        assert TicketRating.objects.get(ticket=ticket).score == 4
        assert overflow(page) <= 1
        page.screenshot(path=str(artifacts_dir / f"service-rating-{width}px-{language}.png"))
        page.fill("textarea[name=comment]", "Quick and kind.")
        send = page.get_by_role("button", name=words["send"])
        (send.tap if phone else send.click)()
        page.wait_for_url("**/comment/")
        assert words["commented"] in page.locator("#rating-title").inner_text()
        assert TicketRating.objects.get(ticket=ticket).comment == "Quick and kind."

        page.goto(link)
        assert words["again"] in page.locator("#rating-title").inner_text()
        assert "Quick and kind." in page.locator("#rating-comment").inner_text()
        assert page.locator("textarea[name=comment]").count() == 0
        assert overflow(page) <= 1
        page.screenshot(path=str(artifacts_dir / f"service-rating-again-{width}px-{language}.png"))
    finally:
        context.close()
    assert TicketRating.objects.count() == 1
