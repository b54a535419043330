"""The pipelines and deals API (/api/v1/pipelines, /deals) through the real URL conf:
reads, create/patch/delete/move, bad input (422 naming the field), versions (412),
scopes (403), idempotency, cursor pages, and North vs South (404)."""

from __future__ import annotations

from typing import Any

import pytest

from clientela.core.testing.api import Api, fields
from clientela.sales.models import Deal, DealStageChange
from clientela.sales.tests.deal_helpers import make_deal, make_pipeline, stage

pytestmark = pytest.mark.django_db

DEALS = "/api/v1/deals"
READ_WRITE = ("sales:read", "sales:write")


@pytest.fixture
def pipe(db: Any) -> Any:
    return make_pipeline()


@pytest.fixture
def north(rep_north: Any) -> Api:
    return Api(rep_north, READ_WRITE)


@pytest.fixture
def south(rep_south: Any) -> Api:
    return Api(rep_south, READ_WRITE)


def body(pipe: Any, **extra: Any) -> dict[str, Any]:
    return {
        "title": "Ovens",
        "pipeline_id": pipe.pk,
        "amount": "1500.50",
        "currency": "EUR",
        **extra,
    }


# --- pipelines --------------------------------------------------------------------------


def test_pipelines_with_their_stages(north: Api, pipe: Any) -> None:
    response = north.get("/api/v1/pipelines")
    assert response.status_code == 200
    by_name = {p["name"]: p for p in response.json()}
    assert set(by_name) == {"Sales", "Test pipeline"}
    stages = by_name["Test pipeline"]["stages"]
    assert [s["name"] for s in stages] == ["Lead in", "Demo", "Offer", "Closed won", "Closed lost"]
    assert stages[3] == {
        "id": stage(pipe, "Closed won").pk,
        "name": "Closed won",
        "position": 3,
        "probability": 100,
        "is_won": True,
        "is_lost": False,
    }
    one = north.get(f"/api/v1/pipelines/{pipe.pk}")
    assert one.status_code == 200
    assert one.json()["name"] == "Test pipeline"
    assert north.get("/api/v1/pipelines/999999").status_code == 404


# --- create, read, update, delete, move -------------------------------------------------


def test_deal_round_trip(north: Api, rep_north: Any, pipe: Any, person_factory: Any) -> None:
    ana = person_factory(rep_north, first_name="Ana")
    created = north.post(DEALS, body(pipe, person_ids=[ana.pk], close_date="2031-02-28"))
    assert created.status_code == 201, created.json()
    deal = created.json()
    assert deal["amount"] == "1500.50"
    assert deal["currency"] == "EUR"
    assert deal["stage_id"] == stage(pipe, "Lead in").pk
    assert deal["probability"] == 10
    assert deal["status"] == "open"
    assert deal["person_ids"] == [ana.pk]
    assert deal["close_date"] == "2031-02-28"
    assert deal["owner_id"] == rep_north.pk
    assert deal["version"] == 1
    assert created["ETag"] == '"1"'
    url = f"{DEALS}/{deal['id']}"
    got = north.get(url)
    assert got.status_code == 200
    assert got["ETag"] == '"1"'
    assert got.json() == deal
    patched = north.patch(url, {"amount": 99, "next_step": "Demo"}, HTTP_IF_MATCH='"1"')
    assert patched.status_code == 200
    assert (patched.json()["amount"], patched.json()["version"]) == ("99.00", 2)
    listed = north.get(DEALS)
    assert [d["id"] for d in listed.json()["items"]] == [deal["id"]]
    deleted = north.delete(url, HTTP_IF_MATCH='"2"')
    assert deleted.status_code == 204
    assert north.get(url).status_code == 404


