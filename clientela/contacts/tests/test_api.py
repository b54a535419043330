"""The contacts REST API (/api/v1/people, /api/v1/organizations) through the real URL
conf and middleware: CRUD, bad input, permissions, versions, idempotency, pagination."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from clientela.contacts.models import Organization, Person
from clientela.core.models import AuditEntry, CustomField, Tag
from clientela.core.services import custom_field_create
from clientela.core.testing.api import Api, fields

pytestmark = pytest.mark.django_db

PEOPLE, ORGS = "/api/v1/people", "/api/v1/organizations"
READ_WRITE = ("contacts:read", "contacts:write")


@pytest.fixture
def north(rep_north: Any) -> Api:
    return Api(rep_north)


@pytest.fixture
def vip_field(admin: Any) -> CustomField:
    return custom_field_create(
        actor=admin,
        resource="contacts.person",
        key="vip_level",
        label="VIP level",
        field_type="choice",
        choices=["gold", "silver"],
    )


# --- create, read, update, delete -----------------------------------------------------


def test_birthday_without_a_year_is_accepted_and_returned_as_written(north: Api) -> None:
    created = north.post(PEOPLE, {"first_name": "Kate", "birthday": "--05-21"})
    assert created.status_code == 201, created.content
    assert created.json()["birthday"] == "--05-21"
    person = Person.objects.get()
    assert (person.birthday_md, person.birthday_year) == (521, None)
    leap = north.post(PEOPLE, {"first_name": "Leap", "birthday": "--02-29"})
    assert leap.json()["birthday"] == "--02-29"
    # Giving the year later turns it into a full date.
    url = f"{PEOPLE}/{person.pk}"
    changed = north.patch(url, {"birthday": "1990-05-21", "version": 1})
    assert changed.status_code == 200, changed.content
    assert changed.json()["birthday"] == "1990-05-21"


def test_impossible_birthday_without_a_year_is_422_saying_why(north: Api) -> None:
    response = north.post(PEOPLE, {"first_name": "A", "birthday": "--13-40"})
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["field"] == "birthday"
    assert "month is from 1 to 12" in error["message"]


def test_openapi_documents_the_birthday_forms(north: Api) -> None:
    spec = north.get("/api/v1/openapi.json").json()
    schema = spec["components"]["schemas"]["PersonOut"]["properties"]["birthday"]
    assert schema["pattern"] == r"^(\d{4}|-)-\d{2}-\d{2}$"
    assert "--MM-DD" in schema["description"]


def test_person_round_trip_with_flat_fields_and_lists(
    north: Api, rep_north: Any, organization_factory: Any, vip_field: CustomField
) -> None:
    org = organization_factory(rep_north, name="Acme")
    body = {
        "first_name": "José",
        "last_name": "García",
        "email": "Jose@Example.com",
        "phone": "+34 612 345 678",
        "birthday": "1980-05-17",
        "preferred_language": "es",
        "preferred_channel": "email",
        "phones": [{"number": "+1 415 555 0123", "kind": "work"}],
        "addresses": [{"country": "es", "city": "Madrid", "street": "Gran Vía 1"}],
        "relationships": [{"kind": "customer", "since": "2020-01-01"}],
        "organizations": [{"organization_id": org.pk, "job_title": "CTO", "is_primary": True}],
        "tags": ["VIP", "newsletter"],
        "custom": {"vip_level": "gold"},
        "external_id": "crm-1",
    }
    created = north.post(PEOPLE, body)
    assert created.status_code == 201, created.content
    data = created.json()
    assert created["ETag"] == '"1"'
    assert data["email"] == "jose@example.com"
    assert data["phone"] == "+34612345678"
    assert [p["number"] for p in data["phones"]] == ["+34612345678", "+14155550123"]
    assert (
        data["addresses"][0] | {"country": "ES", "city": "Madrid", "is_primary": True}
        == data["addresses"][0]
    )
    assert data["organizations"] == [
        {
            "organization_id": org.pk,
            "organization_name": "Acme",
            "job_title": "CTO",
            "is_primary": True,
        }
    ]
    assert data["tags"] == ["VIP", "newsletter"]
    assert data["custom"] == {"vip_level": "gold"}
    assert data["relationships"] == [{"kind": "customer", "since": "2020-01-01"}]
    assert data["owner"]["username"] == rep_north.username
    assert data["team"]["name"] == "North"
    assert data["version"] == 1

    fetched = north.get(f"{PEOPLE}/{data['id']}")
    assert fetched.status_code == 200
    assert fetched["ETag"] == '"1"'
    assert fetched.json() == data


def test_patch_changes_only_what_was_sent(north: Api, rep_north: Any, person_factory: Any) -> None:
    person = person_factory(rep_north, first_name="Ana", last_name="Ruiz", email="ana@example.com")
    response = north.patch(f"{PEOPLE}/{person.pk}", {"last_name": "Ruiz Soto"})
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["first_name"], data["last_name"], data["email"]) == (
        "Ana",
        "Ruiz Soto",
        "ana@example.com",
    )
    assert data["version"] == 2
    assert response["ETag"] == '"2"'
    # The flat e-mail replaces the primary one only; null removes it.
    data = north.patch(f"{PEOPLE}/{person.pk}", {"email": None}).json()
    assert data["email"] == ""
    assert data["emails"] == []


def test_delete_moves_to_trash_and_then_404(
    north: Api, rep_north: Any, person_factory: Any
) -> None:
    person = person_factory(rep_north)
    response = north.delete(f"{PEOPLE}/{person.pk}")
    assert response.status_code == 204
    person.refresh_from_db()
    assert person.deleted_at is not None
    assert north.get(f"{PEOPLE}/{person.pk}").status_code == 404
    assert north.delete(f"{PEOPLE}/{person.pk}").status_code == 404


def test_organization_round_trip_with_flat_location(north: Api) -> None:
    created = north.post(
        ORGS,
        {
            "name": "Acme S.L.",
            "website": "https://acme.example",
            "city": "Sevilla",
            "country": "es",
            "industry": "Retail",
            "email": "info@acme.example",
        },
    )
    assert created.status_code == 201, created.content
    data = created.json()
    assert (data["city"], data["country"]) == ("Sevilla", "ES")
    assert data["addresses"][0]["is_primary"] is True
    org_id = data["id"]
    patched = north.patch(f"{ORGS}/{org_id}", {"city": "Cádiz", "version": 1})
    assert patched.status_code == 200, patched.content
    assert patched.json()["addresses"][0]["city"] == "Cádiz"
    assert patched.json()["name"] == "Acme S.L."
    assert north.delete(f"{ORGS}/{org_id}", HTTP_IF_MATCH='"2"').status_code == 204
    assert north.get(f"{ORGS}/{org_id}").status_code == 404


def test_writes_are_audited_as_coming_from_the_api(north: Api, rep_north: Any) -> None:
    person_id = north.post(PEOPLE, {"first_name": "Eva"}).json()["id"]
    north.patch(f"{PEOPLE}/{person_id}", {"last_name": "Lu"})
    north.delete(f"{PEOPLE}/{person_id}")
    entries = AuditEntry.objects.filter(object_id=person_id)
    assert sorted(entries.values_list("action", "interface")) == [
        ("create", "api"),
        ("delete", "api"),
        ("update", "api"),
    ]
    assert {e.actor_id for e in entries} == {rep_north.pk}


def test_html_is_stored_verbatim_and_returned_as_json_text(north: Api) -> None:
    script = '<script>alert("x")</script><b>Bold</b>'
    response = north.post(PEOPLE, {"first_name": script, "notes": script})
    assert response.status_code == 201
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["notes"] == script
    assert Person.objects.get().first_name == script


# --- bad input ------------------------------------------------------------------------

LONG = "x" * 101


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "last_name"),
        ({"first_name": "", "last_name": "  "}, "last_name"),
        ({"first_name": "A", "email": "not-an-email"}, "email"),
        ({"first_name": "A", "phone": "12"}, "phone"),
        ({"first_name": "A", "phone": "call me maybe"}, "phone"),
        ({"first_name": "A", "birthday": "1850-01-01"}, "birthday"),
        ({"first_name": "A", "birthday": "2999-01-01"}, "birthday"),
        ({"first_name": "A", "birthday": "2024-02-30"}, "birthday"),
        ({"first_name": "A", "birthday": 19800517}, "birthday"),
        ({"first_name": "A", "birthday": "--13-40"}, "birthday"),
        ({"first_name": "A", "birthday": "--04-31"}, "birthday"),
        ({"first_name": "A", "birthday": "21/05"}, "birthday"),
        ({"first_name": LONG}, "first_name"),
        ({"first_name": "A", "notes": "n" * 10001}, "notes"),
        ({"first_name": 123}, "first_name"),
        ({"first_name": ["A"]}, "first_name"),
        ({"first_name": "A", "tags": "vip"}, "tags"),
        ({"first_name": "A", "tags": ["t" * 51]}, "tags.0"),
        ({"first_name": "A", "custom": {"nope": "1"}}, "custom.nope"),
        ({"first_name": "A", "custom": {"vip_level": "platinum"}}, "custom.vip_level"),
        ({"first_name": "A", "custom": ["gold"]}, "custom"),
        ({"first_name": "A", "emails": [{"address": "x@"}]}, "emails"),
        ({"first_name": "A", "emails": [{"address": "a@b.co", "kind": "fax"}]}, "emails.0.kind"),
        ({"first_name": "A", "phones": [{"number": "abc"}]}, "phones"),
        ({"first_name": "A", "addresses": [{"country": "XX"}]}, "addresses.0.country"),
        ({"first_name": "A", "addresses": [{"city": "Lima"}]}, "addresses.0.country"),
        ({"first_name": "A", "relationships": [{"kind": "friend"}]}, "relationships.0.kind"),
        (
            {"first_name": "A", "relationships": [{"kind": "customer", "since": "1700-01-01"}]},
            "relationships",
        ),
        ({"first_name": "A", "organizations": [{"organization_id": 999999}]}, "organizations"),
        ({"first_name": "A", "owner_id": 999999}, "owner_id"),
        ({"first_name": "A", "team_id": "north"}, "team_id"),
        ({"first_name": "A", "preferred_language": "fr"}, "preferred_language"),
        ({"first_name": "A", "frist_name": "B"}, "frist_name"),
        ({"first_name": "A", "emails": [{"address": f"a{i}@b.co"} for i in range(21)]}, "emails"),
    ],
)
def test_bad_person_input_is_422_naming_the_field_and_saves_nothing(
    north: Api, vip_field: CustomField, body: dict[str, Any], field: str
) -> None:
    response = north.post(PEOPLE, body)
    assert response.status_code == 422, response.content
    assert field in fields(response)
    assert response.json()["detail"]
    assert not Person.objects.exists()
    assert not Tag.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "A", "country": "Spain"}, "country"),
        ({"name": "A", "city": "Paris"}, "country"),
        ({"name": "A", "website": "not a url"}, "website"),
        ({"name": "A", "phone": "0"}, "phone"),
        ({"name": None}, "name"),
    ],
)
def test_bad_organization_input_is_422_and_saves_nothing(
    north: Api, body: dict[str, Any], field: str
) -> None:
    response = north.post(ORGS, body)
    assert response.status_code == 422, response.content
    assert field in fields(response)
    assert not Organization.objects.exists()


def test_bad_update_changes_nothing(north: Api, rep_north: Any, person_factory: Any) -> None:
    person = person_factory(rep_north, first_name="Ana", email="ana@example.com")
    response = north.patch(
        f"{PEOPLE}/{person.pk}", {"first_name": "Anna", "email": "broken", "phone": "nope"}
    )
    assert response.status_code == 422
    assert fields(response) >= {"email", "phone"}
    person.refresh_from_db()
    assert (person.first_name, person.email, person.version) == ("Ana", "ana@example.com", 1)


@pytest.mark.parametrize("raw", ["{oops", "[]", "null", '"x"'])
def test_malformed_json_is_4xx(north: Api, raw: str) -> None:
    response = north.post(PEOPLE, raw)
    assert response.status_code in (400, 422)
    assert "detail" in response.json()
    assert not Person.objects.exists()


@pytest.mark.parametrize("record_id", ["999999", "0", "abc", "99999999999999999999999"])
def test_unknown_ids_are_404_or_422_never_500(north: Api, record_id: str) -> None:
    for url in (f"{PEOPLE}/{record_id}", f"{ORGS}/{record_id}"):
        statuses = {
            north.get(url).status_code,
            north.patch(url, {"notes": "x"}).status_code,
            north.delete(url).status_code,
        }
        assert statuses == ({404} if record_id == "999999" else {422})


# --- tokens and scopes ----------------------------------------------------------------


def test_bad_or_missing_token_is_401(rep_north: Any, person_factory: Any) -> None:
    person = person_factory(rep_north)
    client = Client()
    for headers in (
        {},
        {"Authorization": "Bearer clt_forged"},
        {"Authorization": "Token x"},
    ):
        assert client.get(PEOPLE, headers=headers).status_code == 401
        assert client.get(f"{PEOPLE}/{person.pk}", headers=headers).status_code == 401
        response = client.post(PEOPLE, "{}", content_type="application/json", headers=headers)
        assert response.status_code == 401
        assert response.json()["errors"] == []
    assert Person.objects.count() == 1


def test_missing_scope_is_403_naming_it(rep_north: Any, person_factory: Any) -> None:
    person = person_factory(rep_north)
    reader_token, writer_token = (
        Api(rep_north, ("contacts:read",)),
        Api(rep_north, ("contacts:write",)),
    )
    for response in (
        reader_token.post(PEOPLE, {"first_name": "X"}),
        reader_token.patch(f"{PEOPLE}/{person.pk}", {"first_name": "X"}),
        reader_token.delete(f"{PEOPLE}/{person.pk}"),
        reader_token.post(ORGS, {"name": "X"}),
    ):
        assert response.status_code == 403
        assert response.json()["required_scope"] == "contacts:write"
    for response in (writer_token.get(PEOPLE), writer_token.get(f"{PEOPLE}/{person.pk}")):
        assert response.status_code == 403
        assert response.json()["required_scope"] == "contacts:read"
    person.refresh_from_db()
    assert (person.first_name, person.version, person.deleted_at) == ("Test", 1, None)


def test_me_shows_the_token_user(north: Api, rep_north: Any) -> None:
    body = north.get("/api/v1/me").json()
    assert (body["username"], body["role"]["key"], body["team"]["name"]) == (
        rep_north.username,
        "sales",
        "North",
    )
    assert body["scopes"] == sorted(READ_WRITE)


def test_openapi_and_docs_are_served_without_a_cdn(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/people", "/api/v1/people/{person_id}", "/api/v1/organizations"} <= set(
        schema["paths"]
    )
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    assert b"cdn." not in docs.content


# --- permission matrix ----------------------------------------------------------------


def test_rep_cannot_list_find_read_change_or_delete_another_teams_records(
    north: Api, rep_south: Any, person_factory: Any, organization_factory: Any
) -> None:
    person = person_factory(rep_south, first_name="Sonia", last_name="Southern")
    org = organization_factory(rep_south, name="Southco")
    assert north.get(PEOPLE).json()["items"] == []
    assert north.get(PEOPLE, {"q": "Sonia"}).json()["items"] == []
    assert north.get(ORGS, {"q": "Southco"}).json()["items"] == []
    for url, body in (
        (f"{PEOPLE}/{person.pk}", {"first_name": "X"}),
        (f"{ORGS}/{org.pk}", {"name": "X"}),
    ):
        assert north.get(url).status_code == 404
        assert north.patch(url, body).status_code == 404
        assert north.delete(url).status_code == 404
    person.refresh_from_db()
    org.refresh_from_db()
    assert (person.first_name, person.deleted_at, org.name, org.deleted_at) == (
        "Sonia",
        None,
        "Southco",
        None,
    )


def test_rep_sees_own_teams_records_and_cannot_hand_records_to_another_team(
    north: Api, rep_north2: Any, rep_south: Any, person_factory: Any
) -> None:
    person = person_factory(rep_north2, first_name="Nina")
    assert [p["id"] for p in north.get(PEOPLE, {"q": "nina"}).json()["items"]] == [person.pk]
    response = north.patch(f"{PEOPLE}/{person.pk}", {"team_id": rep_south.team_id})
    assert response.status_code == 422
    assert "team_id" in fields(response)


def test_reader_can_read_everything_but_not_write(
    reader: Any, rep_south: Any, rep_north: Any, person_factory: Any
) -> None:
    south, north = person_factory(rep_south), person_factory(rep_north)
    api = Api(reader)  # even a token with the write scope cannot exceed the role
    assert {p["id"] for p in api.get(PEOPLE).json()["items"]} == {south.pk, north.pk}
    assert api.get(f"{PEOPLE}/{south.pk}").status_code == 200
    assert api.post(PEOPLE, {"first_name": "New"}).status_code == 403
    assert api.patch(f"{PEOPLE}/{south.pk}", {"first_name": "X"}).status_code == 403
    assert api.delete(f"{PEOPLE}/{north.pk}").status_code == 403
    assert Person.objects.filter(deleted_at__isnull=True).count() == 2


# --- versions -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "stale", [{"HTTP_IF_MATCH": '"1"'}, {"HTTP_IF_MATCH": 'W/"1"'}, {"HTTP_IF_MATCH": "1"}, "body"]
)
def test_stale_version_is_412_and_changes_nothing(
    north: Api, rep_north: Any, person_factory: Any, stale: Any
) -> None:
    person = person_factory(rep_north, first_name="Ana")
    assert north.patch(f"{PEOPLE}/{person.pk}", {"first_name": "Ana 2"}).status_code == 200
    body: dict[str, Any] = {"first_name": "Overwrite"}
    headers = stale if isinstance(stale, dict) else {}
    if stale == "body":
        body["version"] = 1
    response = north.patch(f"{PEOPLE}/{person.pk}", body, **headers)
    assert response.status_code == 412
    assert response.json()["current_version"] == 2
    deleted = north.delete(
        f"{PEOPLE}/{person.pk}", {"version": 1} if stale == "body" else None, **headers
    )
    assert deleted.status_code == 412
    person.refresh_from_db()
    assert (person.first_name, person.version, person.deleted_at) == ("Ana 2", 2, None)
    # With the current version the same update goes through.
    assert north.patch(f"{PEOPLE}/{person.pk}", body | {"version": 2}).status_code == 200


def test_if_match_and_body_version_must_agree(
    north: Api, rep_north: Any, person_factory: Any
) -> None:
    person = person_factory(rep_north)
    response = north.patch(
        f"{PEOPLE}/{person.pk}", {"notes": "x", "version": 1}, HTTP_IF_MATCH='"2"'
    )
    assert response.status_code == 422


# --- idempotency ----------------------------------------------------------------------


def test_idempotent_post_twice_creates_one_record(north: Api) -> None:
    body = {"first_name": "Once", "email": "once@example.com"}
    first = north.post(PEOPLE, body, HTTP_IDEMPOTENCY_KEY="create-once")
    second = north.post(PEOPLE, body, HTTP_IDEMPOTENCY_KEY="create-once")
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert first["ETag"] == second["ETag"] == '"1"'
    assert Person.objects.count() == 1
    other = north.post(PEOPLE, {"first_name": "Twice"}, HTTP_IDEMPOTENCY_KEY="create-once")
    assert other.status_code == 422
    assert "Idempotency-Key" in fields(other)
    assert Person.objects.count() == 1
    # Without a key every POST creates.
    north.post(ORGS, {"name": "A"})
    north.post(ORGS, {"name": "A"})
    assert Organization.objects.count() == 2
