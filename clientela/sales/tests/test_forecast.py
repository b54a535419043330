"""The forecast on a small known data set: open, weighted, committed and won per owner,
team and in total, converted to the base currency (with a missing rate); what a rep,
an admin and the filters see; the page and ``GET /api/v1/forecast``."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clientela.core.testing.api import Api, fields
from clientela.sales.models import Deal, Pipeline, Stage
from clientela.sales.selectors.forecast import forecast, month_bounds, quarter_bounds
from clientela.sales.tests import test_orders_services as shared

# Fixtures shared with the order service tests.
rates = shared.rates
pytestmark = pytest.mark.django_db

Q1 = {"date_from": datetime.date(2025, 1, 1), "date_to": datetime.date(2025, 3, 31)}
FORECAST = "/api/v1/forecast"


@pytest.fixture
def pipeline(db: Any) -> Pipeline:
    pipeline = Pipeline.objects.create(name="Forecast test", position=9)
    Stage.objects.create(pipeline=pipeline, name="Lead", position=0, probability=10)
    Stage.objects.create(pipeline=pipeline, name="Won", position=1, probability=100, is_won=True)
    Stage.objects.create(pipeline=pipeline, name="Lost", position=2, is_lost=True)
    return pipeline


def add_deal(
    owner: Any,
    pipeline: Pipeline,
    amount: str,
    currency: str = "USD",
    *,
    probability: int = 50,
    status: str = "open",
    close: datetime.date = datetime.date(2025, 2, 1),
    **extra: Any,
) -> Deal:
    """A deal row as the deal services would leave it (fixture data, not a use case)."""
    stage = (
        pipeline.stages.get(is_won=status == "won", is_lost=status == "lost")
        if status != "open"
        else pipeline.stages.get(name="Lead")
    )
    return Deal.objects.create(
        title=f"{owner} {amount} {currency}",
        pipeline=pipeline,
        stage=stage,
        status=status,
        amount=Decimal(amount),
        currency=currency,
        probability=probability,
        close_date=close,
        stage_entered_at=timezone.now(),
        owner=owner,
        team=owner.team,
        **extra,
    )


@pytest.fixture
def deals(rep_north: Any, rep_north2: Any, rep_south: Any, pipeline: Pipeline, rates: None) -> None:
    add_deal(rep_north, pipeline, "1000.00", probability=50)
    add_deal(
        rep_north, pipeline, "2000.00", "EUR", probability=90, close=datetime.date(2025, 3, 31)
    )
    add_deal(rep_north, pipeline, "500.00", status="won", close=datetime.date(2025, 1, 15))
    add_deal(rep_north, pipeline, "999.00", status="lost")
    add_deal(rep_north, pipeline, "300.00", "GBP")  # no exchange rate
    add_deal(rep_north, pipeline, "4000.00", close=datetime.date(2025, 4, 1))  # after Q1
    add_deal(rep_north, pipeline, "4000.00", close=datetime.date(2024, 12, 31))  # before Q1
    add_deal(rep_north, pipeline, "100.00", deleted_at=timezone.now())  # in the trash
    add_deal(rep_north2, pipeline, "100.50", probability=33)
    add_deal(rep_south, pipeline, "700.00", probability=100)


def figures(row: Any) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    return (row.open, row.weighted, row.committed, row.won)


def test_a_rep_sees_their_team(rep_north: Any, rep_north2: Any, deals: None) -> None:
    result = forecast(rep_north, **Q1)
    assert result.base_currency == "USD"
    assert result.missing_rates == ["GBP"]
    by_owner = {row.key: row for row in result.owners}
    assert set(by_owner) == {rep_north.pk, rep_north2.pk}  # not South's deal
    # 1000 USD at 50 % + 2000 EUR (= 2200 USD) at 90 %, and 500 USD won.
    assert figures(by_owner[rep_north.pk]) == (
        Decimal("3200.00"),
        Decimal("2480.00"),
        Decimal("2200.00"),
        Decimal("500.00"),
    )
    assert by_owner[rep_north.pk].deals == 3
    assert by_owner[rep_north.pk].name == str(rep_north)
    assert figures(by_owner[rep_north2.pk]) == (
        Decimal("100.50"),
        Decimal("33.17"),  # 33.165 rounded half up
        Decimal("0.00"),
        Decimal("0.00"),
    )
    # The total is rounded once, from the exact sums.
    assert figures(result.total) == (
        Decimal("3300.50"),
        Decimal("2513.17"),
        Decimal("2200.00"),
        Decimal("500.00"),
    )
    assert [t.name for t in result.teams] == ["North"]
    assert result.owners[0].key == rep_north.pk  # largest weighted first


def test_an_admin_sees_every_team_and_can_filter(
    admin: Any, rep_north2: Any, rep_south: Any, pipeline: Pipeline, deals: None
) -> None:
    result = forecast(admin, **Q1)
    assert result.total.open == Decimal("4000.50")
    assert result.total.committed == Decimal("2900.00")
    assert {t.name for t in result.teams} == {"North", "South"}
    south = forecast(admin, **Q1, team=rep_south.team)
    assert [o.key for o in south.owners] == [rep_south.pk]
    only_ned = forecast(admin, **Q1, owner=rep_north2.pk)
    assert [o.key for o in only_ned.owners] == [rep_north2.pk]
    other = Pipeline.objects.create(name="Renewals", position=1)
    assert forecast(admin, **Q1, pipeline=other).is_empty
    assert not forecast(admin, **Q1, pipeline=pipeline.pk).is_empty


def test_without_a_rate_nothing_is_converted_but_the_base_currency(
    rep_north: Any, pipeline: Pipeline
) -> None:
    add_deal(rep_north, pipeline, "10.00", "EUR")
    add_deal(rep_north, pipeline, "5.00", "USD", probability=100)
    result = forecast(rep_north, **Q1)
    assert result.missing_rates == ["EUR"]
    assert figures(result.total) == (
        Decimal("5.00"),
        Decimal("5.00"),
        Decimal("5.00"),
        Decimal("0.00"),
    )


def test_queries_do_not_grow_with_deals(
    rep_north: Any, pipeline: Pipeline, rates: None, django_assert_max_num_queries: Any
) -> None:
    add_deal(rep_north, pipeline, "1.00")
    with django_assert_max_num_queries(6) as few:
        forecast(rep_north, **Q1)
    for n in range(30):
        add_deal(rep_north, pipeline, f"{n}.25", "EUR" if n % 2 else "USD")
    with django_assert_max_num_queries(len(few.captured_queries) + 1):  # + the EUR rate
        result = forecast(rep_north, **Q1)
    assert result.total.deals == 31


def test_period_bounds() -> None:
    assert month_bounds(datetime.date(2024, 2, 10)) == (
        datetime.date(2024, 2, 1),
        datetime.date(2024, 2, 29),
    )
    assert quarter_bounds(datetime.date(2025, 11, 30)) == (
        datetime.date(2025, 10, 1),
        datetime.date(2025, 12, 31),
    )


# --- the page -------------------------------------------------------------------------------


def test_forecast_page_custom_period(rep_north: Any, deals: None) -> None:
    client = Client()
    client.force_login(rep_north)
    response = client.get(
        reverse("sales:forecast"),
        {"period": "custom", "date_from": "2025-01-01", "date_to": "2025-03-31"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="forecast-data"' in body
    assert "chart.umd.min.js" in body
    assert "$2,513.17" in body  # the weighted total
    assert 'id="missing-rates"' in body
    assert "GBP" in body
    table = body[body.index('id="forecast-table"') :]
    assert "nora_north" in table
    assert "sam_south" not in table


def test_forecast_page_empty_state_and_bad_dates(rep_north: Any) -> None:
    client = Client()
    client.force_login(rep_north)
    response = client.get(reverse("sales:forecast"))
    assert response.status_code == 200
    assert "No open or won deals close in this period." in response.content.decode()
    bad = client.get(
        reverse("sales:forecast"),
        {"period": "custom", "date_from": "2025-03-31", "date_to": "2025-01-01"},
    )
    assert bad.status_code == 200
    assert "The end date is before the start date." in bad.content.decode()
    assert 'id="forecast-data"' not in bad.content.decode()
    junk = client.get(reverse("sales:forecast"), {"period": "custom", "date_from": "soon"})
    assert junk.status_code == 200
    assert "is-invalid" in junk.content.decode()


# --- the API --------------------------------------------------------------------------------


def test_forecast_api(rep_north: Any, rep_north2: Any, deals: None) -> None:
    api = Api(rep_north, ("sales:read",))
    response = api.get(FORECAST, {"from": "2025-01-01", "to": "2025-03-31"})
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["currency"], data["from"], data["to"]) == ("USD", "2025-01-01", "2025-03-31")
    assert data["missing_rates"] == ["GBP"]
    assert data["total"] | {"deals": 0} == {
        "open": "3300.50",
        "weighted": "2513.17",
        "committed": "2200.00",
        "won": "500.00",
        "deals": 0,
    }
    nora = next(o for o in data["owners"] if o["owner_id"] == rep_north.pk)
    assert nora == {
        "owner_id": rep_north.pk,
        "name": str(rep_north),
        "open": "3200.00",
        "weighted": "2480.00",
        "committed": "2200.00",
        "won": "500.00",
        "deals": 3,
    }
    filtered = api.get(
        FORECAST, {"from": "2025-01-01", "to": "2025-03-31", "owner_id": rep_north2.pk}
    )
    assert [o["owner_id"] for o in filtered.json()["owners"]] == [rep_north2.pk]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2025-13-01", "to": "2025-03-31"}, "from"),
        ({"from": "2025-01-01", "to": "yesterday"}, "to"),
        ({"from": "2025-04-01", "to": "2025-03-31"}, "to"),
        ({"from": "2020-01-01", "to": "2025-03-31"}, "to"),
        ({"to": "2025-03-31"}, "from"),
        ({"from": "2025-01-01", "to": "2025-03-31", "owner_id": "me"}, "owner_id"),
        ({"from": "2025-01-01", "to": "2025-03-31", "ownr": "1"}, "ownr"),
    ],
)
def test_forecast_api_bad_input(rep_north: Any, params: dict[str, str], field: str) -> None:
    response = Api(rep_north, ("sales:read",)).get(FORECAST, params)
    assert response.status_code == 422, response.content
    assert field in fields(response)


def test_forecast_api_needs_the_read_scope(rep_north: Any) -> None:
    response = Api(rep_north, ("contacts:read",)).get(
        FORECAST, {"from": "2025-01-01", "to": "2025-03-31"}
    )
    assert response.status_code == 403
