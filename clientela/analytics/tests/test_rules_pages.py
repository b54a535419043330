"""The "Bought together" pages (Django test client): the rules list with its baskets,
sorts, threshold errors next to the field, CSV and empty state; mining again with lower
thresholds; a product's bought-together page; "Offer next" on the person page; all
scoped (a rep's pages count only their orders) and in Spanish."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client

from clientela.analytics.choices import SnapshotStatus
from clientela.analytics.models import Snapshot
from clientela.analytics.tests import shop

pytestmark = pytest.mark.django_db

RULES = "/analytics/bought-together/"
THRESHOLDS = shop.BASKET_THRESHOLDS


@pytest.fixture
def history(rep_north: Any, rep_south: Any) -> dict[str, Any]:
    data = shop.add_baskets(rep_north, rep_south, shop.build(rep_north, rep_south))
    shop.rules_snapshot(THRESHOLDS)
    return data


def client_for(user: Any, language: str = "en") -> Client:
    client = Client(headers={"accept-language": language})
    client.force_login(user)
    return client


def html(user: Any, url: str, language: str = "en") -> str:
    response = client_for(user, language).get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_the_rules_list(admin: Any, rep_north: Any, history: dict[str, Any]) -> None:
    page = html(admin, RULES)
    assert 'id="rules-table"' in page
    assert ">Bulb</a>" in page
    assert "mined at 5.0 % and 50.0 %" in page
    by_lift = html(admin, f"{RULES}?sort=lift")
    assert 'id="sort-lift"' in by_lift
    customers = html(admin, f"{RULES}?basket=customer")
    assert 'id="basket-customer"' in customers
    assert "Rules over 11 baskets" in customers
    # A rep's rules count their own orders: North's 27 of the 29.
    assert "Rules over 27 baskets" in html(rep_north, RULES)
    lamp = history["lamp"].pk
    assert f'href="/analytics/bought-together/products/{lamp}/"' in page


def test_thresholds_are_checked_next_to_the_field(admin: Any, history: dict[str, Any]) -> None:
    page = html(admin, f"{RULES}?min_support=0")
    assert 'id="id_min_support-errors"' in page
    assert "above 0 and at most 1" in page
    below = html(admin, f"{RULES}?min_support=0.01")
    assert "minimum of 0.05" in below
    assert 'id="rules-mine"' in below
    strict = html(admin, f"{RULES}?min_support=0.9")
    assert "No rule reaches these thresholds" in strict


def test_mine_again_with_lower_thresholds(admin: Any, history: dict[str, Any]) -> None:
    client = client_for(admin)
    response = client.post(
        "/analytics/bought-together/mine/", {"min_support": "0.02", "min_confidence": "0.4"}
    )
    assert response.status_code == 302
    queued = Snapshot.objects.get(kind="basket_rules", status=SnapshotStatus.QUEUED)
    assert queued.parameters["min_support"] == 0.02
    assert queued.parameters["min_confidence"] == 0.4
    assert client.get("/analytics/bought-together/mine/").status_code == 405


def test_csv(admin: Any, rep_south: Any, history: dict[str, Any]) -> None:
    response = client_for(admin).get(f"{RULES}csv/?basket=order&min_confidence=0.6")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:4] == ["Who buys", "antecedent_ids", "Also buys", "consequent_ids"]
    assert all(float(r[5]) >= 0.6 for r in rows[1:])
    assert len(rows) > 1
    south = client_for(rep_south).get(f"{RULES}csv/").content.decode()
    assert "Lamp" not in south
    assert "Shade" in south


def test_a_rep_sees_rules_of_their_orders(rep_south: Any, history: dict[str, Any]) -> None:
    page = html(rep_south, RULES)
    assert ">Shade</a>" in page
    assert ">Lamp</a>" not in page
    assert "Counted over the orders you may see." in page


def test_empty_state_says_what_is_needed(admin: Any) -> None:
    page = html(admin, RULES)
    assert "The rules need orders (not cancelled) with at least two products" in page


def test_a_products_page(admin: Any, rep_south: Any, history: dict[str, Any]) -> None:
    bulb = history["bulb"].pk
    page = html(admin, f"/analytics/bought-together/products/{bulb}/")
    assert 'id="bought-together"' in page
    assert ">Lamp</a>" in page
    south = html(rep_south, f"/analytics/bought-together/products/{bulb}/")
    assert ">Lamp</a>" not in south
    assert ">Shade</a>" in south
    missing = client_for(admin).get("/analytics/bought-together/products/999999/")
    assert missing.status_code == 404


def test_offer_next_on_the_person_page(
    rep_north: Any, rep_south: Any, history: dict[str, Any]
) -> None:
    n5 = history["people"]["N5"]
    page = html(rep_north, f"/people/{n5.pk}/")
    assert 'id="offer-next"' in page
    offers = page.split('id="offer-next"')[1].split("</ol>")[0]
    assert ">Lamp</a>" in offers
    assert ">Desk</a>" not in offers
    assert ">Chair</a>" not in offers
    assert client_for(rep_south).get(f"/people/{n5.pk}/").status_code == 404


def test_in_spanish(admin: Any, history: dict[str, Any]) -> None:
    admin.language = "es"
    admin.save()
    page = html(admin, RULES, "es")
    assert "Comprados juntos" in page
    assert "Quien compra" in page
    n5 = history["people"]["N5"]
    assert "Ofrecer después" in html(admin, f"/people/{n5.pk}/", "es")
