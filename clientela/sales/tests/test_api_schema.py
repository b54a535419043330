"""Property-based checks of the sales endpoints against the OpenAPI document
(schemathesis), with a token that has the sales scopes, so generated requests reach
the endpoints instead of stopping at 403: never a 500, and every answer matches the
documented status codes and bodies. See ``contacts/tests/test_api_schema.py``."""

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
from clientela.sales.services import catalogue, deals, orders, pipelines, quotes
from clientela.sales.services.common import LineInput

schema = openapi_schema(r"^/api/v1/(pipelines|deals|products|quotes|orders|forecast)")


@pytest.fixture
def token(admin: Any, person_factory: Any) -> Iterator[str]:
    # A few records, so generated ids sometimes hit a real one.
    pipeline = pipelines.pipeline_create(actor=admin, data={"name": "Schema"})
    product = catalogue.product_create(
        actor=admin,
        data={"sku": "S-1", "name": "Chair", "unit_price": "10.00", "currency": "USD"},
    )
    person = person_factory(admin)
    deals.deal_create(
        actor=admin,
        data={"title": "Chairs", "pipeline_id": pipeline.pk, "amount": "100", "currency": "USD"},
    )
    line: LineInput = {"product_id": product.pk, "quantity": "2"}
    quotes.quote_create(
        actor=admin, data={"person_id": person.pk, "currency": "USD", "lines": [line]}
    )
    orders.order_create(
        actor=admin, data={"person_id": person.pk, "currency": "USD", "lines": [line]}
    )
    with kept_test_connection():
        yield schema_token(admin, ["sales:read", "sales:write"])


@pytest.mark.django_db
@contract_cases(schema)
@schema_settings(max_examples=10)
def test_sales_api_conforms_to_its_openapi(case: Any, token: str) -> None:
    check_case(case, token)
