"""What sales adds to person and organization timelines (``selectors/timeline.py``): a
deal's stage changes (opened, moved, won, lost) and orders, interleaved with the other
entries by time, on the organization's timeline with its people's, under the kind
filter, and only where the user may see the deal or order; a page costs one query per
source however many deals and orders there are."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clientela.activities import services as activities
from clientela.activities.timeline import timeline
from clientela.contacts.services import MembershipInput
from clientela.core.choices import RoleKey, Scope
from clientela.core.models import RolePermission
from clientela.core.registry import timeline_sources
from clientela.core.services import role_permission_update
from clientela.sales import money
from clientela.sales.models import Deal, DealStageChange, Order
from clientela.sales.services import deals as deal_services
from clientela.sales.services import orders as order_services
from clientela.sales.tests.deal_helpers import make_deal, make_pipeline, stage
from clientela.sales.tests.test_orders_services import make_order

pytestmark = pytest.mark.django_db


def day(n: int) -> datetime.datetime:
    return datetime.datetime(2025, 3, n, 12, 0, tzinfo=datetime.UTC)


def sales_entries(page: Any) -> list[tuple[str, Any]]:
    return [(e.kind, e.obj) for e in page.entries if e.kind in ("deal-stage", "order")]


def moved(actor: Any, deal: Deal, stage_name: str, when: datetime.datetime) -> DealStageChange:
    """Move ``deal`` through the service, then date the move (the service stamps now)."""
    deal_services.deal_move(actor=actor, deal=deal, stage_id=stage(deal.pipeline, stage_name).pk)
    change = DealStageChange.objects.filter(deal=deal).latest("id")
    DealStageChange.objects.filter(pk=change.pk).update(entered_at=when)
    change.refresh_from_db()
    return change


def opened(deal: Deal, when: datetime.datetime) -> DealStageChange:
    change = DealStageChange.objects.get(deal=deal, from_stage=None)
    DealStageChange.objects.filter(pk=change.pk).update(entered_at=when)
    change.refresh_from_db()
    return change


@pytest.fixture
def pipe(db: Any) -> Any:
    return make_pipeline()


@pytest.fixture
def ana(rep_north: Any, person_factory: Any) -> Any:
    return person_factory(rep_north, first_name="Ana", last_name="Ruiz")


@pytest.fixture
def story(rep_north: Any, ana: Any, pipe: Any) -> dict[str, Any]:
    """Ana's deal opened on day 1, moved on day 2, an order on day 3, won on day 4, a
    call on day 5."""
    deal = make_deal(rep_north, pipe, title="Ovens", person_ids=[ana.pk])
    return {
        "deal": deal,
        "opened": opened(deal, day(1)),
        "demo": moved(rep_north, deal, "Demo", day(2)),
        "order": make_order(rep_north, person_id=ana.pk, ordered_at=day(3)),
        "won": moved(rep_north, deal, "Closed won", day(4)),
        "call": activities.interaction_create(
            actor=rep_north,
            data={"channel": "call", "occurred_at": day(5), "person_ids": [ana.pk]},
        ),
    }


def test_stage_changes_and_orders_interleave_with_the_person_timeline(
    rep_north: Any, ana: Any, story: dict[str, Any]
) -> None:
    page = timeline(user=rep_north, person=ana)
    dated = [(e.kind, e.obj) for e in page.entries if e.at < day(6)]
    assert dated == [
        ("interaction", story["call"]),
        ("deal-stage", story["won"]),
        ("order", story["order"]),
        ("deal-stage", story["demo"]),
        ("deal-stage", story["opened"]),
    ]


def test_the_page_says_what_moved_where_and_links_the_deal_and_the_order(
    client: Client, rep_north: Any, ana: Any, story: dict[str, Any]
) -> None:
    client.force_login(rep_north)
    page = client.get(f"/timeline/person/{ana.pk}/").content.decode()
    deal_url = reverse("sales:deal-detail", kwargs={"pk": story["deal"].pk})
    order: Order = story["order"]
    assert f'href="{deal_url}"' in page
    assert "moved from Demo to Closed won" in page
    assert "moved from Lead in to Demo" in page
    assert "opened on Lead in" in page
    won = page.split(f'id="entry-deal-stage-{story["won"].pk}"')[1].split("</li>")[0]
    assert "Won" in won
    entry = page.split(f'id="entry-order-{order.pk}"')[1].split("</li>")[0]
    assert f'href="{reverse("sales:order-detail", kwargs={"pk": order.pk})}"' in entry
    assert order.number in entry
    assert money.money_text(order.total, order.currency) in entry
    assert "Open" in entry
    # In Spanish too.
    rep_north.language = "es"
    rep_north.save()
    spanish = client.get(f"/timeline/person/{ana.pk}/").content.decode()
    assert "pasó de Demo a Closed won" in spanish
    assert "abierta en Lead in" in spanish
    assert "Ganada" in spanish


def test_a_lost_deal_says_so(rep_north: Any, ana: Any, pipe: Any, client: Client) -> None:
    deal = make_deal(rep_north, pipe, title="Vans", person_ids=[ana.pk])
    lost = moved(rep_north, deal, "Closed lost", day(2))
    client.force_login(rep_north)
    page = client.get(f"/timeline/person/{ana.pk}/").content.decode()
    entry = page.split(f'id="entry-deal-stage-{lost.pk}"')[1].split("</li>")[0]
    assert "moved from Lead in to Closed lost" in entry
    assert "Lost" in entry


def test_organization_timeline_includes_its_people_deals_and_orders(
    rep_north: Any, person_factory: Any, organization_factory: Any, pipe: Any
) -> None:
    org = organization_factory(rep_north, name="Acme")
    member = person_factory(rep_north, memberships=[MembershipInput(organization_id=org.pk)])
    outsider = person_factory(rep_north)
    org_deal = make_deal(rep_north, pipe, title="Acme deal", organization_id=org.pk)
    member_deal = make_deal(rep_north, pipe, title="Member deal", person_ids=[member.pk])
    make_deal(rep_north, pipe, title="Outsider deal", person_ids=[outsider.pk])
    org_order = make_order(rep_north, organization_id=org.pk, ordered_at=day(1))
    member_order = make_order(rep_north, person_id=member.pk, ordered_at=day(2))
    make_order(rep_north, person_id=outsider.pk, ordered_at=day(3))
    page = timeline(user=rep_north, organization=org)
    shown = sales_entries(page)
    assert sorted(o.deal_id for k, o in shown if k == "deal-stage") == sorted(
        [org_deal.pk, member_deal.pk]
    )
    assert sorted(o.pk for k, o in shown if k == "order") == sorted([org_order.pk, member_order.pk])
    # The member's own timeline has the member's, not the organization's.
    mine = sales_entries(timeline(user=rep_north, person=member))
    assert [o.pk for k, o in mine if k == "order"] == [member_order.pk]
    assert [o.deal_id for k, o in mine if k == "deal-stage"] == [member_deal.pk]


def test_the_kind_filter_keeps_one_source(
    client: Client, rep_north: Any, ana: Any, story: dict[str, Any]
) -> None:
    orders = timeline(user=rep_north, person=ana, kind="order")
    assert [(e.kind, e.obj) for e in orders.entries] == [("order", story["order"])]
    stages = timeline(user=rep_north, person=ana, kind="deal-stage")
    assert [e.obj for e in stages.entries] == [story["won"], story["demo"], story["opened"]]
    client.force_login(rep_north)
    url = f"/timeline/person/{ana.pk}/"
    page = client.get(url, {"kind": "order"}).content.decode()
    assert f"entry-order-{story['order'].pk}" in page
    assert "entry-deal-stage-" not in page
    assert "entry-interaction-" not in page
    # A channel keeps interactions only: no deal or order has a channel.
    calls = client.get(url, {"channel": "call"}).content.decode()
    assert f"entry-interaction-{story['call'].pk}" in calls
    assert "entry-order-" not in calls
    # The panel offers the sources in its kind filter.
    person_page = client.get(f"/people/{ana.pk}/").content.decode()
    assert '<option value="deal-stage">Deal stage changes</option>' in person_page
    assert '<option value="order">Orders</option>' in person_page


def test_the_user_filter_keeps_their_moves_and_orders(
    rep_north: Any, rep_north2: Any, ana: Any, pipe: Any, story: dict[str, Any]
) -> None:
    theirs = make_order(rep_north2, person_id=ana.pk, ordered_at=day(2))
    move = moved(rep_north2, story["deal"], "Offer", day(6))
    page = timeline(user=rep_north, person=ana, actor_id=rep_north2.pk)
    assert sales_entries(page) == [("deal-stage", move), ("order", theirs)]


def _people_for_all_sales_reps(admin: Any) -> None:
    """Sales reps see every person (deals and orders stay their team's)."""
    role_permission_update(
        actor=admin,
        permission=RolePermission.objects.get(role__key=RoleKey.SALES, resource="contacts.person"),
        can_create=True,
        can_read=True,
        can_update=True,
        can_delete=True,
        scope=Scope.ALL,
    )


def test_another_team_sees_neither_the_deal_moves_nor_the_orders(
    client: Client, admin: Any, rep_north: Any, rep_south: Any, ana: Any, pipe: Any
) -> None:
    _people_for_all_sales_reps(admin)
    north_deal = make_deal(rep_north, pipe, title="North ovens", person_ids=[ana.pk])
    north_move = moved(rep_north, north_deal, "Closed won", day(2))
    north_order = make_order(rep_north, person_id=ana.pk, ordered_at=day(3))
    south_deal = make_deal(rep_south, pipe, title="South vans", person_ids=[ana.pk])
    south_order = make_order(rep_south, person_id=ana.pk, ordered_at=day(4))

    south_sees = sales_entries(timeline(user=rep_south, person=ana))
    assert {o.deal_id for k, o in south_sees if k == "deal-stage"} == {south_deal.pk}
    assert [o for k, o in south_sees if k == "order"] == [south_order]
    client.force_login(rep_south)
    page = client.get(f"/timeline/person/{ana.pk}/").content.decode()
    assert f"entry-deal-stage-{north_move.pk}" not in page
    assert "North ovens" not in page
    assert f"entry-order-{north_order.pk}" not in page
    assert north_order.number not in page
    assert "South vans" in page
    assert south_order.number in page
    person_page = client.get(f"/people/{ana.pk}/").content.decode()
    assert "North ovens" not in person_page
    # Nor the records themselves: 404, as for any record they may not see.
    assert client.get(f"/deals/{north_deal.pk}/").status_code == 404
    assert client.get(reverse("sales:order-detail", args=[north_order.pk])).status_code == 404
    # And North sees North's only.
    north_sees = sales_entries(timeline(user=rep_north, person=ana))
    assert {o.deal_id for k, o in north_sees if k == "deal-stage"} == {north_deal.pk}
    assert [o for k, o in north_sees if k == "order"] == [north_order]


def test_a_person_of_another_team_has_no_timeline_for_them(
    client: Client, rep_north: Any, rep_south: Any, ana: Any, story: dict[str, Any]
) -> None:
    client.force_login(rep_south)
    assert client.get(f"/timeline/person/{ana.pk}/", {"kind": "order"}).status_code == 404


def test_trashed_deals_and_orders_leave_the_timeline(
    rep_north: Any, ana: Any, story: dict[str, Any]
) -> None:
    deal_services.deal_trash(actor=rep_north, deal=story["deal"])
    order_services.order_trash(actor=rep_north, order=story["order"])
    assert sales_entries(timeline(user=rep_north, person=ana)) == []


def test_a_page_costs_one_query_per_source_however_many_deals_and_orders(
    client: Client, rep_north: Any, ana: Any, pipe: Any
) -> None:
    def add(n: int) -> None:
        for i in range(n):
            deal = make_deal(rep_north, pipe, title=f"Deal {i}", person_ids=[ana.pk])
            moved(rep_north, deal, "Demo", day(1 + i))
            make_order(rep_north, person_id=ana.pk, ordered_at=day(1 + i))
        activities.interaction_create(
            actor=rep_north, data={"channel": "call", "person_ids": [ana.pk]}
        )

    add(1)
    timeline(user=rep_north, person=ana)  # warm the caches (rights, content types)
    with CaptureQueriesContext(connection) as selector:
        timeline(user=rep_north, person=ana)
    # One per source, and the attachments of the interactions shown.
    assert len(selector) == len(timeline_sources) + 1
    client.force_login(rep_north)
    url = f"/timeline/person/{ana.pk}/"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    add(8)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    assert "Deal 7" in page
    assert len(many) == len(few)
