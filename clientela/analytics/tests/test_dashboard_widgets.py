"""The widgets of the catalogue count only what the reader may see: a rep's pipeline
counts only their team's deals (and the owner filter narrows it further), revenue by
month and the top customers only their orders and customers, the RFM and ABC widgets
only their customers of the current snapshots; each row links to the list behind it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from clientela.analytics import services as analytics_services
from clientela.analytics.dashboards import selectors, services
from clientela.analytics.tests import shop
from clientela.contacts.services import person_create
from clientela.core.dashboards import WidgetFilters, period_bounds, widget
from clientela.core.models import RolePermission
from clientela.core.permissions import forget_rights
from clientela.sales.models import Quote
from clientela.sales.tests.deal_helpers import make_deal, make_pipeline, stage
from clientela.sales.tests.quote_helpers import make_quote

pytestmark = pytest.mark.django_db


def data(key: str, user: Any, **filters: Any) -> Any:
    w = widget(key)
    assert w is not None
    return w.data(user, WidgetFilters.of(filters, shop.AS_OF))


def test_periods_are_whole_days_around_today() -> None:
    day = shop.AS_OF  # 2025-06-30
    assert period_bounds("this_month", day) == (day.replace(day=1), day)
    assert period_bounds("this_quarter", day) == (day.replace(month=4, day=1), day)
    assert period_bounds("last_12_months", day) == (day.replace(year=2024, month=7, day=1), day)
    assert period_bounds("last_30_days", day)[0] == day.replace(day=1)
    assert period_bounds("", day) == (None, None)


def test_a_reps_pipeline_counts_only_their_teams_deals(
    rep_north: Any, rep_north2: Any, rep_south: Any
) -> None:
    pipeline = make_pipeline()
    demo, offer = stage(pipeline, "Demo"), stage(pipeline, "Offer")
    make_deal(rep_north, pipeline, amount="1000.00", stage_id=demo.pk)
    make_deal(rep_north2, pipeline, amount="250.00", stage_id=demo.pk)
    make_deal(rep_north, pipeline, amount="400.00", stage_id=offer.pk)
    make_deal(rep_south, pipeline, amount="9999.00", stage_id=offer.pk)
    north = data("sales.pipeline_by_stage", rep_north)
    assert north.rows == [["Demo", Decimal("1250.00"), 2], ["Offer", Decimal("400.00"), 1]]
    assert north.links[0] == f"/deals/?status=open&stage={demo.pk}"
    south = data("sales.pipeline_by_stage", rep_south)
    assert south.rows == [["Offer", Decimal("9999.00"), 1]]
    # The owner filter narrows within what the rep sees.
    theirs = data("sales.pipeline_by_stage", rep_north, owner=rep_north2.pk)
    assert theirs.rows == [["Demo", Decimal("250.00"), 1]]
    assert theirs.links[0].endswith(f"&owner={rep_north2.pk}")
    # South's owner through North's eyes: nothing.
    assert data("sales.pipeline_by_stage", rep_north, owner=rep_south.pk).is_empty
    kpi = data("sales.open_deals", rep_north)
    assert kpi.value == "3"
    assert kpi.rows[1][1] == Decimal("1650.00")


def computed() -> None:
    for snapshot in analytics_services.refresh(None, as_of=shop.AS_OF, queue=False):
        analytics_services.run_snapshot(snapshot.pk)


def test_revenue_by_month_is_read_from_its_snapshot_as_each_reader_may_see_it(
    admin: Any, rep_north: Any, rep_south: Any
) -> None:
    shop.build(rep_north, rep_south)
    assert data("analytics.revenue_by_month", admin).is_empty  # nothing computed yet
    computed()
    north = data("analytics.revenue_by_month", rep_north, period="last_12_months")
    assert [row[0] for row in north.rows][:2] == ["2024-07", "2024-08"]
    assert len(north.rows) == 12
    # North's 1,000 USD of the year (N2's 160 EUR at 1.25); South's old order is out.
    assert sum(row[1] for row in north.rows) == Decimal("1000.00")
    assert north.links[-1] == "/orders/?date_from=2025-06-01&date_to=2025-06-30"
    assert north.note == "Figures as of 06/30/2025."
    south = data("analytics.revenue_by_month", rep_south)
    # Any time: from the first month with orders to the snapshot's as-of day.
    assert south.rows[0] == ["2024-05", Decimal("7000.00")]
    assert len(south.rows) == 14
    assert sum(row[1] for row in south.rows) == Decimal("7000.00")
    # The owner filter narrows within the reader's orders.
    assert data("analytics.revenue_by_month", rep_north, owner=rep_south.pk).is_empty
    everyone = data("analytics.revenue_by_month", admin)
    # Any time: from the month of the first order (N9's and S1's, 400 days before).
    assert everyone.rows[:2] == [["2024-05", Decimal("12000.00")], ["2024-06", Decimal("0.00")]]
    assert sum(row[1] for row in everyone.rows) == Decimal("13000.00")


def test_rfm_and_abc_widgets_read_the_snapshots_as_the_reader_sees_them(
    rep_north: Any, rep_south: Any
) -> None:
    shop.build(rep_north, rep_south)
    computed()
    rfm = dict((row[0], row[1]) for row in data("analytics.rfm_distribution", rep_north).rows)
    assert (rfm["Champions"], rfm["At risk"], rfm["Lost"]) == (1, 1, 5)
    south = data("analytics.rfm_distribution", rep_south)
    assert sum(row[1] for row in south.rows) == 1
    assert south.links[7] == "/analytics/rfm/at_risk/"
    top = data("analytics.top_customers", rep_north)
    assert [row[0] for row in top.rows][:3] == ["North N1", "North N2", "North N3"]
    assert top.rows[0][1] == Decimal("500.00")
    assert len(top.rows) == 10
    assert top.note == "Revenue from 07/01/2024 to 06/30/2025."
    assert top.links[0].startswith("/people/")
    assert [row[0] for row in data("analytics.top_customers", rep_south).rows] == []
    abc = data("analytics.abc_classes", rep_north)
    assert [(row[0], row[1]) for row in abc.rows] == [("A", 3), ("B", 4), ("C", 3)]
    assert abc.links[0] == "/analytics/#abc-class-A"


def test_quote_conversion_counts_the_decided_quotes(rep_north: Any, rep_south: Any) -> None:
    north = person_create(actor=rep_north, data={"first_name": "Nina", "last_name": "North"})
    south = person_create(actor=rep_south, data={"first_name": "Saul", "last_name": "South"})
    for status in ("accepted", "accepted", "rejected", "expired", "sent", "draft"):
        quote = make_quote(rep_north, north)
        Quote.objects.filter(pk=quote.pk).update(status=status)  # setup, not the services
    Quote.objects.filter(pk=make_quote(rep_south, south).pk).update(status="rejected")
    figures = data("sales.quote_conversion", rep_north)
    assert figures.value == "50 %"
    assert figures.rows == [["Accepted", 2], ["Rejected", 1], ["Expired", 1], ["Sent", 1]]
    assert figures.links[0] == "/quotes/?status=accepted"
    assert data("sales.quote_conversion", rep_south).value == "0 %"


def test_a_shared_dashboard_shows_each_reader_their_own_figures(
    manager_north: Any, rep_north: Any
) -> None:
    pipeline = make_pipeline()
    make_deal(manager_north, pipeline, amount="800.00", stage_id=stage(pipeline, "Demo").pk)
    make_deal(rep_north, pipeline, amount="100.00", stage_id=stage(pipeline, "Demo").pk)
    # The rep's role sees only their own deals.
    RolePermission.objects.filter(role=rep_north.role, resource="sales.deal").update(scope="own")
    RolePermission.objects.filter(role=rep_north.role).first().save()  # type: ignore[union-attr]
    rep_north.refresh_from_db()
    forget_rights(rep_north)
    dashboard = services.dashboard_create(
        actor=manager_north,
        data={
            "name": "Team",
            "layout": [{"id": "a", "widget": "sales.open_deals", "x": 0, "y": 0, "w": 3, "h": 2}],
            "team_id": manager_north.team_id,
        },
    )
    seen = selectors.dashboard_get(user=rep_north, pk=dashboard.pk)
    for user, count in ((manager_north, "2"), (rep_north, "1")):
        shown = selectors.dashboard_widgets(user=user, dashboard=seen)
        assert shown[0].data is not None
        assert shown[0].data.value == count


def test_the_forecast_widget_sums_the_deals_closing_in_the_period(
    rep_north: Any, rep_south: Any
) -> None:
    pipeline = make_pipeline()
    offer = stage(pipeline, "Offer")  # 70 %
    make_deal(rep_north, pipeline, amount="1000.00", stage_id=offer.pk, close_date="2025-05-10")
    make_deal(rep_north, pipeline, amount="500.00", stage_id=offer.pk, close_date="2025-08-01")
    make_deal(rep_south, pipeline, amount="9000.00", stage_id=offer.pk, close_date="2025-05-10")
    figures = data("sales.forecast", rep_north, period="this_quarter")  # April to June 30
    assert dict((row[0], row[1]) for row in figures.rows) == {
        "Open": Decimal("1000.00"),
        "Weighted": Decimal("700.00"),
        "Committed": Decimal("0.00"),
        "Won": Decimal("0.00"),
    }
    assert figures.url == ("/forecast/?period=custom&date_from=2025-04-01&date_to=2025-06-30")
