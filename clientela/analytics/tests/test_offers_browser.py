"""The Offers page in Chromium (Playwright) at 1280 and 390 px, in English and Spanish,
no wider than the screen: a rep sees the funnel of their quotes, groups by product and
sorts by conversion; screenshots go to test-artifacts/."""

from __future__ import annotations

from typing import Any

import pytest

from clientela.analytics.tests.test_offers import build_quotes
from clientela.core.testing.browser import SCREEN_IDS, SCREENS, shot_that_fits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BY_PRODUCT = {"en": "By product", "es": "Por producto"}


@pytest.mark.parametrize(("width", "language"), SCREENS, ids=SCREEN_IDS)
def test_a_rep_reads_the_funnel_and_sorts_by_product(
    open_as: Any, rep_north: Any, rep_south: Any, artifacts_dir: Any, width: int, language: str
) -> None:
    build_quotes(rep_north, rep_south)
    page = open_as(rep_north, width, language=language)
    page.goto("/analytics/offers/?date_from=2024-07-01&date_to=2025-06-30")
    page.locator("#offer-funnel").wait_for()
    assert page.locator("#funnel-draft .fw-semibold").inner_text() == "5"
    assert page.locator("#funnel-accepted .fw-semibold").inner_text() == "2"
    shot_that_fits(page, artifacts_dir / f"analytics-offers-{width}px-{language}.png")
    page.get_by_role("link", name=BY_PRODUCT[language]).click()
    page.locator("#offers-table", has_text="Lamp").wait_for()
    page.locator("#offers-table thead a").nth(4).click()  # conversion, highest first
    page.wait_for_url("**sort=-conversion**")
    page.locator("#offers-table th[aria-sort='descending']").wait_for()
    names = page.locator("#offers-table tbody td:first-child").all_inner_texts()
    assert names == ["Desk", "Lamp"]  # 2 of 3 sent accepted, then 1 of 2
    assert "South" not in page.locator("main").inner_text()
    shot_that_fits(page, artifacts_dir / f"analytics-offers-product-{width}px-{language}.png")
