"""A campaign in Chromium (Playwright): the marketer creates a campaign to a list, sees
its preview, sends a test to herself that arrives at a real SMTP server on loopback,
then sends it and finds it on its way; at 1280 and 390 px, in English and Spanish,
nothing wider than the screen. Screenshots go to test-artifacts/."""

from __future__ import annotations

import re
from typing import Any

import pytest

from clientela.core.testing.browser import PHONE_BELOW, SCREEN_IDS, SCREENS, overflow
from clientela.marketing.models import Campaign
from clientela.marketing.tests import campaign_setup as setup

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "en": {"save": "Save", "test": "Send", "sent": "Test sent to", "go": "Send now"},
    "es": {"save": "Guardar", "test": "Enviar", "sent": "Prueba enviada a", "go": "Enviar ahora"},
}


@pytest.mark.parametrize(("width", "language"), SCREENS, ids=SCREEN_IDS)
def test_a_marketer_previews_tests_and_sends_a_campaign(
    open_as: Any,
    marketer: Any,
    person_factory: Any,
    smtp_server: Any,
    settings: Any,
    artifacts_dir: Any,
    width: int,
    language: str,
) -> None:
    smtp_server.use(settings)
    words = WORDS[language]
    group = setup.audience(marketer, person_factory, n=2)
    page = open_as(marketer, width, language=language)
    page.goto("/campaigns/new/")
    page.fill("#id_name", "Winter newsletter")
    page.select_option("#id_purpose", "newsletter")
    page.select_option("#id_lists", str(group.static_list.pk))
    page.fill("#id_subject", "Hola {{ first_name }}")
    page.fill("#id_html", setup.HTML)
    page.fill("#id_from_email", "news@shop.example")
    assert overflow(page) <= 1
    save = page.get_by_role("button", name=words["save"], exact=True)
    (save.tap if width < PHONE_BELOW else save.click)()
    page.wait_for_url(re.compile(r".*/campaigns/[0-9]+/$"))
    campaign = Campaign.objects.get(name="Winter newsletter")
    preview = page.frame_locator("#campaign-preview-A")
    assert "Winter sale" in preview.locator("body").inner_text()
    assert overflow(page) <= 1
    page.screenshot(path=str(artifacts_dir / f"marketing-campaign-{width}px-{language}.png"))

    page.fill("#campaign-test-form input[name=to]", "mia@example.com")
    test = page.locator("#campaign-test-form").get_by_role("button", name=words["test"])
    (test.tap if width < PHONE_BELOW else test.click)()
    page.locator(".alert-success").wait_for()
    assert words["sent"] in page.locator(".alert-success").inner_text()
    [message] = smtp_server.messages
    assert message["To"] == "mia@example.com"
    assert message["Subject"].startswith("[")
    assert "Hola" in message["Subject"]

    send = page.locator("#campaign-send")
    (send.tap if width < PHONE_BELOW else send.click)()
    page.locator(".alert-success").wait_for()
    campaign.refresh_from_db()
    assert campaign.status == "scheduled"
    assert overflow(page) <= 1
