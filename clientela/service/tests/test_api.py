"""The tickets REST API (/api/v1/tickets and its messages and merge) through the real
URL conf: filters, transitions refused with 422, the conversation, merging, scopes,
other teams (404), and the OpenAPI contract."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from clientela.core.testing.api import (
    Api,
    check_case,
    contract_cases,
    kept_test_connection,
    openapi_schema,
    schema_settings,
    schema_token,
)
from clientela.service.models import Ticket
from clientela.service.services import tickets as services
from clientela.service.services.conversation import ticket_reply
from clientela.service.tests.helpers import make_queue

pytestmark = pytest.mark.django_db

TICKETS = "/api/v1/tickets"
READ_WRITE = ("service:read", "service:write")


@pytest.fixture
def north(rep_north: Any) -> Api:
    return Api(rep_north, READ_WRITE)


@pytest.fixture
def south(rep_south: Any) -> Api:
    return Api(rep_south, READ_WRITE)


def test_create_read_and_filter(north: Any, rep_north: Any, person_factory: Any) -> None:
    customer = person_factory(rep_north)
    queue = make_queue(agents=[rep_north])
    made = north.post(
        TICKETS,
        {
            "subject": "Invoice wrong",
            "priority": "high",
            "person_id": customer.pk,
            "queue_id": queue.pk,
        },
    )
    assert made.status_code == 201, made.json()
    body = made.json()
    assert body["number"].startswith("T-")
    assert {k: body[k] for k in ("status", "priority", "person_id", "queue_id", "sla_state")} == {
        "status": "new",
        "priority": "high",
        "person_id": customer.pk,
        "queue_id": queue.pk,
        "sla_state": "none",
    }
    north.post(TICKETS, {"subject": "Other", "priority": "low"})
    listed = north.get(TICKETS, {"priority": "high", "queue_id": queue.pk, "status": "active"})
    assert [t["id"] for t in listed.json()["items"]] == [body["id"]]
    assert north.get(TICKETS, {"q": body["number"]}).json()["items"][0]["id"] == body["id"]
    assert north.get(TICKETS, {"assignee_id": "none"}).status_code == 200


def test_bad_input_names_the_field_and_saves_nothing(north: Any) -> None:
    for body, field in (
        ({}, "subject"),
        ({"subject": "x", "priority": "whenever"}, "priority"),
        ({"subject": "x", "queue_id": 999999}, "queue_id"),
        ({"subject": "x", "status": "closed"}, "status"),
    ):
        answer = north.post(TICKETS, body)
        assert answer.status_code == 422, body
        assert field in str(answer.json()), answer.json()
    assert not Ticket.objects.exists()
    assert north.get(TICKETS, {"sort": "priority"}).status_code == 422


def test_a_transition_that_is_not_allowed_is_refused(north: Any, rep_north: Any) -> None:
    ticket = services.ticket_create(actor=rep_north, data={"subject": "Q"})
    services.ticket_set_status(actor=rep_north, ticket=ticket, status="closed")
    answer = north.patch(f"{TICKETS}/{ticket.pk}", {"status": "open"})
    assert answer.status_code == 422
    assert "status" in str(answer.json())


def test_messages_and_merge(north: Any, rep_north: Any) -> None:
    ticket = services.ticket_create(actor=rep_north, data={"subject": "Q"})
    other = services.ticket_create(actor=rep_north, data={"subject": "Q again"})
    note = north.post(
        f"{TICKETS}/{ticket.pk}/messages", {"body": "Check the logs", "public": False}
    )
    assert note.status_code == 201
    assert north.post(f"{TICKETS}/{ticket.pk}/messages", {"body": ""}).status_code == 422
    page = north.get(f"{TICKETS}/{ticket.pk}/messages").json()
    assert [(m["body"], m["public"]) for m in page["items"]] == [("Check the logs", False)]
    merged = north.post(f"{TICKETS}/{other.pk}/merge", {"into_id": ticket.pk})
    assert merged.status_code == 200
    assert merged.json()["id"] == ticket.pk
    assert north.get(f"{TICKETS}/{other.pk}").json()["merged_into_id"] == ticket.pk
    again = north.post(f"{TICKETS}/{other.pk}/merge", {"into_id": ticket.pk})
    assert again.status_code == 422


def test_another_team_gets_404_and_a_customers_rep_reads_no_notes(
    south: Any, admin: Any, rep_north: Any, rep_south: Any, person_factory: Any
) -> None:
    hidden = services.ticket_create(actor=rep_north, data={"subject": "Secret"})
    url = f"{TICKETS}/{hidden.pk}"
    answers = [
        south.get(url),
        south.patch(url, {"subject": "x"}),
        south.get(f"{url}/messages"),
        south.post(f"{url}/messages", {"body": "hi"}),
        south.post(f"{url}/merge", {"into_id": hidden.pk}),
        south.delete(url),
    ]
    assert [a.status_code for a in answers] == [404] * 6
    assert hidden.pk not in [t["id"] for t in south.get(TICKETS).json()["items"]]
    # A ticket about rep_south's customer: they read it and its replies, not the notes.
    customer = person_factory(rep_south)
    theirs = services.ticket_create(actor=admin, data={"subject": "Hi", "person_id": customer.pk})
    ticket_reply(actor=admin, ticket=theirs, body="Internal only", public=False)
    ticket_reply(actor=admin, ticket=theirs, body="Dear customer")
    assert south.get(f"{TICKETS}/{theirs.pk}").status_code == 200
    bodies = [m["body"] for m in south.get(f"{TICKETS}/{theirs.pk}/messages").json()["items"]]
    assert bodies == ["Dear customer"]
    assert south.patch(f"{TICKETS}/{theirs.pk}", {"subject": "x"}).status_code == 404


def test_the_scopes_are_required(rep_north: Any) -> None:
    reader = Api(rep_north, ("service:read",))
    assert reader.get(TICKETS).status_code == 200
    assert reader.post(TICKETS, {"subject": "x"}).status_code == 403
    other = Api(rep_north, ("sales:read",))
    assert other.get(TICKETS).status_code == 403


schema = openapi_schema(r"^/api/v1/tickets")


@pytest.fixture
def token(admin: Any) -> Iterator[str]:
    for n in range(3):
        services.ticket_create(actor=admin, data={"subject": f"Ticket {n}"})
    with kept_test_connection():
        yield schema_token(admin, READ_WRITE)


@contract_cases(schema)
@schema_settings(max_examples=15)
def test_tickets_api_conforms_to_its_openapi(case: Any, token: str) -> None:
    check_case(case, token)
