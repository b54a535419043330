"""Property-based checks of the activities endpoints against the OpenAPI document
(schemathesis), with a token that has the activities scopes, so generated requests
reach the endpoints instead of stopping at 403: never a 500, and every answer matches
the documented status codes and bodies. See ``contacts/tests/test_api_schema.py``."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from clientela.activities.services import appointment_create, interaction_create, task_create
from clientela.core.services import api_token_create

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application()).include(
    path_regex=r"^/api/v1/(interactions|tasks|appointments|calendar)"
)


@pytest.fixture
def keep_test_connection() -> Iterator[None]:
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def token(keep_test_connection: None, admin: Any, settings: Any, tmp_path: Any) -> str:
    settings.MEDIA_ROOT = tmp_path
    start = timezone.now() + datetime.timedelta(days=1)
    # A few records, so generated ids sometimes hit a real one.
    interaction_create(actor=admin, data={"channel": "call"})
    task_create(actor=admin, data={"title": "Call back", "due_at": start})
    appointment_create(
        actor=admin,
        data={"title": "Visit", "start_at": start, "end_at": start + datetime.timedelta(hours=1)},
    )
    _token, clear = api_token_create(
        user=admin, name="schemathesis", scopes=["activities:read", "activities:write"]
    )
    return clear


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=15, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_activities_api_conforms_to_its_openapi(case: Any, token: str) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        excluded_checks=[positive_data_acceptance],
    )
