"""The condition fields of tickets (``service.conditions``), each parsed, compiled and
run on the tickets as automation's rules run them: which tickets match, ``ne`` and
``exists`` included, custom fields, and a bad value refused with its path (SQLite and
PostgreSQL)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from clientela.core.services import custom_field_create
from clientela.core.testing.conditions import error_of, leaf, matching
from clientela.service.choices import CategoryKind
from clientela.service.models import Category, Ticket
from clientela.service.services.tickets import ticket_create, ticket_set_status
from clientela.service.tests.helpers import make_queue

pytestmark = pytest.mark.django_db

TICKET = Ticket.RESOURCE
NOON = datetime.datetime(2026, 3, 10, 12, tzinfo=datetime.UTC)


@pytest.fixture
def desk(admin: Any, support: Any, rep_south: Any) -> dict[str, Any]:
    billing = Category.objects.create(kind=CategoryKind.TICKET, name="Billing")
    Category.objects.create(kind=CategoryKind.TICKET, name="Shipping")
    queue = make_queue("Support", agents=[support])
    custom_field_create(
        actor=admin, resource=TICKET, key="units", label="Units", field_type="number"
    )
    refund = ticket_create(
        actor=admin,
        data={
            "subject": "Refund please",
            "priority": "urgent",
            "type": "complaint",
            "channel": "phone",
            "category_id": billing.pk,
            "queue_id": queue.pk,
            "assignee_id": support.pk,
            "tags": ["angry", "vip"],
            "custom": {"units": "12"},
        },
    )
    late = ticket_create(
        actor=rep_south,
        data={"subject": "Parcel late", "tags": ["vip"], "custom": {"units": "3"}},
    )
    sizes = ticket_create(actor=rep_south, data={"subject": "Question on sizes"})
    ticket_set_status(actor=rep_south, ticket=sizes, status="solved")
    Ticket.objects.filter(pk=refund.pk).update(
        next_due_at=NOON, resolution_due_at=NOON + datetime.timedelta(days=2)
    )
    Ticket.objects.filter(pk=late.pk).update(next_due_at=NOON + datetime.timedelta(days=5))
    return {"billing": billing, "queue": queue}


def subjects(user: Any, *parts: dict[str, Any]) -> set[str]:
    return matching(user, TICKET, Ticket.objects.all(), *parts, label="subject")


ALL = {"Refund please", "Parcel late", "Question on sizes"}


def test_ticket_columns(admin: Any, desk: dict[str, Any]) -> None:
    assert subjects(admin, leaf("subject", "contains", "late")) == {"Parcel late"}
    assert subjects(admin, leaf("status", "eq", "solved")) == {"Question on sizes"}
    assert subjects(admin, leaf("status", "ne", "solved")) == {"Refund please", "Parcel late"}
    assert subjects(admin, leaf("priority", "in", ["urgent", "high"])) == {"Refund please"}
    assert subjects(admin, leaf("priority", "ne", "urgent")) == ALL - {"Refund please"}
    assert subjects(admin, leaf("type", "eq", "complaint")) == {"Refund please"}
    assert subjects(admin, leaf("channel", "eq", "phone")) == {"Refund please"}
    assert subjects(admin, leaf("sla_state", "eq", "none")) == ALL


def test_ticket_links(admin: Any, support: Any, rep_south: Any, desk: dict[str, Any]) -> None:
    billing, queue = str(desk["billing"].pk), str(desk["queue"].pk)
    assert subjects(admin, leaf("category", "eq", billing)) == {"Refund please"}
    assert subjects(admin, leaf("category", "ne", billing)) == ALL - {"Refund please"}
    assert subjects(admin, leaf("category", "exists", False)) == ALL - {"Refund please"}
    assert subjects(admin, leaf("queue", "eq", queue)) == {"Refund please"}
    assert subjects(admin, leaf("queue", "exists", True)) == {"Refund please"}
    assert subjects(admin, leaf("assignee", "eq", str(support.pk))) == {"Refund please"}
    assert subjects(admin, leaf("assignee", "exists", False)) == ALL - {"Refund please"}
    assert subjects(admin, leaf("owner", "eq", str(rep_south.pk))) == ALL - {"Refund please"}
    assert subjects(admin, leaf("team", "ne", str(rep_south.team_id))) == {"Refund please"}


def test_ticket_tags_deadlines_custom(admin: Any, desk: dict[str, Any]) -> None:
    assert subjects(admin, leaf("tags", "contains", "VIP")) == {"Refund please", "Parcel late"}
    assert subjects(admin, leaf("tags", "ne", "angry")) == {"Parcel late", "Question on sizes"}
    assert subjects(admin, leaf("tags", "exists", False)) == {"Question on sizes"}
    assert subjects(admin, leaf("next_due_at", "before", "2026-03-11")) == {"Refund please"}
    assert subjects(admin, leaf("next_due_at", "after", "2026-03-10")) == {"Parcel late"}
    assert subjects(admin, leaf("next_due_at", "exists", False)) == {"Question on sizes"}
    assert subjects(admin, leaf("resolution_due_at", "exists", True)) == {"Refund please"}
    assert subjects(admin, leaf("created_at", "after", "2026-03-10")) == ALL
    assert subjects(admin, leaf("custom.units", "gt", 5)) == {"Refund please"}
    assert subjects(admin, leaf("custom.units", "ne", 3)) == ALL - {"Parcel late"}
    assert subjects(admin, leaf("custom.units", "exists", False)) == {"Question on sizes"}


def test_ticket_bad_values_name_their_place(admin: Any, desk: dict[str, Any]) -> None:
    assert error_of(TICKET, leaf("priority", "eq", "asap")).path == "all[0].value"
    assert error_of(TICKET, leaf("queue", "eq", "999999")).path == "all[0].value"
    assert error_of(TICKET, leaf("status", "exists", True)).path == "all[0].op"
    assert (
        error_of(TICKET, leaf("subject", "eq", "x"), leaf("custom.units", "gt", "many")).path
        == "all[1].value"
    )
    assert error_of(TICKET, leaf("custom.colour", "eq", "red")).path == "all[0].field"
