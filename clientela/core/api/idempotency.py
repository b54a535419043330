"""``Idempotency-Key`` for POST: a client that retries a create after a timeout sends
the same key, and gets the first answer back instead of a second record.

The first successful answer is stored with a hash of the request (method, path and
the JSON body in canonical form, so whitespace and key order do not matter). The
same key with another request is refused with 422. The record and the key are
written in one transaction; if two requests with one key race, the unique
constraint on (user, key) rolls the loser back and it replays the winner's answer.
Only successful (2xx) answers are stored: a request that failed may be retried with
the same key once the client has fixed it.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import typing
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.operation import Operation
from ninja.responses import NinjaJSONEncoder, Status
from ninja.utils import contribute_operation_callback

from clientela.core.api.auth import api_user
from clientela.core.api.concurrency import set_etag
from clientela.core.api.errors import json_response
from clientela.core.models import IdempotencyKey, User

F = TypeVar("F", bound=Callable[..., Any])

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255


def _fingerprint(request: HttpRequest) -> str:
    try:
        body: Any = json.loads(request.body or b"null")
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    except ValueError:
        canonical = request.body
    digest = hashlib.sha256()
    for part in (request.method or "").encode(), request.get_full_path().encode(), canonical:
        digest.update(part + b"\n")
    return digest.hexdigest()


def _find(user: User, key: str) -> IdempotencyKey | None:
    return IdempotencyKey.objects.filter(user=user, key=key).first()


def _replay(stored: IdempotencyKey, fingerprint: str) -> HttpResponse:
    if stored.request_hash != fingerprint:
        raise ValidationError(
            {HEADER: [_("This key was already used for a different request; use a new key.")]}
        )
    response = _respond(stored.status_code, stored.response_body)
    response["Idempotent-Replayed"] = "true"
    return response


def _respond(status: int, body: Any) -> HttpResponse:
    response = json_response(status, body)
    if isinstance(body, dict) and isinstance(body.get("version"), int):
        set_etag(response, body["version"])
    return response


def _render(result: Any) -> tuple[int, Any]:
    """The status and JSON body of what an endpoint returned."""
    status, value = (
        (result.status_code, result.value) if isinstance(result, Status) else (200, result)
    )
    if isinstance(value, Schema):
        value = value.model_dump()
    return status, json.loads(json.dumps(value, cls=NinjaJSONEncoder))


def _document(operation: Operation) -> None:
    parameter = {
        "name": HEADER,
        "in": "header",
        "required": False,
        "schema": {"type": "string", "maxLength": MAX_KEY_LENGTH},
        "description": "Send the same key when retrying: the record is created once "
        "and the first answer is returned again.",
    }
    operation.openapi_extra = {**(operation.openapi_extra or {}), "parameters": [parameter]}


def idempotent(func: F) -> F:
    """Make a POST endpoint honour ``Idempotency-Key``. The endpoint returns its answer
    as ``Status(code, schema)``; it is rendered here so the first answer and every
    replay are the same bytes' worth of JSON (and carry the ``ETag`` of a record)."""

    @wraps(func)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        key = request.headers.get(HEADER, "").strip()
        if not key:
            return _respond(*_render(func(request, *args, **kwargs)))
        if len(key) > MAX_KEY_LENGTH:
            raise ValidationError(
                {HEADER: [_("At most %(n)s characters.") % {"n": MAX_KEY_LENGTH}]}
            )
        user = api_user(request)
        fingerprint = _fingerprint(request)
        stored = _find(user, key)
        if stored is not None:
            return _replay(stored, fingerprint)
        try:
            with transaction.atomic():
                status, body = _render(func(request, *args, **kwargs))
                if 200 <= status < 300:
                    IdempotencyKey.objects.create(
                        user=user,
                        key=key,
                        endpoint=request.path[:255],
                        request_hash=fingerprint,
                        status_code=status,
                        response_body=body,
                    )
        except IntegrityError:
            # A concurrent request with this key committed first; ours was rolled back.
            stored = _find(user, key)
            if stored is None:
                raise
            return _replay(stored, fingerprint)
        return _respond(status, body)

    # ninja reads the view's signature through ``__wrapped__`` but resolves string
    # annotations (``from __future__ import annotations``) in the wrapper's module,
    # where the endpoint's schemas are unknown: hand it the resolved signature.
    hints = typing.get_type_hints(func, include_extras=True)
    signature = inspect.signature(func)
    wrapper.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[
            p.replace(annotation=hints.get(p.name, p.annotation))
            for p in signature.parameters.values()
        ],
        return_annotation=hints.get("return", signature.return_annotation),
    )
    contribute_operation_callback(wrapper, _document)
    return wrapper  # type: ignore[return-value]
