"""``GET /api/v1/analytics/basket-rules`` and ``GET /api/v1/people/{id}/recommendations``
on the shop with its baskets (``shop.add_baskets``): fields, filters, pages, bad input
(422 on the field), what each user may see (a rep's rules count only their orders; a
person they may not see is 404), refreshing with other thresholds."""

from __future__ import annotations

from typing import Any

import pytest

from clientela.analytics.models import Snapshot
from clientela.analytics.tests import shop
from clientela.core.testing.api import Api, fields

pytestmark = pytest.mark.django_db

READ = ("analytics:read",)
RULES = "/api/v1/analytics/basket-rules"
THRESHOLDS = shop.BASKET_THRESHOLDS


def recommendations(person: Any) -> str:
    return f"/api/v1/people/{person.pk}/recommendations"


@pytest.fixture
def history(rep_north: Any, rep_south: Any) -> dict[str, Any]:
    data = shop.add_baskets(rep_north, rep_south, shop.build(rep_north, rep_south))
    shop.rules_snapshot(THRESHOLDS)
    return data


def rule_names(item: dict[str, Any]) -> tuple[list[str], list[str]]:
    """A rule's product names, each side sorted by name (the API sorts them by id)."""
    return (
        sorted(p["name"] for p in item["antecedents"]),
        sorted(p["name"] for p in item["consequents"]),
    )


def find(items: list[dict[str, Any]], lhs: list[str], rhs: list[str]) -> dict[str, Any]:
    return next(i for i in items if rule_names(i) == (lhs, rhs))


def test_rules_with_their_products_and_figures(admin: Any, history: dict[str, Any]) -> None:
    body = Api(admin, READ).get(RULES, {"limit": 200}).json()
    assert body["basket"] == "order"
    assert body["as_of"].startswith("2025-06-30T23:59:59")
    assert body["minimum"] == body["thresholds"] == THRESHOLDS
    rule = find(body["items"], ["Bulb"], ["Lamp"])
    assert rule["antecedents"] == [{"id": history["bulb"].pk, "name": "Bulb"}]
    assert rule["count"] == 3
    assert rule["support"] == pytest.approx(3 / 29, abs=1e-6)
    assert rule["confidence"] == pytest.approx(0.6)
    assert rule["lift"] == pytest.approx(0.6 * 29 / 10, abs=1e-6)
    scores = [i["score"] for i in body["items"]]
    assert scores == sorted(scores, reverse=True)
    customers = Api(admin, READ).get(RULES, {"basket": "customer", "limit": 200}).json()
    desk_chair = find(customers["items"], ["Chair", "Desk"], ["Lamp"])
    assert desk_chair["count"] == 2


def test_stricter_thresholds_filter_and_sorts(admin: Any, history: dict[str, Any]) -> None:
    api = Api(admin, READ)
    every = api.get(RULES, {"limit": 200}).json()["items"]
    strict = api.get(RULES, {"min_support": 0.1, "min_confidence": 0.7, "limit": 200}).json()
    assert strict["thresholds"]["min_support"] == 0.1
    assert strict["items"]
    assert len(strict["items"]) < len(every)
    assert all(i["support"] >= 0.1 and i["confidence"] >= 0.7 for i in strict["items"])
    kept = [i for i in every if i["support"] >= 0.1 and i["confidence"] >= 0.7]
    assert strict["items"] == kept
    by_lift = [i["lift"] for i in api.get(RULES, {"sort": "lift", "limit": 200}).json()["items"]]
    assert by_lift == sorted(by_lift, reverse=True)


def test_pages_with_cursors(admin: Any, history: dict[str, Any]) -> None:
    api = Api(admin, READ)
    every = api.get(RULES, {"limit": 200}).json()["items"]
    assert len(every) > 3
    seen, cursor = [], None
    while True:
        params: dict[str, Any] = {"limit": 3}
        if cursor:
            params["cursor"] = cursor
        body = api.get(RULES, params).json()
        seen += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == every


