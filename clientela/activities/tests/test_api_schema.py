"""Property-based checks of the activities endpoints against the OpenAPI document
(schemathesis), with a token that has the activities scopes, so generated requests
reach the endpoints instead of stopping at 403: never a 500, and every answer matches
the documented status codes and bodies. See ``contacts/tests/test_api_schema.py``."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from clientela.activities.services import appointment_create, interaction_create, task_create
from clientela.core.testing.api import (
    check_case,
    contract_cases,
    kept_test_connection,
    openapi_schema,
    schema_settings,
    schema_token,
)

schema = openapi_schema(r"^/api/v1/(interactions|tasks|appointments|calendar)")


@pytest.fixture
def token(admin: Any, settings: Any, tmp_path: Any) -> Iterator[str]:
    settings.MEDIA_ROOT = tmp_path
    start = timezone.now() + datetime.timedelta(days=1)
    # A few records, so generated ids sometimes hit a real one.
    interaction_create(actor=admin, data={"channel": "call"})
    task_create(actor=admin, data={"title": "Call back", "due_at": start})
    appointment_create(
        actor=admin,
        data={"title": "Visit", "start_at": start, "end_at": start + datetime.timedelta(hours=1)},
    )
    with kept_test_connection():
        yield schema_token(admin, ["activities:read", "activities:write"])


@pytest.mark.django_db
@contract_cases(schema)
@schema_settings(max_examples=15)
def test_activities_api_conforms_to_its_openapi(case: Any, token: str) -> None:
    check_case(case, token)
