"""The condition fields of deals, leads and orders themselves (``sales.conditions``),
each parsed, compiled and run on the records as automation's rules run them: which
records match, ``ne`` and ``exists`` included, and a bad value refused with its path
(SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from clientela.core.conditions import condition_fields
from clientela.core.models import Tag
from clientela.core.testing.conditions import error_of, leaf, matching
from clientela.sales.models import Deal, Lead, Order
from clientela.sales.services import leads, orders
from clientela.sales.tests.deal_helpers import make_deal, make_pipeline, stage

pytestmark = pytest.mark.django_db

DEAL, LEAD, ORDER = Deal.RESOURCE, Lead.RESOURCE, Order.RESOURCE
LINES = [{"description": "Desk", "quantity": "2", "unit_price": "50.00", "tax_rate": "21"}]


def tagged(record: Any, *names: str) -> None:
    # No service tags deals and leads yet: set-up writes the links directly.
    record.tags.add(*(Tag.objects.get_or_create(name=n)[0] for n in names))


@pytest.fixture
def board(admin: Any, rep_north: Any, rep_south: Any, organization_factory: Any) -> dict[str, Any]:
    main, other = make_pipeline(), make_pipeline("Renewals", position=1)
    acme = organization_factory(rep_north, name="Acme", tags=["key account"])
    bolt = organization_factory(rep_south, name="Bolt")
    ovens = make_deal(
        rep_north,
        main,
        title="Ovens",
        amount="6000.00",
        currency="EUR",
        organization_id=acme.pk,
        close_date="2026-03-01",
    )
    mixers = make_deal(
        rep_north,
        main,
        title="Mixers",
        amount="5500.00",
        currency="EUR",
        stage_id=stage(main, "Closed won").pk,
    )
    make_deal(
        rep_south,
        other,
        title="Fridges",
        amount="9000.00",
        currency="USD",
        stage_id=stage(other, "Closed lost").pk,
        organization_id=bolt.pk,
        close_date="2026-09-01",
    )
    make_deal(
        rep_north,
        main,
        title="Cables",
        amount="200.00",
        currency="EUR",
        stage_id=stage(main, "Closed won").pk,
    )
    tagged(ovens, "vip")
    tagged(mixers, "vip", "renewal")
    return {"main": main, "other": other}


def deals(user: Any, *parts: dict[str, Any]) -> set[str]:
    return matching(user, DEAL, Deal.objects.all(), *parts, label="title")


def test_a_deal_won_over_5000_euros(admin: Any, board: dict[str, Any]) -> None:
    rule = [leaf("status", "eq", "won"), leaf("amount", "gt", 5000), leaf("currency", "eq", "EUR")]
    assert deals(admin, *rule) == {"Mixers"}


def test_deal_columns(admin: Any, board: dict[str, Any]) -> None:
    main, other = board["main"], board["other"]
    assert deals(admin, leaf("title", "contains", "OVEN")) == {"Ovens"}
    assert deals(admin, leaf("amount", "gt", "5500")) == {"Ovens", "Fridges"}
    assert deals(admin, leaf("amount", "lt", 5500.5)) == {"Mixers", "Cables"}
    assert deals(admin, leaf("amount", "eq", "5500")) == {"Mixers"}
    assert deals(admin, leaf("amount", "ne", 5500)) == {"Ovens", "Fridges", "Cables"}
    assert deals(admin, leaf("currency", "ne", "EUR")) == {"Fridges"}
    assert deals(admin, leaf("currency", "in", ["USD", "GBP"])) == {"Fridges"}
    assert deals(admin, leaf("status", "ne", "open")) == {"Mixers", "Fridges", "Cables"}
    assert deals(admin, leaf("status", "in", ["open", "lost"])) == {"Ovens", "Fridges"}
    won = str(stage(main, "Closed won").pk)
    assert deals(admin, leaf("stage", "eq", won)) == {"Mixers", "Cables"}
    assert deals(admin, leaf("stage", "ne", won)) == {"Ovens", "Fridges"}
    assert deals(admin, leaf("pipeline", "eq", str(other.pk))) == {"Fridges"}
    assert deals(admin, leaf("pipeline", "ne", str(other.pk))) == {"Ovens", "Mixers", "Cables"}
    assert deals(admin, leaf("close_date", "before", "2026-03-02")) == {"Ovens"}
    assert deals(admin, leaf("close_date", "after", "2026-03-01")) == {"Fridges"}
    assert deals(admin, leaf("close_date", "exists", False)) == {"Mixers", "Cables"}
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    assert deals(admin, leaf("created_at", "before", tomorrow)) == {
        "Ovens",
        "Mixers",
        "Fridges",
        "Cables",
    }
    assert deals(admin, leaf("created_at", "after", "today")) == set()


def test_deal_owner_team_tags_organization(
    admin: Any, rep_south: Any, board: dict[str, Any]
) -> None:
    assert deals(admin, leaf("owner", "eq", str(rep_south.pk))) == {"Fridges"}
    assert deals(admin, leaf("team", "ne", str(rep_south.team_id))) == {
        "Ovens",
        "Mixers",
        "Cables",
    }
    assert deals(admin, leaf("tags", "contains", "VIP")) == {"Ovens", "Mixers"}
    assert deals(admin, leaf("tags", "ne", "renewal")) == {"Ovens", "Fridges", "Cables"}
    assert deals(admin, leaf("tags", "in", ["renewal", "unknown"])) == {"Mixers"}
    assert deals(admin, leaf("tags", "contains", "unknown")) == set()
    assert deals(admin, leaf("tags", "exists", False)) == {"Fridges", "Cables"}
    assert deals(admin, leaf("organization.name", "eq", "Acme")) == {"Ovens"}
    assert deals(admin, leaf("organization.name", "ne", "Acme")) == {"Mixers", "Fridges", "Cables"}
    assert deals(admin, leaf("organization.name", "exists", True)) == {"Ovens", "Fridges"}
    assert deals(admin, leaf("organization.name", "exists", False)) == {"Mixers", "Cables"}
    assert deals(admin, leaf("organization.tags", "contains", "Key Account")) == {"Ovens"}
    assert deals(admin, leaf("organization.tags", "ne", "key account")) == {
        "Mixers",
        "Fridges",
        "Cables",
    }
    assert deals(admin, leaf("organization.tags", "exists", True)) == {"Ovens"}
    assert deals(admin, leaf("organization.tags", "exists", False)) == {
        "Mixers",
        "Fridges",
        "Cables",
    }


def test_the_deal_s_own_fields_come_first() -> None:
    groups = [str(f.group) for f in condition_fields(DEAL)]
    assert groups == sorted(groups, key=lambda group: group != "Deal")
    assert groups[-1] == "Organization"


def test_deal_bad_values_name_their_place(admin: Any, board: dict[str, Any]) -> None:
    assert error_of(DEAL, leaf("stage", "eq", "999999")).path == "all[0].value"
    assert error_of(DEAL, leaf("title", "eq", "x"), leaf("amount", "gt", "lots")).path == (
        "all[1].value"
    )
    assert error_of(DEAL, leaf("currency", "eq", "EURO")).path == "all[0].value"
    assert error_of(DEAL, leaf("amount", "exists", True)).path == "all[0].op"
    assert error_of(DEAL, leaf("close_date", "before", "soon")).path == "all[0].value"
    assert error_of(DEAL, leaf("purchases.spent", "gt", 1)).path == "all[0].field"


# --- leads --------------------------------------------------------------------------------


@pytest.fixture
def lead_list(rep_north: Any, rep_south: Any) -> None:
    made = {
        "Ann": leads.lead_create(
            actor=rep_north, data={"last_name": "Ann", "source": "referral", "status": "qualified"}
        ),
        "Bo": leads.lead_create(actor=rep_north, data={"last_name": "Bo", "source": "web_form"}),
        "Cy": leads.lead_create(actor=rep_south, data={"last_name": "Cy"}),
    }
    leads.lead_scores_set(scores={made["Ann"].pk: (80, []), made["Bo"].pk: (50, [])})
    tagged(made["Bo"], "fair")


def lead_names(user: Any, *parts: dict[str, Any]) -> set[str]:
    return matching(user, LEAD, Lead.objects.all(), *parts, label="last_name")


def test_lead_fields(admin: Any, rep_south: Any, lead_list: None) -> None:
    assert lead_names(admin, leaf("status", "eq", "qualified")) == {"Ann"}
    assert lead_names(admin, leaf("status", "ne", "qualified")) == {"Bo", "Cy"}
    assert lead_names(admin, leaf("source", "in", ["referral", "manual"])) == {"Ann", "Cy"}
    assert lead_names(admin, leaf("score", "gt", 50)) == {"Ann"}
    assert lead_names(admin, leaf("score", "gt", 49.5)) == {"Ann", "Bo"}
    assert lead_names(admin, leaf("score", "lt", 50.5)) == {"Bo"}
    assert lead_names(admin, leaf("score", "eq", "50")) == {"Bo"}
    assert lead_names(admin, leaf("score", "eq", "50.5")) == set()
    assert lead_names(admin, leaf("score", "ne", 50)) == {"Ann", "Cy"}
    assert lead_names(admin, leaf("score", "exists", False)) == {"Cy"}
    assert lead_names(admin, leaf("owner", "ne", str(rep_south.pk))) == {"Ann", "Bo"}
    assert lead_names(admin, leaf("team", "eq", str(rep_south.team_id))) == {"Cy"}
    assert lead_names(admin, leaf("tags", "contains", "fair")) == {"Bo"}
    assert lead_names(admin, leaf("tags", "exists", True)) == {"Bo"}
    assert lead_names(admin, leaf("created_at", "after", "-2d")) == {"Ann", "Bo", "Cy"}
    assert error_of(LEAD, leaf("source", "eq", "radio")).path == "all[0].value"
    assert error_of(LEAD, leaf("score", "contains", "5")).path == "all[0].op"


# --- orders -------------------------------------------------------------------------------


@pytest.fixture
def order_list(rep_north: Any, rep_south: Any, organization_factory: Any) -> None:
    def order(actor: Any, number: str, when: datetime.datetime, **data: Any) -> None:
        customer = organization_factory(actor, name=f"Customer {number}")
        data = {"organization_id": customer.pk, "currency": "EUR", "lines": LINES} | data
        body = data | {"external_id": number, "ordered_at": when}
        orders.order_create(actor=actor, data=body)  # type: ignore[arg-type]

    march = datetime.datetime(2026, 3, 10, 12, tzinfo=datetime.UTC)
    order(rep_north, "A", march)
    order(rep_north, "B", march + datetime.timedelta(days=30), currency="USD")
    big = [LINES[0] | {"quantity": "20"}]
    order(rep_south, "C", march + datetime.timedelta(days=60), lines=big, status="fulfilled")


def order_numbers(user: Any, *parts: dict[str, Any]) -> set[str]:
    return matching(user, ORDER, Order.objects.all(), *parts, label="external_id")


def test_order_fields(admin: Any, rep_south: Any, order_list: None) -> None:
    assert order_numbers(admin, leaf("status", "eq", "fulfilled")) == {"C"}
    assert order_numbers(admin, leaf("status", "ne", "fulfilled")) == {"A", "B"}
    assert order_numbers(admin, leaf("subtotal", "eq", 100)) == {"A", "B"}
    assert order_numbers(admin, leaf("total", "gt", "121")) == {"C"}
    assert order_numbers(admin, leaf("total", "ne", "121")) == {"C"}
    assert order_numbers(admin, leaf("currency", "eq", "USD")) == {"B"}
    assert order_numbers(admin, leaf("ordered_at", "before", "2026-03-11")) == {"A"}
    assert order_numbers(admin, leaf("ordered_at", "after", "2026-03-10")) == {"B", "C"}
    assert order_numbers(admin, leaf("owner", "eq", str(rep_south.pk))) == {"C"}
    assert order_numbers(admin, leaf("team", "ne", str(rep_south.team_id))) == {"A", "B"}
    assert error_of(ORDER, leaf("ordered_at", "exists", True)).path == "all[0].op"
    assert error_of(ORDER, leaf("status", "eq", "shipped")).path == "all[0].value"
    assert error_of(ORDER, leaf("tags", "contains", "x")).path == "all[0].field"
