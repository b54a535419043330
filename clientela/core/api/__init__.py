"""The conventions every domain's REST API follows, in one place:

* ``build_api()`` — the ``NinjaAPI`` with token auth, the error body and the request
  wrapper; ``clientela/api.py`` adds each domain's router to it;
* ``auth`` — ``Authorization: Bearer <token>`` and ``@require_scope("x:write")``;
* ``limits`` — rate limits per token and per client address (429, ``RateLimit-*``);
* ``errors`` — ``{"detail": …, "errors": [{"field": …, "message": …}]}`` for every
  failure (422 validation, 404, 403, 412, 401, 400);
* ``pagination`` — keyset pagination with opaque cursors (``?limit=&cursor=``);
* ``concurrency`` — ``ETag``/``If-Match`` over the record's ``version``;
* ``idempotency`` — ``@idempotent`` for POST with an ``Idempotency-Key``;
* ``records`` — ``record_router(kind)``: list, create, get, change and delete of a
  registered kind of record, from the API section of its ``RecordKind``.

A kind of record gets its five operations by declaring its schemas, list query and
renderer in its ``RecordKind`` (``clientela/api.py`` mounts every registered kind).
A domain writes endpoints of its own (a merge, a deal's move) in ``<app>/api.py``
with a ``Router`` using these, and adds one line to ``clientela/api.py``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI

from clientela.core.api import limits
from clientela.core.api.auth import TokenAuth, api_token, api_user, require_scope
from clientela.core.api.concurrency import etag, expected_version, set_etag
from clientela.core.api.errors import (
    error_response,
    install_error_handlers,
    refuse_unknown_params,
    renamed_fields,
)
from clientela.core.api.events import router as events_router
from clientela.core.api.idempotency import idempotent
from clientela.core.api.inbound import router as inbound_router
from clientela.core.api.me import router as me_router
from clientela.core.api.pagination import Page, PageParams, paginate
from clientela.core.api.schemas import (
    CHANGE_ERRORS,
    CREATE_ERRORS,
    DETAIL_ERRORS,
    LIST_ERRORS,
    CursorPage,
    ErrorOut,
    Version,
    error_responses,
)
from clientela.core.choices import Interface
from clientela.core.context import interface

DESCRIPTION = """\
The REST API of Clientela.

* **Auth**: `Authorization: Bearer <token>`; create a token on your account page or
  with `clientela token create --user NAME --scopes contacts:read,contacts:write`.
  Each endpoint names the scope it needs; a token without it gets 403.
* **Errors** have one shape: `{"detail": "…", "errors": [{"field": "email",
  "message": "…"}]}`: 422 for invalid input, 404 for records that do not exist or that
  you may not see, 412 for a stale version.
* **Lists** are paginated by cursor: `?limit=` (default 50, at most 200) and
  `?cursor=` set to the previous page's `next_cursor`. `?sort=` takes one of the
  list's sort keys, `-key` to descend (each list's parameter says which). A query
  string over 8,000 bytes is refused with 414.
* **Values** are typed strictly: booleans are `true`/`false` (not `0`, `1` or
  `"yes"`), dates `YYYY-MM-DD`, countries ISO 3166 codes (`ES`), currencies ISO 4217
  codes (`EUR`).
* **Versions**: every record has a `version`, sent as the `ETag`. Send it back in
  `If-Match` (or a `version` field) when you change or delete the record; if someone
  changed it meanwhile you get 412 and nothing is changed.
* **Retries**: send an `Idempotency-Key` header with a POST; the same key and body
  again return the first answer instead of creating a second record.
* **Rate limits**: per token (600 requests a minute unless the site says otherwise)
  and per client address; failed authentications from one address are limited more
  strictly. Every answer says where you stand in `RateLimit-Limit`,
  `RateLimit-Remaining` and `RateLimit-Reset` (seconds); over a limit you get 429 with
  `Retry-After` (seconds).
