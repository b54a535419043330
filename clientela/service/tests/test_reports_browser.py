"""The service reports in Chromium (Playwright) at 1280 and 390 px: every report's
chart is drawn by Chart.js, the page raises no console error and is no wider than
the screen (the tables scroll inside their box). Screenshots go to test-artifacts/."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from clientela.core.testing.browser import overflow, wait_until
from clientela.service.models import TicketRating
from clientela.service.reports import REPORTS
from clientela.service.tests.test_reports import PERIOD, at, data  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 390], ids=["1280px", "390px"])
def test_the_reports_draw_their_charts(
    open_as: Any,
    admin: Any,
    data: dict[str, Any],  # noqa: F811 - the fixture imported above
    artifacts_dir: Any,
    width: int,
) -> None:
    t1 = data["t1"]  # and a rating, so the satisfaction reports have a chart too
    TicketRating.objects.create(
        ticket=t1, score=4, rated_at=at("2025-02-03", 10), agent=admin, queue=t1.queue
    )
    page = open_as(admin, width)
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: console.append(str(error)))
    query = "&".join(f"{key}={value}" for key, value in PERIOD.items())
    page.goto(f"{reverse('service:reports')}?{query}")
    drawn = f"document.querySelectorAll('canvas[data-drawn]').length === {len(REPORTS)}"
    wait_until(page, drawn)
    for report in REPORTS:
        canvas = page.locator(f"#report-{report.key} canvas")
        box = canvas.bounding_box()
        assert box is not None
        assert box["width"] > 100
        assert box["height"] > 100
    assert page.locator("#report-sla-by-queue table").inner_text().count("%") >= 4
    page.screenshot(path=str(artifacts_dir / f"service-reports-{width}.png"), full_page=True)
    assert overflow(page) <= 1
    assert console == []
