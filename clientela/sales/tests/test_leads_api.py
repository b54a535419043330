"""The leads REST API (/api/v1/leads) through the real URL conf and middleware: CRUD,
bad input (422 naming the field), scopes, other teams (404), versions (412),
idempotency, cursor pagination and conversion."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from clientela.contacts.models import Organization, Person
from clientela.core.testing.api import (
    Api,
    check_case,
    contract_cases,
    fields,
    kept_test_connection,
    openapi_schema,
    schema_settings,
    schema_token,
)
from clientela.sales.models import Deal, Lead, Pipeline, Stage
from clientela.sales.services.leads import lead_create, lead_set_status

pytestmark = pytest.mark.django_db

LEADS = "/api/v1/leads"
READ_WRITE = ("sales:read", "sales:write")


@pytest.fixture
def north(rep_north: Any) -> Api:
    return Api(rep_north, READ_WRITE)


@pytest.fixture
def south(rep_south: Any) -> Api:
    return Api(rep_south, READ_WRITE)


@pytest.fixture
def pipeline(db: Any) -> Pipeline:
    found = Pipeline.objects.filter(is_active=True).order_by("position", "id").first()
    if found is not None:
        return found
    created = Pipeline.objects.create(name="Sales")
    Stage.objects.create(pipeline=created, name="New", position=0, probability=10)
    Stage.objects.create(pipeline=created, name="Won", position=1, probability=100, is_won=True)
    Stage.objects.create(pipeline=created, name="Lost", position=2, is_lost=True)
    return created


def test_round_trip(north: Api, rep_north: Any) -> None:
    body = {
        "first_name": "Lucía",
        "last_name": "Méndez",
        "email": "Lucia@Example.com",
        "phone": "+34 612 345 678",
        "company": "Acme",
        "job_title": "CTO",
        "source": "event",
        "notes": "Met at the fair",
    }
    created = north.post(LEADS, body)
    assert created.status_code == 201, created.content
    data = created.json()
    assert created["ETag"] == '"1"'
    assert data["email"] == "lucia@example.com"
    assert data["phone"] == "+34612345678"
    assert data["status"] == "new"
    assert data["owner_id"] == rep_north.pk
    assert data["converted_person_id"] is None
    assert data["version"] == 1
    url = f"{LEADS}/{data['id']}"

    fetched = north.get(url)
    assert fetched.status_code == 200
    assert fetched.json() == data

    changed = north.patch(url, {"status": "qualified", "company": "Acme SL"}, HTTP_IF_MATCH='"1"')
    assert changed.status_code == 200, changed.content
    assert (changed.json()["status"], changed.json()["version"]) == ("qualified", 2)
    assert changed["ETag"] == '"2"'

    stale = north.patch(url, {"company": "Late"}, HTTP_IF_MATCH='"1"')
    assert stale.status_code == 412
    assert stale.json()["current_version"] == 2

    listed = north.get(LEADS, {"status": "qualified"})
    assert [i["id"] for i in listed.json()["items"]] == [data["id"]]

    assert north.delete(url, HTTP_IF_MATCH='"2"').status_code == 204
    assert north.get(url).status_code == 404
    assert Lead.objects.get(pk=data["id"]).deleted_at is not None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "last_name"),
        ({"email": "not-an-email"}, "email"),
        ({"first_name": "A", "phone": "12345"}, "phone"),
        ({"first_name": "A", "source": "pigeon"}, "source"),
        ({"first_name": "A", "status": "won"}, "status"),
        ({"first_name": "A", "status": "converted"}, "status"),
        ({"first_name": "A", "status": "disqualified"}, "disqualified_reason"),
        # Computed by lead scoring (analytics), not set by clients.
        ({"first_name": "A", "score": 50}, "score"),
        ({"first_name": "A", "owner_id": 999999}, "owner_id"),
        ({"first_name": "A", "frist_name": "typo"}, "frist_name"),
        ({"first_name": 12}, "first_name"),
    ],
)
def test_create_bad_input_is_422_naming_the_field(
    north: Api, body: dict[str, Any], field: str
) -> None:
    response = north.post(LEADS, body)
    assert response.status_code == 422, response.content
    assert field in fields(response)
    assert not Lead.objects.exists()


def test_patch_bad_input(north: Api, rep_north: Any) -> None:
    lead = lead_create(actor=rep_north, data={"first_name": "Ana"})
    url = f"{LEADS}/{lead.pk}"
    assert "email" in fields(north.patch(url, {"email": "@@"}))
    assert "last_name" in fields(north.patch(url, {"first_name": ""}))
    assert "version" in fields(north.patch(url, {"version": 1}, HTTP_IF_MATCH='"2"'))
    assert north.post(LEADS, "not json").status_code == 400
    lead.refresh_from_db()
    assert lead.first_name == "Ana"
    assert lead.version == 1


def test_list_bad_params_are_422(north: Api) -> None:
    assert "status" in fields(north.get(LEADS, {"status": "bogus"}))
    assert "source" in fields(north.get(LEADS, {"source": "bogus"}))
    assert "sort" in fields(north.get(LEADS, {"sort": "bogus"}))
    assert "stauts" in fields(north.get(LEADS, {"stauts": "new"}))
    assert "cursor" in fields(north.get(LEADS, {"cursor": "forged"}))


def test_cursor_pagination(north: Api, rep_north: Any) -> None:
    for n in range(5):
        lead_create(actor=rep_north, data={"first_name": f"L{n}"})
    seen: list[int] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2, "sort": "name"}
        if cursor:
            params["cursor"] = cursor
        page = north.get(LEADS, params).json()
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == 5 == len(set(seen))


def test_idempotency_key_creates_once(north: Api) -> None:
    body = {"company": "Acme"}
    first = north.post(LEADS, body, HTTP_IDEMPOTENCY_KEY="k-1")
    again = north.post(LEADS, body, HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Lead.objects.count() == 1
    other = north.post(LEADS, {"company": "Other"}, HTTP_IDEMPOTENCY_KEY="k-1")
    assert other.status_code == 422
    assert "Idempotency-Key" in fields(other)


def test_scopes(rep_north: Any) -> None:
    reader = Api(rep_north, scopes=("sales:read",))
    assert reader.get(LEADS).status_code == 200
    refused = reader.post(LEADS, {"company": "Acme"})
    assert refused.status_code == 403
    assert refused.json()["required_scope"] == "sales:write"
    assert Api(rep_north, scopes=("contacts:read",)).get(LEADS).status_code == 403
    assert Client().get(LEADS).status_code == 401


def test_other_team_gets_404_everywhere(south: Api, rep_north: Any) -> None:
    lead = lead_create(actor=rep_north, data={"first_name": "Ana", "email": "ana@example.com"})
    url = f"{LEADS}/{lead.pk}"
    assert south.get(LEADS).json()["items"] == []
    assert south.get(url).status_code == 404
    assert south.patch(url, {"company": "Mine"}).status_code == 404
    assert south.delete(url).status_code == 404
    assert south.post(f"{url}/convert", {}).status_code == 404
    lead.refresh_from_db()
    assert lead.deleted_at is None
    assert lead.company == ""
    assert lead.status == "new"


# --- conversion -----------------------------------------------------------------------


def test_convert_creates_person_organization_and_deal(
    north: Api, rep_north: Any, pipeline: Pipeline
) -> None:
    lead = lead_create(
        actor=rep_north,
        data={"first_name": "Lucía", "email": "lucia@example.com", "company": "Acme"},
    )
    body = {
        "create_deal": True,
        "deal": {
            "title": "Ovens",
            "amount": "1500.00",
            "currency": "EUR",
            "pipeline_id": pipeline.pk,
        },
    }
    response = north.post(f"{LEADS}/{lead.pk}/convert", body)
    assert response.status_code == 200, response.content
    data = response.json()
    person = Person.objects.get(pk=data["person_id"])
    org = Organization.objects.get(pk=data["organization_id"])
    deal = Deal.objects.get(pk=data["deal_id"])
    assert person.email == "lucia@example.com"
    assert org.name == "Acme"
    assert deal.organization == org
    assert deal.currency == "EUR"
    fetched = north.get(f"{LEADS}/{lead.pk}").json()
    assert fetched["status"] == "converted"
    assert (
        fetched["converted_person_id"],
        fetched["converted_organization_id"],
        fetched["converted_deal_id"],
    ) == (person.pk, org.pk, deal.pk)


def test_convert_links_existing_person_by_email(
    north: Api, rep_north: Any, person_factory: Any
) -> None:
    existing = person_factory(rep_north, email="lucia@example.com")
    lead = lead_create(actor=rep_north, data={"first_name": "L", "email": "lucia@example.com"})
    people = Person.objects.count()
    response = north.post(f"{LEADS}/{lead.pk}/convert", {})
    assert response.status_code == 200, response.content
    assert response.json() == {"person_id": existing.pk, "organization_id": None, "deal_id": None}
    assert Person.objects.count() == people


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"create_deal": True, "deal": {"currency": "XYZ"}}, "deal.currency"),
        ({"create_deal": True, "deal": {"pipeline_id": 987654}}, "deal.pipeline_id"),
        ({"create_deal": True, "deal": {"amount": "-5"}}, "deal.amount"),
        ({"create_deal": True, "deal": {"amount": 10.5}}, "deal.amount"),
        ({"create_deal": True, "deal": {"colour": "red"}}, "deal.colour"),
        ({"person_id": 987654}, "person_id"),
        ({"organization_id": 987654}, "organization_id"),
        ({"create_deal": "maybe"}, "create_deal"),
    ],
)
def test_convert_bad_input_saves_nothing(
    north: Api, rep_north: Any, pipeline: Pipeline, body: dict[str, Any], field: str
) -> None:
    lead = lead_create(
        actor=rep_north,
        data={"first_name": "Lucía", "email": "lucia@example.com", "company": "Acme"},
    )
    response = north.post(f"{LEADS}/{lead.pk}/convert", body)
    assert response.status_code == 422, response.content
    assert field in fields(response)
    assert not Person.objects.exists()
    assert not Organization.objects.exists()
    assert not Deal.objects.exists()
    lead.refresh_from_db()
    assert lead.status == "new"


def test_converting_twice_or_disqualified_is_422(north: Api, rep_north: Any) -> None:
    lead = lead_create(actor=rep_north, data={"first_name": "Ana"})
    assert north.post(f"{LEADS}/{lead.pk}/convert", {}).status_code == 200
    again = north.post(f"{LEADS}/{lead.pk}/convert", {})
    assert again.status_code == 422
    assert "status" in fields(again)

    other = lead_create(actor=rep_north, data={"first_name": "Bea"})
    lead_set_status(actor=rep_north, lead=other, status="disqualified", reason="Spam")
    refused = north.post(f"{LEADS}/{other.pk}/convert", {})
    assert refused.status_code == 422
    assert "status" in fields(refused)
    assert Person.objects.count() == 1


def test_convert_honours_if_match(north: Api, rep_north: Any) -> None:
    lead = lead_create(actor=rep_north, data={"first_name": "Ana"})
    stale = north.post(f"{LEADS}/{lead.pk}/convert", {}, HTTP_IF_MATCH='"9"')
    assert stale.status_code == 412
    assert not Person.objects.exists()


# --- the OpenAPI contract (schemathesis): never a 500, answers as documented ------------

schema = openapi_schema(r"^/api/v1/leads")


@pytest.fixture
def token(admin: Any) -> Iterator[str]:
    # A few records, so generated ids sometimes hit a real one.
    for n in range(3):
        lead_create(actor=admin, data={"first_name": f"Lead {n}", "company": "Acme"})
    with kept_test_connection():
        yield schema_token(admin, READ_WRITE)


@contract_cases(schema)
@schema_settings(max_examples=15)
def test_leads_api_conforms_to_its_openapi(case: Any, token: str) -> None:
    check_case(case, token)