"""


def _has_nul(value: Any) -> bool:
    # A loop, not recursion: a body may nest as deep as the JSON parser allows.
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


class _TooDeep(Exception):
    """A JSON body nested deeper than the parser can follow."""


def _nul_in_request(request: HttpRequest) -> bool:
    """NUL characters are legal JSON but PostgreSQL cannot store them in text; refuse
    them at the door rather than fail deep in a query."""
    if any("\x00" in k or any("\x00" in v for v in vs) for k, vs in request.GET.lists()):
        return True
    if request.content_type == "message/rfc822":
        # A raw e-mail (``inbound-email``) is bytes the parser cleans; it is read by its
        # endpoint under its own size limit, not Django's DATA_UPLOAD_MAX_MEMORY_SIZE.
        return False
    if request.content_type == "multipart/form-data":
        # Uploaded files are binary and may hold any byte; only text fields are stored
        # as text. Not reading ``request.body`` also lets files stream to disk instead
        # of being capped by DATA_UPLOAD_MAX_MEMORY_SIZE.
        return any("\x00" in k or any("\x00" in v for v in vs) for k, vs in request.POST.lists())
    body = request.body
    if b"\x00" in body:
        return True
    if b"\\u0000" not in body:  # cheap test first; parse only bodies that may hide one
        return False
    try:
        return _has_nul(json.loads(body))
    except RecursionError:
        raise _TooDeep from None
    except ValueError:
        return False


def _api_request(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wraps every operation: counts it against the rate limits (and adds their
    headers), marks its writes as coming through the API (the audit trail's "interface";
    the web middleware set "web" around the whole request) and refuses input no
    database can take."""

    @wraps(run)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            has_nul = _nul_in_request(request)
        except RequestDataTooBig:
            return error_response(413, _("The request body is too large."))
        except _TooDeep:
            return error_response(400, _("The request body is nested too deeply."))
        except MultiPartParserError:
            return error_response(400, _("The request body is not valid multipart data."))
        if has_nul:
            return error_response(422, _("Text must not contain NUL characters."))
        return run(request, *args, **kwargs)

    @wraps(run)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        with interface(Interface.API):
            response = limits.count_client(request)
            if response is None:
                response = checked(request, *args, **kwargs)
            limits.add_headers(request, response)
            return response

    return wrapper


#: The answer every operation may give over a rate limit, in the document.
TOO_MANY_REQUESTS = {
    "description": "Too many requests: wait `Retry-After` seconds.",
    "headers": {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."}},
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
}


#: The answer to any request whose query string is too long (``LongQueryMiddleware``).
URI_TOO_LONG = {
    "description": "The query string is longer than 8,000 bytes.",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
}


class _Api(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        """ninja's document, with the answers any operation may give from outside it:
        429 from the rate limits (``limits``, in the request wrapper) and 414 for an
        over-long query string (a middleware, before the API)."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema["paths"].values():
            for operation in operations.values():
                operation["responses"].setdefault(414, URI_TOO_LONG)
                operation["responses"].setdefault(429, TOO_MANY_REQUESTS)
        return schema


def build_api() -> NinjaAPI:
    """The API with the shared conventions and the core endpoints; domain routers are
    added by ``clientela/api.py`` (core knows no domain app)."""
    api = _Api(
        title="Clientela API",
        version="1",
        description=DESCRIPTION,
        urls_namespace="api",
        auth=TokenAuth(),
    )
    install_error_handlers(api)
    api.add_decorator(_api_request, mode="view")
    api.add_router("/", me_router)
    api.add_router("/", inbound_router)
    api.add_router("/", events_router)
    return api


__all__ = [
    "CHANGE_ERRORS",
    "CREATE_ERRORS",
    "DETAIL_ERRORS",
    "LIST_ERRORS",
    "CursorPage",
    "ErrorOut",
    "Page",
    "PageParams",
    "TokenAuth",
    "Version",
    "api_token",
    "api_user",
    "build_api",
    "error_responses",
    "etag",
    "expected_version",
    "idempotent",
    "paginate",
    "refuse_unknown_params",
    "renamed_fields",
    "require_scope",
    "set_etag",
]
