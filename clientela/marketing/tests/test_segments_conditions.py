"""Each registered field of people compiled and run (SQLite and PostgreSQL): person
columns, tags, relationships, owner and team, custom fields, the organization's
fields, the last interaction, the birthday window, purchases, leads and deals; nested
groups; and a rep's count counting only what the rep sees."""

from __future__ import annotations

import datetime
from typing import Any, cast

import pytest
from django.utils import timezone

from clientela.activities.services.interactions import interaction_create
from clientela.contacts.details import AddressInput, RelationshipInput
from clientela.contacts.services import MembershipInput, organization_create
from clientela.core.services import custom_field_create
from clientela.marketing.selectors.segments import people_matching, rules_count
from clientela.sales.services import catalogue, deals, leads, orders
from clientela.sales.tests.deal_helpers import make_pipeline

pytestmark = pytest.mark.django_db


def names(user: Any, *parts: dict[str, Any], kind: str = "all") -> set[str]:
    return {p.last_name for p in people_matching(user=user, rules={kind: list(parts)})}


def at(city: str) -> list[AddressInput]:
    return [AddressInput("ES", city=city, is_primary=True)]


def leaf(field: str, op: str, value: Any = None) -> dict[str, Any]:
    return {"field": field, "op": op, "value": value}


@pytest.fixture
def people(admin: Any, rep_north: Any, rep_south: Any, person_factory: Any) -> dict[str, Any]:
    acme = organization_create(
        actor=admin, data={"name": "Acme", "city": "Bilbao", "country": "ES"}
    )
    made = {
        "Ana": person_factory(
            rep_north,
            last_name="Ana",
            addresses=at("Madrid"),
            email="ana@example.com",
            tags=["vip"],
            birthday=timezone.localdate(),
            preferred_language="es",
            relationships=[RelationshipInput("customer")],
            memberships=[MembershipInput(organization_id=acme.pk)],
        ),
        "Bea": person_factory(
            rep_north, last_name="Bea", addresses=at("Sevilla"), tags=["vip", "press"]
        ),
        "Carl": person_factory(rep_south, last_name="Carl", addresses=at("Madrid")),
        "Dan": person_factory(rep_north, last_name="Dan"),
    }
    made["acme"] = acme
    return made


def test_person_columns(admin: Any, people: dict[str, Any]) -> None:
    assert names(admin, leaf("city", "eq", "Madrid")) == {"Ana", "Carl"}
    assert names(admin, leaf("city", "ne", "Madrid")) == {"Bea", "Dan"}
    assert names(admin, leaf("city", "in", ["Sevilla", "Madrid"])) == {"Ana", "Bea", "Carl"}
    assert names(admin, leaf("email", "contains", "ANA@")) == {"Ana"}
    assert names(admin, leaf("city", "exists", False)) == {"Dan"}
    assert names(admin, leaf("preferred_language", "eq", "es")) == {"Ana"}
    assert names(admin, leaf("birthday", "exists", True)) == {"Ana"}
    assert names(admin, leaf("birthday_within_days", "lt", 7)) == {"Ana"}
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    assert names(admin, leaf("created_at", "before", tomorrow)) == {"Ana", "Bea", "Carl", "Dan"}
    assert names(admin, leaf("created_at", "after", "today")) == set()


def test_tags_relationships_owner_team(admin: Any, rep_north: Any, people: dict[str, Any]) -> None:
    assert names(admin, leaf("tags", "contains", "VIP")) == {"Ana", "Bea"}
    assert names(admin, leaf("tags", "ne", "press")) == {"Ana", "Carl", "Dan"}
    assert names(admin, leaf("tags", "in", ["press", "nothing"])) == {"Bea"}
    assert names(admin, leaf("tags", "exists", False)) == {"Carl", "Dan"}
    assert names(admin, leaf("relationships", "eq", "customer")) == {"Ana"}
    assert names(admin, leaf("relationships", "exists", False)) == {"Bea", "Carl", "Dan"}
    assert names(admin, leaf("owner", "eq", str(rep_north.pk))) == {"Ana", "Bea", "Dan"}
    assert names(admin, leaf("team", "ne", str(rep_north.team_id))) == {"Carl"}


def test_organization_and_custom_fields(admin: Any, people: dict[str, Any]) -> None:
    assert names(admin, leaf("organization.city", "eq", "Bilbao")) == {"Ana"}
    assert names(admin, leaf("organization.name", "ne", "Acme")) == {"Bea", "Carl", "Dan"}
    assert names(admin, leaf("organization.name", "exists", False)) == {"Bea", "Carl", "Dan"}
    custom_field_create(
        actor=admin, resource="contacts.person", key="size", label="Size", field_type="number"
    )
    custom_field_create(
        actor=admin, resource="contacts.person", key="since", label="Since", field_type="date"
    )
    from clientela.contacts.services import person_update  # noqa: PLC0415

    person_update(
        actor=admin, person=people["Ana"], data={"custom": {"size": "12", "since": "2020-05-01"}}
    )
    person_update(actor=admin, person=people["Bea"], data={"custom": {"size": "3"}})
    assert names(admin, leaf("custom.size", "gt", 5)) == {"Ana"}
    assert names(admin, leaf("custom.size", "lt", "5")) == {"Bea"}
    assert names(admin, leaf("custom.size", "eq", "3.0")) == {"Bea"}
    assert names(admin, leaf("custom.size", "ne", 3)) == {"Ana", "Carl", "Dan"}
    assert names(admin, leaf("custom.since", "before", "2021-01-01")) == {"Ana"}
    assert names(admin, leaf("custom.since", "exists", True)) == {"Ana"}


