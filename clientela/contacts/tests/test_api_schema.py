"""Property-based checks of the whole API against its own OpenAPI document
(schemathesis): generated requests, valid and invalid, must never get a 500, and every
answer must match the documented status codes, headers and schemas (the shared set-up
and what is left out, and why: ``core.testing.api``)."""

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

schema = openapi_schema()


@pytest.fixture
def token(admin: Any, person_factory: Any, organization_factory: Any) -> Iterator[str]:
    # A few records, so generated ids sometimes hit a real one.
    organization_factory(admin, name="Acme")
    person_factory(admin, first_name="Ana", email="ana@example.com")
    with kept_test_connection():
        yield schema_token(admin, ["contacts:read", "contacts:write"])


@pytest.mark.django_db
@contract_cases(schema)
@schema_settings(max_examples=15)
def test_api_conforms_to_its_openapi(case: Any, token: str) -> None:
    check_case(case, token)
