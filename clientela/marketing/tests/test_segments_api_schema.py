"""Property-based checks of the segments and lists endpoints against the OpenAPI
document (schemathesis), with a token that has the marketing scopes: never a 500
(whatever ``rules`` a generated body holds), and every answer matches the documented
status codes and bodies. See ``contacts/tests/test_api_schema.py``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from clientela.core.testing.api import (
    check_case,
    contract_cases,
    kept_test_connection,
    openapi_schema,
    schema_settings,
    schema_token,
)
from clientela.marketing.services.segments import list_create, segment_create

schema = openapi_schema(r"^/api/v1/(segments|lists)")


@pytest.fixture
def token(admin: Any, person_factory: Any) -> Iterator[str]:
    person = person_factory(admin, last_name="Member")
    segment_create(actor=admin, data={"name": "All", "rules": {"all": []}})
    static_list = list_create(actor=admin, data={"name": "Fair"})
    from clientela.marketing.services.segments import list_add_members  # noqa: PLC0415

    list_add_members(actor=admin, static_list=static_list, person_ids=[person.pk])
    with kept_test_connection():
        yield schema_token(admin, ["marketing:read", "marketing:write"])


@pytest.mark.django_db
@contract_cases(schema)
@schema_settings(max_examples=15)
def test_segments_api_conforms_to_its_openapi(case: Any, token: str) -> None:
    check_case(case, token)
