"""Purchase cycles as snapshots over the small shop (``shop``, as of 30 June 2025), the
"due to reorder" list, the margin, what each user sees (pages, the person panel, the
API), bad input and the empty history.

From ``shop``: N1 ordered 1, 20, 50, 80 and 120 days before the as-of day (gaps 40, 30,
30, 19: a 30-day cycle, last order yesterday: not due); N3 40, 70 and 90 days before
(gaps 20, 30: 25 days, 15 days late = 0.6 of a cycle: due); N4 every 50 days, last 100
days ago (50 days late = a whole cycle: due, first). Everyone else has fewer than three
purchase days. Desk: N2 (50), N3 (25) and N4 (50) bought it again: 50 days; Lamp: N1
alone, 30 days. South's S2 (added here) buys a lamp every 10 days, last 3 days ago.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client

from clientela.analytics import selectors_cycles, services
from clientela.analytics.choices import SnapshotStatus
from clientela.analytics.models import CustomerCycleRow, ProductCycleRow, Snapshot
from clientela.analytics.tests import shop
from clientela.contacts.models import Person
from clientela.contacts.services import person_create
from clientela.core.conditions.dates import trigger_date
from clientela.core.testing.api import Api, fields
from clientela.sales.services.orders import order_create

pytestmark = pytest.mark.django_db

READ = ("analytics:read",)
URL = "/api/v1/analytics/purchase-cycles"
d = datetime.date


def computed(margin: Any = None) -> Snapshot:
    snapshots = services.refresh(
        None,
        kinds=["cycles"],
        as_of=shop.AS_OF,
        parameters=None if margin is None else {"cycles": {"margin": margin}},
        queue=False,
    )
    return services.run_snapshot(snapshots[0].pk)


@pytest.fixture
def history(rep_north: Any, rep_south: Any) -> dict[str, Any]:
    data = shop.build(rep_north, rep_south)
    data["people"]["S2"] = person_create(
        actor=rep_south, data={"first_name": "South", "last_name": "S2"}
    )
    for days in (3, 13, 23):
        shop.order(rep_south, data["people"]["S2"], days, "20.00", product=data["lamp"])
    data["snapshot"] = computed()
    return data


def page(user: Any, url: str, **extra: Any) -> Any:
    client = Client()
    client.force_login(user)
    return client.get(url, **extra)


def test_the_snapshot_holds_every_customers_cycle(history: dict[str, Any]) -> None:
    snapshot = history["snapshot"]
    assert snapshot.status == SnapshotStatus.DONE, snapshot.error
    rows = {r.name: r for r in CustomerCycleRow.objects.filter(snapshot=snapshot)}
    assert set(rows) == {"North N1", "North N3", "North N4", "South S2"}
    n1, n3, n4 = rows["North N1"], rows["North N3"], rows["North N4"]
    assert (n1.orders, n1.median_days, n1.last_order, n1.next_expected) == (
        5,
        30.0,
        d(2025, 6, 29),
        d(2025, 7, 29),
    )
    assert (n1.overdue_days, n1.due) == (-29.0, False)
    assert (n3.median_days, n3.next_expected, n3.overdue_days, n3.due) == (
        25.0,
        d(2025, 6, 15),
        15.0,
        True,
    )
    assert n3.overdue_share == pytest.approx(0.6)
    assert (n4.median_days, n4.overdue_days, n4.overdue_share, n4.due) == (50.0, 50.0, 1.0, True)
    assert n4.person_id == history["people"]["N4"].pk
    assert snapshot.parameters["margin"] == 0.25
    assert (snapshot.parameters["customers"], snapshot.parameters["due"]) == (4, 2)


def test_the_snapshot_holds_every_products_interval(history: dict[str, Any]) -> None:
    rows = ProductCycleRow.objects.filter(snapshot=history["snapshot"]).order_by("median_days")
    assert [(r.name, r.median_days, r.customers, r.intervals) for r in rows] == [
        ("Lamp", 20.0, 2, 6),  # N1's 30 days and S2's 10
        ("Desk", 50.0, 3, 6),
    ]


def test_due_to_reorder_most_overdue_first(admin: Any, history: dict[str, Any]) -> None:
    due = selectors_cycles.customer_cycles(admin, due=True)
    assert [r.name for r in due] == ["North N4", "North N3"]
    by_name = selectors_cycles.customer_cycles(admin, sort="name")
    assert [r.name for r in by_name] == ["North N1", "North N3", "North N4", "South S2"]
    by_cycle = selectors_cycles.customer_cycles(admin, sort="-cycle")
    assert [r.name for r in by_cycle][:2] == ["North N4", "North N1"]


def test_another_margin_changes_who_is_due(admin: Any, history: dict[str, Any]) -> None:
    due = selectors_cycles.customer_cycles(admin, due=True, margin=0.7)
    assert [r.name for r in due] == ["North N4"]  # N3 is 0.6 of a cycle late
    assert not selectors_cycles.customer_cycles(admin, due=True, margin=1.0).exists()
    body = Api(admin, READ).get(URL, {"due": "true", "margin": "0.7"}).json()
    assert [(i["name"], i["due"]) for i in body["items"]] == [("North N4", True)]
    assert body["margin"] == 0.7


def test_a_snapshot_with_its_own_margin(history: dict[str, Any]) -> None:
    snapshot = computed(margin=0.7)
    assert snapshot.status == SnapshotStatus.DONE, snapshot.error
    due = CustomerCycleRow.objects.filter(snapshot=snapshot, due=True)
    assert [r.name for r in due] == ["North N4"]


@pytest.mark.parametrize("margin", [-0.1, 11, "a lot", True])
def test_a_bad_margin_fails_the_snapshot_and_says_why(history: dict[str, Any], margin: Any) -> None:
    before = history["snapshot"]
    snapshot = computed(margin=margin)
    assert snapshot.status == SnapshotStatus.FAILED
    assert "The margin must be a share of the cycle from 0 to 10" in snapshot.error
    assert selectors_cycles.current_snapshot() == before
    assert CustomerCycleRow.objects.filter(snapshot=before).count() == 4


def test_an_empty_history_fails_with_what_is_needed(rep_north: Any) -> None:
    snapshot = computed()
    assert snapshot.status == SnapshotStatus.FAILED
    assert "There are no purchases on or before 2025-06-30" in snapshot.error
    assert "import or record some orders first" in snapshot.error
    html = page(rep_north, "/analytics/cycles/").content.decode()
    assert 'id="analytics-failed"' in html
    assert "There are no purchases" in html
    assert "at least three different days" in html


@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        ({"margin": "-1"}, "margin", "from 0 to 10"),
        ({"margin": "nan"}, "margin", "from 0 to 10"),
        ({"margin": "a lot"}, "margin", ""),
        ({"due": "maybe"}, "due", ""),
        ({"colour": "red"}, "colour", "Unknown"),
        ({"cursor": "forged"}, "cursor", "not valid"),
    ],
)
def test_bad_api_input_is_422(
    rep_north: Any, history: dict[str, Any], params: dict[str, Any], field: str, words: str
) -> None:
    response = Api(rep_north, READ).get(URL, params)
    assert response.status_code == 422
    assert field in fields(response)
    assert words in response.content.decode()


def test_a_rep_sees_only_their_customers(
    rep_north: Any, rep_south: Any, history: dict[str, Any]
) -> None:
    north = Api(rep_north, READ).get(URL).json()["items"]
    assert [i["name"] for i in north] == ["North N4", "North N3", "North N1"]
    assert north[0] == {
        "person_id": history["people"]["N4"].pk,
        "organization_id": None,
        "name": "North N4",
        "orders": 4,
        "median_days": 50.0,
        "last_order": "2025-03-22",
        "next_expected": "2025-05-11",
        "overdue_days": 50.0,
        "due": True,
    }
    south = Api(rep_south, READ).get(URL).json()["items"]
    assert [(i["name"], i["due"]) for i in south] == [("South S2", False)]
    assert Api(rep_south, READ).get(URL, {"due": "true"}).json()["items"] == []


def test_product_intervals_count_only_the_orders_one_may_see(
    admin: Any, rep_south: Any, history: dict[str, Any]
) -> None:
    products = f"{URL}/products"
    everyone = Api(admin, READ).get(products).json()["items"]
    assert [(i["name"], i["median_days"], i["customers"]) for i in everyone] == [
        ("Lamp", 20.0, 2),
        ("Desk", 50.0, 3),
    ]
    south = Api(rep_south, READ).get(products).json()["items"]
    assert [(i["name"], i["median_days"], i["customers"]) for i in south] == [("Lamp", 10.0, 1)]
    html = page(rep_south, "/analytics/cycles/?tab=products").content.decode()
    assert 'id="product-cycles"' in html
    assert "Desk" not in html


def test_the_list_pages_with_cursors(admin: Any, history: dict[str, Any]) -> None:
    api = Api(admin, READ)
    first = api.get(URL, {"limit": 3}).json()
    second = api.get(URL, {"limit": 3, "cursor": first["next_cursor"]}).json()
    assert [i["name"] for i in first["items"] + second["items"]] == [
        "North N4",
        "North N3",
        "South S2",
        "North N1",
    ]
    assert second["next_cursor"] is None


def test_the_due_list_page(rep_north: Any, rep_south: Any, history: dict[str, Any]) -> None:
    html = page(rep_north, "/analytics/cycles/").content.decode()
    assert html.index("North N4") < html.index("North N3")
    assert "North N1" not in html  # not due
    assert f'href="/people/{history["people"]["N4"].pk}/"' in html
    all_html = page(rep_north, "/analytics/cycles/?tab=all&sort=name").content.decode()
    assert all_html.index("North N1") < all_html.index("North N3") < all_html.index("North N4")
    south = page(rep_south, "/analytics/cycles/").content.decode()
    assert "North" not in south
    assert "Nobody is due to reorder" in south
    assert "more than 25 %" in south
    sorted_htmx = page(
        rep_north,
        "/analytics/cycles/?tab=all&sort=-name",
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="cycles-results",
    ).content.decode()
    assert sorted_htmx.startswith('<div id="cycles-results">')
    assert sorted_htmx.index("North N4") < sorted_htmx.index("North N1")


def test_only_mine_and_the_csv(rep_north: Any, rep_north2: Any, history: dict[str, Any]) -> None:
    # ned_north shares North's team, so he sees North's customers, but owns none.
    assert "North N4" in page(rep_north2, "/analytics/cycles/").content.decode()
    mine = page(rep_north2, "/analytics/cycles/?mine=on").content.decode()
    assert "North N4" not in mine
    csv = page(rep_north, "/analytics/cycles/csv/?tab=due").content.decode()
    lines = csv.strip().splitlines()
    assert lines[0].startswith("Name,person_id,organization_id,Orders")
    assert [line.split(",")[0] for line in lines[1:]] == ["North N4", "North N3"]
    assert lines[1].endswith(",2025-03-22,2025-05-11,50,yes")
    products = page(rep_north, "/analytics/cycles/csv/?tab=products").content.decode()
    assert "Desk,3,50" in products


def test_a_bad_margin_on_the_page_is_said_next_to_the_field(
    rep_north: Any, history: dict[str, Any]
) -> None:
    response = page(rep_north, "/analytics/cycles/?margin=-5")
    assert response.status_code == 200
    assert "Enter a margin from 0 to 1000 % of the cycle." in response.content.decode()
    wider = page(rep_north, "/analytics/cycles/?margin=70").content.decode()
    assert "North N4" in wider
    assert "North N3" not in wider


def test_the_person_panel(rep_north: Any, rep_south: Any, history: dict[str, Any]) -> None:
    n4, n1 = history["people"]["N4"], history["people"]["N1"]
    html = page(rep_north, f"/people/{n4.pk}/").content.decode()
    assert "Usually orders every 50 days; next expected on" in html
    assert 'id="cycle-due"' in html
    n1_html = page(rep_north, f"/people/{n1.pk}/").content.decode()
    assert "Usually orders every 30 days" in n1_html
    assert 'id="cycle-due"' not in n1_html
    assert page(rep_south, f"/people/{n4.pk}/").status_code == 404


def test_in_spanish(rep_north: Any, history: dict[str, Any]) -> None:
    rep_north.language = "es"
    rep_north.save()
    html = page(rep_north, "/analytics/cycles/").content.decode()
    assert "Pendientes de volver a comprar" in html
    assert "Ciclos de compra" in html
    person = page(rep_north, f"/people/{history['people']['N4'].pk}/").content.decode()
    assert "Suele comprar cada 50 días" in person
    response = Api(rep_north, READ).get(URL, {"margin": "-1"}, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 422


def test_the_list_costs_the_same_queries_however_many_rows(
    rep_north: Any, history: dict[str, Any]
) -> None:
    from django.db import connection  # noqa: PLC0415
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415

    client = Client()
    client.force_login(rep_north)
    client.get("/analytics/cycles/?tab=all")  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        client.get("/analytics/cycles/?tab=due")  # 2 rows
    with CaptureQueriesContext(connection) as more:
        client.get("/analytics/cycles/?tab=all")  # 3 rows
    assert len(more) == len(few)


def test_cycles_without_catalogue_products(rep_north: Any) -> None:
    buyer = person_create(actor=rep_north, data={"first_name": "Free", "last_name": "Text"})
    for days in (2, 9, 16):
        shop.order(rep_north, buyer, days, "5.00")  # a free-text line, no product
    snapshot = computed()
    assert snapshot.status == SnapshotStatus.DONE, snapshot.error
    row = CustomerCycleRow.objects.get(snapshot=snapshot)
    assert (row.name, row.median_days, row.due) == ("Free Text", 7.0, False)
    assert not ProductCycleRow.objects.filter(snapshot=snapshot).exists()
    html = page(rep_north, "/analytics/cycles/?tab=products").content.decode()
    assert "No product was bought twice by the same customer yet" in html


def test_a_purchase_day_is_the_companys_calendar_day(rep_north: Any) -> None:
    """Orders at 02:00 UTC fall on the day before in New York: the same history gives
    other days there (``TruncDate`` in the zone, not SQLite's UTC ``date()``)."""
    from django.utils import timezone  # noqa: PLC0415

    buyer = person_create(actor=rep_north, data={"first_name": "Early", "last_name": "Bird"})
    for day in (d(2025, 6, 1), d(2025, 6, 11), d(2025, 6, 21)):
        order_create(
            actor=rep_north,
            data={
                "person_id": buyer.pk,
                "currency": "USD",
                "ordered_at": datetime.datetime.combine(day, datetime.time(2), datetime.UTC),
                "lines": [{"description": "Coffee", "quantity": "1", "unit_price": "5.00"}],
            },
        )
    utc = CustomerCycleRow.objects.get(snapshot=computed())
    assert (utc.last_order, utc.median_days) == (d(2025, 6, 21), 10.0)
    with timezone.override("America/New_York"):
        new_york = CustomerCycleRow.objects.get(snapshot=computed())
    assert (new_york.last_order, new_york.median_days) == (d(2025, 6, 20), 10.0)


def test_rules_count_from_the_reorder_date_a_cycle_expects(history: dict[str, Any]) -> None:
    """``reorder_due`` (core.conditions.dates): the customers whose next expected
    purchase is on a day, from the current snapshot, for automation's date rules."""
    found = trigger_date("contacts.person", "reorder_due")
    assert found is not None
    rows = CustomerCycleRow.objects.filter(snapshot=history["snapshot"], person__isnull=False)
    assert rows.exists()
    for row in rows:
        picked = Person.objects.filter(found.on_day(row.next_expected))
        expected = {r.person_id for r in rows if r.next_expected == row.next_expected}
        assert set(picked.values_list("pk", flat=True)) == expected
        assert found.value(row.person) == row.next_expected
    day_after = max(r.next_expected for r in rows) + datetime.timedelta(days=1)
    assert not Person.objects.filter(found.on_day(day_after)).exists()
