"""The quote builder's live parts: a picked product fills its line (price from the price
list of the quote's currency), the totals endpoint adds up exactly what saving stores,
bad input is a message on the line (never a 500); quote and order show a line's net
amount alike; the PDF preview opens in the browser. Team North cannot reach South's
quotes (404), a read-only user cannot use the builder (403)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from clientela.sales.models import Order, Quote
from clientela.sales.services import catalogue as catalogue_services
from clientela.sales.services.quotes import quote_accept
from clientela.sales.tests.quote_helpers import make_product, make_quote
from clientela.sales.tests.test_quotes_views import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana(rep_north: Any, person_factory: Any) -> Any:
    return person_factory(rep_north, first_name="Ana", last_name="Ruiz", email="ana@example.com")


@pytest.fixture
def desk(admin: Any) -> Any:
    """A desk at €450.00 (21 % tax) a piece, and $499.99 on the US price list."""
    product = make_product(
        admin, sku="DSK", name="Standing desk", unit_price="450.00", tax_rate="21", unit="pcs"
    )
    usa = catalogue_services.price_list_create(actor=admin, data={"name": "USA", "currency": "USD"})
    catalogue_services.price_list_set_items(
        actor=admin, price_list=usa, items=[{"product_id": product.pk, "unit_price": "499.99"}]
    )
    return product


def defaults(client: Any, product: Any, currency: str, row: int = 2, **typed: str) -> Any:
    params = {f"lines-{row}-product": str(product), "currency": currency}
    params.update({f"lines-{row}-{k}": v for k, v in typed.items()})
    return client.get(reverse("sales:quote-line-defaults"), params, HTTP_HX_REQUEST="true")


def field_value(html: str, name: str) -> str:
    found = re.search(rf'name="{re.escape(name)}"[^>]*value="([^"]*)"', html) or re.search(
        rf'value="([^"]*)"[^>]*name="{re.escape(name)}"', html
    )
    return found.group(1) if found else ""


def test_picking_a_product_fills_its_line_from_the_price_list_of_the_currency(
    client: Any, rep_north: Any, desk: Any
) -> None:
    client.force_login(rep_north)
    answer = defaults(client, desk.pk, "USD", quantity="3", description="old text")
    assert answer.status_code == 200
    assert answer["HX-Trigger"] == "lines-changed"
    html = answer.content.decode()
    assert 'id="lines-2-row"' in html  # the same row, by its prefix
    assert field_value(html, "lines-2-description") == "Standing desk"
    assert field_value(html, "lines-2-unit_price") == "499.99"  # the USD price list
    assert field_value(html, "lines-2-tax_rate") == "21"
    assert field_value(html, "lines-2-unit") == "pcs"
    assert field_value(html, "lines-2-quantity") == "3"  # what was typed stays
    in_euros = defaults(client, desk.pk, "EUR").content.decode()
    assert field_value(in_euros, "lines-2-unit_price") == "450.00"  # the product's own price


def test_a_product_without_a_price_in_the_currency_says_so_on_its_line(
    client: Any, rep_north: Any, desk: Any
) -> None:
    client.force_login(rep_north)
    html = defaults(client, desk.pk, "JPY").content.decode()
    assert field_value(html, "lines-2-description") == "Standing desk"
    assert field_value(html, "lines-2-unit_price") == ""
    assert "This product has no price in JPY: give the unit price." in html


def test_line_defaults_refuse_bad_input(
    client: Any, admin: Any, rep_north: Any, reader: Any, desk: Any
) -> None:
    client.force_login(rep_north)
    assert defaults(client, 999999, "EUR").status_code == 404
    retired = make_product(admin, sku="OLD", name="Old chair")
    catalogue_services.product_update(actor=admin, product=retired, data={"is_active": False})
    assert defaults(client, retired.pk, "EUR").status_code == 404
    assert defaults(client, desk.pk, "EURO").status_code == 400
    url = reverse("sales:quote-line-defaults")
    assert client.get(url, {"currency": "EUR"}).status_code == 400  # no line named
    client.force_login(reader)
    assert defaults(client, desk.pk, "EUR").status_code == 403
    client.logout()
    assert defaults(client, desk.pk, "EUR").status_code == 302  # to the login page


LINES = [
    {"product": "", "description": "Standing desk", "quantity": "2", "unit_price": "450.00",
     "tax_rate": "21", "discount_percent": "0"},
    {"product": "", "description": "Delivery", "quantity": "1", "unit_price": "35.5",
     "tax_rate": "0", "discount_percent": "0"},
    {"product": "", "description": "", "quantity": "1", "unit_price": "", "tax_rate": "",
     "discount_percent": "0"},  # a blank row, left out
]  # fmt: skip


def totals(client: Any, data: dict[str, str]) -> str:
    answer = client.post(reverse("sales:quote-totals"), data, HTTP_HX_REQUEST="true")
    assert answer.status_code == 200
    return str(answer.content.decode())


def amount_of(html: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}"[^>]*>([^<]*)<', html)
    return found.group(1).strip() if found else ""


def test_the_totals_shown_are_the_totals_saved(client: Any, rep_north: Any, ana: Any) -> None:
    client.force_login(rep_north)
    data = form_data(ana, LINES)
    html = totals(client, data)
    # 2 × 450.00 = 900.00 + 21 % = 189.00 tax; delivery 35.50 untaxed.
    assert amount_of(html, "lines-0-amount") == "€900.00"
    assert amount_of(html, "lines-1-amount") == "€35.50"
    assert amount_of(html, "lines-2-amount") == ""
    shown = [amount_of(html, f"quote-form-{k}") for k in ("subtotal", "tax", "total")]
    assert shown == ["€935.50", "€189.00", "€1,124.50"]
    saved = client.post(reverse("sales:quote-create"), data)
    assert saved.status_code == 302
    quote = Quote.objects.get()
    assert (quote.subtotal, quote.tax_total, quote.total) == (
        Decimal("935.50"),
        Decimal("189.00"),
        Decimal("1124.50"),
    )


def test_a_product_line_without_a_price_adds_up_at_the_catalogue_price(
    client: Any, rep_north: Any, ana: Any, desk: Any
) -> None:
    client.force_login(rep_north)
    line = {"product": str(desk.pk), "quantity": "1", "discount_percent": "10"}
    html = totals(client, form_data(ana, [line], currency="USD"))
    # 499.99 − 10 % = 449.991 → 449.99; tax 21 % = 94.4979 → 94.50
    assert amount_of(html, "lines-0-amount") == "$449.99"
    assert amount_of(html, "quote-form-total") == "$544.49"


def test_bad_input_in_a_cell_is_shown_on_its_line_not_a_500(
    client: Any, rep_north: Any, ana: Any
) -> None:
    client.force_login(rep_north)
    bad = [dict(LINES[0], quantity="two"), LINES[1]]
    html = totals(client, form_data(ana, bad))
    assert "Qty: The quantity must be a positive number with at most 3 decimals." in html
    assert amount_of(html, "lines-0-amount") == "—"
    assert amount_of(html, "lines-1-amount") == "€35.50"  # the good line still adds up
    assert amount_of(html, "quote-form-total") == "—"
    assert "Correct the lines marked to see the totals." in html
    discount = totals(client, form_data(ana, [dict(LINES[0], discount_percent="150")]))
    assert "Discount %: Give a percentage from 0 to 100." in discount
    currency = totals(client, form_data(ana, LINES, currency="XYZ"))
    assert "is not an ISO 4217 currency code" in currency
    broken = client.post(reverse("sales:quote-totals"), {"currency": "EUR"})
    assert broken.status_code == 400


def test_totals_need_the_right_to_write_quotes(client: Any, reader: Any, ana: Any) -> None:
    client.force_login(reader)
    answer = client.post(reverse("sales:quote-totals"), form_data(ana, LINES))
    assert answer.status_code == 403


def test_quote_and_its_order_show_a_line_the_same_way(
    client: Any, rep_north: Any, ana: Any
) -> None:
    """2 × €50.00 at 21 %: €100.00 net on both pages (not €121.00 on the order), and
    the same subtotal, tax and total."""
    quote = make_quote(
        rep_north,
        ana,
        lines=[
            {
                "description": "Desk",
                "quantity": "2",
                "unit": "h",
                "unit_price": "50.00",
                "tax_rate": "21",
            }
        ],
    )
    Quote.objects.filter(pk=quote.pk).update(status="sent")
    quote.refresh_from_db()
    order = quote_accept(actor=rep_north, quote=quote)
    client.force_login(rep_north)
    pages = [
        client.get(reverse("sales:quote-detail", args=[quote.pk])).content.decode(),
        client.get(reverse("sales:order-detail", args=[order.pk])).content.decode(),
    ]
    for html in pages:
        assert re.findall(r'line-amount">([^<]*)<', html) == ["€100.00"]
        assert '2 <span class="text-body-secondary">h</span>' in html  # the unit
        assert re.findall(r'document-subtotal">([^<]*)<', html) == ["€100.00"]
        assert re.findall(r'document-tax">([^<]*)<', html) == ["€21.00"]
        assert "€121.00" in html  # the total
        assert "Net amount" in html
    order_line = Order.objects.get().lines.get()
    assert (order_line.subtotal, order_line.unit) == (Decimal("100.00"), "h")


def test_a_line_takes_its_products_unit_unless_given(
    admin: Any, rep_north: Any, ana: Any, desk: Any
) -> None:
    quote = make_quote(
        rep_north,
        ana,
        lines=[
            {"product_id": desk.pk, "quantity": "1"},
            {"product_id": desk.pk, "quantity": "1", "unit": "box"},
            {"description": "Advice", "quantity": "2", "unit_price": "80", "tax_rate": "21"},
        ],
    )
    assert [line.unit for line in quote.lines.all()] == ["pcs", "box", ""]
    with pytest.raises(ValidationError) as refused:
        make_quote(rep_north, ana, lines=[{"product_id": desk.pk, "unit": "x" * 21}])
    assert refused.value.message_dict == {"lines.0.unit": ["At most 20 characters."]}


def test_the_pdf_preview_opens_in_the_browser(
    client: Any, rep_north: Any, rep_south: Any, ana: Any
) -> None:
    quote = make_quote(rep_north, ana)
    client.force_login(rep_north)
    detail = client.get(reverse("sales:quote-detail", args=[quote.pk])).content.decode()
    preview_url = reverse("sales:quote-pdf-preview", args=[quote.pk])
    assert f'href="{preview_url}" target="_blank"' in detail
    answer = client.get(preview_url)
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/pdf"
    assert answer["Content-Disposition"] == f'inline; filename="{quote.number}.pdf"'
    assert answer.content.startswith(b"%PDF-")
    # Chromium's viewer is a plugin: the page policy's object-src 'none' would block it.
    policy = answer["Content-Security-Policy"]
    assert "object-src 'self'" in policy
    assert "script-src" not in policy
    download = client.get(reverse("sales:quote-pdf", args=[quote.pk]))
    assert download["Content-Disposition"].startswith("attachment;")
    client.force_login(rep_south)
    assert client.get(preview_url).status_code == 404
    assert client.post(reverse("sales:quote-edit", args=[quote.pk])).status_code == 404
