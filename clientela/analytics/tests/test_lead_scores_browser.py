"""The lead scoring page in Chromium (Playwright) at 1280 and 390 px, in English and
Spanish, no page wider than the screen; screenshots go to test-artifacts/: a rep reads
how the scores are computed (the model and its ROC AUC), opens their best open lead
and finds its score with the reasons; the lead list sorted by score."""

from __future__ import annotations

from typing import Any

import pytest

from clientela.analytics import lead_scores
from clientela.analytics.tests.leads import computed, lead, past_leads
from clientela.core.testing.browser import SCREEN_IDS, SCREENS, shot_that_fits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(("width", "language"), SCREENS, ids=SCREEN_IDS)
def test_a_rep_opens_their_best_lead(
    open_as: Any, rep_north: Any, rep_south: Any, artifacts_dir: Any, width: int, language: str
) -> None:
    lead_scores.forget_scorer()
    past_leads(rep_north, 120)
    best = lead(rep_north, first_name="Hilda", last_name="Hotline", source="referral")
    lead(rep_south, first_name="Sven", last_name="Southern", source="referral")
    auc = computed().parameters["auc"]
    page = open_as(rep_north, width, language=language)
    page.goto("/analytics/lead-scores/")
    page.locator("#lead-auc", has_text=f"{auc:.2f}").wait_for()
    assert page.locator("#lead-method").get_attribute("data-method") == "model"
    assert page.locator("#lead-factors li").count() > 0
    assert "Southern" not in page.locator("main").inner_text()
    shot_that_fits(page, artifacts_dir / f"lead-scoring-{width}px-{language}.png", full_page=True)
    page.locator("#lead-best").get_by_role("link", name="Hilda Hotline").click()
    page.locator("#lead-score-reasons", has_text="Source: Referral").wait_for()
    best.refresh_from_db()
    assert page.locator("#lead-score .lead-score").inner_text() == str(best.score)
    shot_that_fits(page, artifacts_dir / f"lead-score-{width}px-{language}.png", full_page=True)
    page.goto("/leads/?sort=-score")
    first = page.locator("#lead-results tbody tr").first
    first.wait_for()
    assert "Hilda Hotline" in first.inner_text()
    shot_that_fits(page, artifacts_dir / f"leads-by-score-{width}px-{language}.png")
