"""Lifetime value requests that need no purchase history: bad input (422), a refresh
as of a past day (a future or too old one refused), a backtest asked for from the
page, and the empty state. The tests on a computed history are in
``test_clv_access.py``."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from clientela.analytics.models import Snapshot
from clientela.analytics.tests.test_access import page
from clientela.core.testing.api import Api, fields

pytestmark = pytest.mark.django_db

READ = ("analytics:read",)
CLV = "/api/v1/analytics/clv"


@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        ({"as_of": "yesterday"}, "as_of", "YYYY-MM-DD"),
        ({"below": "0"}, "below", ""),
        ({"top": "101"}, "top", ""),
        ({"colour": "red"}, "colour", "Unknown"),
    ],
)
def test_bad_input_is_422(
    rep_north: Any, params: dict[str, Any], field: str, words: str, db: Any
) -> None:
    response = Api(rep_north, READ).get(CLV, params)
    assert response.status_code == 422
    assert field in fields(response)
    assert words in response.content.decode()


def test_refresh_as_of_a_past_day(rep_north: Any, db: Any) -> None:
    api = Api(rep_north, ("analytics:read", "analytics:write"))
    refresh = "/api/v1/analytics/refresh"
    response = api.post(refresh, {"kinds": ["clv"], "as_of": "2025-06-30"})
    assert response.status_code == 202
    job = response.json()["jobs"][0]
    assert (job["kind"], job["as_of"][:10]) == ("clv", "2025-06-30")
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    future = api.post(refresh, {"kinds": ["clv"], "as_of": tomorrow})
    assert future.status_code == 422
    assert fields(future) == {"as_of"}
    assert "future" in future.json()["errors"][0]["message"]
    old = (timezone.localdate() - datetime.timedelta(days=3660)).isoformat()
    too_old = api.post(refresh, {"kinds": ["clv"], "as_of": old})
    assert too_old.status_code == 422
    assert "ten years" in too_old.content.decode()
    assert api.post(refresh, {"kinds": ["clv"], "as_of": "soon"}).status_code == 422


def test_a_backtest_from_the_page(rep_north: Any, db: Any) -> None:
    client = Client()
    client.force_login(rep_north)
    response = client.post("/analytics/clv/backtest/", {"day": "2025-06-30"})
    assert response.status_code == 302
    assert response["Location"].endswith("?as_of=2025-06-30")
    assert Snapshot.objects.filter(kind="clv", status="queued").count() == 1
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    refused = client.post("/analytics/clv/backtest/", {"day": tomorrow.isoformat()}, follow=True)
    assert "cannot be in the future" in refused.content.decode()
    assert Snapshot.objects.filter(kind="clv").count() == 1
    assert client.get("/analytics/clv/backtest/").status_code == 405


def test_the_empty_state_says_what_is_needed(rep_north: Any, db: Any) -> None:
    html = page(rep_north, "/analytics/clv/").content.decode()
    assert "No lifetime value yet. It needs orders" in html
    assert Api(rep_north, READ).get(CLV).json() == {
        "items": [],
        "next_cursor": None,
        "model": None,
        "currency": "",
        "as_of": None,
        "at_risk_below": 0.5,
        "valuable_top_percent": 20,
    }