@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        ({"min_support": 0.01}, "min_support", "minimum of 0.05"),
        ({"min_confidence": 0.2}, "min_confidence", "/api/v1/analytics/refresh"),
        ({"min_support": 0}, "min_support", "above 0 and at most 1"),
        ({"min_support": 1.5}, "min_support", "at most 1"),
        ({"min_support": -0.1}, "min_support", "above 0"),
        ({"min_support": "lots"}, "min_support", ""),
        ({"basket": "trolley"}, "basket", ""),
        ({"sort": "price"}, "sort", ""),
        ({"colour": "red"}, "colour", "Unknown"),
    ],
)
def test_bad_input_is_422_on_the_field(
    rep_north: Any, history: dict[str, Any], params: dict[str, Any], field: str, words: str
) -> None:
    response = Api(rep_north, READ).get(RULES, params)
    assert response.status_code == 422
    assert field in fields(response)
    assert words in response.content.decode()


def test_a_rep_sees_rules_of_their_orders_only(
    rep_north: Any, rep_south: Any, history: dict[str, Any]
) -> None:
    south = Api(rep_south, READ).get(RULES, {"limit": 200}).json()["items"]
    assert south
    names = {p["name"] for i in south for p in i["antecedents"] + i["consequents"]}
    assert names <= {"Bulb", "Shade", "Chair"}
    # South's two orders: both hold a bulb.
    assert find(south, ["Shade"], ["Bulb"])["support"] == pytest.approx(0.5)
    north = Api(rep_north, READ).get(RULES, {"limit": 200}).json()["items"]
    # In North's 27 orders every bulb goes with a lamp (South's bulbs do not count).
    bulb_lamp = find(north, ["Bulb"], ["Lamp"])
    assert (bulb_lamp["count"], bulb_lamp["confidence"]) == (3, 1.0)
    assert bulb_lamp["lift"] == pytest.approx(2.7)


def test_recommendations_leave_out_what_was_bought(admin: Any, history: dict[str, Any]) -> None:
    n5 = history["people"]["N5"]  # bought a desk and a chair
    body = Api(admin, READ).get(recommendations(n5)).json()
    names = [i["name"] for i in body["items"]]
    assert names[0] == "Lamp"
    assert not {"Desk", "Chair"} & set(names)
    assert len(names) <= 3
    top = body["items"][0]
    assert top["id"] == history["lamp"].pk
    assert rule_names(top["rule"]) == (["Chair", "Desk"], ["Lamp"])
    assert top["score"] == pytest.approx(top["rule"]["lift"] * top["rule"]["confidence"])
    one = Api(admin, READ).get(recommendations(n5), {"limit": 1}).json()["items"]
    assert [i["name"] for i in one] == ["Lamp"]
    # A product in the trash is not offered.
    history["lamp"].deleted_at = history["lamp"].created_at
    history["lamp"].save()
    again = Api(admin, READ).get(recommendations(n5)).json()["items"]
    assert "Lamp" not in [i["name"] for i in again]


def test_recommendations_respect_visibility(
    rep_north: Any, rep_south: Any, history: dict[str, Any]
) -> None:
    n5 = history["people"]["N5"]
    assert Api(rep_south, READ).get(recommendations(n5)).status_code == 404
    assert Api(rep_north, READ).get("/api/v1/people/999999/recommendations").status_code == 404
    north = Api(rep_north, READ).get(recommendations(n5)).json()["items"]
    assert north
    assert not {"Desk", "Chair"} & {i["name"] for i in north}
    bad = Api(rep_north, READ).get(recommendations(n5), {"limit": 0})
    assert bad.status_code == 422
    assert "limit" in fields(bad)


def test_refresh_with_thresholds(rep_north: Any, history: dict[str, Any]) -> None:
    api = Api(rep_north, ("analytics:read", "analytics:write"))
    body = {"kinds": ["basket_rules"], "min_support": 0.2, "min_confidence": 0.3}
    response = api.post("/api/v1/analytics/refresh", body)
    assert response.status_code == 202
    job = Snapshot.objects.get(pk=response.json()["jobs"][0]["id"])
    assert job.parameters == {"min_support": 0.2, "min_confidence": 0.3, "max_length": 3}
    Snapshot.objects.filter(pk=job.pk).delete()
    bad = api.post("/api/v1/analytics/refresh", {"kinds": ["basket_rules"], "min_support": 0})
    assert bad.status_code == 422
    assert "min_support" in fields(bad)
    long = api.post("/api/v1/analytics/refresh", {"max_length": 12})
    assert long.status_code == 422
    assert "max_length" in fields(long)
