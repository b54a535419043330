"""The quote builder in Chromium, at 1280 and 390 px, in English and Spanish: picking a
product fills its line (the US price list's price), typing a quantity changes the line
and document totals, saving stores the totals that were shown, and "Preview PDF" shows
the PDF in a new tab. Screenshots go to test-artifacts/."""

from __future__ import annotations

from typing import Any

import pytest

from clientela.core.testing.browser import open_page, overflow, wait_until
from clientela.sales.models import Quote
from clientela.sales.services import catalogue as catalogue_services
from clientela.sales.tests.quote_helpers import make_product

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

TOTAL = "document.getElementById('quote-form-total').textContent.trim()"


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("width", [1280, 390])
def test_pick_a_product_type_a_quantity_and_save_what_was_shown(
    browser: Any,
    live_server: Any,
    client: Any,
    admin: Any,
    rep_north: Any,
    person_factory: Any,
    artifacts_dir: Any,
    language: str,
    width: int,
) -> None:
    desk = make_product(
        admin, sku="DSK", name="Standing desk", unit_price="450.00", tax_rate="21", unit="pcs"
    )
    usa = catalogue_services.price_list_create(actor=admin, data={"name": "USA", "currency": "USD"})
    catalogue_services.price_list_set_items(
        actor=admin, price_list=usa, items=[{"product_id": desk.pk, "unit_price": "499.99"}]
    )
    ana = person_factory(rep_north, first_name="Ana", last_name="Ruiz", preferred_language="en")
    rep_north.language = language
    rep_north.save()
    context, page = open_page(browser, live_server, client, rep_north, width)
    try:
        page.goto(f"/quotes/new/?person={ana.pk}", wait_until="networkidle")
        page.select_option("#id_currency", "USD")
        page.select_option("#id_lines-0-product", str(desk.pk))
        wait_until(page, "document.getElementById('id_lines-0-unit_price').value === '499.99'")
        assert page.input_value("#id_lines-0-description") == "Standing desk"
        assert page.input_value("#id_lines-0-tax_rate") == "21"
        assert page.input_value("#id_lines-0-unit") == "pcs"
        one = "$604.99" if language == "en" else "604,99\xa0US$"  # 499.99 + 21 % (105.00)
        wait_until(page, f"{TOTAL} === {one!r}")
        page.fill("#id_lines-0-quantity", "3")
        # 3 × 499.99 = 1,499.97 + 21 % (314.99) = 1,814.96
        three = "$1,814.96" if language == "en" else "1.814,96\xa0US$"
        shown = wait_until(page, f"{TOTAL} === {three!r} && {TOTAL}")
        line = "$1,499.97" if language == "en" else "1.499,97\xa0US$"
        assert page.locator("#lines-0-amount").text_content() == line
        assert overflow(page) <= 1
        page.screenshot(
            path=str(artifacts_dir / f"quote-builder-{width}px-{language}.png"), full_page=True
        )
        with page.expect_navigation():
            page.click("#quote-form button[type=submit]")
        page.locator("#quote-total").wait_for()
        assert page.locator("#quote-total").text_content() == shown
        quote = Quote.objects.get()
        assert str(quote.total) == "1814.960"
        assert str(quote.subtotal) == "1499.970"
        # "Preview PDF" opens the PDF in Chromium's viewer in a new tab (no download).
        with page.expect_popup() as popup_info:
            page.click("#quote-pdf-preview")
        preview = popup_info.value
        preview.wait_for_load_state()
        assert preview.url.endswith(f"/quotes/{quote.pk}/pdf/preview/")
        # Chromium's viewer document (its plugin sits in a closed shadow root).
        assert wait_until(preview, "document.contentType") == "application/pdf"
        preview.wait_for_timeout(500)  # the viewer draws the first page
        preview.screenshot(path=str(artifacts_dir / f"quote-pdf-preview-{width}px-{language}.png"))
    finally:
        context.close()
