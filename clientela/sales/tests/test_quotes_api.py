"""The quotes API (/api/v1/quotes): round trip with lines and totals as strings, PDF,
send, accept (answers the order), reject, versions, bad input (422 naming the field)
and permissions (team South's quotes are 404 for North; scopes)."""

from __future__ import annotations

from typing import Any

import pytest

from clientela.core.testing.api import Api, fields
from clientela.core.tests.test_record_api import openapi
from clientela.sales.models import Order, Quote
from clientela.sales.tests.quote_helpers import make_product, make_quote

pytestmark = pytest.mark.django_db

QUOTES = "/api/v1/quotes"
READ_WRITE = ("sales:read", "sales:write")


@pytest.fixture
def north(rep_north: Any) -> Api:
    return Api(rep_north, READ_WRITE)


@pytest.fixture
def ana(rep_north: Any, person_factory: Any) -> Any:
    return person_factory(rep_north, first_name="Ana", last_name="Ruiz", email="ana@example.com")


def body(person: Any, **extra: Any) -> dict[str, Any]:
    return {
        "person_id": person.pk,
        "currency": "EUR",
        "lines": [
            {"description": "Desk", "quantity": "2", "unit_price": "50.00", "tax_rate": "21"},
            {"description": "Lamp", "unit_price": "8.90"},
        ],
        **extra,
    }


def test_round_trip(north: Api, admin: Any, ana: Any) -> None:
    chair = make_product(admin, name="Chair", unit_price="100.00", tax_rate="21")
    payload = body(ana, issue_date="2025-03-01", valid_until="2025-03-31", language="es")
    payload["lines"].append({"product_id": chair.pk})
    created = north.post(QUOTES, payload)
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["number"].startswith("Q-")
    assert data["revision"] == 1
    assert data["status"] == "draft"
    assert (data["subtotal"], data["tax_total"], data["total"]) == ("208.90", "42.00", "250.90")
    assert data["lines"][0] == {
        "product_id": None,
        "description": "Desk",
        "quantity": "2",
        "unit": "",
        "unit_price": "50.00",
        "discount_percent": "0.00",
        "tax_rate": "21.00",
        "subtotal": "100.00",
        "tax": "21.00",
        "total": "121.00",
    }
    assert data["lines"][2]["description"] == "Chair"
    assert data["lines"][2]["unit"] == "unit"  # the product's
    assert data["lines"][2]["unit_price"] == "100.00"
    assert (data["language"], data["issue_date"], data["valid_until"]) == (
        "es",
        "2025-03-01",
        "2025-03-31",
    )
    url = f"{QUOTES}/{data['id']}"
    got = north.get(url)
    assert got["ETag"] == '"1"'
    assert got.json() == data
    patched = north.patch(
        url,
        {"notes": "Thanks", "lines": [{"description": "Sofa", "unit_price": "300"}]},
        HTTP_IF_MATCH='"1"',
    )
    assert patched.status_code == 200
    assert patched.json()["total"] == "300.00"
    assert patched.json()["version"] == 2
    stale = north.patch(url, {"notes": "again"}, HTTP_IF_MATCH='"1"')
    assert stale.status_code == 412
    listed = north.get(QUOTES, {"status": "draft"}).json()["items"]
    assert [q["id"] for q in listed] == [data["id"]]
    assert north.get(QUOTES, {"status": "sent"}).json()["items"] == []
    assert north.delete(url, HTTP_IF_MATCH='"2"').status_code == 204
    assert north.get(url).status_code == 404


