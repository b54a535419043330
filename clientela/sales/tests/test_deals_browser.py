"""The deal board in a real browser: drag a card to another column (SortableJS) and see
the column totals change and the stage saved; a refused move puts the card back; on a
phone the "Move to…" select does the same through htmx."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Response

from clientela.sales.models import Deal, DealStageChange
from clientela.sales.tests.deal_helpers import make_deal, make_pipeline, stage

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def is_move(response: Response) -> bool:
    return response.request.method == "POST" and response.url.endswith("/move/")


def test_drag_a_card_to_another_column(page: Any, login_as: Any, rep_north: Any) -> None:
    pipe = make_pipeline()
    deal = make_deal(rep_north, pipe, title="Ovens", amount="300.00")
    make_deal(rep_north, pipe, title="Fridges", amount="200.00")
    lead_in, demo = stage(pipe, "Lead in"), stage(pipe, "Demo")
    login_as(rep_north)
    # Wait for htmx, SortableJS and board.js before dragging.
    page.goto(f"/deals/board/?pipeline={pipe.pk}", wait_until="networkidle")
    source_head = page.locator(f"#column-head-{lead_in.pk}")
    target_head = page.locator(f"#column-head-{demo.pk}")
    assert source_head.locator("[data-count]").inner_text() == "2"
    assert source_head.locator("[data-total]").inner_text() == "$500.00"
    assert target_head.locator("[data-count]").inner_text() == "0"
    card = page.locator(f"#deal-card-{deal.pk}")
    with page.expect_response(is_move) as answer:
        card.locator(".card-body").drag_to(page.locator(f".board-cards[data-stage-id='{demo.pk}']"))
    assert answer.value.status == 200
    # The headers were swapped in: totals moved from one column to the other.
    page.locator(f"#column-head-{demo.pk} [data-total]:text('$300.00')").wait_for()
    assert target_head.locator("[data-count]").inner_text() == "1"
    assert source_head.locator("[data-count]").inner_text() == "1"
    assert source_head.locator("[data-total]").inner_text() == "$200.00"
    assert (
        page.locator(f".board-cards[data-stage-id='{demo.pk}'] #deal-card-{deal.pk}").count() == 1
    )
    assert page.locator(f"#deal-card-{deal.pk}").get_attribute("data-version") == "2"
    page.locator("#board-message .alert-success").wait_for()
    # The move answer is complete, so the server has committed.
    saved = Deal.objects.get(pk=deal.pk)
    assert (saved.stage_id, saved.probability, saved.version) == (demo.pk, 40, 2)
    assert DealStageChange.objects.filter(deal=deal).count() == 2


def test_a_refused_drag_puts_the_card_back(page: Any, login_as: Any, rep_north: Any) -> None:
    pipe = make_pipeline()
    deal = make_deal(rep_north, pipe, title="Ovens")
    lead_in, offer = stage(pipe, "Lead in"), stage(pipe, "Offer")
    login_as(rep_north)
    page.goto(f"/deals/board/?pipeline={pipe.pk}", wait_until="networkidle")
    # Someone else changes the deal meanwhile: the card's version is stale.
    Deal.objects.filter(pk=deal.pk).update(version=5)
    with page.expect_response(is_move) as answer:
        page.locator(f"#deal-card-{deal.pk} .card-body").drag_to(
            page.locator(f".board-cards[data-stage-id='{offer.pk}']")
        )
    assert answer.value.status == 409
    page.locator("#board-message .alert-danger").wait_for()
    assert "changed this deal" in page.locator("#board-message").inner_text()
    assert (
        page.locator(f".board-cards[data-stage-id='{lead_in.pk}'] #deal-card-{deal.pk}").count()
        == 1
    )
    assert Deal.objects.get(pk=deal.pk).stage_id == lead_in.pk


def test_move_with_the_select_on_a_phone(page: Any, login_as: Any, rep_north: Any) -> None:
    pipe = make_pipeline()
    deal = make_deal(rep_north, pipe, title="Ovens", amount="300.00")
    won = stage(pipe, "Closed won")
    login_as(rep_north)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/deals/board/?pipeline={pipe.pk}", wait_until="networkidle")
    with page.expect_response(is_move) as answer:
        page.select_option(f"#move-{deal.pk}", str(won.pk))
    assert answer.value.status == 200
    page.locator(f".board-cards[data-stage-id='{won.pk}'] #deal-card-{deal.pk}").wait_for()
    assert page.locator(f"#column-head-{won.pk} [data-count]").inner_text() == "1"
    assert "moved to Closed won" in page.locator("#board-message").inner_text()
    saved = Deal.objects.get(pk=deal.pk)
    assert (saved.status, saved.probability) == ("won", 100)
