"""``/api/v1/orders``: push (idempotent on external_id and Idempotency-Key), read, list
with filters and cursors, status changes with versions, delete, bad input, scopes and
another team's orders (404)."""

from __future__ import annotations

from typing import Any

import pytest

from clientela.core.testing.api import Api, fields
from clientela.sales.models import Order
from clientela.sales.tests import test_orders_services as shared

# Fixtures shared with the order service tests.
acme = shared.acme
ana = shared.ana
chair = shared.chair
sid = shared.sid
pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/orders"
READ_WRITE = ("sales:read", "sales:write")


@pytest.fixture
def north(rep_north: Any) -> Api:
    return Api(rep_north, READ_WRITE)


@pytest.fixture
def south(rep_south: Any) -> Api:
    return Api(rep_south, READ_WRITE)


def push(**extra: Any) -> dict[str, Any]:
    return {
        "external_id": "shop-1001",
        "currency": "EUR",
        "ordered_at": "2025-03-01T10:00:00+01:00",
        "lines": [
            {"description": "Table", "quantity": "2", "unit_price": "50.00", "tax_rate": "21"},
        ],
        **extra,
    }


def test_push_read_and_push_again(north: Api, ana: Any, chair: Any) -> None:
    body = push(
        person_id=ana.pk,
        lines=[
            {"product_id": chair.pk, "quantity": "2", "discount_percent": "10"},
            {"description": "Delivery", "quantity": "1", "unit_price": "9.99", "tax_rate": "0"},
        ],
        total="227.79",
    )
    created = north.post(ORDERS, body)
    assert created.status_code == 201, created.content
    assert created["ETag"] == '"1"'
    data = created.json()
    assert data | {"id": 0, "number": "", "created_at": "", "updated_at": ""} == {
        "id": 0,
        "number": "",
        "created_at": "",
        "updated_at": "",
        "external_id": "shop-1001",
        "person_id": ana.pk,
        "organization_id": None,
        "deal_id": None,
        "quote_id": None,
        "status": "open",
        "currency": "EUR",
        "ordered_at": "2025-03-01T09:00:00Z",
        "fulfilled_at": None,
        "cancelled_at": None,
        "lines": [
            {
                "id": data["lines"][0]["id"],
                "position": 0,
                "product_id": chair.pk,
                "description": "Chair",
                "quantity": "2",
                "unit": "unit",  # the product's
                "unit_price": "100.00",
                "discount_percent": "10",
                "tax_rate": "21",
                "subtotal": "180.00",
                "tax": "37.80",
                "total": "217.80",
            },
            {
                "id": data["lines"][1]["id"],
                "position": 1,
                "product_id": None,
                "description": "Delivery",
                "quantity": "1",
                "unit": "",
                "unit_price": "9.99",
                "discount_percent": "0",
                "tax_rate": "0",
                "subtotal": "9.99",
                "tax": "0.00",
                "total": "9.99",
            },
        ],
        "subtotal": "189.99",
        "tax_total": "37.80",
        "total": "227.79",
        "notes": "",
        "owner_id": data["owner_id"],
        "team_id": data["team_id"],
        "version": 1,
    }
    assert data["number"].startswith("O-")
    again = north.post(ORDERS, body)
    assert again.status_code == 200
    assert again.json()["id"] == data["id"]
    assert Order.objects.count() == 1
    read = north.get(f"{ORDERS}/{data['id']}")
    assert read.status_code == 200
    assert read.json()["total"] == "227.79"
    assert read["ETag"] == '"1"'