def test_interactions(admin: Any, rep_north: Any, people: dict[str, Any]) -> None:
    long_ago = timezone.now() - datetime.timedelta(days=100)
    for person, when in ((people["Ana"], long_ago), (people["Bea"], timezone.now())):
        interaction_create(
            actor=rep_north,
            data={
                "channel": "call",
                "occurred_at": when,
                "person_ids": [person.pk],
                "subject": "Hi",
            },
        )
    assert names(admin, leaf("last_interaction", "after", "-30d")) == {"Bea"}
    assert names(admin, leaf("last_interaction", "before", "-30d")) == {"Ana"}
    none_since = [
        leaf("last_interaction", "before", "-30d"),
        leaf("last_interaction", "exists", False),
    ]
    assert names(admin, *none_since, kind="any") == {"Ana", "Carl", "Dan"}


def test_purchases_leads_deals(admin: Any, rep_north: Any, people: dict[str, Any]) -> None:
    desk = catalogue.product_create(
        actor=admin, data={"sku": "DESK", "name": "Desk", "unit_price": "50.00", "currency": "USD"}
    )
    catalogue.product_create(
        actor=admin,
        data={
            "sku": "FIX",
            "name": "Fixing",
            "kind": "service",
            "unit_price": "9",
            "currency": "USD",
        },
    )

    def order(person: Any, amount: str, days_ago: int, product: Any = None) -> None:
        line: dict[str, Any] = {"description": "x", "quantity": "1", "unit_price": amount}
        if product is not None:
            line["product_id"] = product.pk
        data: dict[str, Any] = {
            "person_id": person.pk,
            "currency": "USD",
            "ordered_at": timezone.now() - datetime.timedelta(days=days_ago),
            "lines": [line],
        }
        orders.order_create(actor=admin, data=cast(Any, data))

    order(people["Ana"], "600.00", 10, desk)
    order(people["Ana"], "100.00", 400)
    order(people["Bea"], "50.00", 5)
    assert names(admin, leaf("purchases.product", "eq", "DESK")) == {"Ana"}
    assert names(admin, leaf("purchases.product", "ne", "DESK")) == {"Bea", "Carl", "Dan"}
    assert names(admin, leaf("purchases.product_kind", "eq", "product")) == {"Ana"}
    spent = leaf("purchases.spent", "gt", {"amount": "500", "days": 30})
    assert names(admin, spent) == {"Ana"}
    little = leaf("purchases.spent", "lt", {"amount": "100", "days": 30})
    assert names(admin, little) == {"Bea", "Carl", "Dan"}
    assert names(admin, leaf("purchases.last_order", "before", "-7d")) == {"Ana"}
    assert names(admin, leaf("purchases.last_order", "after", "-7d")) == {"Bea"}
    assert names(admin, leaf("purchases.last_order", "exists", False)) == {"Carl", "Dan"}
    leads.lead_create(actor=admin, data={"last_name": "L", "email": "ana@example.com"})
    assert names(admin, leaf("leads.status", "eq", "new")) == {"Ana"}
    pipeline = make_pipeline()
    deals.deal_create(
        actor=admin,
        data={
            "title": "Big",
            "amount": "10",
            "currency": "USD",
            "pipeline_id": pipeline.pk,
            "person_ids": [people["Bea"].pk],
        },
    )
    assert names(admin, leaf("deals.status", "eq", "open")) == {"Bea"}
    stage = pipeline.stages.order_by("position").first()
    assert stage is not None
    assert names(admin, leaf("deals.stage", "in", [str(stage.pk)])) == {"Bea"}


def test_nested_groups(admin: Any, people: dict[str, Any]) -> None:
    rules = {
        "all": [
            leaf("city", "exists", True),
            {
                "any": [
                    leaf("tags", "contains", "press"),
                    {"all": [leaf("city", "eq", "Madrid"), leaf("tags", "exists", False)]},
                ]
            },
        ]
    }
    assert {p.last_name for p in people_matching(user=admin, rules=rules)} == {"Bea", "Carl"}


def test_a_reps_count_counts_what_the_rep_sees(
    admin: Any, rep_north: Any, rep_south: Any, people: dict[str, Any]
) -> None:
    rules = {"all": [leaf("city", "eq", "Madrid")]}
    assert rules_count(user=admin, rules=rules) == 2
    assert rules_count(user=rep_north, rules=rules) == 1
    assert rules_count(user=rep_south, rules=rules) == 1
    assert names(rep_south, leaf("tags", "contains", "vip")) == set()