def test_move_closes_and_reopens(north: Api, rep_north: Any, pipe: Any) -> None:
    deal = make_deal(rep_north, pipe)
    url = f"{DEALS}/{deal.pk}/move"
    won = north.post(url, {"stage_id": stage(pipe, "Closed won").pk, "version": 1})
    assert won.status_code == 200
    data = won.json()
    assert (data["status"], data["probability"], data["version"]) == ("won", 100, 2)
    assert data["closed_at"] is not None
    assert data["stage_entered_at"] == data["closed_at"]
    lost = north.post(url, {"stage_id": stage(pipe, "Closed lost").pk, "lost_reason": "Price"})
    assert (lost.json()["status"], lost.json()["lost_reason"]) == ("lost", "Price")
    reopened = north.post(url, {"stage_id": stage(pipe, "Demo").pk})
    assert (reopened.json()["status"], reopened.json()["closed_at"]) == ("open", None)
    assert DealStageChange.objects.filter(deal=deal).count() == 4
    # A PATCH with a new stage is a move too.
    offer = north.patch(f"{DEALS}/{deal.pk}", {"stage_id": stage(pipe, "Offer").pk})
    assert offer.json()["probability"] == 70
    assert DealStageChange.objects.filter(deal=deal).count() == 5


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"amount": "-1"}, "amount"),
        ({"amount": 12.5}, "amount"),
        ({"amount": "1.234"}, "amount"),
        ({"amount": "100.5", "currency": "JPY"}, "amount"),
        ({"currency": "XYZ"}, "currency"),
        ({"status": "won"}, "status"),
        ({"status": "maybe"}, "status"),
        ({"probability": 101}, "probability"),
        ({"close_date": "31/12/2031"}, "close_date"),
        ({"close_date": 20310101}, "close_date"),
        ({"title": ""}, "title"),
        ({"stage_id": 0}, "stage_id"),
        ({"stage_id": 99999999}, "stage_id"),
        ({"pipeline_id": 99999999}, "pipeline_id"),
        ({"organization_id": 99999999}, "organization_id"),
        ({"person_ids": [99999999]}, "person_ids"),
        ({"owner_id": 99999999}, "owner_id"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_input_is_422_naming_the_field(
    north: Api, pipe: Any, extra: dict[str, Any], field: str
) -> None:
    response = north.post(DEALS, body(pipe, **extra))
    assert response.status_code == 422, response.json()
    assert field in fields(response)
    assert not Deal.objects.exists()


def test_a_stage_of_another_pipeline_is_422(north: Api, rep_north: Any, pipe: Any) -> None:
    other = make_pipeline("Other", position=2)
    response = north.post(DEALS, body(pipe, stage_id=stage(other, "Demo").pk))
    assert response.status_code == 422
    assert fields(response) == {"stage_id"}
    deal = make_deal(rep_north, pipe)
    moved = north.post(f"{DEALS}/{deal.pk}/move", {"stage_id": stage(other, "Demo").pk})
    assert moved.status_code == 422
    assert fields(moved) == {"stage_id"}
    assert north.post(f"{DEALS}/{deal.pk}/move", {}).status_code == 422


def test_won_status_on_a_non_won_stage_is_422(north: Api, rep_north: Any, pipe: Any) -> None:
    deal = make_deal(rep_north, pipe)
    response = north.patch(f"{DEALS}/{deal.pk}", {"status": "won"})
    assert response.status_code == 422
    assert fields(response) == {"status"}
    closing = north.patch(
        f"{DEALS}/{deal.pk}", {"status": "won", "stage_id": stage(pipe, "Closed won").pk}
    )
    assert closing.status_code == 200
    assert closing.json()["status"] == "won"


def test_stale_versions_are_412(north: Api, rep_north: Any, pipe: Any) -> None:
    deal = make_deal(rep_north, pipe)
    url = f"{DEALS}/{deal.pk}"
    assert north.patch(url, {"next_step": "x"}, HTTP_IF_MATCH='"1"').status_code == 200
    stale = north.patch(url, {"next_step": "y"}, HTTP_IF_MATCH='"1"')
    assert stale.status_code == 412
    assert stale.json()["current_version"] == 2
    assert (
        north.post(f"{url}/move", {"stage_id": stage(pipe, "Demo").pk, "version": 1}).status_code
        == 412
    )
    assert north.delete(url, {"version": 1}).status_code == 412
    deal.refresh_from_db()
    assert (deal.next_step, deal.stage.name, deal.deleted_at) == ("x", "Lead in", None)


def test_list_filters_and_cursor_pages(
    north: Api, rep_north: Any, pipe: Any, organization_factory: Any, person_factory: Any
) -> None:
    org = organization_factory(rep_north, name="Bakery")
    ana = person_factory(rep_north)
    a = make_deal(rep_north, pipe, title="A", organization_id=org.pk)
    b = make_deal(rep_north, pipe, title="B", person_ids=[ana.pk], stage_id=stage(pipe, "Demo").pk)
    c = make_deal(rep_north, pipe, title="C", stage_id=stage(pipe, "Closed won").pk)

    def ids(**params: Any) -> list[int]:
        response = north.get(DEALS, params)
        assert response.status_code == 200, response.json()
        return [d["id"] for d in response.json()["items"]]

    assert set(ids()) == {a.pk, b.pk, c.pk}
    assert ids(organization_id=org.pk) == [a.pk]
    assert ids(person_id=ana.pk) == [b.pk]
    assert ids(stage_id=stage(pipe, "Demo").pk) == [b.pk]
    assert ids(status="won") == [c.pk]
    assert set(ids(pipeline_id=pipe.pk, owner_id=rep_north.pk)) == {a.pk, b.pk, c.pk}
    first = north.get(DEALS, {"limit": 2}).json()
    second = north.get(DEALS, {"limit": 2, "cursor": first["next_cursor"]}).json()
    assert len(first["items"]) == 2
    assert len(second["items"]) == 1
    assert second["next_cursor"] is None
    assert {d["id"] for d in first["items"] + second["items"]} == {a.pk, b.pk, c.pk}
    bad = north.get(DEALS, {"stage": 1})
    assert bad.status_code == 422
    assert fields(bad) == {"stage"}
    assert north.get(DEALS, {"status": "maybe"}).status_code == 422


def test_another_team_gets_404(north: Api, south: Api, rep_north: Any, pipe: Any) -> None:
    deal = make_deal(rep_north, pipe)
    url = f"{DEALS}/{deal.pk}"
    assert south.get(url).status_code == 404
    assert south.patch(url, {"title": "Mine"}).status_code == 404
    assert south.post(f"{url}/move", {"stage_id": stage(pipe, "Demo").pk}).status_code == 404
    assert south.delete(url).status_code == 404
    assert south.get(DEALS).json()["items"] == []
    deal.refresh_from_db()
    assert (deal.title, deal.stage.name, deal.deleted_at) == (
        "Ovens for the bakery",
        "Lead in",
        None,
    )


def test_scopes(rep_north: Any, pipe: Any) -> None:
    reader = Api(rep_north, ("sales:read",))
    assert reader.get(DEALS).status_code == 200
    refused = reader.post(DEALS, body(pipe))
    assert refused.status_code == 403
    assert refused.json()["required_scope"] == "sales:write"
    other = Api(rep_north, ("contacts:read",))
    assert other.get("/api/v1/pipelines").status_code == 403


def test_idempotent_create(north: Api, pipe: Any) -> None:
    first = north.post(DEALS, body(pipe), HTTP_IDEMPOTENCY_KEY="deal-1")
    again = north.post(DEALS, body(pipe), HTTP_IDEMPOTENCY_KEY="deal-1")
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert Deal.objects.count() == 1