def test_pdf_send_accept(north: Api, ana: Any, smtp_server: Any, settings: Any) -> None:
    smtp_server.use(settings)
    quote_id = north.post(QUOTES, body(ana)).json()["id"]
    pdf = north.get(f"{QUOTES}/{quote_id}/pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    accept_draft = north.post(f"{QUOTES}/{quote_id}/accept", None)
    assert accept_draft.status_code == 422
    assert fields(accept_draft) == {"status"}
    bad = north.post(f"{QUOTES}/{quote_id}/send", {"to": "nope"})
    assert bad.status_code == 422
    assert fields(bad) == {"to"}
    sent = north.post(f"{QUOTES}/{quote_id}/send", {})
    assert sent.status_code == 200
    assert sent.json()["status"] == "sent"
    assert smtp_server.envelopes[0][1] == ["ana@example.com"]
    accepted = north.post(f"{QUOTES}/{quote_id}/accept", {"version": 2})
    assert accepted.status_code == 201, accepted.content
    order = accepted.json()
    assert order["quote_id"] == quote_id
    assert order["total"] == "129.90"
    assert order["currency"] == "EUR"
    assert order["number"].startswith("O-")
    assert order["status"] == "open"
    assert [line["description"] for line in order["lines"]] == ["Desk", "Lamp"]
    twice = north.post(f"{QUOTES}/{quote_id}/accept", None)
    assert twice.status_code == 422
    assert Order.objects.count() == 1


def test_accept_answers_the_order_as_get_shows_it(north: Api, rep_north: Any, ana: Any) -> None:
    """The same model, name and fields as ``GET /orders/{id}``: one ``OrderOut``."""
    quote = make_quote(rep_north, ana)
    Quote.objects.filter(pk=quote.pk).update(status="sent")
    accepted = north.post(f"{QUOTES}/{quote.pk}/accept", None)
    assert accepted.status_code == 201, accepted.content
    order = north.get(f"/api/v1/orders/{accepted.json()['id']}")
    assert order.status_code == 200
    assert accepted.json() == order.json()
    assert accepted["ETag"] == order["ETag"]
    assert {"external_id", "owner_id", "team_id", "notes", "created_at"} <= set(accepted.json())
    paths = openapi()["paths"]
    ok = paths["/api/v1/quotes/{quote_id}/accept"]["post"]["responses"]["201"]
    get = paths["/api/v1/orders/{order_id}"]["get"]["responses"]["200"]
    ref = ok["content"]["application/json"]["schema"]["$ref"]
    assert ref == get["content"]["application/json"]["schema"]["$ref"]
    assert ref.endswith("/OrderOut")


def test_reject(north: Api, rep_north: Any, ana: Any) -> None:
    quote = make_quote(rep_north, ana)
    Quote.objects.filter(pk=quote.pk).update(status="sent")
    rejected = north.post(f"{QUOTES}/{quote.pk}/reject", None)
    assert rejected.status_code == 200
    assert rejected.json()["status"] == "rejected"
    assert north.post(f"{QUOTES}/{quote.pk}/reject", None).status_code == 422


def test_bad_input_names_the_field(north: Api, ana: Any) -> None:
    cases: list[tuple[dict[str, Any], set[str]]] = [
        (body(ana, currency="XYZ"), {"currency"}),
        (
            body(ana, lines=[{"description": "A", "quantity": "-1", "unit_price": "1"}]),
            {"lines.0.quantity"},
        ),
        (
            body(ana, lines=[{"description": "A", "unit_price": "1", "discount_percent": "150"}]),
            {"lines.0.discount_percent"},
        ),
        (body(ana, lines=[{"description": "A", "unit_price": 1.5}]), {"lines.0.unit_price"}),
        (body(ana, issue_date="2025-03-10", valid_until="2025-03-01"), {"valid_until"}),
        (body(ana, issue_date=20250301), {"issue_date"}),
        (body(ana, language="fr"), {"language"}),
        (body(ana, lines=[]), {"lines"}),
        ({"currency": "EUR", "lines": [{"description": "A", "unit_price": "1"}]}, {"person_id"}),
        (body(ana, person_id=999999), {"person_id"}),
        (body(ana, colour="red"), {"colour"}),
    ]
    for payload, expected in cases:
        response = north.post(QUOTES, payload)
        assert response.status_code == 422, (payload, response.content)
        assert fields(response) == expected, (payload, response.json())
    assert not Quote.objects.exists()
    assert north.get(QUOTES, {"stauts": "draft"}).status_code == 422


def test_north_cannot_see_or_change_souths_quotes(
    north: Api, rep_south: Any, person_factory: Any
) -> None:
    quote = make_quote(rep_south, person_factory(rep_south))
    url = f"{QUOTES}/{quote.pk}"
    assert north.get(QUOTES).json()["items"] == []
    assert north.get(url).status_code == 404
    assert north.get(f"{url}/pdf").status_code == 404
    assert north.patch(url, {"notes": "x"}).status_code == 404
    assert north.delete(url).status_code == 404
    for action in ("send", "accept", "reject"):
        assert north.post(f"{url}/{action}", None).status_code == 404
    # Nor quote someone of South.
    southerner = person_factory(rep_south)
    response = north.post(QUOTES, body(southerner))
    assert response.status_code == 422
    assert fields(response) == {"person_id"}
    quote.refresh_from_db()
    assert (quote.version, quote.deleted_at, quote.notes) == (1, None, "")


def test_scopes(rep_north: Any, ana: Any) -> None:
    reader = Api(rep_north, ("sales:read",))
    assert reader.get(QUOTES).status_code == 200
    assert reader.post(QUOTES, body(ana)).status_code == 403
    other = Api(rep_north, ("contacts:read",))
    assert other.get(QUOTES).status_code == 403


def test_idempotent_create(north: Api, ana: Any) -> None:
    first = north.post(QUOTES, body(ana), HTTP_IDEMPOTENCY_KEY="k-1")
    again = north.post(QUOTES, body(ana), HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.json()["id"] == again.json()["id"]
    assert Quote.objects.count() == 1
