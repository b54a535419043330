"""What each user sees of the analytics, through the API and the pages: a rep of team
North never sees South's customers or totals (nor South North's), shares and classes
are computed over what the reader sees; refresh jobs; bad input answers 422 with a
clear message; the empty state."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from clientela.analytics import services
from clientela.analytics.tests import shop
from clientela.contacts.services import person_create
from clientela.core.models import RolePermission
from clientela.core.testing.api import Api, fields
from clientela.sales.services.orders import order_create

pytestmark = pytest.mark.django_db

READ = ("analytics:read",)
ABC, RFM = "/api/v1/analytics/abc", "/api/v1/analytics/rfm"


@pytest.fixture
def history(rep_north: Any, rep_south: Any, admin: Any) -> dict[str, Any]:
    data = shop.build(rep_north, rep_south)
    # South's own customer with revenue in the ABC period.
    data["people"]["S2"] = person_create(
        actor=rep_south, data={"first_name": "South", "last_name": "S2"}
    )
    shop.order(rep_south, data["people"]["S2"], 3, "250.00", product=data["lamp"])
    for snapshot in services.refresh(None, as_of=shop.AS_OF, queue=False):
        services.run_snapshot(snapshot.pk)
    return data


def page(user: Any, url: str) -> Any:
    client = Client()
    client.force_login(user)
    return client.get(url)


def test_the_owner_sees_every_customer_ranked(admin: Any, history: dict[str, Any]) -> None:
    body = Api(admin, READ).get(ABC).json()
    names = [item["name"] for item in body["items"]]
    assert names[:2] == ["North N1", "South S2"]
    assert len(names) == 11
    assert body["currency"] == "USD"
    assert body["items"][0]["class"] == "A"
    assert body["items"][0]["revenue"] == "500.00"
    assert body["as_of"].startswith("2025-06-30T23:59:59")  # the end of the as-of day


def test_a_rep_sees_only_their_teams_customers_and_totals(
    rep_north: Any, rep_south: Any, history: dict[str, Any]
) -> None:
    north = Api(rep_north, READ).get(ABC).json()["items"]
    assert [i["name"] for i in north] == [f"North N{n}" for n in range(1, 11)]
    assert "".join(i["class"] for i in north) == "AAABBBBCCC"  # over North's 1,000 USD
    assert north[0]["share"] == pytest.approx(0.5)
    south = Api(rep_south, READ).get(ABC).json()["items"]
    assert [(i["name"], i["class"], i["share"]) for i in south] == [("South S2", "A", 1.0)]
    # Products: South's lamp revenue is South's order only (250), North's 500 + 500.
    south_products = Api(rep_south, READ).get(ABC, {"kind": "products"}).json()["items"]
    assert [(i["name"], i["revenue"]) for i in south_products] == [("Lamp", "250.00")]
    north_products = Api(rep_north, READ).get(ABC, {"kind": "products"}).json()["items"]
    assert sorted((i["name"], i["revenue"]) for i in north_products) == [
        ("Desk", "500.00"),
        ("Lamp", "500.00"),
    ]


def test_rfm_is_scoped_and_filtered(
    rep_north: Any, rep_south: Any, history: dict[str, Any]
) -> None:
    south = Api(rep_south, READ).get(RFM).json()["items"]
    assert {i["name"] for i in south} == {"South S1", "South S2"}
    at_risk = Api(rep_north, READ).get(RFM, {"segment": "at_risk"}).json()["items"]
    assert [i["person_id"] for i in at_risk] == [history["people"]["N9"].pk]
    assert Api(rep_south, READ).get(RFM, {"segment": "at_risk"}).json()["items"] == []


def test_pages_are_scoped(rep_north: Any, rep_south: Any, history: dict[str, Any]) -> None:
    html = page(rep_south, "/analytics/").content.decode()
    assert "South S2" in html
    assert "North N1" not in html
    assert "500.00" not in html
    assert "1,000" not in html
    north_html = page(rep_north, "/analytics/").content.decode()
    assert "North N1" in north_html
    assert "South S2" not in north_html
    segment = page(rep_north, "/analytics/rfm/at_risk/").content.decode()
    assert "North N9" in segment
    assert "North N9" not in page(rep_south, "/analytics/rfm/at_risk/").content.decode()
    csv = page(rep_south, "/analytics/rfm/lost/csv/").content.decode()
    assert "South S1" in csv
    assert "North" not in csv
    grid = page(rep_south, "/analytics/rfm/").content.decode()
    assert 'id="rfm-grid"' in grid


def test_panel_on_the_person_page(rep_north: Any, rep_south: Any, history: dict[str, Any]) -> None:
    n1 = history["people"]["N1"]
    html = page(rep_north, f"/people/{n1.pk}/").content.decode()
    assert 'id="abc-class">A<' in html
    assert "Champions" in html
    assert page(rep_south, f"/people/{n1.pk}/").status_code == 404


def test_without_the_right_to_read_orders_nothing_shows(
    rep_north: Any, history: dict[str, Any]
) -> None:
    RolePermission.objects.filter(role=rep_north.role, resource="sales.order").update(
        can_read=False
    )
    RolePermission.objects.filter(role=rep_north.role).first().save()  # type: ignore[union-attr]
    rep_north.refresh_from_db()
    assert page(rep_north, "/analytics/").status_code == 404
    assert page(rep_north, "/analytics/rfm/at_risk/").status_code == 404
    assert Api(rep_north, READ).get(ABC).json()["items"] == []
    assert Api(rep_north, READ).get(RFM).json()["items"] == []


@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        ({"from": "2025-02-01", "to": "2025-01-01"}, "to", "before the start"),
        ({"from": "2010-01-01", "to": "2025-01-01"}, "from", "ten years"),
        ({"a": 80, "b": 15, "c": 10}, "c", "add up to 100"),
        ({"from": "yesterday"}, "from", "YYYY-MM-DD"),
        ({"kind": "planets"}, "kind", ""),
        ({"colour": "red"}, "colour", "Unknown"),
    ],
)
def test_bad_input_is_422(
    rep_north: Any, history: dict[str, Any], params: dict[str, Any], field: str, words: str
) -> None:
    response = Api(rep_north, READ).get(ABC, params)
    assert response.status_code == 422
    assert field in fields(response)
    assert words in response.content.decode()


def test_bad_input_on_the_page_is_said_next_to_the_field(
    rep_north: Any, history: dict[str, Any]
) -> None:
    response = page(rep_north, "/analytics/?a=80&b=15&c=10")
    assert response.status_code == 200
    assert "add up to 100" in response.content.decode()


def test_a_period_of_ones_own_is_computed_now(rep_north: Any, history: dict[str, Any]) -> None:
    body = Api(rep_north, READ).get(ABC, {"from": "2024-01-01", "to": "2025-06-30"}).json()
    names = [i["name"] for i in body["items"]]
    assert "North N9" in names
    assert names[0] == "North N9"
    assert body["from"] == "2024-01-01"


def test_rfm_pages_with_cursors(admin: Any, history: dict[str, Any]) -> None:
    api = Api(admin, READ)
    first = api.get(RFM, {"limit": 5}).json()
    second = api.get(RFM, {"limit": 5, "cursor": first["next_cursor"]}).json()
    third = api.get(RFM, {"limit": 5, "cursor": second["next_cursor"]}).json()
    names = [i["name"] for page in (first, second, third) for i in page["items"]]
    assert len(names) == len(set(names)) == 12
    assert third["next_cursor"] is None
    abc1 = api.get(ABC, {"limit": 4}).json()
    abc2 = api.get(ABC, {"limit": 4, "cursor": abc1["next_cursor"]}).json()
    assert next(i["name"] for i in abc2["items"]) == "North N4"  # after N1, S2, N2, N3


def test_refresh_answers_202_with_jobs_to_poll(rep_north: Any, db: Any) -> None:
    api = Api(rep_north, ("analytics:read", "analytics:write"))
    response = api.post("/api/v1/analytics/refresh", {"kinds": ["rfm"]})
    assert response.status_code == 202
    jobs = response.json()["jobs"]
    assert [j["kind"] for j in jobs] == ["rfm"]
    assert jobs[0]["status"] == "queued"
    polled = api.get(jobs[0]["url"])
    assert polled.status_code == 200
    assert polled.json()["id"] == jobs[0]["id"]
    # A second request while one waits gives the waiting job, not a new one.
    again = api.post("/api/v1/analytics/refresh", {"kinds": ["rfm"]}).json()["jobs"]
    assert again[0]["id"] == jobs[0]["id"]
    assert api.get("/api/v1/analytics/jobs/999999").status_code == 404
    reader = Api(rep_north, READ)
    assert reader.post("/api/v1/analytics/refresh", {}).status_code == 403
    bad = api.post("/api/v1/analytics/refresh", {"a": 50, "b": 10, "c": 10})
    assert bad.status_code == 422


def test_empty_history_shows_what_is_needed(rep_north: Any) -> None:
    html = page(rep_north, "/analytics/").content.decode()
    assert "ABC analysis needs orders" in html
    assert "RFM needs orders" in page(rep_north, "/analytics/rfm/").content.decode()
    assert Api(rep_north, READ).get(ABC).json()["items"] == []


def test_refresh_now_on_the_page(rep_north: Any, history: dict[str, Any]) -> None:
    client = Client()
    client.force_login(rep_north)
    response = client.post("/analytics/refresh/abc/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'id="analytics-progress"' in response.content.decode()
    assert client.get("/analytics/refresh/abc/").status_code == 405


def test_segment_conditions_offered_to_lower_apps(
    rep_north: Any, rep_south: Any, history: dict[str, Any]
) -> None:
    from clientela.contacts.models import Person  # noqa: PLC0415
    from clientela.core.conditions import condition_fields  # noqa: PLC0415

    conditions = {
        c.key: c for c in condition_fields("contacts.person") if c.key.startswith("analytics.")
    }
    assert set(conditions) == {"analytics.abc_class", "analytics.rfm_segment"}
    rfm, abc = conditions["analytics.rfm_segment"], conditions["analytics.abc_class"]
    assert ("at_risk", "At risk") in rfm.choice_list()
    people = Person.objects.alive()
    assert list(people.filter(rfm.q(rep_north, "eq", "at_risk"))) == [history["people"]["N9"]]
    assert not people.filter(rfm.q(rep_south, "eq", "at_risk")).exists()
    north_a = {p.last_name for p in people.filter(abc.q(rep_north, "eq", "A"))}
    assert north_a == {"N1", "N2", "N3"}
    assert {p.last_name for p in people.filter(abc.q(rep_south, "in", ["A"]))} == {"S2"}
    assert not people.filter(rfm.q(rep_north, "eq", "bogus")).exists()


def test_an_organizations_orders_count_for_the_organization(
    rep_north: Any, organization_factory: Any, history: dict[str, Any]
) -> None:
    acme = organization_factory(rep_north, name="Acme")
    order_create(
        actor=rep_north,
        data={
            "organization_id": acme.pk,
            "person_id": history["people"]["N1"].pk,
            "currency": "USD",
            "ordered_at": shop.at(2),
            "lines": [{"description": "Big", "quantity": "1", "unit_price": "9000.00"}],
        },
    )
    for snapshot in services.refresh(None, as_of=shop.AS_OF, queue=False):
        services.run_snapshot(snapshot.pk)
    items = Api(rep_north, READ).get(ABC).json()["items"]
    assert (items[0]["name"], items[0]["id"], items[0]["revenue"]) == ("Acme", acme.pk, "9000.00")
    assert items[1]["revenue"] == "500.00"  # N1's own orders only
    html = page(rep_north, f"/organizations/{acme.pk}/").content.decode()
    assert 'id="abc-class">A<' in html
    rfm = Api(rep_north, READ).get(RFM).json()["items"]
    assert rfm[0]["organization_id"] == acme.pk
    assert rfm[0]["person_id"] is None
