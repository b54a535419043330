"""Offer management (issue 13, item 8): conversion, time to acceptance and values by
rep, product and month and the value funnel, over a small set of quotes with fixed
dates; what each user sees; bad periods; the page (English and Spanish), its CSV and
the API."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from clientela.analytics import offers
from clientela.analytics.compute import Period
from clientela.analytics.tests import shop
from clientela.contacts.services import person_create
from clientela.core.models import RolePermission
from clientela.core.testing.api import Api, fields
from clientela.sales.models import ExchangeRate, Product, Quote
from clientela.sales.services.quotes import quote_create

pytestmark = pytest.mark.django_db

URL = "/api/v1/analytics/offers"
READ = ("analytics:read",)
PERIOD = Period(datetime.date(2024, 7, 1), datetime.date(2025, 6, 30))
QUERY = {"from": "2024-07-01", "to": "2025-06-30"}


def _moment(day: str) -> datetime.datetime:
    return datetime.datetime.combine(
        datetime.date.fromisoformat(day), datetime.time(9), tzinfo=datetime.UTC
    )


def _quote(
    actor: Any,
    person: Any,
    day: str,
    lines: list[tuple[Product, str]],
    *,
    currency: str = "USD",
    status: str = "draft",
    sent: str | None = None,
    decided: str | None = None,
) -> Quote:
    quote = quote_create(
        actor=actor,
        data={
            "person_id": person.pk,
            "currency": currency,
            "issue_date": datetime.date.fromisoformat(day),
            "lines": [
                {"product_id": p.pk, "quantity": "1", "unit_price": price, "tax_rate": "0"}
                for p, price in lines
            ],
        },
    )
    # The sending and the customer's answer happened on fixed days.
    Quote.objects.filter(pk=quote.pk).update(
        status=status,
        sent_at=_moment(sent) if sent else None,
        decided_at=_moment(decided) if decided else None,
    )
    return quote


@pytest.fixture
def quotes(rep_north: Any, rep_south: Any) -> dict[str, Any]:
    return build_quotes(rep_north, rep_south)


def build_quotes(rep_north: Any, rep_south: Any) -> dict[str, Any]:
    """North's five quotes in the period (and one before), South's one (see the tests'
    figures)."""
    lamp, desk = shop.catalogue()
    north = person_create(actor=rep_north, data={"first_name": "North", "last_name": "Buyer"})
    south = person_create(actor=rep_south, data={"first_name": "South", "last_name": "Buyer"})
    _quote(rep_north, north, "2025-01-10", [(lamp, "100.00")])
    _quote(
        rep_north,
        north,
        "2025-02-01",
        [(desk, "200.00")],
        status="accepted",
        sent="2025-02-01",
        decided="2025-02-05",
    )
    _quote(  # 80 EUR = 100 USD
        rep_north,
        north,
        "2025-02-10",
        [(lamp, "40.00"), (desk, "40.00")],
        currency="EUR",
        status="accepted",
        sent="2025-02-10",
        decided="2025-02-20",
    )
    _quote(
        rep_north,
        north,
        "2025-03-01",
        [(lamp, "50.00")],
        status="rejected",
        sent="2025-03-01",
        decided="2025-03-03",
    )
    _quote(rep_north, north, "2025-03-15", [(desk, "30.00")], status="expired", sent="2025-03-15")
    # Before the period: counts nowhere.
    _quote(
        rep_north,
        north,
        "2024-01-01",
        [(desk, "999.00")],
        status="accepted",
        sent="2024-01-01",
        decided="2024-01-02",
    )
    _quote(
        rep_south,
        south,
        "2025-02-01",
        [(lamp, "500.00")],
        status="accepted",
        sent="2025-02-01",
        decided="2025-02-03",
    )
    return {"lamp": lamp, "desk": desk}


def _rows(result: offers.Offers) -> dict[str, tuple[Any, ...]]:
    return {
        row.name: (
            row.quotes,
            row.sent,
            row.accepted,
            row.conversion,
            row.median_days,
            str(row.value_quoted),
            str(row.value_sent),
            str(row.value_accepted),
        )
        for row in result.rows
    }


def _funnel(result: offers.Offers) -> list[tuple[str, int, str]]:
    return [(s.step, s.count, str(s.value)) for s in result.funnel]


def test_figures_by_rep_for_someone_who_sees_everything(
    admin: Any, rep_north: Any, quotes: dict[str, Any]
) -> None:
    result = offers.offers(admin, by="rep", period=PERIOD)
    assert _funnel(result) == [
        ("draft", 6, "980.00"),
        ("sent", 5, "880.00"),
        ("accepted", 3, "800.00"),
    ]
    assert _rows(result) == {
        rep_north.username: (5, 4, 2, 0.5, 7.0, "480.00", "380.00", "300.00"),
        "sam_south": (1, 1, 1, 1.0, 2.0, "500.00", "500.00", "500.00"),
    }
    assert result.base_currency == "USD"
    assert result.missing_rates == []


def test_figures_by_product_count_each_quote_once_per_product(
    admin: Any, quotes: dict[str, Any]
) -> None:
    rows = _rows(offers.offers(admin, by="product", period=PERIOD))
    assert rows["Lamp"] == (4, 3, 2, 2 / 3, 6.0, "700.00", "600.00", "550.00")
    assert rows["Desk"] == (3, 3, 2, 2 / 3, 7.0, "280.00", "280.00", "250.00")


def test_figures_by_month(admin: Any, quotes: dict[str, Any]) -> None:
    result = offers.offers(admin, by="month", period=PERIOD)
    assert [r.name for r in result.rows] == ["2025-01", "2025-02", "2025-03"]
    rows = _rows(result)
    assert rows["2025-01"] == (1, 0, 0, None, None, "100.00", "0.00", "0.00")
    assert rows["2025-02"] == (3, 3, 3, 1.0, 4.0, "800.00", "800.00", "800.00")
    assert rows["2025-03"] == (2, 2, 0, 0.0, None, "80.00", "80.00", "0.00")


def test_rows_sort_by_any_column(admin: Any, quotes: dict[str, Any]) -> None:
    by_conversion = offers.offers(admin, by="month", period=PERIOD, sort="-conversion")
    assert [r.name for r in by_conversion.rows] == ["2025-02", "2025-03", "2025-01"]
    by_name = offers.offers(admin, by="product", period=PERIOD, sort="-name")
    assert [r.name for r in by_name.rows] == ["Lamp", "Desk"]


def test_a_rep_counts_only_their_quotes(
    rep_north: Any, rep_south: Any, quotes: dict[str, Any]
) -> None:
    north = offers.offers(rep_north, by="rep", period=PERIOD)
    assert _funnel(north) == [
        ("draft", 5, "480.00"),
        ("sent", 4, "380.00"),
        ("accepted", 2, "300.00"),
    ]
    assert list(_rows(north)) == [rep_north.username]
    south = _rows(offers.offers(rep_south, by="product", period=PERIOD))
    assert south == {"Lamp": (1, 1, 1, 1.0, 2.0, "500.00", "500.00", "500.00")}
    api = Api(rep_south, READ).get(URL, {**QUERY, "by": "product"}).json()
    assert [(i["name"], i["value_accepted"]) for i in api["items"]] == [("Lamp", "500.00")]
    assert api["funnel"][0] == {"step": "draft", "count": 1, "value": "500.00"}


def test_a_missing_rate_leaves_values_out_and_says_so(admin: Any, quotes: dict[str, Any]) -> None:
    ExchangeRate.objects.all().delete()
    result = offers.offers(admin, by="rep", period=PERIOD)
    assert result.missing_rates == ["EUR"]
    assert _funnel(result)[0] == ("draft", 6, "880.00")  # counted, not valued


def test_bad_periods_are_refused_with_the_field(admin: Any) -> None:
    api = Api(admin, READ)
    reversed_ = api.get(URL, {"from": "2025-06-30", "to": "2025-01-01"})
    assert reversed_.status_code == 422
    assert fields(reversed_) == {"to"}
    too_long = api.get(URL, {"from": "2010-01-01", "to": "2025-01-01"})
    assert too_long.status_code == 422
    assert fields(too_long) == {"from"}
    assert fields(api.get(URL, {"from": "yesterday"})) == {"from"}
    assert fields(api.get(URL, {"by": "colour"})) == {"by"}
    assert fields(api.get(URL, {"group": "rep"})) == {"group"}
    client = Client()
    client.force_login(admin)
    page = client.get("/analytics/offers/", {"date_from": "2025-06-30", "date_to": "2025-01-01"})
    assert page.status_code == 200
    assert "The end date is before the start date." in page.content.decode()


def test_the_api_answers_items_and_funnel(admin: Any, quotes: dict[str, Any]) -> None:
    body = Api(admin, READ).get(URL, {**QUERY, "by": "month"}).json()
    assert body["by"] == "month"
    assert body["currency"] == "USD"
    assert body["from"] == "2024-07-01"
    assert body["to"] == "2025-06-30"
    february = next(i for i in body["items"] if i["key"] == "2025-02")
    assert february["conversion_rate"] == 1.0
    assert february["median_days_to_accept"] == 4.0
    assert [s["count"] for s in body["funnel"]] == [6, 5, 3]
    assert Api(admin, ("contacts:read",)).get(URL).status_code == 403
    # Without ``from``: the 12 months up to ``to`` (the quote of 2024-01-01 is older).
    default = Api(admin, READ).get(URL, {"to": "2025-06-30"}).json()
    assert default["from"] == "2024-07-01"
    assert [s["count"] for s in default["funnel"]] == [6, 5, 3]


def _page(user: Any, params: dict[str, str]) -> str:
    client = Client()
    client.force_login(user)
    response = client.get("/analytics/offers/", params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_shows_the_funnel_and_the_table(
    rep_north: Any, rep_south: Any, quotes: dict[str, Any]
) -> None:
    params = {"date_from": "2024-07-01", "date_to": "2025-06-30"}
    html = _page(rep_north, {**params, "by": "product"})
    assert 'id="offer-funnel"' in html
    assert 'id="offers-table"' in html
    assert "Lamp" in html
    assert "Desk" in html
    assert "$480.00" in html  # North's drafted value
    assert "$500.00" not in html  # South's quote
    assert 'aria-sort="descending"' in html  # by value accepted
    south = _page(rep_south, params)
    assert "sam_south" in south
    assert rep_north.username not in south


def test_the_page_in_spanish(admin: Any, quotes: dict[str, Any]) -> None:
    admin.language = "es"
    admin.save()
    html = _page(admin, {"date_from": "2024-07-01", "date_to": "2025-06-30"})
    with translation.override("es"):
        assert translation.gettext("Value funnel") != "Value funnel"
        assert translation.gettext("Value funnel") in html
        assert translation.gettext("Median days to accept") in html
        assert "Ofertas" in html


def test_the_empty_state_says_what_is_needed(admin: Any) -> None:
    html = _page(admin, {})
    assert "The offer figures need quotes" in html
    assert 'id="offers-table"' not in html


def test_the_csv_lists_the_rows(rep_north: Any, quotes: dict[str, Any]) -> None:
    client = Client()
    client.force_login(rep_north)
    response = client.get(
        "/analytics/offers/csv/",
        {"date_from": "2024-07-01", "date_to": "2025-06-30", "by": "month"},
    )
    lines = response.content.decode().strip().splitlines()
    assert lines[0].startswith("Name,id,Quotes,Sent,Accepted,Conversion")
    assert lines[1:] == [
        "2025-01,,1,0,0,,,100.00,0.00,0.00,USD",
        "2025-02,,2,2,2,1.0000,7.0,300.00,300.00,300.00,USD",
        "2025-03,,2,2,0,0.0000,,80.00,80.00,0.00,USD",
    ]
    assert response["Content-Disposition"] == 'attachment; filename="offers-by-month.csv"'


def test_without_the_right_to_read_quotes_the_page_is_not_found(rep_north: Any) -> None:
    RolePermission.objects.filter(role=rep_north.role, resource="sales.quote").update(
        can_read=False
    )
    RolePermission.objects.filter(role=rep_north.role).first().save()  # type: ignore[union-attr]
    rep_north.refresh_from_db()
    client = Client()
    client.force_login(rep_north)
    assert client.get("/analytics/offers/").status_code == 404
    assert client.get("/analytics/offers/csv/").status_code == 404
