"""Products go to the trash like every other kind: out of the catalogue, the pickers and
new lines; quotes and orders keep their lines; the manager who deleted one (or an admin)
brings it back, an admin purges it; nobody else deletes (403: the catalogue is visible
to them) or restores (404: not in their trash). The generic trash tests
(``core/tests/test_kinds_trash.py``, the permission matrix) cover the pages' Undo and
the trash list for products too; this file tests what is the catalogue's own."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clientela.core.errors import NotFound
from clientela.core.testing.api import Api
from clientela.sales.models import Product, QuoteLine
from clientela.sales.selectors.catalogue import product_choices, product_list
from clientela.sales.services import catalogue as services
from clientela.sales.tests.quote_helpers import make_product, make_quote

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _restore_url(product: Product) -> str:
    return reverse("core:trash-restore-one", args=["sales.product", product.pk])


def test_a_trashed_product_leaves_the_catalogue_but_quotes_keep_their_lines(
    admin: Any, manager_north: Any, rep_north: Any, person_factory: Any
) -> None:
    chair = make_product(admin, sku="CH-1", name="Chair", unit_price="99.90")
    quote = make_quote(rep_north, person_factory(rep_north), lines=[{"product_id": chair.pk}])
    services.product_trash(actor=manager_north, product=chair)
    chair.refresh_from_db()
    assert chair.deleted_by == manager_north
    assert list(product_list(user=rep_north, active=None)) == []
    assert product_choices(user=rep_north) == []
    # The quote's line is as it was: its own description and price.
    line = QuoteLine.objects.get(quote=quote)
    assert (line.product_id, line.description, line.unit_price) == (
        chair.pk,
        "Chair",
        Decimal("99.90"),
    )
    # A new line cannot name it.
    with pytest.raises(ValidationError) as refused:
        make_quote(rep_north, person_factory(rep_north), lines=[{"product_id": chair.pk}])
    assert "lines.0.product_id" in refused.value.message_dict
    # Nor can it be changed while in the trash.
    with pytest.raises(NotFound):
        services.product_update(actor=admin, product=chair, data={"name": "Stool"})


def test_the_deleting_manager_restores_others_get_404(
    admin: Any, manager_north: Any, make_user: Any, rep_north: Any
) -> None:
    product = make_product(admin, sku="T-1", name="Table")
    manager_south = make_user("sam_manager", "manager", "South")
    services.product_trash(actor=manager_north, product=product)
    for stranger in (rep_north, manager_south):
        assert _client(stranger).post(_restore_url(product)).status_code == 404
        with pytest.raises(NotFound):
            services.product_restore(actor=stranger, product=product)
        page = _client(stranger).get(reverse("core:trash")).content.decode()
        assert "T-1 · Table" not in page
    product.refresh_from_db()
    assert product.deleted_at is not None
    # The deleter's trash lists it (no owner: "—"), and its Restore brings it back.
    mine = _client(manager_north).get(reverse("core:trash"), {"kind": "sales.product"})
    assert "T-1 · Table" in mine.content.decode()
    back = _client(manager_north).post(_restore_url(product))
    assert back["Location"] == reverse("sales:product-list")
    fresh = Product.objects.get(pk=product.pk)
    assert (fresh.deleted_at, fresh.deleted_by) == (None, None)
    assert [p.sku for p in product_list(user=rep_north)] == ["T-1"]


def test_admin_restores_anyones_and_purges_keeping_the_lines(
    admin: Any, manager_north: Any, rep_north: Any, person_factory: Any
) -> None:
    lamp = make_product(admin, sku="L-1", name="Lamp", unit_price="8.90")
    quote = make_quote(rep_north, person_factory(rep_north), lines=[{"product_id": lamp.pk}])
    services.product_trash(actor=manager_north, product=lamp)
    services.product_restore(actor=admin, product=lamp)
    services.product_trash(actor=manager_north, product=lamp)
    items = {"items": [f"sales.product:{lamp.pk}"], "confirm": "yes"}
    assert _client(manager_north).post(reverse("core:trash-purge"), items).status_code == 404
    assert Product.objects.filter(pk=lamp.pk).exists()
    assert _client(admin).post(reverse("core:trash-purge"), items).status_code == 302
    assert not Product.objects.filter(pk=lamp.pk).exists()
    line = QuoteLine.objects.get(quote=quote)
    assert (line.product_id, line.description, line.unit_price) == (None, "Lamp", Decimal("8.90"))


def test_the_page_delete_offers_undo_to_the_manager_and_refuses_a_rep(
    admin: Any, manager_north: Any, rep_north: Any
) -> None:
    product = make_product(admin, sku="D-1", name="Desk")
    delete = reverse("sales:product-delete", args=[product.pk])
    assert _client(rep_north).post(delete).status_code == 403
    product.refresh_from_db()
    assert product.deleted_at is None
    response = _client(manager_north).post(delete)
    assert response["Location"] == reverse("sales:product-list")
    tags = [m.extra_tags for m in get_messages(response.wsgi_request)]
    assert tags == [f"undo:{_restore_url(product)}"]
    assert _client(manager_north).post(_restore_url(product)).status_code == 302
    product.refresh_from_db()
    assert product.deleted_at is None


def test_api_delete_moves_to_the_trash_and_bad_ids_are_not_found(
    admin: Any, manager_north: Any, rep_north: Any
) -> None:
    product = make_product(admin, sku="A-1", name="Armchair")
    url = f"/api/v1/products/{product.pk}"
    refused = Api(rep_north, ("sales:read", "sales:write")).delete(url)
    assert refused.status_code == 403
    api = Api(manager_north, ("sales:read", "sales:write"))
    assert api.delete(url).status_code == 204
    product.refresh_from_db()
    assert product.deleted_by == manager_north
    assert api.get(url).status_code == 404
    assert api.delete(url).status_code == 404  # already in the trash
    assert api.patch(url, {"name": "x"}).status_code == 404
    assert api.delete("/api/v1/products/abc").status_code in (404, 422)
    assert api.delete(f"/api/v1/products/{2**63}").status_code in (404, 422)
    reader = Api(manager_north, ("sales:read",))
    assert reader.delete(f"/api/v1/products/{product.pk + 1}").status_code == 403


def test_bad_restores_are_not_found(admin: Any, manager_north: Any) -> None:
    product = make_product(admin, sku="B-1", name="Bench")
    client = _client(admin)
    # Not in the trash, no such id, an id that is not a number.
    assert client.post(_restore_url(product)).status_code == 404
    assert client.post("/trash/sales.product/999999/restore/").status_code == 404
    assert client.post("/trash/sales.product/abc/restore/").status_code == 404
    with pytest.raises(NotFound):
        services.product_restore(actor=admin, product=product)


def test_a_trashed_products_sku_is_taken_and_says_so(admin: Any, manager_north: Any) -> None:
    product = make_product(admin, sku="S-1", name="Sofa")
    services.product_trash(actor=manager_north, product=product)
    with pytest.raises(ValidationError) as taken:
        make_product(admin, sku="s-1", name="Sofa again")
    assert taken.value.message_dict["sku"] == [
        "A product in the trash has this SKU: restore it instead."
    ]


def test_purge_trash_command_removes_expired_products(
    admin: Any, manager_north: Any, settings: Any
) -> None:
    old = make_product(admin, sku="O-1", name="Old")
    recent = make_product(admin, sku="R-1", name="Recent")
    services.product_trash(actor=manager_north, product=old)
    services.product_trash(actor=manager_north, product=recent)
    expired = timezone.now() - datetime.timedelta(days=settings.CLIENTELA_TRASH_DAYS + 1)
    Product.objects.filter(pk=old.pk).update(deleted_at=expired)
    call_command("purge_trash")
    assert list(Product.objects.values_list("sku", flat=True)) == ["R-1"]
