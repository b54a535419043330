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
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import Failure

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


#: Invalid requests may also be refused with 414: a query string over 8,000 bytes is
#: refused before the API (``LongQueryMiddleware``; documented on every operation),
#: which schemathesis reaches with a long cursor of non-ASCII characters.
CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": {
            "negative_data_rejection": {
                # schemathesis' own list, and 414
                "expected-statuses": "400 401 403 404 405 406 409 414 415 422 428 429 5xx".split()
            }
        }
    }
)


@schemathesis.serializer("message/rfc822")
def _raw_email(ctx: Any, value: Any) -> bytes:
    """``POST /inbound-email`` takes a raw e-mail: a generated string goes as its
    UTF-8 bytes, so the endpoint meets junk and odd messages. A raw body has no JSON
    types: a value of another type (a "wrong type" negative case) goes as no body at
    all, which the endpoint refuses."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass")
    return b""


def openapi_schema(path_regex: str | None = None) -> schemathesis.BaseSchema:
    """The API's own OpenAPI document, called in-process through the WSGI app;
    ``path_regex`` narrows it to one app's endpoints."""
    schema = schemathesis.openapi.from_wsgi(
        "/api/v1/openapi.json", get_wsgi_application(), config=CONFIG
    )
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


#: Why the server may refuse a request the schema allows, by the field its 422 names:
#: what a schema cannot say (or only at great length).
SERVER_RULES: dict[str, frozenset[str]] = {
    # The record named must exist and be visible (also every ``*_id`` and ``*_ids``).
    # A consent's purpose: the key of an active purpose.
    "references": frozenset({"organizations", "Idempotency-Key", "purpose"}),
    # The record's state: accepting a draft, a customer without an e-mail to send to.
    # A queue with tickets, a calendar policies count on: deactivate or change those.
    # Double opt-in: a grant by e-mail to a person with an address.
    "state": frozenset({"status", "to", "queue", "calendar", "double_opt_in"}),
    # Formats the server checks its own way: URLs, e-mail addresses, phone numbers (in
    # the region of the record's country), time zones (its tz database), birthdays (a
    # day of the calendar, from 1900 to today: the pattern only says the shape).
    "formats": frozenset(
        {"website", "email", "phone", "emails", "phones", "time_zone", "birthday", "ip"}
    ),
    # Rules across fields: the end after the start, a first or a last name, a city with
    # its country, a forecast's period in order and at most three years long, a quote
    # valid after its date, at least one line, a line with a product or a description,
    # reminders before the due time, a reason for a disqualified lead, a calendar
    # that can count working time.
    "across fields": frozenset(
        {
            "end_at",
            "start_at",
            "last_name",
            "country",
            "from",
            "valid_until",
            "lines",
            "description",
            "reminders",
            "disqualified_reason",
            "resolution",
            "compensation_currency",
            # A business calendar: working time in the week, a region of the country,
            # days off within the years holidays are known for.
            "hours",
            "subdivision",
            "extra_holidays",
            # An SLA policy: one target per priority.
            "targets",
            # A knowledge-base article's language, against its linked translation's.
            "language",
        }
    ),
    # Templates with merge fields (core.merge_fields): their syntax, the fields offered
    # and the sandbox's limits; one version per language, one in the default language.
    "templates": frozenset({"html", "versions", "default_language"}),
    # A dashboard's layout: widgets of the catalogue the user's role may use, each
    # within the grid and its own smallest and largest sizes, ids unique.
    "layouts": frozenset({"layout"}),
    # A value another record holds already (an article's web address).
    "unique": frozenset({"slug", "key"}),
    # A web form's fields and consent boxes: keys and lead fields each once, a field
    # for the e-mail or a name, boxes only with a required e-mail field, purposes in
    # use, texts not blank; its redirect on an allowed site, origins of the https form.
    "web forms": frozenset(
        {
            "fields",
            "consents",
            "key",
            "label",
            "maps_to",
            "choices",
            "purpose",
            "text",
            "allowed_origins",
            "redirect_url",
            "notify_email",
        }
    ),
    # Amounts are decimal strings (exact, unlike JSON numbers): their range and number
    # of decimals are checked by the server.
    "decimal strings": frozenset(
        {"quantity", "unit_price", "discount_percent", "tax_rate", "amount", "compensation"}
    ),
    # Text a create service requires, in a body shared with the change, where it may be
    # left out (a field that must not be blank, or sent as null).
    "required to create": frozenset(
        {
            "name",
            "first_name",
            "title",
            "sku",
            "unit",
            "currency",
            "address",
            "number",
            "channel",
            "ordered_at",
            "subject",
            "body",
        }
    ),
}
_SERVER_RULE_FIELDS = frozenset().union(*SERVER_RULES.values())


def _server_rule(field: str | None) -> bool:
    if field is None:
        return False
    if field.startswith("custom."):
        # Custom fields are defined by admins at run time: no schema can list them.
        return True
    if field == "rules" or field.startswith("rules."):
        # A condition tree (``core.conditions``) names fields that apps register at
        # run time, each with its operators and value type: no schema can say them.
        return True
    if field.split(".", 1)[0].split("[", 1)[0] in {"trigger", "conditions", "actions"}:
        # A workflow rule's definition: events, condition fields and action types
        # registered at run time, and contradictions between them (its paths are
        # "actions[1].tag", "conditions.all[0].field").
        return True
    last = field.rsplit(".", 1)[-1]
    if last.isdigit():
        last = field.rsplit(".", 2)[-2]
    return last.endswith(("_id", "_ids")) or last in _SERVER_RULE_FIELDS


def _beyond_the_schema(case: Any, response: Any) -> bool:
    """Whether a positive case was refused for what no schema can say: a cursor the
    server did not issue, a NUL character (PostgreSQL cannot store it; the API refuses
    it everywhere, which a pattern on every string would only repeat), a stale
    ``version`` (412, like 409 a conflict with the stored state), or a 422 naming only
    fields of ``SERVER_RULES``."""
    sent = repr((case.path_parameters, case.query, case.body))  # NUL shows as \x00
    if (case.query or {}).get("cursor") or "\\x00" in sent:
        return True
    if response.status_code == 412:
        return True
    if response.status_code != 422:
        return False
    named = [e["field"] for e in json.loads(response.content)["errors"] if e["field"]]
    # An error without a field only echoes a named one (the database constraint behind
    # "the end must be after the start").
    return bool(named) and all(_server_rule(field) for field in named)


def accepts_valid_data(ctx: Any, response: Any, case: Any) -> bool | None:
    """``positive_data_acceptance``, except for refusals ``_beyond_the_schema``."""
    try:
        accepted: bool | None = positive_data_acceptance(ctx, response, case)
    except Failure:
        if _beyond_the_schema(case, response):
            return None
        raise
    return accepted


def check_case(case: Any, token: str) -> None:
    """Call one generated request and check the answer against the document: never a
    500, the documented status codes, headers and bodies, invalid requests refused
    (``negative_data_rejection``) and valid ones accepted (``accepts_valid_data``)."""
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        # Every built-in check runs (negative_data_rejection among them), with
        # positive_data_acceptance replaced by its narrower form.
        additional_checks=[accepts_valid_data],
        excluded_checks=[positive_data_acceptance],
    )
