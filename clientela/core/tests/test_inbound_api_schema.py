"""``POST /inbound-email`` against its own OpenAPI document (schemathesis): generated
bodies, valid and invalid, with and without the scope, never a 500 and always a
documented answer (the shared set-up: ``core.testing.api``)."""

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

schema = openapi_schema(r"^/api/v1/inbound-email")


@pytest.fixture(params=[["mail:inbound"], ["contacts:read"]])
def token(admin: Any, request: Any) -> Iterator[str]:
    """A token with the scope, and one without (every call a 403)."""
    with kept_test_connection():
        yield schema_token(admin, request.param)


@pytest.mark.django_db
@contract_cases(schema)
@schema_settings(max_examples=30)
def test_api_conforms_to_its_openapi(case: Any, token: str) -> None:
    check_case(case, token)
