"""End-to-end in Chromium: an order shows in the "Purchase history" panel of the
customer's page, and an order taken by phone from that panel's "New order" link shows
there too."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest

from clientela.sales.services import orders as services

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_orders_show_in_the_purchase_history_panel(
    page: Any, login_as: Any, rep_north: Any, person_factory: Any
) -> None:
    ana = person_factory(rep_north, first_name="Ana", last_name="Ruiz")
    order, _created = services.order_create(
        actor=rep_north,
        data={
            "person_id": ana.pk,
            "currency": "EUR",
            "ordered_at": datetime.datetime(2025, 3, 1, 10, 0, tzinfo=datetime.UTC),
            "external_id": "shop-1001",
            "lines": [{"description": "Oak table", "quantity": "1", "unit_price": "450.00"}],
        },
    )
    login_as(rep_north)
    page.goto(f"/people/{ana.pk}/")
    panel = page.locator("#panel-purchase-history")
    panel.get_by_role("heading", name="Purchase history").wait_for()
    panel.get_by_role("link", name=order.number).wait_for()
    assert panel.locator("#purchase-count").inner_text() == "1"
    assert "Oak table" in panel.inner_text()
    assert "€450.00" in panel.inner_text()

    # Take a second order by phone from the panel.
    panel.get_by_role("link", name=re.compile("New order")).click()
    page.wait_for_url(re.compile(r"/orders/new/\?person="))
    assert page.locator("select[name='person']").input_value() == str(ana.pk)
    page.locator("select[name='currency']").select_option("EUR")
    page.locator("input[name='lines-0-description']").fill("Chair")
    page.locator("input[name='lines-0-quantity']").fill("4")
    page.locator("input[name='lines-0-unit_price']").fill("80.00")
    page.get_by_role("button", name=re.compile("Save order")).click()
    page.wait_for_url(re.compile(r"/orders/\d+/$"))
    page.locator("#order-total").filter(has_text="€320.00").wait_for()

    page.get_by_role("link", name="Ana Ruiz").click()
    page.wait_for_url(f"**/people/{ana.pk}/")
    panel = page.locator("#panel-purchase-history")
    panel.locator("#purchase-count").filter(has_text="2").wait_for()
    assert "Chair" in panel.inner_text()
