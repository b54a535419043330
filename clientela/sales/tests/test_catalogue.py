"""The catalogue: product, price list, exchange rate and settings services (rules,
who may change what, audit), ``price_for``, the pages and the /products API."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from clientela.core.errors import NotFound, PermissionDenied
from clientela.core.selectors import audit_history
from clientela.core.testing.api import Api, fields
from clientela.sales.models import ExchangeRate, PriceList, PriceListItem, Product, SalesSettings
from clientela.sales.selectors.catalogue import price_for, product_list
from clientela.sales.services import catalogue as services
from clientela.sales.services.catalogue import ProductData
from clientela.sales.tests.quote_helpers import make_product, make_quote

pytestmark = pytest.mark.django_db

DAY = datetime.date(2025, 3, 1)


# --- products -------------------------------------------------------------------------


def test_manager_creates_and_updates_a_product_with_audit(manager_north: Any) -> None:
    product = services.product_create(
        actor=manager_north,
        data={
            "sku": " CH-1 ",
            "name": "Chair",
            "unit_price": "99.90",
            "currency": "eur",
            "tax_rate": "21",
            "kind": "product",
        },
    )
    assert (product.sku, product.currency, product.unit_price) == ("CH-1", "EUR", Decimal("99.90"))
    assert product.unit == "unit"
    assert product.is_active
    services.product_update(actor=manager_north, product=product, data={"unit_price": "120"})
    product.refresh_from_db()
    assert product.unit_price == Decimal("120")
    actions = [e.action for e in audit_history(record=product)]  # type: ignore[arg-type]
    assert actions == ["update", "create"]


def test_product_bad_input_is_reported_all_at_once_and_nothing_saved(admin: Any) -> None:
    make_product(admin, sku="CH-1")
    with pytest.raises(ValidationError) as exc:
        services.product_create(
            actor=admin,
            data={
                "sku": "ch-1",  # taken (case-insensitive)
                "name": "  ",
                "unit_price": "-1",
                "currency": "XYZ",
                "tax_rate": "101",
                "kind": "gadget",
            },
        )
    assert set(exc.value.message_dict) == {
        "sku",
        "name",
        "unit_price",
        "currency",
        "tax_rate",
        "kind",
    }
    assert Product.objects.count() == 1


@pytest.mark.parametrize(
    ("price", "currency", "ok"),
    [
        ("1500", "JPY", True),
        ("1500.5", "JPY", False),
        ("1.235", "KWD", True),
        ("1.001", "EUR", False),
    ],
)
def test_product_price_has_the_currency_decimals(
    admin: Any, price: str, currency: str, ok: bool
) -> None:
    data: ProductData = {"sku": "X", "name": "X", "unit_price": price, "currency": currency}
    if ok:
        assert services.product_create(actor=admin, data=data).unit_price == Decimal(price)
    else:
        with pytest.raises(ValidationError) as exc:
            services.product_create(actor=admin, data=data)
        assert "unit_price" in exc.value.message_dict


def test_float_prices_are_refused(admin: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        services.product_create(
            actor=admin, data={"sku": "F", "name": "F", "unit_price": 1.1, "currency": "EUR"}
        )
    assert "unit_price" in exc.value.message_dict


def test_only_admins_and_managers_change_products(rep_north: Any, admin: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.product_create(
            actor=rep_north, data={"sku": "A", "name": "A", "unit_price": "1", "currency": "EUR"}
        )
    product = make_product(admin)
    with pytest.raises(PermissionDenied):
        services.product_update(actor=rep_north, product=product, data={"name": "B"})


def test_product_list_search_and_sort(admin: Any, rep_north: Any) -> None:
    make_product(admin, sku="B-2", name="Bench")
    make_product(admin, sku="A-1", name="Table")
    assert [p.sku for p in product_list(user=rep_north, sort="sku")] == ["A-1", "B-2"]
    assert [p.sku for p in product_list(user=rep_north, sort="-sku")] == ["B-2", "A-1"]
    assert [p.sku for p in product_list(user=rep_north, q="ben")] == ["B-2"]
    assert [p.sku for p in product_list(user=rep_north, q="a-1")] == ["A-1"]


# --- price lists and price_for --------------------------------------------------------


def test_price_for_prefers_an_active_price_list_in_the_currency(admin: Any) -> None:
    chair = make_product(admin, unit_price="100.00", currency="EUR")
    assert price_for(chair, "EUR") == Decimal("100.00")
    assert price_for(chair, "MXN") is None
    mexico = services.price_list_create(actor=admin, data={"name": "Mexico", "currency": "MXN"})
    services.price_list_set_items(
        actor=admin, price_list=mexico, items=[{"product_id": chair.pk, "unit_price": "1999.50"}]
    )
    assert price_for(chair, "MXN") == Decimal("1999.50")
    services.price_list_update(actor=admin, price_list=mexico, data={"is_active": False})
    assert price_for(chair, "MXN") is None


def test_price_list_items_bad_input(admin: Any) -> None:
    chair = make_product(admin)
    yen = services.price_list_create(actor=admin, data={"name": "Japan", "currency": "JPY"})
    with pytest.raises(ValidationError) as exc:
        services.price_list_set_items(
            actor=admin,
            price_list=yen,
            items=[
                {"product_id": chair.pk, "unit_price": "10.5"},  # JPY has no decimals
                {"product_id": 999999, "unit_price": "1"},
                {"product_id": chair.pk, "unit_price": "3"},  # twice
            ],
        )
    assert set(exc.value.message_dict) == {
        "items.0.unit_price",
        "items.1.product_id",
        "items.2.product_id",
    }
    assert not PriceListItem.objects.exists()


def test_price_lists_are_admin_only(manager_north: Any, admin: Any) -> None:
    with pytest.raises(NotFound):
        services.price_list_create(actor=manager_north, data={"name": "X", "currency": "EUR"})
    services.price_list_create(actor=admin, data={"name": "X", "currency": "EUR"})
    with pytest.raises(ValidationError) as exc:
        services.price_list_create(actor=admin, data={"name": "x", "currency": "EUR"})
    assert "name" in exc.value.message_dict


# --- exchange rates and settings ------------------------------------------------------


def test_exchange_rates_rules(admin: Any) -> None:
    assert SalesSettings.load().base_currency == "USD"
    rate = services.exchange_rate_create(
        actor=admin, data={"currency": "EUR", "rate": "1.08", "valid_from": DAY}
    )
    with pytest.raises(ValidationError) as exc:
        services.exchange_rate_create(
            actor=admin,
            # A string where a date belongs, as an untyped caller might send: refused too.
            data={"currency": "USD", "rate": "0", "valid_from": "2025-01-01"},  # type: ignore[typeddict-item]
        )
    assert set(exc.value.message_dict) == {"currency", "rate", "valid_from"}
    with pytest.raises(ValidationError) as exc:  # same currency and day again
        services.exchange_rate_create(
            actor=admin, data={"currency": "EUR", "rate": "1.1", "valid_from": DAY}
        )
    assert "valid_from" in exc.value.message_dict
    services.exchange_rate_update(actor=admin, rate=rate, data={"rate": "1.09"})
    rate.refresh_from_db()
    assert rate.rate == Decimal("1.09")
    services.exchange_rate_delete(actor=admin, rate=rate)
    assert not ExchangeRate.objects.exists()


def test_sales_settings(admin: Any, rep_north: Any) -> None:
    services.exchange_rate_create(
        actor=admin, data={"currency": "EUR", "rate": "1.08", "valid_from": DAY}
    )
    with pytest.raises(ValidationError) as exc:
        services.sales_settings_update(
            actor=admin, data={"base_currency": "EUR", "quote_validity_days": 0}
        )
    assert set(exc.value.message_dict) == {"base_currency", "quote_validity_days"}
    services.sales_settings_update(
        actor=admin, data={"base_currency": "MXN", "quote_validity_days": 15}
    )
    current = SalesSettings.load()
    assert (current.base_currency, current.quote_validity_days) == ("MXN", 15)
    with pytest.raises(NotFound):
        services.sales_settings_update(actor=rep_north, data={"quote_validity_days": 3})


# --- pages ----------------------------------------------------------------------------


def test_product_pages(client: Any, manager_north: Any, rep_north: Any, admin: Any) -> None:
    make_product(admin, sku="T-1", name="Table")
    client.force_login(rep_north)
    page = client.get(reverse("sales:product-list"))
    assert page.status_code == 200
    assert "Table" in page.content.decode()
    assert reverse("sales:product-create") not in page.content.decode()
    assert client.get(reverse("sales:product-create")).status_code == 403
    empty = client.get(reverse("sales:product-list"), {"q": "nothing-like-this"})
    assert "No product matches these filters." in empty.content.decode()

    client.force_login(manager_north)
    bad = client.post(
        reverse("sales:product-create"),
        {
            "sku": "T-1",
            "name": "Other",
            "kind": "product",
            "unit": "unit",
            "unit_price": "12.345",
            "currency": "EUR",
            "tax_rate": "21",
        },
    )
    html = bad.content.decode()
    assert bad.status_code == 200
    assert "Another product already has this SKU." in html
    assert "EUR amounts have at most 2 decimals." in html
    assert Product.objects.count() == 1
    good = client.post(
        reverse("sales:product-create"),
        {
            "sku": "S-1",
            "name": "Stool",
            "kind": "product",
            "unit": "unit",
            "unit_price": "12,50",
            "currency": "EUR",
            "tax_rate": "21",
            "is_active": "on",
        },
    )
    assert good.status_code == 302
    assert Product.objects.get(sku="S-1").unit_price == Decimal("12.50")


def test_product_edit_and_delete_pages(
    client: Any, manager_north: Any, rep_north: Any, admin: Any, person_factory: Any
) -> None:
    table = make_product(admin, sku="T-1", name="Table", unit_price="80.00")
    used = make_product(admin, sku="U-1", name="Used")
    make_quote(rep_north, person_factory(rep_north), lines=[{"product_id": used.pk}])
    edit, delete = (reverse(f"sales:product-{a}", args=[table.pk]) for a in ("edit", "delete"))
    client.force_login(rep_north)
    assert client.get(edit).status_code == 403
    assert client.post(delete).status_code == 403

    client.force_login(manager_north)
    page = client.get(edit).content.decode()
    assert 'value="80.00"' in page
    assert delete in page
    body = {"sku": "T-1", "name": "Big table", "kind": "product", "unit": "unit"}
    saved = client.post(
        edit, body | {"unit_price": "90", "currency": "EUR", "tax_rate": "21", "is_active": "on"}
    )
    assert saved["Location"] == reverse("sales:product-list")
    table.refresh_from_db()
    assert (table.name, table.unit_price) == ("Big table", Decimal("90.00"))

    assert client.get(delete).status_code == 405  # the form's button posts; no page
    gone = client.post(delete, follow=True).content.decode()
    assert "Product “Big table” is in the trash." in gone
    table.refresh_from_db()
    assert table.deleted_by == manager_north
    # A product quotes name goes to the trash too (the quote keeps its line).
    client.post(reverse("sales:product-delete", args=[used.pk]))
    used.refresh_from_db()
    assert used.deleted_at is not None


def test_settings_pages_are_admin_only(client: Any, manager_north: Any, admin: Any) -> None:
    client.force_login(manager_north)
    assert client.get(reverse("sales:price-lists")).status_code == 404
    assert client.get(reverse("sales:currencies")).status_code == 404
    client.force_login(admin)
    settings_page = client.get(reverse("core:settings")).content.decode()
    assert reverse("sales:price-lists") in settings_page
    assert reverse("sales:currencies") in settings_page
    assert "No exchange rates yet" in client.get(reverse("sales:currencies")).content.decode()


def test_currencies_page_edits_settings_and_rates(client: Any, admin: Any) -> None:
    client.force_login(admin)
    url = reverse("sales:currencies")
    bad = client.post(
        url, {"action": "add-rate", "currency": "USD", "rate": "-2", "valid_from": "2025-03-01"}
    )
    html = bad.content.decode()
    assert "USD is the base currency" in html
    assert "positive decimal number" in html
    assert (
        client.post(
            url,
            {"action": "add-rate", "currency": "EUR", "rate": "1.08", "valid_from": "2025-03-01"},
        ).status_code
        == 302
    )
    rate = ExchangeRate.objects.get()
    assert (
        client.post(
            reverse("sales:exchange-rate-edit", args=[rate.pk]),
            {"currency": "EUR", "rate": "1.1", "valid_from": "2025-03-01"},
        ).status_code
        == 302
    )
    rate.refresh_from_db()
    assert rate.rate == Decimal("1.1")
    assert (
        client.post(
            url, {"action": "settings", "base_currency": "EUR", "quote_validity_days": "10"}
        ).status_code
        == 200
    )
    assert SalesSettings.load().base_currency == "USD"  # EUR has rates: refused
    assert (
        client.post(
            url, {"action": "settings", "base_currency": "MXN", "quote_validity_days": "10"}
        ).status_code
        == 302
    )
    assert SalesSettings.load().quote_validity_days == 10
    client.post(reverse("sales:exchange-rate-delete", args=[rate.pk]))
    assert not ExchangeRate.objects.exists()


def test_price_list_page_sets_prices(client: Any, admin: Any) -> None:
    chair = make_product(admin)
    client.force_login(admin)
    created = client.post(
        reverse("sales:price-lists"), {"name": "Retail EU", "currency": "EUR", "is_active": "on"}
    )
    price_list = PriceList.objects.get()
    assert created.status_code == 302
    url = reverse("sales:price-list-edit", args=[price_list.pk])
    form = {
        "name": "Retail EU",
        "currency": "EUR",
        "is_active": "on",
        "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "500",
        "items-0-product": str(chair.pk),
        "items-0-unit_price": "80.001",
    }
    bad = client.post(url, form)
    assert bad.status_code == 200
    assert "Price 1:" in bad.content.decode()
    assert not PriceListItem.objects.exists()
    form["items-0-unit_price"] = "80"
    assert client.post(url, form).status_code == 302
    assert PriceListItem.objects.get().unit_price == Decimal("80")


# --- API ------------------------------------------------------------------------------


def test_products_api(manager_north: Any, rep_north: Any) -> None:
    api = Api(manager_north, ("sales:read", "sales:write"))
    created = api.post(
        "/api/v1/products",
        {
            "sku": "CH-1",
            "name": "Chair",
            "unit_price": "99.90",
            "currency": "EUR",
            "tax_rate": "21",
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body | {"unit_price": "99.90", "tax_rate": "21.00", "is_active": True} == body
    pk = body["id"]
    patched = api.patch(f"/api/v1/products/{pk}", {"is_active": False})
    assert patched.json()["is_active"] is False
    assert api.get("/api/v1/products").json()["items"] == []
    listed = api.get("/api/v1/products", {"show": "all", "limit": 1})
    assert [p["sku"] for p in listed.json()["items"]] == ["CH-1"]
    assert api.get(f"/api/v1/products/{pk}").json()["name"] == "Chair"
    assert api.get("/api/v1/products/999999").status_code == 404


def test_products_api_bad_input_and_permissions(manager_north: Any, rep_north: Any) -> None:
    api = Api(manager_north, ("sales:read", "sales:write"))
    bad = api.post(
        "/api/v1/products", {"sku": "X", "name": "X", "unit_price": 1.5, "currency": "EUR"}
    )
    assert bad.status_code == 422
    assert fields(bad) == {"unit_price"}
    bad = api.post(
        "/api/v1/products", {"sku": "X", "name": "X", "unit_price": "1.5", "currency": "NOPE"}
    )
    assert bad.status_code == 422
    assert "currency" in fields(bad)
    bad = api.post("/api/v1/products", {"sku": "X", "nme": "typo"})
    assert bad.status_code == 422
    assert "nme" in fields(bad)
    assert api.get("/api/v1/products", {"colour": "red"}).status_code == 422
    rep = Api(rep_north, ("sales:read", "sales:write"))
    refused = rep.post(
        "/api/v1/products", {"sku": "X", "name": "X", "unit_price": "1", "currency": "EUR"}
    )
    assert refused.status_code == 403
    reader = Api(rep_north, ("sales:read",))
    assert reader.post("/api/v1/products", {}).status_code == 403
    assert Product.objects.count() == 0
