"""Property-based checks of the consent endpoints against the OpenAPI document
(schemathesis), with a token that has the marketing scopes: never a 500, and every
answer matches the documented status codes and bodies. See
``contacts/tests/test_api_schema.py``."""

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
from clientela.marketing.services.consent import consent_record

schema = openapi_schema(r"^/api/v1/(people/\{person_id\}/consents|consent-purposes)")


@pytest.fixture
def token(admin: Any, person_factory: Any) -> Iterator[str]:
    # A person with consent, so generated ids sometimes hit a real one.
    person = person_factory(admin, first_name="Ana", email="ana@example.com")
    consent_record(
        actor=admin,
        person=person,
        purpose="offers",
        channel="email",
        granted=True,
        source="user",
    )
    with kept_test_connection():
        yield schema_token(admin, ["marketing:read", "marketing:write"])


@pytest.mark.django_db
@contract_cases(schema)
@schema_settings(max_examples=10)
def test_consent_api_conforms_to_its_openapi(case: Any, token: str) -> None:
    check_case(case, token)