def test_idempotency_key_replays_the_first_answer(north: Api, ana: Any) -> None:
    body = push(person_id=ana.pk, external_id="")
    first = north.post(ORDERS, body, HTTP_IDEMPOTENCY_KEY="k-1")
    second = north.post(ORDERS, body, HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == second.status_code == 201
    assert second["Idempotent-Replayed"] == "true"
    assert first.json()["id"] == second.json()["id"]
    assert Order.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (
            {"lines": [{"description": "X", "quantity": "-1", "unit_price": "5"}]},
            "lines.0.quantity",
        ),
        ({"lines": [{"description": "X", "quantity": 1.5, "unit_price": "5"}]}, "lines.0.quantity"),
        (
            {"lines": [{"description": "X", "unit_price": "5", "discount_percent": "101"}]},
            "lines.0.discount_percent",
        ),
        ({"lines": [{"description": "X", "unit_price": "5", "colour": "red"}]}, "lines.0.colour"),
        ({"lines": "Table"}, "lines"),
        ({"lines": []}, "lines"),
        ({"currency": "ABC"}, "currency"),
        ({"currency": "EURO"}, "currency"),
        ({"total": "1.00"}, "total"),
        ({"status": "shipped"}, "status"),
        ({"ordered_at": "2025-03-01T10:00:00"}, "ordered_at"),
        ({"ordered_at": "tomorrow"}, "ordered_at"),
        ({"person_id": 99999999}, "person_id"),
        ({"person_id": "ana"}, "person_id"),
        ({"deal_id": 99999999}, "deal_id"),
        ({"external_id": "x" * 101}, "external_id"),
        ({"frist_name": "Ana"}, "frist_name"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(
    north: Api, ana: Any, change: dict[str, Any], field: str
) -> None:
    body = push(**{"person_id": ana.pk, **change})
    response = north.post(ORDERS, body)
    assert response.status_code == 422, response.content
    assert field in fields(response)
    assert Order.objects.count() == 0


def test_a_person_of_another_team_is_unknown(north: Api, sid: Any) -> None:
    response = north.post(ORDERS, push(person_id=sid.pk))
    assert response.status_code == 422
    assert fields(response) == {"person_id"}


def test_not_json_is_refused(north: Api) -> None:
    response = north.post(ORDERS, "{not json")
    assert response.status_code == 400


def test_list_filters_and_cursor(north: Api, rep_north: Any, ana: Any, acme: Any) -> None:
    for n in range(3):
        shared.make_order(rep_north, person_id=ana.pk, external_id=f"a-{n}")
    shared.make_order(rep_north, organization_id=acme.pk, external_id="acme-1", status="fulfilled")
    everything = north.get(ORDERS)
    assert len(everything.json()["items"]) == 4
    by_person = north.get(ORDERS, {"person_id": ana.pk, "limit": 2})
    page = by_person.json()
    assert [o["person_id"] for o in page["items"]] == [ana.pk, ana.pk]
    rest = north.get(ORDERS, {"person_id": ana.pk, "limit": 2, "cursor": page["next_cursor"]})
    assert len(rest.json()["items"]) == 1
    assert rest.json()["next_cursor"] is None
    by_org = north.get(ORDERS, {"organization_id": acme.pk})
    assert [o["external_id"] for o in by_org.json()["items"]] == ["acme-1"]
    fulfilled = north.get(ORDERS, {"status": "fulfilled"})
    assert [o["external_id"] for o in fulfilled.json()["items"]] == ["acme-1"]
    for params, field in (
        ({"status": "lost"}, "status"),
        ({"person": ana.pk}, "person"),
        ({"cursor": "junk"}, "cursor"),
    ):
        bad = north.get(ORDERS, params)
        assert bad.status_code == 422, params
        assert field in fields(bad), params


def test_status_changes_with_versions(north: Api, rep_north: Any, ana: Any) -> None:
    order = shared.make_order(rep_north, person_id=ana.pk)
    url = f"{ORDERS}/{order.pk}"
    stale = north.patch(url, {"status": "fulfilled"}, HTTP_IF_MATCH='"7"')
    assert stale.status_code == 412
    assert stale.json()["current_version"] == 1
    done = north.patch(url, {"status": "fulfilled"}, HTTP_IF_MATCH='"1"')
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "fulfilled"
    assert done.json()["fulfilled_at"]
    assert done["ETag"] == '"2"'
    cancelled = north.patch(url, {"status": "cancelled", "version": 2})
    assert cancelled.json()["status"] == "cancelled"
    refused = north.patch(url, {"status": "fulfilled"})
    assert refused.status_code == 422
    assert fields(refused) == {"status"}
    assert north.patch(url, {"status": "gone"}).status_code == 422
    assert north.patch(url, {"total": "1.00"}).status_code == 422


def test_delete(north: Api, rep_north: Any, ana: Any) -> None:
    order = shared.make_order(rep_north, person_id=ana.pk)
    url = f"{ORDERS}/{order.pk}"
    assert north.delete(url, HTTP_IF_MATCH='"3"').status_code == 412
    assert north.delete(url, HTTP_IF_MATCH='"1"').status_code == 204
    assert north.get(url).status_code == 404
    order.refresh_from_db()
    assert order.deleted_at is not None


def test_another_team_gets_404_everywhere(north: Api, south: Api, rep_north: Any, ana: Any) -> None:
    order = shared.make_order(rep_north, person_id=ana.pk)
    url = f"{ORDERS}/{order.pk}"
    assert south.get(url).status_code == 404
    assert south.patch(url, {"status": "cancelled"}).status_code == 404
    assert south.delete(url).status_code == 404
    assert south.get(ORDERS).json()["items"] == []
    assert south.get(ORDERS, {"person_id": ana.pk}).json()["items"] == []
    order.refresh_from_db()
    assert order.status == "open"
    assert order.deleted_at is None
    assert north.get(url).status_code == 200


def test_scopes(rep_north: Any, ana: Any) -> None:
    read_only = Api(rep_north, ("sales:read",))
    assert read_only.get(ORDERS).status_code == 200
    assert read_only.post(ORDERS, push(person_id=ana.pk)).status_code == 403
    other = Api(rep_north, ("contacts:read",))
    assert other.get(ORDERS).status_code == 403
    assert Order.objects.count() == 0


def test_a_read_only_role_cannot_push(reader: Any, ana: Any) -> None:
    response = Api(reader, READ_WRITE).post(ORDERS, push(person_id=ana.pk))
    assert response.status_code == 403
