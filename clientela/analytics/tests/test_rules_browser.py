"""The "Bought together" pages in Chromium (Playwright) at 1280 and 390 px, in English
and Spanish, no page wider than the screen; screenshots go to test-artifacts/: a rep
opens the rules, sorts them by lift, opens a product's page from a rule and finds
"Offer next" on a customer's page."""

from __future__ import annotations

from typing import Any

import pytest

from clientela.analytics.tests import shop
from clientela.core.testing.browser import SCREEN_IDS, SCREENS, shot_that_fits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LIFT = {"en": "Lift", "es": "Lift"}
OFFER_NEXT = {"en": "Offer next", "es": "Ofrecer después"}


@pytest.mark.parametrize(("width", "language"), SCREENS, ids=SCREEN_IDS)
def test_a_rep_reads_the_rules_and_what_to_offer(
    open_as: Any, rep_north: Any, rep_south: Any, artifacts_dir: Any, width: int, language: str
) -> None:
    data = shop.add_baskets(rep_north, rep_south, shop.build(rep_north, rep_south))
    shop.rules_snapshot(shop.BASKET_THRESHOLDS)
    page = open_as(rep_north, width, language=language)
    page.goto("/analytics/bought-together/")
    page.locator("#rules-table", has_text="Bulb").wait_for()
    shot_that_fits(page, artifacts_dir / f"analytics-rules-{width}px-{language}.png")
    page.locator("#sort-lift").click()
    page.locator("#sort-lift[aria-current='true']").wait_for()
    lifts = [
        float(t.replace(",", "."))
        for t in page.locator("#rules-table td:nth-child(5)").all_inner_texts()
    ]
    assert lifts == sorted(lifts, reverse=True)
    assert "South" not in page.locator("main").inner_text()
    page.locator("#rules-table a", has_text="Bulb").first.click()
    page.locator("#bought-together", has_text="Lamp").wait_for()
    shot_that_fits(page, artifacts_dir / f"analytics-product-rules-{width}px-{language}.png")
    page.goto(f"/people/{data['people']['N5'].pk}/")
    offers = page.locator("#offer-next")
    offers.wait_for()
    assert OFFER_NEXT[language] in offers.inner_text()
    assert "Lamp" in offers.inner_text()
    shot_that_fits(page, artifacts_dir / f"analytics-offer-next-{width}px-{language}.png")
