"""How the sales app plugs into the pages of lower apps: the top bar, the admin
settings page, the panels on person and organization pages, custom fields."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from clientela.core.services import custom_field_create
from clientela.sales.services import orders, quotes
from clientela.sales.services.common import LineInput

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_top_bar_links_the_sales_pages(rep_north: Any) -> None:
    page = _client(rep_north).get("/my-day/").content.decode()
    for url in ("/leads/", "/deals/board/", "/quotes/", "/orders/", "/products/", "/forecast/"):
        assert f'href="{url}' in page, url


def test_the_settings_page_links_the_sales_settings(admin: Any) -> None:
    page = _client(admin).get("/settings/").content.decode()
    for url in ("/settings/pipelines/", "/settings/price-lists/", "/settings/currencies/"):
        assert f'href="{url}"' in page, url


def test_person_and_organization_pages_show_deals_and_purchase_history(
    rep_north: Any, person_factory: Any, organization_factory: Any
) -> None:
    client = _client(rep_north)
    person = person_factory(rep_north)
    organization = organization_factory(rep_north)
    for url in (f"/people/{person.pk}/", f"/organizations/{organization.pk}/"):
        page = client.get(url).content.decode()
        assert "Deals" in page, url
        assert "Purchase history" in page, url
    page = client.get(f"/people/{person.pk}/").content.decode()
    assert f'href="/quotes/new/?person={person.pk}"' in page
    assert f'href="/orders/new/?person={person.pk}"' in page


def test_custom_fields_are_offered_only_where_they_are_kept(admin: Any) -> None:
    page = _client(admin).get("/settings/custom-fields/").content.decode()
    assert 'value="contacts.person"' in page
    assert 'value="sales.deal"' not in page
    with pytest.raises(ValidationError) as info:
        custom_field_create(
            actor=admin, resource="sales.deal", key="size", label="Size", field_type="text"
        )
    assert "resource" in info.value.message_dict


def test_header_search_finds_quotes_and_orders_within_the_scope(
    rep_north: Any, rep_south: Any, person_factory: Any
) -> None:
    person = person_factory(rep_north, first_name="Zenobia", last_name="Quill")
    line: LineInput = {"description": "Chairs", "quantity": "2", "unit_price": "10.00"}
    quote = quotes.quote_create(
        actor=rep_north, data={"person_id": person.pk, "currency": "USD", "lines": [line]}
    )
    order, _created = orders.order_create(
        actor=rep_north,
        data={
            "person_id": person.pk,
            "currency": "USD",
            "lines": [line],
            "external_id": "SHOP-7781",
        },
    )
    north = _client(rep_north)
    page = north.get("/search/", {"q": quote.number}).content.decode()
    assert f"/quotes/{quote.pk}/" in page
    page = north.get("/search/", {"q": "SHOP-7781"}).content.decode()
    assert f"/orders/{order.pk}/" in page
    page = north.get("/search/", {"q": "Zenobia"}).content.decode()
    assert f"/quotes/{quote.pk}/" in page
    assert f"/orders/{order.pk}/" in page
    south = _client(rep_south).get("/search/", {"q": "Zenobia"}).content.decode()
    assert f"/quotes/{quote.pk}/" not in south
    assert f"/orders/{order.pk}/" not in south
