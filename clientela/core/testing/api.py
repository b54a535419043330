"""Calling the REST API in tests: ``Api`` (one user's token, JSON bodies) and the
shared set-up of the schemathesis contract tests (the schema loaded from the WSGI app,
the database connection kept across generated requests, one way to run a case)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from clientela.core.services import api_token_create

READ_WRITE = ("contacts:read", "contacts:write")
_Test = TypeVar("_Test", bound=Callable[..., None])


class Api:
    """A test client that sends one user's token and JSON bodies."""

    def __init__(self, user: Any, scopes: tuple[str, ...] = READ_WRITE) -> None:
        _token, clear = api_token_create(user=user, name="tests", scopes=list(scopes))
        self.client = Client()
        self.auth: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {clear}"}

    def get(self, url: str, params: dict[str, Any] | None = None, **headers: Any) -> Any:
        return self.client.get(url, params or {}, **self.auth, **headers)

    def send(self, method: str, url: str, body: Any = None, **headers: Any) -> Any:
        data = "" if body is None else body if isinstance(body, str) else json.dumps(body)
        call = getattr(self.client, method)
        return call(url, data=data, content_type="application/json", **self.auth, **headers)

    def post(self, url: str, body: Any, **headers: Any) -> Any:
        return self.send("post", url, body, **headers)

    def patch(self, url: str, body: Any, **headers: Any) -> Any:
        return self.send("patch", url, body, **headers)

    def delete(self, url: str, body: Any = None, **headers: Any) -> Any:
        return self.send("delete", url, body, **headers)


def fields(response: Any) -> set[str]:
    """The fields an error body names (``{"errors": [{"field": …}]}``)."""
    return {e["field"] for e in response.json()["errors"]}


# --- the OpenAPI contract (schemathesis) ----------------------------------------------


def openapi_schema(path_regex: str | None = None) -> schemathesis.BaseSchema:
    """The API's own OpenAPI document, called in-process through the WSGI app;
    ``path_regex`` narrows it to one app's endpoints."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    return schema if path_regex is None else schema.include(path_regex=path_regex)


@contextmanager
def kept_test_connection() -> Iterator[None]:
    """The WSGI app closes "old" connections around each request, which on PostgreSQL
    would close the test's own transaction; Django's test client skips this the
    same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def schema_token(user: Any, scopes: tuple[str, ...] | list[str]) -> str:
    """A token with ``scopes``, so generated requests reach the endpoints instead of
    stopping at 403."""
    _token, clear = api_token_create(user=user, name="schemathesis", scopes=list(scopes))
    return clear


def contract_cases(schema: schemathesis.BaseSchema) -> Callable[[_Test], _Test]:
    """``schema.parametrize()``, typed: one generated request per example of each
    operation (schemathesis declares the decorator as a bare ``Callable``)."""
    parametrize: Callable[[_Test], _Test] = schema.parametrize()
    return parametrize


def schema_settings(max_examples: int) -> settings:
    """Hypothesis settings of every contract test: derandomized, so CI never flakes on
    a new seed, and without deadlines or health checks (a request is slow to them)."""
    return settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )


def check_case(case: Any, token: str) -> None:
    """Call one generated request and check the answer against the document: never a
    500, the documented status codes, headers and bodies.

    ``positive_data_acceptance`` is left out: a schema cannot say that a cursor must be
    one we issued or that a country code must exist, so such schema-valid input is
    rightly refused with 422."""
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        excluded_checks=[positive_data_acceptance],
    )
