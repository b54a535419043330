"""Lifetime value through the API and the pages, on one computed history: the model
and each visible customer's figures, the at-risk filter, snapshots as of a past day
(404 saying how to compute one), a rep seeing only their customers (404 on
another's), the page with its lists and CSV, and the person panel. The history and
its two snapshots are built once for the module (``core.testing.module_data``): the
tests only read them. What needs no history is in ``test_clv_requests.py``."""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clientela.analytics import services
from clientela.analytics.choices import AnalysisKind
from clientela.analytics.models import ClvRow, Snapshot
from clientela.analytics.tests import clv_shop, shop
from clientela.analytics.tests.test_access import page
from clientela.core.testing.api import Api
from clientela.core.testing.module_data import built_for_module
from conftest import named_user

pytestmark = pytest.mark.django_db

READ = ("analytics:read",)
CLV = "/api/v1/analytics/clv"
EARLIER = shop.AS_OF - datetime.timedelta(days=60)


def compute(as_of: datetime.date) -> Snapshot:
    snapshot = services.refresh(None, kinds=[AnalysisKind.CLV], as_of=as_of, queue=False)[0]
    return services.run_snapshot(snapshot.pk)


@pytest.fixture(scope="module")
def history(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    with built_for_module(django_db_blocker):
        users = {name: named_user(name) for name in ("admin", "rep_north", "rep_south")}
        data = clv_shop.build(users["rep_north"], users["rep_south"])
        data["users"] = users
        data["current"] = compute(shop.AS_OF)
        data["backtest"] = compute(EARLIER)
        assert data["backtest"].status == "done", data["backtest"].error
        # The one as of AS_OF was asked for on that day (it is the current one).
        Snapshot.objects.filter(pk=data["current"].pk).update(
            created_at=timezone.make_aware(datetime.datetime.combine(shop.AS_OF, datetime.time(3)))
        )
        yield data


# The module's users are the history's (conftest's fixtures would create them again).
@pytest.fixture
def admin(history: dict[str, Any]) -> Any:
    return history["users"]["admin"]


@pytest.fixture
def rep_north(history: dict[str, Any]) -> Any:
    return history["users"]["rep_north"]


@pytest.fixture
def rep_south(history: dict[str, Any]) -> Any:
    return history["users"]["rep_south"]


def test_the_model_and_every_customer(admin: Any, history: dict[str, Any]) -> None:
    body = Api(admin, READ).get(CLV, {"limit": 100}).json()
    model = body["model"]
    assert set(model) == {
        "r",
        "alpha",
        "a",
        "b",
        "p",
        "q",
        "v",
        "time_unit",
        "log_likelihood",
        "customers",
        "penalty",
        "spend_model",
        "spend_note",
        "average_spend",
    }
    assert model == history["current"].parameters["model"]
    assert model["penalty"] == 0.0  # a plain fit on this history
    assert model["spend_model"] == "gamma-gamma"
    assert model["average_spend"] is None
    assert body["currency"] == "USD"
    assert body["as_of"].startswith("2025-06-30T23:59:59")
    items = body["items"]
    assert len(items) == 60
    assert body["next_cursor"] is None
    revenue = [float(i["expected_revenue_12m"]) for i in items]
    assert revenue == sorted(revenue, reverse=True)
    for item in items:
        assert item["organization_id"] is None
        assert item["name"].startswith("Customer C")
        assert 0 <= item["p_alive"] <= 1
        assert math.isfinite(item["expected_purchases_90d"])
        assert item["expected_purchases_90d"] >= 0
        assert "nan" not in str(item).lower()
    c1 = history["people"]["C1"]
    row = ClvRow.objects.get(snapshot=history["current"], person=c1)
    mine = next(i for i in items if i["person_id"] == c1.pk)
    assert mine["p_alive"] == pytest.approx(row.p_alive, abs=1e-6)
    assert mine["expected_revenue_12m"] == str(row.expected_revenue_12m)


def test_at_risk_are_valuable_customers_whose_chance_fell(
    admin: Any, history: dict[str, Any]
) -> None:
    api = Api(admin, READ)
    everyone = api.get(CLV, {"limit": 100}).json()["items"]
    risky = api.get(CLV, {"at_risk": "true", "limit": 100}).json()
    by_revenue = sorted(everyone, key=lambda i: -float(i["revenue"]))
    top = {i["person_id"] for i in by_revenue[:12]}  # the top 20 % of 60
    expected = {i["person_id"] for i in everyone if i["p_alive"] < 0.5} & top
    assert expected, "the history has valuable customers at risk"
    assert {i["person_id"] for i in risky["items"]} == expected
    assert all(i["at_risk"] for i in risky["items"])
    assert risky["at_risk_below"] == 0.5
    assert risky["valuable_top_percent"] == 20
    wider = api.get(CLV, {"at_risk": "true", "below": 0.9, "top": 100, "limit": 100}).json()
    assert len(wider["items"]) == sum(1 for i in everyone if i["p_alive"] < 0.9)


def test_as_of_reads_a_backtest_or_says_how_to_compute_it(
    admin: Any, history: dict[str, Any]
) -> None:
    api = Api(admin, READ)
    backtest = api.get(CLV, {"as_of": EARLIER.isoformat()}).json()
    assert backtest["as_of"].startswith(EARLIER.isoformat())
    assert backtest["model"]["customers"] == 57
    assert backtest["model"] == history["backtest"].parameters["model"]
    missing = api.get(CLV, {"as_of": "2025-01-15"})
    assert missing.status_code == 404
    assert "POST /api/v1/analytics/refresh" in missing.json()["detail"]
    assert '"as_of": "2025-01-15"' in missing.json()["detail"]


def test_a_rep_sees_only_their_customers(
    rep_north: Any, rep_south: Any, history: dict[str, Any]
) -> None:
    people = history["people"]
    north = {people[f"C{n}"].pk for n in range(1, 31)}
    seen = Api(rep_north, READ).get(CLV, {"limit": 100}).json()["items"]
    assert {i["person_id"] for i in seen} == north
    risky = Api(rep_south, READ).get(CLV, {"at_risk": "true", "limit": 100}).json()["items"]
    assert not {i["person_id"] for i in risky} & north
    one = Api(rep_north, READ).get(CLV, {"person_id": people["C1"].pk}).json()["items"]
    assert [i["person_id"] for i in one] == [people["C1"].pk]
    assert Api(rep_north, READ).get(CLV, {"person_id": people["C40"].pk}).status_code == 404
    assert Api(rep_south, READ).get(CLV, {"person_id": people["C1"].pk}).status_code == 404


def test_pages_with_cursors(admin: Any, history: dict[str, Any]) -> None:
    api = Api(admin, READ)
    first = api.get(CLV, {"limit": 25}).json()
    second = api.get(CLV, {"limit": 25, "cursor": first["next_cursor"]}).json()
    third = api.get(CLV, {"limit": 25, "cursor": second["next_cursor"]}).json()
    ids = [i["person_id"] for body in (first, second, third) for i in body["items"]]
    assert len(ids) == len(set(ids)) == 60
    assert third["next_cursor"] is None


def test_the_page_lists_customers_and_those_at_risk(
    rep_north: Any, rep_south: Any, history: dict[str, Any]
) -> None:
    html = page(rep_north, "/analytics/clv/").content.decode()
    assert 'id="clv-model"' in html
    assert "While active, a typical customer buys about once every" in html
    north_rows = ClvRow.objects.filter(snapshot=history["current"], person__owner=rep_north)
    best = north_rows.order_by("-expected_revenue_12m", "id").first()
    assert best is not None
    assert f">{best.name}</a>" in html
    assert "Customer C40" not in html
    at_risk = page(rep_north, "/analytics/clv/?list=risk").content.decode()
    assert 'id="clv-list-risk"' in at_risk
    csv = page(rep_north, "/analytics/clv/csv/?list=risk&below=1&top=100").content.decode()
    lines = csv.strip().splitlines()
    north_repeat = north_rows.filter(p_alive__lt=1).count()
    assert len(lines) == 1 + north_repeat
    assert not any(f"Customer C{n}," in csv for n in range(31, 61))
    everyone = page(rep_south, "/analytics/clv/csv/").content.decode()
    assert len(everyone.strip().splitlines()) == 31
    sorted_page = page(rep_north, "/analytics/clv/?sort=name").content.decode()
    assert sorted_page.index(">Customer C1</a>") < sorted_page.index(">Customer C10</a>")
    second = page(rep_north, "/analytics/clv/?sort=name&page=2").content.decode()
    assert ">Customer C1</a>" not in second
    backtest = page(rep_north, f"/analytics/clv/?as_of={EARLIER.isoformat()}").content.decode()
    assert 'id="clv-backtest"' in backtest
    missing = page(rep_north, "/analytics/clv/?as_of=2025-01-15").content.decode()
    assert 'id="clv-not-computed"' in missing


def test_the_person_panel(rep_north: Any, rep_south: Any, history: dict[str, Any]) -> None:
    c1 = history["people"]["C1"]
    row = ClvRow.objects.get(snapshot=history["current"], person=c1)
    html = page(rep_north, f"/people/{c1.pk}/").content.decode()
    assert "Probability still active" in html
    assert f"<strong>{round(row.p_alive * 100)} %</strong>" in html
    assert "Expected revenue next 12 months" in html
    assert 'id="clv-churn-risk"' in html
    assert page(rep_south, f"/people/{c1.pk}/").status_code == 404


def test_the_page_reads_a_fixed_number_of_queries(rep_north: Any, history: dict[str, Any]) -> None:
    client = Client()
    client.force_login(rep_north)
    counts = []
    for url in ("/analytics/clv/", "/analytics/clv/?list=risk", "/analytics/clv/?page=2"):
        client.get(url)  # warm the session and caches
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    # 25 rows, 1 row and 5 rows: the same queries (no query per row).
    assert len(set(counts)) == 1, counts


def test_a_bad_threshold_is_said_and_the_rest_kept(rep_north: Any, history: dict[str, Any]) -> None:
    html = page(rep_north, f"/analytics/clv/?list=risk&below=7&as_of={EARLIER}").content.decode()
    assert "Ensure this value is less than or equal to 1" in html
    assert 'id="clv-backtest"' in html  # the as-of day still counts
