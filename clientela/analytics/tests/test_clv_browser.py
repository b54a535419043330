"""The Lifetime value page in Chromium (Playwright) at 1280 and 390 px, in English and
Spanish, no page wider than the screen; screenshots go to test-artifacts/: a rep reads
what the model learned, opens the "At risk" list and from it a customer's page, whose
panel shows her chance still active and churn-risk badge."""

from __future__ import annotations

from typing import Any

import pytest

from clientela.analytics import services
from clientela.analytics.tests import clv_shop, shop
from clientela.core.testing.browser import SCREEN_IDS, SCREENS, shot_that_fits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "en": ("What the model learned", "Probability still active"),
    "es": ("Lo que ha aprendido el modelo", "Probabilidad de seguir activo"),
}


@pytest.mark.parametrize(("width", "language"), SCREENS, ids=SCREEN_IDS)
def test_a_rep_works_through_the_customers_at_risk(
    open_as: Any, rep_north: Any, rep_south: Any, artifacts_dir: Any, width: int, language: str
) -> None:
    clv_shop.build(rep_north, rep_south)
    for snapshot in services.refresh(None, kinds=["clv"], as_of=shop.AS_OF, queue=False):
        assert services.run_snapshot(snapshot.pk).status == "done"
    learned, still_active = WORDS[language]
    page = open_as(rep_north, width, language=language)
    page.goto("/analytics/clv/")
    page.locator("#clv-model", has_text=learned).wait_for()
    page.locator("#clv-results table tbody tr").first.wait_for()
    shot_that_fits(page, artifacts_dir / f"analytics-clv-{width}px-{language}.png", full_page=True)
    page.locator("#clv-list-risk").click()
    first = page.locator("#clv-results table tbody tr a").first
    first.wait_for()
    name = first.inner_text().strip()
    assert name.startswith("Customer C")
    assert int(name.removeprefix("Customer C")) <= 30  # North's own customers only
    shot_that_fits(page, artifacts_dir / f"analytics-clv-at-risk-{width}px-{language}.png")
    first.click()
    panel = page.locator("#clv-p-alive", has_text=still_active)
    panel.wait_for()
    panel.scroll_into_view_if_needed()
    assert page.locator("#clv-churn-risk").inner_text().strip()
    shot_that_fits(page, artifacts_dir / f"analytics-clv-panel-{width}px-{language}.png")
