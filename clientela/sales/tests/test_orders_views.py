"""The order pages: list (filters, sorting, htmx, empty state), detail, the order taken
by phone (lines, errors next to the right input), status buttons, delete with Undo,
the purchase history panel, and another team's orders (404)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from clientela.sales.models import Order
from clientela.sales.services import orders as services
from clientela.sales.tests import test_orders_services as shared

# Fixtures shared with the order service tests.
acme = shared.acme
ana = shared.ana
chair = shared.chair
rates = shared.rates
sid = shared.sid
pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_post(**extra: Any) -> dict[str, Any]:
    data = {
        "currency": "EUR",
        "ordered_at": "2025-03-01T10:00",
        "status": "open",
        "external_id": "",
        "notes": "By phone",
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "50",
        "lines-0-product": "",
        "lines-0-description": "Table",
        "lines-0-quantity": "2",
        "lines-0-unit_price": "50.00",
        "lines-0-discount_percent": "0",
        "lines-0-tax_rate": "21",
        "lines-1-product": "",
        "lines-1-description": "",
        "lines-1-quantity": "1",
        "lines-1-unit_price": "",
        "lines-1-discount_percent": "0",
        "lines-1-tax_rate": "",
    }
    data.update(extra)
    return data


# --- list ---------------------------------------------------------------------------------


def test_empty_list_invites_to_enter_the_first_order(rep_north: Any) -> None:
    response = client_for(rep_north).get(reverse("sales:order-list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "No orders yet." in body
    assert reverse("sales:order-create") in body


def test_list_filters_sort_and_htmx(rep_north: Any, rep_south: Any, ana: Any, sid: Any) -> None:
    shared.make_order(rep_north, person_id=ana.pk, external_id="shop-1")
    big = shared.make_order(
        rep_north,
        person_id=ana.pk,
        external_id="shop-2",
        lines=[{"description": "Sofa", "quantity": "1", "unit_price": "900.00"}],
    )
    services.order_set_status(actor=rep_north, order=big, status="fulfilled")
    theirs = shared.make_order(rep_south, person_id=sid.pk, external_id="south-1")
    client = client_for(rep_north)
    url = reverse("sales:order-list")
    body = client.get(url).content.decode()
    assert "shop-1" in body
    assert "shop-2" in body
    assert theirs.number not in body
    assert "€900.00" in body
    fulfilled = client.get(url, {"status": "fulfilled"}).content.decode()
    assert "shop-2" in fulfilled
    assert "shop-1" not in fulfilled
    by_ref = client.get(url, {"q": "shop-1"}).content.decode()
    assert "shop-1" in by_ref
    assert "shop-2" not in by_ref
    by_total = client.get(url, {"sort": "-total"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in by_total
    assert by_total.index("shop-2") < by_total.index("shop-1")
    nothing = client.get(url, {"q": "nope"}).content.decode()
    assert "No order matches these filters." in nothing
    bad = client.get(url, {"status": "lost", "date_from": "yesterday", "sort": "colour"})
    assert bad.status_code == 200
    assert "Some filters were ignored" in bad.content.decode()
    by_person = client.get(url, {"person_id": ana.pk}).content.decode()
    assert "shop-1" in by_person


# --- detail and status -----------------------------------------------------------------------


def test_detail_shows_lines_totals_links_and_history(rep_north: Any, ana: Any, chair: Any) -> None:
    order = shared.make_order(
        rep_north,
        person_id=ana.pk,
        lines=[{"product_id": chair.pk, "quantity": "2", "discount_percent": "10"}],
    )
    response = client_for(rep_north).get(reverse("sales:order-detail", args=[order.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert order.number in body
    assert "Chair" in body
    assert "CH-1" in body
    assert "€217.80" in body
    assert "€37.80" in body
    assert reverse("contacts:person-detail", args=[ana.pk]) in body
    assert "Mark fulfilled" in body
    assert "Cancel order" in body
    assert 'id="history-title"' in body
    assert "Created" in body


def test_status_buttons(rep_north: Any, ana: Any) -> None:
    order = shared.make_order(rep_north, person_id=ana.pk)
    client = client_for(rep_north)
    url = reverse("sales:order-status", args=[order.pk])
    response = client.post(url, {"status": "fulfilled", "version": "1"}, follow=True)
    assert "marked fulfilled" in response.content.decode()
    order.refresh_from_db()
    assert order.status == "fulfilled"
    stale = client.post(url, {"status": "cancelled", "version": "1"}, follow=True)
    assert "Someone changed this order" in stale.content.decode()
    client.post(url, {"status": "cancelled", "version": "2"})
    refused = client.post(url, {"status": "fulfilled"}, follow=True)
    assert "cannot be fulfilled" in refused.content.decode()
    junk = client.post(url, {"status": "shipped"}, follow=True)
    assert junk.status_code == 200
    order.refresh_from_db()
    assert order.status == "cancelled"
    body = client.get(reverse("sales:order-detail", args=[order.pk])).content.decode()
    assert "Mark fulfilled" not in body
    assert "Cancel order" not in body


def test_another_team_gets_404(rep_north: Any, rep_south: Any, ana: Any) -> None:
    order = shared.make_order(rep_north, person_id=ana.pk)
    client = client_for(rep_south)
    assert client.get(reverse("sales:order-detail", args=[order.pk])).status_code == 404
    status = client.post(reverse("sales:order-status", args=[order.pk]), {"status": "cancelled"})
    assert status.status_code == 404
    assert client.get(reverse("sales:order-delete", args=[order.pk])).status_code == 404
    assert client.post(reverse("sales:order-delete", args=[order.pk])).status_code == 404
    order.refresh_from_db()
    assert order.status == "open"
    assert order.deleted_at is None
    assert client.get(reverse("sales:order-detail", args=[10**20])).status_code == 404


# --- create ---------------------------------------------------------------------------------


def test_create_an_order_by_phone(rep_north: Any, ana: Any, chair: Any) -> None:
    client = client_for(rep_north)
    url = reverse("sales:order-create")
    page = client.get(url, {"person": ana.pk})
    assert page.status_code == 200
    assert f'<option value="{ana.pk}" selected>' in page.content.decode()
    response = client.post(
        url,
        form_post(
            person=str(ana.pk),
            **{"lines-1-product": str(chair.pk), "lines-1-quantity": "1"},
        ),
    )
    order = Order.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("sales:order-detail", args=[order.pk])
    assert order.person == ana
    assert order.notes == "By phone"
    # 2 × 50.00 + 21 % tax, and one chair at its list price and tax rate.
    assert order.total == Decimal("242.00")
    assert [line.description for line in order.lines.all()] == ["Table", "Chair"]


def test_create_errors_show_next_to_the_input(rep_north: Any, ana: Any, sid: Any) -> None:
    client = client_for(rep_north)
    url = reverse("sales:order-create")
    response = client.post(
        url,
        form_post(
            person=str(ana.pk),
            **{"lines-0-quantity": "-2", "lines-0-discount_percent": "150"},
        ),
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "The quantity must be a positive number" in body
    assert "Give a percentage from 0 to 100." in body
    assert 'name="lines-0-quantity" value="-2"' in body
    assert "is-invalid" in body
    no_customer = client.post(url, form_post()).content.decode()
    assert "Choose the person or the organization who ordered." in no_customer
    invisible = client.post(url, form_post(person=str(sid.pk))).content.decode()
    assert "Unknown person id" in invisible
    no_lines = client.post(
        url, form_post(person=str(ana.pk), **{"lines-0-description": "", "lines-0-unit_price": ""})
    ).content.decode()
    assert "Give at least one line." in no_lines
    bad_date = client.post(url, form_post(person=str(ana.pk), ordered_at="soon")).content.decode()
    assert "is-invalid" in bad_date
    assert Order.objects.count() == 0


def test_a_read_only_user_cannot_open_the_form(reader: Any) -> None:
    response = client_for(reader).get(reverse("sales:order-create"))
    assert response.status_code == 403


def test_person_picker_options(rep_north: Any, ana: Any, sid: Any) -> None:
    client = client_for(rep_north)
    body = client.get(reverse("sales:order-person-options"), {"person_q": "ana"}).content.decode()
    assert f'value="{ana.pk}"' in body
    south = client.get(reverse("sales:order-person-options"), {"person_q": "sid"}).content.decode()
    assert f'value="{sid.pk}"' not in south


# --- delete, undo ---------------------------------------------------------------------------


def test_delete_with_undo_for_admins(admin: Any, rep_north: Any, ana: Any) -> None:
    order = shared.make_order(rep_north, person_id=ana.pk)
    client = client_for(admin)
    url = reverse("sales:order-delete", args=[order.pk])
    assert "Delete" in client.get(url).content.decode()
    response = client.post(url, {"version": "1"}, follow=True)
    body = response.content.decode()
    restore = reverse("core:trash-restore-one", args=["sales.order", order.pk])
    assert "is cancelled and in the trash" in body
    assert restore in body
    assert "Undo" in body
    assert client.get(reverse("sales:order-detail", args=[order.pk])).status_code == 404
    client.post(restore)
    assert client.get(reverse("sales:order-detail", args=[order.pk])).status_code == 200


def test_a_rep_deletes_with_undo_a_teammate_cannot_restore(
    rep_north: Any, rep_north2: Any, ana: Any
) -> None:
    order = shared.make_order(rep_north, person_id=ana.pk)
    client = client_for(rep_north)
    stale = client.post(reverse("sales:order-delete", args=[order.pk]), {"version": "5"})
    assert "Someone changed this order" in stale.content.decode()
    response = client.post(
        reverse("sales:order-delete", args=[order.pk]), {"version": "1"}, follow=True
    )
    assert "is cancelled and in the trash" in response.content.decode()
    undo = reverse("core:trash-restore-one", args=["sales.order", order.pk])
    assert undo in response.content.decode()
    restore = reverse("sales:order-restore", args=[order.pk])
    assert client_for(rep_north2).post(restore).status_code == 404
    assert client.post(undo).status_code == 302
    order.refresh_from_db()
    assert order.deleted_at is None


# --- the purchase history panel ------------------------------------------------------------


def test_purchase_history_panel_on_person_and_organization(
    rep_north: Any, rep_south: Any, ana: Any, acme: Any, rates: None
) -> None:
    order = shared.make_order(rep_north, person_id=ana.pk, organization_id=acme.pk)
    client = client_for(rep_north)
    body = client.get(reverse("contacts:person-detail", args=[ana.pk])).content.decode()
    assert 'id="panel-purchase-history"' in body
    assert "Purchase history" in body
    assert order.number in body
    assert "€50.00" in body
    assert "$55.00" in body
    assert f"{reverse('sales:order-create')}?person={ana.pk}" in body
    org = client.get(reverse("contacts:organization-detail", args=[acme.pk])).content.decode()
    assert order.number in org
    assert "No orders yet." not in body


def test_purchase_history_panel_empty(rep_north: Any, ana: Any) -> None:
    body = client_for(rep_north).get(reverse("contacts:person-detail", args=[ana.pk]))
    assert "No orders yet." in body.content.decode()


def test_nav_links(rep_north: Any) -> None:
    body = client_for(rep_north).get(reverse("sales:order-list")).content.decode()
    assert reverse("sales:forecast") in body
    assert 'href="/orders/"' in body
