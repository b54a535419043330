"""The purchase cycles page in Chromium (Playwright) at 1280 and 390 px, in English and
Spanish, no page wider than the screen; screenshots go to test-artifacts/: a rep opens
"Due to reorder", finds their most overdue customer first, sorts by name, opens the
customer's page and sees the cycle and the "due" badge on the analytics panel."""

from __future__ import annotations

from typing import Any

import pytest

from clientela.analytics import services
from clientela.analytics.tests import shop
from clientela.core.testing.browser import SCREEN_IDS, SCREENS, shot_that_fits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

USUALLY = {"en": "Usually orders every 50 days", "es": "Suele comprar cada 50 días"}


@pytest.mark.parametrize(("width", "language"), SCREENS, ids=SCREEN_IDS)
def test_a_rep_works_through_the_due_list(
    open_as: Any, rep_north: Any, rep_south: Any, artifacts_dir: Any, width: int, language: str
) -> None:
    shop.build(rep_north, rep_south)
    for snapshot in services.refresh(None, kinds=["cycles"], as_of=shop.AS_OF, queue=False):
        services.run_snapshot(snapshot.pk)
    page = open_as(rep_north, width, language=language)
    page.goto("/analytics/cycles/")
    rows = page.locator("#cycles-results tbody tr")
    rows.first.wait_for()
    assert [name.strip() for name in rows.locator("td:first-child a").all_inner_texts()] == [
        "North N4",
        "North N3",
    ]
    shot_that_fits(page, artifacts_dir / f"analytics-due-{width}px-{language}.png")
    page.locator("#cycles-tab-all").click()
    page.locator("#cycles-results", has_text="North N1").wait_for()
    page.locator("#cycles-results thead a").first.click()  # by name, through htmx
    page.wait_for_url("**sort=name**")
    first = page.locator("#cycles-results tbody tr td:first-child a").first
    assert first.inner_text().strip() == "North N1"
    page.locator("#cycles-results a", has_text="North N4").click()
    page.locator("#purchase-cycle", has_text=USUALLY[language]).wait_for()
    assert page.locator("#cycle-due").is_visible()
    shot_that_fits(page, artifacts_dir / f"analytics-cycle-panel-{width}px-{language}.png")
