"""The OpenAPI document is as strict as the server where that is cheap: a list's
``sort`` is the enum of its kind's sorts, countries the ISO codes the server knows,
dates ``format: date``, booleans strict (``"is_primary": 0`` is 422, not true)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django_countries import countries

from clientela.core.api.records import api_kinds
from clientela.core.testing.api import Api, fields
from clientela.core.tests.test_record_api import openapi

PEOPLE = "/api/v1/people"


def _query_schema(path: str, name: str) -> dict[str, Any]:
    parameters = openapi()["paths"][path]["get"]["parameters"]
    schema: dict[str, Any] = next(p["schema"] for p in parameters if p["name"] == name)
    return schema


@pytest.mark.parametrize(
    "kind", [k for k in api_kinds() if k.filters is not None], ids=lambda k: k.resource
)
def test_a_list_s_sort_is_the_enum_of_its_kind_s_sorts(kind: Any) -> None:
    parameters = openapi()["paths"][f"/api/v1/{kind.api_route}"]["get"]["parameters"]
    sort = next((p["schema"] for p in parameters if p["name"] == "sort"), None)
    if sort is None:
        return  # a list without a sort parameter (deals, orders: newest first)
    keys = list(kind.filters.sorts(resource=kind.resource))
    # A ``pattern`` on the kind's own ``sort`` narrows the enum to what the API takes
    # (tickets page through columns, not the list page's worked-out priority order).
    metadata = kind.api_list_params.model_fields["sort"].metadata
    pattern = next((m.pattern for m in metadata if getattr(m, "pattern", None)), None)
    if pattern:
        keys = [key for key in keys if re.fullmatch(pattern, key)]
    assert sort["enum"] == [v for key in keys for v in (key, f"-{key}")]
    assert sort["default"] in sort["enum"]


@pytest.mark.django_db
def test_an_unknown_sort_is_422_naming_it(admin: Any) -> None:
    api = Api(admin)
    assert api.get(PEOPLE, {"sort": "-birthday"}).status_code == 200
    refused = api.get(PEOPLE, {"sort": "-website"})
    assert refused.status_code == 422
    assert fields(refused) == {"sort"}


def test_countries_are_the_iso_codes_the_server_knows() -> None:
    codes = [str(code) for code, _name in countries]
    assert "ES" in codes
    assert len(codes) > 240
    country = _query_schema(PEOPLE, "country")["anyOf"][0]
    assert country["enum"] == codes
    address = openapi()["components"]["schemas"]["AddressIn"]["properties"]["country"]
    assert address["enum"] == codes


def test_dates_are_documented_as_dates() -> None:
    assert _query_schema("/api/v1/forecast", "from")["format"] == "date"
    assert _query_schema("/api/v1/forecast", "to")["format"] == "date"
    quote = openapi()["components"]["schemas"]["QuoteIn"]["properties"]["issue_date"]
    assert {"type": "string", "format": "date"} in quote["anyOf"]


@pytest.mark.django_db
@pytest.mark.parametrize("value", [0, 1, "true", "yes", None])
def test_booleans_are_strict(admin: Any, value: Any) -> None:
    api = Api(admin)
    body: dict[str, Any] = {
        "first_name": "Ana",
        "emails": [{"address": "ana@example.com", "is_primary": value}],
    }
    refused = api.post(PEOPLE, body)
    assert refused.status_code == 422
    assert fields(refused) == {"emails.0.is_primary"}
    assert api.get(PEOPLE).json()["items"] == []
    body["emails"][0]["is_primary"] = True
    assert api.post(PEOPLE, body).status_code == 201


@pytest.mark.django_db
def test_a_country_the_server_does_not_know_is_422(admin: Any) -> None:
    api = Api(admin)
    body: dict[str, Any] = {
        "first_name": "Ana",
        "addresses": [{"country": "ZZ", "city": "Nowhere"}],
    }
    refused = api.post(PEOPLE, body)
    assert refused.status_code == 422
    assert fields(refused) == {"addresses.0.country"}
    assert "ZZ" in refused.json()["errors"][0]["message"]
    assert api.get(PEOPLE, {"country": "ZZ"}).status_code == 422
    body["addresses"][0]["country"] = " es "  # as the services read it
    created = api.post(PEOPLE, body)
    assert created.status_code == 201, created.content
    assert created.json()["addresses"][0]["country"] == "ES"
    assert [p["id"] for p in api.get(PEOPLE, {"country": "ES"}).json()["items"]] == [
        created.json()["id"]
    ]
