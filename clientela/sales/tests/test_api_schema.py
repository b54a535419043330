"""Property-based checks of the sales endpoints against the OpenAPI document
(schemathesis), with a token that has the sales scopes, so generated requests reach
the endpoints instead of stopping at 403: never a 500, and every answer matches the
documented status codes and bodies. See ``contacts/tests/test_api_schema.py``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from clientela.core.services import api_token_create
from clientela.sales.services import catalogue, deals, orders, pipelines, quotes

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application()).include(
    path_regex=r"^/api/v1/(pipelines|deals|products|quotes|orders|forecast)"
)


@pytest.fixture
def keep_test_connection() -> Iterator[None]:
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def token(keep_test_connection: None, admin: Any, person_factory: Any) -> str:
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
    line = {"product_id": product.pk, "quantity": "2"}
    quotes.quote_create(
        actor=admin, data={"person_id": person.pk, "currency": "USD", "lines": [line]}
    )
    orders.order_create(
        actor=admin, data={"person_id": person.pk, "currency": "USD", "lines": [line]}
    )
    _token, clear = api_token_create(
        user=admin, name="schemathesis", scopes=["sales:read", "sales:write"]
    )
    return clear


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=10, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_sales_api_conforms_to_its_openapi(case: Any, token: str) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        excluded_checks=[positive_data_acceptance],
    )
