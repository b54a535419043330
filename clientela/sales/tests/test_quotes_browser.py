"""A quote built in a real browser: two lines ("Add line" clones a row), saved, and its
PDF downloaded and read back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.mark.parametrize("width", [1280, 390])
def test_build_a_quote_with_two_lines_and_download_its_pdf(
    page: Any, login_as: Any, rep_north: Any, person_factory: Any, tmp_path: Path, width: int
) -> None:
    ana = person_factory(rep_north, first_name="Ana", last_name="Ruiz", preferred_language="en")
    login_as(rep_north)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"/quotes/new/?person={ana.pk}", wait_until="networkidle")
    assert page.locator("#id_person").input_value() == str(ana.pk)
    page.select_option("#id_currency", "EUR")
    page.fill("#id_lines-0-description", "Standing desk")
    page.fill("#id_lines-0-quantity", "2")
    page.fill("#id_lines-0-unit_price", "450.00")
    page.fill("#id_lines-0-tax_rate", "21")
    page.click("#add-line")
    page.locator("#id_lines-1-description").wait_for()
    assert page.evaluate("document.activeElement.id") in {
        "id_lines-1-product",
        "id_lines-1-description",
    }
    page.fill("#id_lines-1-description", "Delivery")
    page.fill("#id_lines-1-quantity", "1")
    page.fill("#id_lines-1-unit_price", "35.5")
    page.fill("#id_lines-1-tax_rate", "0")
    with page.expect_response(
        lambda r: r.request.method == "POST" and "/quotes/new/" in r.url, timeout=60_000
    ) as answer:
        page.click("#quote-form button[type=submit]")
    assert answer.value.status == 302
    # 900 + 21 % = 1,089.00; delivery 35.50 untaxed: 1,124.50
    page.locator("#quote-total").get_by_text("€1,124.50").wait_for()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    text = "\n".join(p.extract_text() for p in PdfReader(target).pages)
    assert "€1,124.50" in text
    assert "Standing desk" in text
    assert "Delivery" in text
    assert "Ana Ruiz" in text
