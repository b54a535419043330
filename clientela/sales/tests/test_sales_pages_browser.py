"""Issue 10 in Chromium (Playwright) on the sales pages, at 1280 and 390 px, in English
and Spanish, no page wider than the screen; screenshots go to test-artifacts/:

* item 1 — a manager deletes a product from its form, undoes it from the message, and
  restores it again from the trash (products go to the trash like every kind); a
  deleted quote is void in the trash, which says its number stays taken;
* item 7 — a won deal's history reads in the reader's words (status and field labels
  in their language, not the stored "won");
* item 11 — the deal board shows every amount in the reader's one currency format;
* item 12 — the pipeline report says why it is empty, and marks the stages too few
  deals entered (with the counts beside each figure).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from clientela.core.testing.browser import SCREEN_IDS, SCREENS, shot_that_fits
from clientela.core.testing.history import history_changes, history_text
from clientela.sales.models import Product, Quote
from clientela.sales.services import deals as deal_services
from clientela.sales.tests.deal_helpers import make_deal, make_pipeline, stage
from clientela.sales.tests.quote_helpers import make_product, make_quote

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


WORDS = {
    "en": {
        "undo": "Undo",
        "restore": "Restore",
        "product": "Product",
        "status": ("Status", "Open", "Won"),
        "stage": "Stage",
        "thin": "too thin to judge by yet",
        "few": "few deals",
        "empty": "No stage history yet.",
        "full": "100.0 % (1 of 1)",
        "void": "Void: the trash keeps it for good, so its number stays taken.",
        "amounts": ("$185,700.00", "$44,400.00"),
    },
    "es": {
        "undo": "Deshacer",
        "restore": "Restaurar",
        "product": "Producto",
        "status": ("Estado", "Abierta", "Ganada"),
        "stage": "Etapa",
        "thin": "demasiado escasas para sacar conclusiones",
        "few": "pocas oportunidades",
        "empty": "Aún no hay historial de etapas.",
        "full": "100,0 % (1 de 1)",
        "void": "Anulado: la papelera lo guarda para siempre, así que su número sigue ocupado.",
        "amounts": ("185.700,00 US$", "44.400,00 US$"),
    },
}


@pytest.mark.parametrize(("width", "language"), SCREENS, ids=SCREEN_IDS)
def test_a_product_goes_to_the_trash_and_comes_back(
    open_as: Any,
    admin: Any,
    manager_north: Any,
    artifacts_dir: Any,
    width: int,
    language: str,
) -> None:
    words = WORDS[language]
    product = make_product(admin, sku="TR-1", name="Trash chair")
    page = open_as(manager_north, width, language=language)
    edit = reverse("sales:product-edit", args=[product.pk])
    delete = reverse("sales:product-delete", args=[product.pk])
    page.goto(edit)
    page.locator(f"form[action='{delete}'] button[type=submit]").click()
    alert = page.locator(".alert", has_text="Trash chair")
    alert.get_by_role("button", name=words["undo"]).wait_for()
    assert Product.objects.get(pk=product.pk).deleted_at is not None
    shot_that_fits(page, artifacts_dir / f"product-undo-{width}px-{language}.png")
    alert.get_by_role("button", name=words["undo"]).click()
    page.locator("#product-results", has_text="Trash chair").wait_for()
    assert Product.objects.get(pk=product.pk).deleted_at is None

    # Deleted again, it waits in the manager's trash under its kind.
    page.goto(edit)
    page.locator(f"form[action='{delete}'] button[type=submit]").click()
    page.locator(".alert", has_text="Trash chair").wait_for()
    page.goto("/trash/?kind=sales.product")
    row = page.locator("tbody tr", has_text="TR-1 · Trash chair")
    row.wait_for()
    assert words["product"] in row.inner_text()
    shot_that_fits(page, artifacts_dir / f"product-trash-{width}px-{language}.png")
    row.get_by_role("button", name=words["restore"]).click()
    # Back on the trash page, which no longer lists it.
    page.locator("tbody tr", has_text="TR-1 · Trash chair").wait_for(state="detached")
    assert Product.objects.get(pk=product.pk).deleted_at is None


@pytest.mark.parametrize(("width", "language"), SCREENS, ids=SCREEN_IDS)
def test_a_deleted_quote_is_void_in_the_trash_with_its_number(
    open_as: Any,
    rep_north: Any,
    person_factory: Any,
    artifacts_dir: Any,
    width: int,
    language: str,
) -> None:
    words = WORDS[language]
    quote = make_quote(rep_north, person_factory(rep_north))
    page = open_as(rep_north, width, language=language)
    page.goto(f"/quotes/{quote.pk}/delete/")
    page.locator("main form button[type=submit].btn-danger").click()
    alert = page.locator(".alert", has_text=quote.number)
    alert.get_by_role("button", name=words["undo"]).wait_for()
    assert Quote.objects.get(pk=quote.pk).deleted_at is not None
    page.goto("/trash/?kind=sales.quote")
    row = page.locator("tbody tr", has_text=quote.number)
    row.wait_for()
    assert words["void"] in row.inner_text()
    assert page.locator("#trash-numbered").is_visible()
    shot_that_fits(page, artifacts_dir / f"quote-void-trash-{width}px-{language}.png")
    row.get_by_role("button", name=words["restore"]).click()
    page.locator("tbody tr", has_text=quote.number).wait_for(state="detached")
    restored = Quote.objects.get(pk=quote.pk)
    assert (restored.deleted_at, restored.number) == (None, quote.number)


@pytest.mark.parametrize(("width", "language"), SCREENS, ids=SCREEN_IDS)
def test_a_won_deals_history_in_the_readers_words(
    open_as: Any,
    rep_north: Any,
    artifacts_dir: Any,
    width: int,
    language: str,
) -> None:
    words = WORDS[language]
    pipe = make_pipeline()
    deal = make_deal(rep_north, pipe)
    deal_services.deal_move(actor=rep_north, deal=deal, stage_id=stage(pipe, "Closed won").pk)
    page = open_as(rep_north, width, language=language)
    page.goto(f"/deals/{deal.pk}/")
    history = page.locator("#history-title")
    history.scroll_into_view_if_needed()
    assert history.is_visible()
    latest = history_changes(page.content())[0]
    assert words["status"] in latest
    assert (words["stage"], "Lead in", "Closed won") in latest
    # Nothing stored shows through: not the status's key, not an English mark.
    shown = history_text(page.content())
    for stored in ("(won)", "(lost)", "status"):
        assert stored not in shown, stored
    shot_that_fits(page, artifacts_dir / f"deal-history-{width}px-{language}.png", full_page=True)


@pytest.mark.parametrize(("width", "language"), SCREENS, ids=SCREEN_IDS)
def test_the_pipeline_report_explains_thin_data(
    open_as: Any,
    rep_north: Any,
    artifacts_dir: Any,
    width: int,
    language: str,
) -> None:
    words = WORDS[language]
    pipe = make_pipeline()
    page = open_as(rep_north, width, language=language)
    page.goto(f"/deals/report/?pipeline={pipe.pk}")
    main = page.locator("main")
    main.get_by_text(words["empty"]).wait_for()
    assert "0.0 %" not in main.inner_text()

    deal = make_deal(rep_north, pipe)
    deal_services.deal_move(actor=rep_north, deal=deal, stage_id=stage(pipe, "Demo").pk)
    page.reload()
    note = page.locator("main .alert[role=status]")
    note.wait_for()
    assert words["thin"] in note.inner_text()
    # Both stages the one deal entered are marked, their figures with their counts.
    for name in ("Lead in", "Demo"):
        row = page.locator("main tbody tr", has=page.locator("th", has_text=name))
        assert words["few"] in row.inner_text(), name
    assert words["full"] in main.inner_text()
    shot_that_fits(
        page, artifacts_dir / f"pipeline-report-{width}px-{language}.png", full_page=True
    )


@pytest.mark.parametrize(("width", "language"), SCREENS, ids=SCREEN_IDS)
def test_the_board_shows_amounts_in_one_format(
    open_as: Any,
    rep_north: Any,
    artifacts_dir: Any,
    width: int,
    language: str,
) -> None:
    pipe = make_pipeline()
    make_deal(rep_north, pipe, title="Ovens", amount="185700.00")
    offer = stage(pipe, "Offer").pk
    make_deal(rep_north, pipe, title="Fridges", amount="44400.00", stage_id=offer)
    page = open_as(rep_north, width, language=language)
    page.goto(f"/deals/board/?pipeline={pipe.pk}")
    board = page.locator("#board")
    board.get_by_text("Fridges").wait_for()
    shown = board.inner_text().replace("\xa0", " ").replace("\u202f", " ")
    for amount in WORDS[language]["amounts"]:
        assert amount in shown, amount
    assert not re.search(r"\d USD", shown)
    shot_that_fits(page, artifacts_dir / f"board-amounts-{width}px-{language}.png")
