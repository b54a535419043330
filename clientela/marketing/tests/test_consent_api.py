"""``/api/v1/people/{id}/consents``: current consents and history, recording through
the API (scopes marketing:read / marketing:write), 422 naming the field for bad input,
404 for a person the token's user may not see, 403 without the right."""

from __future__ import annotations

from typing import Any

import pytest

from clientela.core.testing.api import Api, fields
from clientela.marketing.models import ConsentEvent

pytestmark = pytest.mark.django_db

SCOPES = ("marketing:read", "marketing:write")
BODY = {
    "purpose": "offers",
    "channel": "email",
    "granted": True,
    "source": "api",
    "wording": "Send me offers.",
}


@pytest.fixture
def ana(person_factory: Any, rep_north: Any) -> Any:
    return person_factory(rep_north, first_name="Ana", email="ana@example.com")


def url(person: Any) -> str:
    return f"/api/v1/people/{person.pk}/consents"


def test_record_then_read(rep_north: Any, ana: Any) -> None:
    api = Api(rep_north, SCOPES)
    created = api.post(url(ana), {**BODY, "ip": "198.51.100.4", "user_agent": "Shop"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["purpose"], body["granted"], body["legal_basis"], body["ip"]) == (
        "offers",
        True,
        "consent",
        "198.51.100.4",
    )
    assert body["wording"] == "Send me offers."
    assert len(body["wording_sha256"]) == 64
    api.post(url(ana), {**BODY, "granted": False, "wording": ""})
    listed = api.get(url(ana)).json()
    assert listed["current"] == [
        {
            "purpose": "offers",
            "channel": "email",
            "granted": False,
            "since": listed["history"][0]["at"],
            "confirmed": False,
            "pending": False,
        }
    ]
    assert [e["granted"] for e in listed["history"]] == [False, True]


def test_bad_input_names_the_field(rep_north: Any, ana: Any) -> None:
    api = Api(rep_north, SCOPES)
    for key, value in (("purpose", "nope"), ("channel", "fax"), ("source", "rumour")):
        answer = api.post(url(ana), {**BODY, key: value})
        assert answer.status_code == 422, answer.content
        assert key in fields(answer)
    answer = api.post(url(ana), {"purpose": "offers"})
    assert answer.status_code == 422
    assert {"channel", "granted", "source"} <= fields(answer)
    answer = api.post(url(ana), {**BODY, "double_opt_in": True, "channel": "sms"})
    assert answer.status_code == 422
    assert "double_opt_in" in fields(answer)
    assert not ConsentEvent.objects.exists()


def test_an_invisible_person_is_404(rep_south: Any, ana: Any) -> None:
    api = Api(rep_south, SCOPES)
    assert api.get(url(ana)).status_code == 404
    assert api.post(url(ana), BODY).status_code == 404
    assert api.get("/api/v1/people/999999999/consents").status_code == 404


def test_readers_read_but_do_not_record(reader: Any, ana: Any) -> None:
    api = Api(reader, SCOPES)
    assert api.get(url(ana)).status_code == 200
    assert api.post(url(ana), BODY).status_code == 403
    assert not ConsentEvent.objects.exists()


def test_scopes(rep_north: Any, ana: Any) -> None:
    assert Api(rep_north, ("marketing:read",)).post(url(ana), BODY).status_code == 403
    assert Api(rep_north, ("contacts:read",)).get(url(ana)).status_code == 403


def test_purposes_through_the_kind(admin: Any, marketer: Any) -> None:
    listed = Api(marketer, SCOPES).get("/api/v1/consent-purposes").json()
    keys = [p["key"] for p in listed["items"]]
    assert keys[:4] == ["newsletter", "offers", "events", "surveys"]
    assert (
        Api(marketer, SCOPES)
        .post("/api/v1/consent-purposes", {"key": "x", "name": "X"})
        .status_code
        == 403
    )
    api = Api(admin, SCOPES)
    answer = api.post("/api/v1/consent-purposes", {"key": "Bad Key", "name": "X"})
    assert answer.status_code == 422
    assert "key" in fields(answer)
    made = api.post("/api/v1/consent-purposes", {"key": "webinars", "name": "Webinars"})
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    renamed = api.patch(f"/api/v1/consent-purposes/{pk}", {"name": "Online talks", "key": "x"})
    assert renamed.status_code == 422
    assert "key" in fields(renamed)
    renamed = api.patch(f"/api/v1/consent-purposes/{pk}", {"name": "Online talks"})
    assert renamed.json()["name"] == "Online talks"


def test_a_purpose_in_use_is_not_deleted(admin: Any, ana: Any) -> None:
    api = Api(admin, SCOPES)
    made = api.post("/api/v1/consent-purposes", {"key": "webinars", "name": "Webinars"}).json()
    used = api.post("/api/v1/consent-purposes", {"key": "fairs", "name": "Fairs"}).json()
    api.post(url(ana), {**BODY, "purpose": "fairs", "granted": False})
    refused = api.delete(f"/api/v1/consent-purposes/{used['id']}")
    assert refused.status_code == 422
    assert "key" in fields(refused)
    assert api.delete(f"/api/v1/consent-purposes/{made['id']}").status_code == 204
