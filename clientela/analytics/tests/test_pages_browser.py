"""The analytics pages in Chromium (Playwright) at 1280 and 390 px, in English and
Spanish, no page wider than the screen; screenshots go to test-artifacts/: a rep opens
the RFM map, clicks into "At risk" (from the grid, then from the segment list) and
finds their at-risk customer; the ABC page draws its Pareto chart and class lists."""

from __future__ import annotations

from typing import Any

import pytest

from clientela.analytics import services
from clientela.analytics.tests import shop
from clientela.core.testing.browser import SCREEN_IDS, SCREENS, shot_that_fits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AT_RISK = {"en": "At risk", "es": "En riesgo"}


@pytest.mark.parametrize(("width", "language"), SCREENS, ids=SCREEN_IDS)
def test_a_rep_clicks_into_at_risk(
    open_as: Any, rep_north: Any, rep_south: Any, artifacts_dir: Any, width: int, language: str
) -> None:
    shop.build(rep_north, rep_south)
    for snapshot in services.refresh(None, as_of=shop.AS_OF, queue=False):
        services.run_snapshot(snapshot.pk)
    page = open_as(rep_north, width, language=language)
    page.goto("/analytics/rfm/")
    cell = page.locator("#rfm-grid a[data-segment='at_risk']", has_text="1").first
    cell.wait_for()
    assert AT_RISK[language] in (cell.get_attribute("title") or "")
    shot_that_fits(page, artifacts_dir / f"analytics-rfm-{width}px-{language}.png")
    cell.click()
    page.locator("#segment-table", has_text="North N9").wait_for()
    assert page.locator("h1").inner_text().strip() == AT_RISK[language]
    assert "South" not in page.locator("main").inner_text()
    shot_that_fits(page, artifacts_dir / f"analytics-at-risk-{width}px-{language}.png")
    page.go_back()
    page.locator("#rfm-segments").get_by_role("link", name=AT_RISK[language]).click()
    page.locator("#segment-table", has_text="North N9").wait_for()
    page.goto("/analytics/")
    page.locator("#pareto").wait_for()
    assert page.locator("#abc-count-A").inner_text() == "3"
    page.locator("#abc-class-A", has_text="North N1").wait_for()
    shot_that_fits(page, artifacts_dir / f"analytics-abc-{width}px-{language}.png", full_page=True)
