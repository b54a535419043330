"""Property-based checks of ``/api/v1/forms`` against the OpenAPI document
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
from clientela.marketing.tests.form_setup import make_form

schema = openapi_schema(r"^/api/v1/forms")


@pytest.fixture
def token(admin: Any) -> Iterator[str]:
    make_form(admin)  # so generated ids sometimes hit a real one
    with kept_test_connection():
        yield schema_token(admin, ["marketing:read", "marketing:write"])


@pytest.mark.django_db
@contract_cases(schema)
@schema_settings(max_examples=15)
def test_forms_api_conforms_to_its_openapi(case: Any, token: str) -> None:
    check_case(case, token)
